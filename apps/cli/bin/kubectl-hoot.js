#!/usr/bin/env node
// `kubectl-hoot`: the same CLI as a kubectl plugin (`kubectl hoot …`); it finds the registry Services
// through the current kubeconfig context unless --registry is given.
'use strict';
const path = require('node:path');

require(path.join(__dirname, '../../../tools/ts-node/register.js'));
require(path.join(__dirname, '../src/main.ts')).main('kubectl-hoot');
