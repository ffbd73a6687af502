import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { zipOne } from './zip';

/** What a function's build wrote, as its build script prints it. */
export interface FunctionZip {
  readonly zipPath: string;
  readonly bundleBytes: number;
  readonly zipBytes: number;
  /** The zip's SHA-256: the stacks name the function's asset by it. */
  readonly sha256: string;
}

/** Zips `code` as the one entry `entryName` and writes it to `zipPath`, creating its folder. */
export async function writeFunctionZip(code: Buffer, entryName: string, zipPath: string): Promise<FunctionZip> {
  const zip = await zipOne(code, entryName);
  mkdirSync(dirname(zipPath), { recursive: true });
  writeFileSync(zipPath, zip);
  return { zipPath, bundleBytes: code.length, zipBytes: zip.length, sha256: createHash('sha256').update(zip).digest('hex') };
}

/** The end of a build script run as a command: one line with what was written, or the error and exit code 1. */
export function reportBuild(build: Promise<FunctionZip>): void {
  build.then(
    (result) => console.log(`${result.zipPath}: ${result.zipBytes} bytes (bundle ${result.bundleBytes} bytes), sha256 ${result.sha256}`),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
