import { loadStacks, workspaceRoot } from '../src/engine/load';
import type { Stack } from '../src/engine/stack';

/**
 * The real synthesized stacks, loaded once per test file. `nx run policy:test` synthesizes them
 * first (dependsOn ^synth); when they are missing, every test that needs them fails with the
 * loader's message saying how to produce them. Never skipped.
 */
export function synthesizedStacks(): () => Stack[] {
  let stacks: Stack[] = [];
  let loadError: Error | undefined;
  try {
    stacks = loadStacks(workspaceRoot(__dirname));
  } catch (error) {
    loadError = error as Error;
  }
  return () => {
    if (loadError) throw new Error(`policy: ${loadError.message}`);
    return stacks;
  };
}
