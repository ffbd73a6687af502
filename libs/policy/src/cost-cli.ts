// Rewrites the generated part of the root README's "What it costs" section from the synthesized stacks.
// Usage: node --import tsx libs/policy/src/cost-cli.ts [--check]   (after `npx nx run-many -t synth`)
import { knownEnvironments } from '@txn-dr/config';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCostSection } from './cost/estimate';
import { costInventory } from './cost/inventory';
import { withCostSection } from './cost/readme';
import { loadStacks, workspaceRoot } from './engine/load';

const root = workspaceRoot();
const file = join(root, 'README.md');
const current = readFileSync(file, 'utf8');
const next = withCostSection(current, renderCostSection(costInventory(loadStacks(root)), knownEnvironments()));
if (process.argv.includes('--check')) {
  if (next !== current) {
    console.error('README.md: the cost tables are out of date; run `node --import tsx libs/policy/src/cost-cli.ts`');
    process.exitCode = 1;
  }
} else if (next !== current) {
  writeFileSync(file, next);
  console.log('README.md: cost tables rewritten');
} else {
  console.log('README.md: cost tables up to date');
}
