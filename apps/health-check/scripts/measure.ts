import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS } from '@txn-dr/contracts';
import { readZip } from '@txn-dr/function-zip/testing';
import { BUNDLE_FILE, WORKSPACE_ROOT } from './build';

/*
 * Prints the size of the built zip and of the bundle inside it, and the cold import time of the
 * bundle: a fresh Node process per run, timing only the require (what a Lambda cold start adds
 * to the runtime's own start). Figures for the README and reviews; no test depends on them.
 * MEASURE_NODE=/path/to/node times with another Node.js binary (the Lambda runtime's major).
 */

const RUNS = 9;
/** The Node.js binary to time with, e.g. one of the Lambda runtime's major version. @default this one */
const NODE = process.env.MEASURE_NODE || process.execPath;

/** The zip's one entry: the bundle. */
async function extract(zip: Buffer): Promise<Buffer> {
  const [only] = await readZip(zip);
  if (only === undefined) throw new Error('the zip is empty');
  return only.contents;
}

async function main(): Promise<void> {
  const zipPath = join(WORKSPACE_ROOT, ARTIFACTS.healthCheck.dir, ARTIFACTS.healthCheck.files.zip);
  if (!existsSync(zipPath)) throw new Error(`${zipPath} is missing: run \`nx run health-check:build\` first`);
  const zip = readFileSync(zipPath);
  const code = await extract(zip);
  const dir = mkdtempSync(join(tmpdir(), 'hc-measure-'));
  const bundlePath = join(dir, BUNDLE_FILE);
  writeFileSync(bundlePath, code);

  // Wall time is what a cold start waits; CPU time (user + system) is the same work, less disturbed
  // by other processes on a shared machine.
  const script =
    `const t = process.hrtime.bigint(), c = process.cpuUsage(); require(${JSON.stringify(bundlePath)}); ` +
    `const u = process.cpuUsage(c); process.stdout.write(JSON.stringify([Number(process.hrtime.bigint() - t) / 1e6, (u.user + u.system) / 1e3]));`;
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = execFileSync(NODE, ['-e', script], { env: { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }, encoding: 'utf8' });
    const [wall, used] = JSON.parse(out) as [number, number];
    times.push(wall);
    cpu.push(used);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const version = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim();
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  console.log(`zip:    ${kb(zip.length)} (${zip.length} bytes) ${zipPath}`);
  console.log(`bundle: ${kb(code.length)} (${code.length} bytes) ${BUNDLE_FILE}`);
  console.log(
    `cold import (require of the unzipped bundle, ${RUNS} fresh processes, Node ${version}): ` +
      `median ${times[Math.floor(RUNS / 2)]!.toFixed(1)} ms, min ${times[0]!.toFixed(1)} ms, max ${times[RUNS - 1]!.toFixed(1)} ms; ` +
      `CPU median ${cpu[Math.floor(RUNS / 2)]!.toFixed(1)} ms`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
