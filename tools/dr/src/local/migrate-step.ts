import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ARTIFACTS, SERVICE_ENV as ENV } from '@txn-dr/contracts';
import type { MariaDbAccount } from './mariadb';

export interface MigrateStepOptions {
  /** The built service bundle (dist/apps/transaction-api/main.js); the migrate bundle sits beside it. */
  readonly bundle: string;
  /** AWS region the world's writer stands for (the step's logs carry it). */
  readonly region: string;
  /** The writer, on loopback. */
  readonly host: string;
  readonly port: number;
  readonly database: string;
  /** The administrative account the step runs as (the master user's stand-in). */
  readonly admin: MariaDbAccount;
  /** The service's own user the step creates, and the password it gets. */
  readonly service: MariaDbAccount;
  /** Bound on the whole step. @default 60_000 */
  readonly timeoutMs?: number;
}

/** The migrate bundle beside the service bundle, where the service's build writes both. */
export function migrateBundleOf(bundle: string): string {
  return join(dirname(bundle), ARTIFACTS.transactionApi.files.migrate);
}

/**
 * Runs the service's migrate step, the built bundle as a process of its own, as it will run in
 * AWS: the schema migrations and the service's own user (DML on its schema only, here with a
 * password, from 127.0.0.1), as the administrative account, on the writer. Resolves when it
 * exited 0; rejects with its error output otherwise, or when it outlives `timeoutMs`.
 */
export function runMigrateStep(options: MigrateStepOptions): Promise<void> {
  const program = migrateBundleOf(options.bundle);
  if (!existsSync(program)) {
    return Promise.reject(new Error(`the migrate bundle ${program} does not exist: build the service with \`npx nx run transaction-api:build\``));
  }
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = spawn(process.execPath, [program], {
    env: {
      PATH: process.env['PATH'] ?? '',
      [ENV.region]: options.region,
      [ENV.logLevel]: 'warn',
      [ENV.dbHost]: options.host,
      [ENV.dbPort]: String(options.port),
      [ENV.dbName]: options.database,
      [ENV.dbAuth]: 'static',
      [ENV.dbUser]: options.admin.user,
      [ENV.dbPassword]: options.admin.password,
      [ENV.serviceDbUser]: options.service.user,
      [ENV.serviceDbUserHost]: '127.0.0.1',
      [ENV.serviceDbAuth]: 'password',
      [ENV.serviceDbPassword]: options.service.password,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the migrate step did not finish within ${timeoutMs} ms: ${tail(stderr)}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`the migrate step exited with ${signal ?? code}: ${tail(stderr)}`));
    });
  });
}

/** The step's last lines of error output. */
function tail(lines: readonly string[]): string {
  return (
    lines
      .join('')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .slice(-10)
      .join('\n') || '(no output)'
  );
}
