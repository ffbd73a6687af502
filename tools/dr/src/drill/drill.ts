import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { type DrRole, type Environment, otherRole } from '@txn-dr/config';
import type { Operation } from '../operations';
import type { DrReport } from '../report';
import type { CountResult, Fault, WorldInfo } from '../local/protocol';
import { type DrillReport, analyse } from './analysis';
import { WriteLoad, acknowledged } from './load';
import { DR_BIN, SERVICE_BUNDLE, WORLD_MAIN } from './paths';
import { DEFAULT_DB_ENDPOINT, type DbEndpoint, type DrillProfile, type ProfileName, drillProfile } from './profile';
import { timelineSvg } from './timeline';

/** A running local world: its description, and how to stop it when this process started it. */
export interface WorldHandle {
  readonly info: WorldInfo;
  /** Stops the world when this process started it; does nothing for an attached one. */
  stop(): Promise<void>;
}

/** Starts the local world as a child process and waits until it serves. */
export async function startWorld(options: { dir?: string; profile: ProfileName; dbEndpoint?: DbEndpoint; env: Environment; detached?: boolean }): Promise<WorldHandle> {
  if (!existsSync(SERVICE_BUNDLE)) throw new Error(`the drill runs the built service: ${SERVICE_BUNDLE} is missing; run \`npx nx run transaction-api:build\``);
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'dr-drill-'));
  mkdirSync(dir, { recursive: true });
  const args = ['--import', 'tsx', WORLD_MAIN, '--dir', dir, '--profile', options.profile, '--db-endpoint', options.dbEndpoint ?? DEFAULT_DB_ENDPOINT];
  if (!options.detached) args.push('--parent-pid', String(process.pid));
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ENVIRONMENT_SUFFIX: options.env.name },
    stdio: ['ignore', 'pipe', options.detached ? 'ignore' : 'pipe'],
    detached: options.detached ?? false,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const info = await new Promise<WorldInfo>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      try {
        resolve(JSON.parse(line) as WorldInfo);
      } catch {
        reject(new Error(`the local world printed something unexpected: ${line}`));
      }
    });
    child.once('exit', (code) => reject(new Error(`the local world exited with ${code} before serving: ${stderr.trim()}`)));
  });
  if (options.detached) {
    child.stdout?.destroy();
    child.unref();
  }
  const ownsDir = options.dir === undefined;
  return {
    info,
    stop: async () => {
      await stopProcess(child, 30_000);
      if (ownsDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function stopProcess(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** The world of `dr drill up`, from the description it left. */
export function attachWorld(dir: string): WorldHandle {
  const path = join(dir, 'world.json');
  if (!existsSync(path)) throw new Error(`no local world in ${dir}: start one with \`npx dr drill up\``);
  const info = JSON.parse(readFileSync(path, 'utf8')) as WorldInfo;
  try {
    process.kill(info.pid, 0);
  } catch {
    throw new Error(`the local world in ${dir} (pid ${info.pid}) is not running: remove it with \`npx dr drill down\` and start another`);
  }
  return { info, stop: async () => undefined };
}

async function control<T>(info: WorldInfo, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${info.controlUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`local world ${path}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/** What a run of the operator CLI against the world gave. */
interface CliRun {
  readonly exitCode: number;
  readonly output: string;
  readonly report: DrReport | undefined;
}

/** Runs `dr <args>` as the operator would, against the local world. */
export async function runOperatorCli(info: WorldInfo, args: readonly string[], options: { reportPath: string; killAfter?: (line: string) => boolean; env: Environment; timeoutMs: number }): Promise<CliRun> {
  const child = spawn(process.execPath, [DR_BIN, ...args, '--yes', '--report', options.reportPath], {
    env: { ...process.env, ENVIRONMENT_SUFFIX: options.env.name, DR_WORLD: join(info.dir, 'world.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const onLine = (line: string) => {
    output += `${line}\n`;
    if (options.killAfter?.(line)) child.kill('SIGKILL');
  };
  createInterface({ input: child.stdout! }).on('line', onLine);
  createInterface({ input: child.stderr! }).on('line', onLine);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const exitCode = await new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + 9 : 1))));
  clearTimeout(timer);
  const report = existsSync(options.reportPath) ? (JSON.parse(readFileSync(options.reportPath, 'utf8')) as DrReport) : undefined;
  return { exitCode, output, report };
}

export interface DrillOptions {
  readonly operation: Operation;
  readonly fault: Fault;
  readonly profile: ProfileName;
  /** Where the service reads and writes in a world this drill starts. @default DEFAULT_DB_ENDPOINT */
  readonly dbEndpoint?: DbEndpoint;
  readonly env: Environment;
  /** Where the drill's JSON report goes; the timeline goes beside it (.svg). */
  readonly reportPath: string;
  /** A world started by `dr drill up`, instead of one started and stopped here. */
  readonly attachDir?: string;
  /** Progress lines. */
  readonly log?: (line: string) => void;
  /** Kills the operator CLI at the first output line this matches, then runs it again (resume). */
  readonly killCliAt?: RegExp;
  readonly signal?: AbortSignal;
}

export interface DrillResult {
  readonly report: DrillReport;
  readonly reportPath: string;
  readonly timelinePath: string;
  /** Everything the operator CLI printed, run by run. */
  readonly cliOutput: readonly string[];
  /** The world's process and folder: both gone once a drill that started the world returns. */
  readonly world: { readonly pid: number; readonly dir: string };
}

/**
 * The drill: a world, bounded load through the public name, a fault, the operation run by the
 * real operator CLI with --yes, then counting from the data what was acknowledged and where it is.
 */
export async function runDrill(options: DrillOptions): Promise<DrillResult> {
  const log = options.log ?? (() => undefined);
  const profile = drillProfile(options.profile, options.env);
  const world = options.attachDir ? attachWorld(options.attachDir) : await startWorld({ profile: options.profile, env: options.env, ...(options.dbEndpoint ? { dbEndpoint: options.dbEndpoint } : {}) });
  const onAbort = () => void world.stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return { ...(await drive(world.info, options, profile, log)), world: { pid: world.info.pid, dir: world.info.dir } };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await world.stop();
  }
}

async function drive(info: WorldInfo, options: DrillOptions, profile: DrillProfile, log: (line: string) => void): Promise<Omit<DrillResult, 'world'>> {
  const { env, operation, fault } = options;
  const scratch = mkdtempSync(join(tmpdir(), 'dr-drill-cli-'));
  const cliOutput: string[] = [];
  try {
    const writer = (await control<{ writer: DrRole }>(info, '/journal')).writer;
    if (operation === 'failback') {
      if (writer === 'primary') {
        // A failback needs the pair away from home: fail over first (no load), then wait for the
        // old primary to be rebuilt as a secondary, as it would be after a real outage.
        log('failback drill: failing over to the secondary first');
        const first = await runOperatorCli(info, ['failover', '--to', env.regions.secondary.region, '--force'], { reportPath: join(scratch, 'pre-failover.json'), env, timeoutMs: profile.timeLimitMs });
        cliOutput.push(first.output);
        if (first.exitCode !== 0) throw new Error(`the failover before the failback failed (exit ${first.exitCode}):\n${first.output}`);
      }
      await waitFor(async () => (await control<{ synchronization: Partial<Record<DrRole, string>> }>(info, '/journal')).synchronization.primary === 'connected', profile.timeLimitMs, 'the old primary to rejoin as a secondary');
    }
    const from: DrRole = operation === 'failback' ? 'secondary' : (await control<{ writer: DrRole }>(info, '/journal')).writer;
    const to = otherRole(from);
    const region = (role: DrRole) => ({ role, region: env.regions[role].region });

    const load = new WriteLoad({
      url: info.publicUrl,
      ...profile.load,
      maxRequests: Math.ceil((profile.timeLimitMs / 1000) * profile.load.ratePerSecond),
      maxDurationMs: profile.timeLimitMs,
    });
    const loadStart = Date.now();
    load.start();
    log(`load: ${profile.load.ratePerSecond} writes/s through ${info.publicUrl}`);
    await delay(profile.warmupMs);

    let faultAt: number | null = null;
    if (fault !== 'none') {
      faultAt = Date.now();
      await control(info, `/faults/${fault}`, { role: fault === 'lag' ? to : from });
      log(`fault injected: ${fault}`);
      if (fault === 'freeze-writer') {
        // The operator is paged once Route 53's checks have failed the writer's region: that
        // failing check is also the failover's evidence that the region is impaired.
        await waitFor(
          async () => {
            const records = await fetch(`${info.route53Url}/records`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.json() as Promise<{ records: Record<DrRole, { healthy: boolean }> }>);
            return !records.records[from].healthy;
          },
          profile.timeLimitMs,
          `Route 53's checks to fail ${env.regions[from].region}`,
        );
      }
      if (fault === 'lag') {
        // Let writes pile up on the writer that the standby has not applied yet.
        await delay(Math.min(profile.lagSeconds * 1000 * 0.7, 2_000 + profile.lagSeconds * 500));
      }
    }

    const operationStart = Date.now();
    const args = [operation, '--to', region(to).region];
    // Failing over from a region whose API and health checks look fine needs the operator's word
    // for it; a lost region gives no answer, and a frozen writer fails its health checks.
    if (operation === 'failover' && (fault === 'none' || fault === 'lag' || fault === 'route53-control-plane')) args.push('--force');
    const reportPath = join(scratch, 'operation.json');
    let run = await runOperatorCli(info, args, { reportPath, env, timeoutMs: profile.timeLimitMs, ...(options.killCliAt ? { killAfter: (line) => options.killCliAt!.test(line) } : {}) });
    cliOutput.push(run.output);
    if (options.killCliAt) {
      log(`operator CLI killed (exit ${run.exitCode}); running it again`);
      run = await runOperatorCli(info, args, { reportPath, env, timeoutMs: profile.timeLimitMs });
      cliOutput.push(run.output);
    }
    const operationEnd = Date.now();
    log(`operation ${operation}: exit ${run.exitCode}`);
    await delay(profile.cooldownMs);
    const records = await load.stop();

    const count = await control<CountResult>(info, '/count', { keys: records.filter(acknowledged).map((r) => r.key) });
    const report = analyse({ operation, fault, profile: profile.name, dbEndpoint: info.dbEndpoint, from: region(from), to: region(to), records, count, cliReport: run.report, loadStart, faultAt, operationStart, operationEnd });
    mkdirSync(dirname(options.reportPath), { recursive: true });
    writeFileSync(options.reportPath, `${JSON.stringify(report, null, 2)}\n`);
    const timelinePath = options.reportPath.replace(/\.json$/, '') + '.svg';
    writeFileSync(timelinePath, timelineSvg(report));
    return { report, reportPath: options.reportPath, timelinePath, cliOutput };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await delay(100);
  }
  throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
}
