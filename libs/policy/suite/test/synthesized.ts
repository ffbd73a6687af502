import { environmentOutdir, loadStacks, workspaceRoot, type Stack, type StackSynth } from '@txn-dr/policy';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The variable through which the global setup tells the test files where it synthesized. */
export const SYNTH_FOLDER_VARIABLE = 'POLICY_SUITE_SYNTH';
/** How each stack app run ended, beside the stacks it wrote. */
export const RUNS_FILE = 'runs.json';

function folder(): string {
  const value = process.env[SYNTH_FOLDER_VARIABLE];
  if (!value) throw new Error(`${SYNTH_FOLDER_VARIABLE} is not set: run the suite through its config (jest --config libs/policy/suite/jest.config.cjs), whose global setup synthesizes`);
  return value;
}

/** Every stack app run of the global setup: one per stack of each environment. */
export function synthRuns(): StackSynth[] {
  return JSON.parse(readFileSync(join(folder(), RUNS_FILE), 'utf8')) as StackSynth[];
}

/**
 * The stacks of an environment as the global setup synthesized them, loaded once per test file
 * on first use. A stack that failed to synthesize (bad config, or refused by the synth-time
 * policy, which removes its JSON) makes every test that needs it fail with the app's own output.
 */
export function synthesizedStacks(environment: string): () => Stack[] {
  let stacks: Stack[] | undefined;
  return () => {
    if (stacks) return stacks;
    const failed = synthRuns().filter((run) => run.environment === environment && run.status !== 0);
    if (failed.length > 0) throw new Error(failed.map((run) => `${environment} ${run.stack}: synth exited ${run.status}\n${run.stderr}`).join('\n'));
    stacks = loadStacks(workspaceRoot(__dirname), (stack) => environmentOutdir(folder(), environment, stack));
    return stacks;
  };
}
