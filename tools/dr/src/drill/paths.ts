import { join } from 'node:path';

/** The workspace root, from this file's place in it (tools/dr/src/drill). */
export const WORKSPACE_ROOT = join(__dirname, '..', '..', '..', '..');

/** The service bundle the drill runs: `nx run transaction-api:build` writes it. */
export const SERVICE_BUNDLE = join(WORKSPACE_ROOT, 'dist', 'apps', 'transaction-api', 'main.js');

/** The local world's process entry. */
export const WORLD_MAIN = join(__dirname, '..', 'local', 'world-main.ts');

/** The operator CLI's entry, as `npx dr` runs it. */
export const DR_BIN = join(__dirname, '..', '..', 'bin', 'dr.cjs');

/** Where `dr drill up` keeps a world that outlives the command, unless told otherwise. */
export const DEFAULT_WORLD_DIR = join(WORKSPACE_ROOT, 'reports', 'dr', 'drill-world');
