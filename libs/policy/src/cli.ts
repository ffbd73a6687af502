// Runs every policy rule over the synthesized stacks (`cdktf.out` of each stack project), with the
// suppressions written on their resources, and prints rule | mirrors | stack | resource | result.
// Exits 1 on an unsuppressed failure or a suppression that matches nothing.
// Usage: node --import tsx libs/policy/src/cli.ts [--failures] [--json]
// (--failures: only FAIL and SUPPRESSED rows; --json: the whole report as JSON)
import { evaluate } from './engine/evaluate';
import { loadStacks } from './engine/load';
import { renderReport, renderSummary } from './report/table';
import { RULES } from './rules';

function main(argv: readonly string[]): number {
  let stacks;
  try {
    stacks = loadStacks();
  } catch (error) {
    console.error(`policy: ${(error as Error).message}`);
    return 1;
  }
  const report = evaluate(RULES, stacks);
  if (argv.includes('--json')) {
    console.log(JSON.stringify(report, null, 2));
    console.error(renderSummary(report, RULES.length));
  } else {
    console.log(renderReport(report, { all: !argv.includes('--failures') }));
    console.log('');
    console.log(renderSummary(report, RULES.length));
  }
  return report.ok ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
