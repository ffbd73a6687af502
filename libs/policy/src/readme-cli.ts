// Regenerates the rule and suppression tables of libs/policy/README.md: the rules from the rule
// data, the suppressions from the stacks of every environment, synthesized afresh into a temporary
// folder (a few seconds). Usage: node --import tsx libs/policy/src/readme-cli.ts [--check]
import { knownEnvironments } from '@txn-dr/config';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStacks, workspaceRoot } from './engine/load';
import { environmentOutdir, synthesizeEnvironments } from './engine/synthesize';
import { suppressionRows, withGeneratedTables } from './readme';
import { RULES } from './rules';

async function main(check: boolean): Promise<number> {
  const root = workspaceRoot();
  const environments = knownEnvironments();
  const folder = mkdtempSync(join(tmpdir(), 'policy-readme-'));
  try {
    const runs = await synthesizeEnvironments(environments, folder, { root });
    const failed = runs.filter((run) => run.status !== 0);
    if (failed.length > 0) {
      for (const run of failed) console.error(`${run.environment} ${run.stack}: synth failed (exit ${run.status})\n${run.stderr}`);
      console.error('libs/policy/README.md: not rewritten; fix the synth first');
      return 1;
    }
    const rows = suppressionRows(
      environments.map((environment) => ({
        environment,
        suppressions: loadStacks(root, (stack) => environmentOutdir(folder, environment, stack)).flatMap((stack) => stack.suppressions()),
      })),
    );
    const file = join(__dirname, '..', 'README.md');
    const current = readFileSync(file, 'utf8');
    const next = withGeneratedTables(current, RULES, rows, environments);
    if (check) {
      if (next === current) return 0;
      console.error('libs/policy/README.md: the generated tables are out of date; run `npx nx run policy:readme`');
      return 1;
    }
    if (next !== current) {
      writeFileSync(file, next);
      console.log(`libs/policy/README.md: tables rewritten (${RULES.length} rules, ${rows.length} suppressions)`);
    } else {
      console.log('libs/policy/README.md: tables up to date');
    }
    return 0;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main(process.argv.includes('--check')).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
