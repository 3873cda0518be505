// Lints virtual files with the workspace's real ESLint config and prints the rule ids hit, as JSON.
// Input on stdin: [{ "filePath": "libs/x/src/probe.ts", "code": "..." }, ...].
// A separate process because ESLint loads its flat config with a dynamic import, which Jest's VM cannot do.
import { createProjectGraphAsync } from '@nx/devkit';
import { ESLint } from 'eslint';
import { readFileSync } from 'node:fs';

const cases = JSON.parse(readFileSync(0, 'utf8'));
// The boundary rule reads the cached project graph; make sure there is a current one.
await createProjectGraphAsync({ exitOnError: false });
const eslint = new ESLint({ cwd: process.cwd() });
const results = [];
for (const { filePath, code } of cases) {
  const [result] = await eslint.lintText(code, { filePath });
  results.push({
    filePath,
    messages: result.messages.map((m) => ({ ruleId: m.ruleId, message: m.message })),
  });
}
process.stdout.write(JSON.stringify(results));
