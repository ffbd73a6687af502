import { rmSync } from 'node:fs';
import { SYNTH_FOLDER_VARIABLE } from './synthesized';

export default function globalTeardown(): void {
  const folder = process.env[SYNTH_FOLDER_VARIABLE];
  if (folder) rmSync(folder, { recursive: true, force: true });
}
