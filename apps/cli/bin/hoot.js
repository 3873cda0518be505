#!/usr/bin/env node
// `hoot`: runs the CLI's TypeScript directly, as the other apps run (tools/ts-node/register.js).
'use strict';
const path = require('node:path');

require(path.join(__dirname, '../../../tools/ts-node/register.js'));
require(path.join(__dirname, '../src/main.ts')).main('hoot');
