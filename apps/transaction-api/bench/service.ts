import { SERVICE_ENV } from '@txn-dr/contracts';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@txn-dr/testing-mariadb';
import type { Endpoint } from './ceiling';

export interface ServiceOptions {
  /** The built bundle (ARTIFACTS.transactionApi). */
  readonly bundle: string;
  readonly db: Endpoint;
  /** Where the service's log lines go (a file, as journald would take them). */
  readonly logFile: string;
  /** Extra settings, e.g. DB_POOL_SIZE or LOG_LEVEL; unset ones keep the service's defaults. */
  readonly env: Readonly<Record<string, string>>;
  /** Node.js flags for the service process, e.g. `--cpu-prof` to profile it under load. */
  readonly nodeArgs?: readonly string[];
}

export interface RunningService {
  readonly url: string;
  readonly pid: number;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves to the exit code or signal. */
  stop(graceMs?: number): Promise<string>;
  logTail(lines?: number): string;
}

/** Runs the bundle as the instances do (`node main.js`, configured by environment), on 127.0.0.1. */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const port = await freePort();
  // Nothing of the caller's service or AWS settings leaks in: the database is given directly.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !(Object.values(SERVICE_ENV) as string[]).includes(name) && !name.startsWith('AWS_') && name !== 'NODE_OPTIONS'),
  );
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    [SERVICE_ENV.host]: '127.0.0.1',
    [SERVICE_ENV.port]: String(port),
    [SERVICE_ENV.region]: 'us-east-1',
    [SERVICE_ENV.role]: 'primary',
    [SERVICE_ENV.dbHost]: options.db.host,
    [SERVICE_ENV.dbPort]: String(options.db.port),
    [SERVICE_ENV.dbName]: options.db.database,
    [SERVICE_ENV.dbUser]: options.db.user,
    [SERVICE_ENV.dbPassword]: options.db.password,
    // The benchmark's user owns its schema, and the service migrates it at start: the migrate
    // step and the service's least-privilege user are not what is measured here.
    [SERVICE_ENV.dbMigrateOnStart]: 'true',
    [SERVICE_ENV.shutdownTimeoutMs]: '10000',
    ...options.env,
  };
  const log = openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), options.bundle], { env, stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code))));
  const logTail = (lines = 20) => {
    try {
      return readFileSync(options.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  };
  const stop = async (graceMs = 15_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    child.kill('SIGTERM');
    const outcome = await Promise.race([exited, sleep(graceMs, undefined)]);
    if (outcome !== undefined) return outcome;
    child.kill('SIGKILL');
    return exited;
  };
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the service exited (${child.exitCode ?? child.signalCode}) before answering /health:\n${logTail()}`);
      if (Date.now() - started > 30_000) throw new Error(`the service did not answer GET /health with 200 within 30 s:\n${logTail()}`);
      const status = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.arrayBuffer().then(() => response.status),
        () => 0,
      );
      if (status === 200) break;
      await sleep(100);
    }
  } catch (error) {
    await stop(5_000);
    throw error;
  }
  if (child.pid === undefined) throw new Error('the service has no pid');
  return { url, pid: child.pid, stop, logTail };
}
