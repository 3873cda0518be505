#!/usr/bin/env node
// Sums the Jest JSON reports of one test run and prints a table and the closing line
// "Tests: N passed, N failed" (exit 1 if anything failed or nothing ran).
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2];
const files = fs.existsSync(dir)
  ? fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
  : [];
let passed = 0;
let failed = 0;
let pending = 0;
let brokenSuites = 0;
for (const file of files) {
  let report;
  try {
    report = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  } catch {
    console.log(`  ${file.padEnd(34)} unreadable report`);
    brokenSuites += 1;
    continue;
  }
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  pending += report.numPendingTests + (report.numTodoTests ?? 0);
  brokenSuites += report.numRuntimeErrorTestSuites ?? 0;
  const name = path.basename(file, '.json');
  console.log(
    `  ${name.padEnd(34)} ${String(report.numPassedTests).padStart(4)} passed ${String(report.numFailedTests).padStart(3)} failed` +
      `  (${report.numTotalTestSuites} suites${report.numRuntimeErrorTestSuites ? `, ${report.numRuntimeErrorTestSuites} did not run` : ''})`,
  );
}
const skipped = pending ? `, ${pending} skipped` : '';
console.log(`Tests: ${passed} passed, ${failed + brokenSuites} failed${skipped}`);
process.exit(failed + brokenSuites > 0 || passed === 0 ? 1 : 0);
