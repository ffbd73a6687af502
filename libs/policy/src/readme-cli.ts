// Regenerates the rule and suppression tables of libs/policy/README.md from the rule data.
// Usage: node --import tsx libs/policy/src/readme-cli.ts [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SUPPRESSIONS } from '../suppressions';
import { withGeneratedTables } from './readme';
import { RULES } from './rules';

const file = join(__dirname, '..', 'README.md');
const current = readFileSync(file, 'utf8');
const next = withGeneratedTables(current, RULES, SUPPRESSIONS);
if (process.argv.includes('--check')) {
  if (next !== current) {
    console.error('libs/policy/README.md: the generated tables are out of date; run `npx nx run policy:readme`');
    process.exitCode = 1;
  }
} else if (next !== current) {
  writeFileSync(file, next);
  console.log(`libs/policy/README.md: tables rewritten (${RULES.length} rules, ${SUPPRESSIONS.length} suppressions)`);
} else {
  console.log('libs/policy/README.md: tables up to date');
}
