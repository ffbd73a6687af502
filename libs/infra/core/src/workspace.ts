import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The monorepo root (the folder with nx.json), found from this file, so that build artifacts
 * named relative to the root resolve the same from a stack app, a test or the cdktf CLI.
 */
export function workspaceRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${from}`);
    dir = parent;
  }
  return dir;
}
