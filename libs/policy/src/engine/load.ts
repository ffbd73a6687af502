import { STACK_NAMES, stackProject, type StackName } from '@txn-dr/contracts';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Stack } from './stack';
import type { TfJson } from './types';

export const SYNTH_HINT = 'run `npx nx run-many -t synth` (or `npx nx run policy:test`, which synthesizes first)';

/** The workspace root: the nearest directory above `start` holding nx.json. */
export function workspaceRoot(start: string = __dirname): string {
  let dir = start;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${start}`);
    dir = parent;
  }
  return dir;
}

/** The folder `nx run <stack>:synth` writes to: `cdktf.out` in the stack project. */
export function defaultOutdir(root: string, stack: StackName): string {
  return join(root, 'apps', stackProject(stack), 'cdktf.out');
}

/** Where cdktf wrote a stack's Terraform JSON, as the manifest in its output folder says. */
export function synthesizedPath(root: string, stack: StackName, out: string = defaultOutdir(root, stack)): string {
  const manifestFile = join(out, 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error(`${relative(root, manifestFile)} is missing: ${stack} has not been synthesized; ${SYNTH_HINT}`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { stacks?: Record<string, { synthesizedStackPath?: string }> };
  const path = manifest.stacks?.[stack]?.synthesizedStackPath;
  if (!path) throw new Error(`${relative(root, manifestFile)} names no stack "${stack}"; ${SYNTH_HINT}`);
  const file = join(out, path);
  if (!existsSync(file)) throw new Error(`${relative(root, file)} is missing; ${SYNTH_HINT}`);
  return file;
}

/**
 * Every synthesized stack of the workspace, in deploy order, from the stack projects' `cdktf.out`
 * or from the folders `outdirOf` names. Throws, saying to synth, if one is missing.
 */
export function loadStacks(root: string = workspaceRoot(), outdirOf: (stack: StackName) => string = (stack) => defaultOutdir(root, stack)): Stack[] {
  return STACK_NAMES.map((name) => {
    const file = synthesizedPath(root, name, outdirOf(name));
    return new Stack(name, JSON.parse(readFileSync(file, 'utf8')) as TfJson, relative(root, file));
  });
}
