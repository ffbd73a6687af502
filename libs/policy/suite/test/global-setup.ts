import { knownEnvironments } from '@txn-dr/config';
import { synthesizeEnvironments } from '@txn-dr/policy';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUNS_FILE, SYNTH_FOLDER_VARIABLE } from './synthesized';

/**
 * Synthesizes every stack of every environment once for the whole run, as `nx run <stack>:synth`
 * does (the synth-time policy included), and records how each run ended for the tests to report.
 * Jest starts its workers after this, so they inherit the variable naming the folder.
 */
export default async function globalSetup(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'policy-suite-'));
  const runs = await synthesizeEnvironments(knownEnvironments(), folder);
  writeFileSync(join(folder, RUNS_FILE), JSON.stringify(runs));
  process.env[SYNTH_FOLDER_VARIABLE] = folder;
}
