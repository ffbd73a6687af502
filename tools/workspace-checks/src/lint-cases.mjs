// Lints each {path, code} case read from stdin as if it were that file, with the workspace's own
// ESLint config; prints the rule id and message of every problem per case. Run as a child process
// because the flat config is an ES module, which Jest's module sandbox cannot import.
import { ESLint } from 'eslint';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2];
const cases = JSON.parse(readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd: root });
const results = [];
for (const { path, code } of cases) {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  results.push((result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`));
}
process.stdout.write(JSON.stringify(results));
