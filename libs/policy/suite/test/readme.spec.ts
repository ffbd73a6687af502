import { knownEnvironments } from '@txn-dr/config';
import { RULES, SUPPRESSIONS_END, SUPPRESSIONS_START, suppressionRows, withGeneratedTables, workspaceRoot } from '@txn-dr/policy';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { synthesizedStacks } from './synthesized';

const environments = knownEnvironments();
const stacksOf = Object.fromEntries(environments.map((environment) => [environment, synthesizedStacks(environment)]));

describe('libs/policy/README.md', () => {
  const readme = readFileSync(join(workspaceRoot(__dirname), 'libs', 'policy', 'README.md'), 'utf8');
  const rows = () => suppressionRows(environments.map((environment) => ({ environment, suppressions: stacksOf[environment]!().flatMap((stack) => stack.suppressions()) })));

  it('lists every rule, and every suppression the stacks of each environment carry, as they are (run `npx nx run policy:readme` to update)', () => {
    expect(withGeneratedTables(readme, RULES, rows(), environments)).toBe(readme);
  });

  it('names each suppression by the construct that carries it, not by a generated address', () => {
    const table = readme.slice(readme.indexOf(SUPPRESSIONS_START), readme.indexOf(SUPPRESSIONS_END));
    const lines = table.split('\n').filter((line) => line.startsWith('| `'));
    expect(lines.length).toBe(rows().length);
    for (const line of lines) expect(line).toMatch(/^\| `[a-z0-9-]+` \| (global|primary|secondary)[^|]* \| `(global|primary|secondary)\/[^`]+` \| /);
  });
});
