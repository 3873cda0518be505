#!/usr/bin/env node
// Every path alias in tsconfig.base.json must point at an existing entry file (a barrel), or imports
// would silently resolve nowhere. Usable as a module (the spec) and as a command (`npm run lint`).
const fs = require('node:fs');
const path = require('node:path');

/** Returns one line per broken alias; empty when all resolve. */
function findBrokenAliases(tsconfigPath) {
  const root = path.dirname(tsconfigPath);
  const config = JSON.parse(fs.readFileSync(tsconfigPath, 'utf8'));
  const paths = (config.compilerOptions && config.compilerOptions.paths) || {};
  const broken = [];
  for (const [alias, targets] of Object.entries(paths)) {
    if (!Array.isArray(targets) || targets.length === 0) {
      broken.push(`${alias}: no target`);
      continue;
    }
    for (const target of targets) {
      if (target.includes('*')) {
        broken.push(`${alias}: wildcard target ${target} (import libs through their barrel only)`);
      } else if (!fs.existsSync(path.join(root, target)) || !fs.statSync(path.join(root, target)).isFile()) {
        broken.push(`${alias}: ${target} does not exist`);
      }
    }
  }
  return broken;
}

module.exports = { findBrokenAliases };

if (require.main === module) {
  const tsconfig = path.join(__dirname, '../../../tsconfig.base.json');
  const broken = findBrokenAliases(tsconfig);
  if (broken.length) {
    console.error(`tsconfig.base.json has ${broken.length} broken path alias(es):\n  ${broken.join('\n  ')}`);
    process.exit(1);
  }
  console.log('path aliases: all resolve');
}
