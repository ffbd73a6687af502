import { createPool, type Pool, type PoolConnection } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';
import { v7 as uuidv7 } from 'uuid';
import { DRIVER_SETTINGS } from '../src/db/database';
import { MIGRATIONS } from '../src/db/migrations';
import { fingerprint, mysqlTimestamp, transactionWrites, type NewTransaction } from '../src/transactions';
import type { ScenarioResult } from './stats';
import { transactionFor, type Workload } from './workload';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

/** Deadlock and lock wait timeout: the service retries these (Database.transaction), so does the ceiling. */
const RETRYABLE = new Set([1213, 1205]);
const ATTEMPTS = 3;

/** The service's tables, created by its own migration statements. */
export async function createTables(endpoint: Endpoint): Promise<void> {
  const pool = openPool(endpoint, 1);
  try {
    for (const migration of MIGRATIONS) for (const statement of migration.statements) await pool.query(statement);
  } finally {
    await pool.end();
  }
}

/**
 * The same driver settings as the service's pools (DRIVER_SETTINGS), so the driver parses
 * and converts the same way; without the service's per-statement timeouts and acquire deadline.
 */
function openPool(endpoint: Endpoint, size: number): Pool {
  return createPool({
    ...endpoint,
    connectionLimit: size,
    maxIdle: size,
    queueLimit: 0,
    ...DRIVER_SETTINGS,
  });
}

/** What the service does in the database for one POST /transactions: the same statements, one transaction. */
async function record(pool: Pool, key: string, input: NewTransaction): Promise<number> {
  const hash = fingerprint(input);
  const id = uuidv7();
  const timestamp = mysqlTimestamp(new Date());
  for (let attempt = 1; ; attempt += 1) {
    const connection: PoolConnection = await pool.getConnection();
    try {
      await connection.query('START TRANSACTION');
      for (const [sql, params] of transactionWrites(id, key, hash, timestamp, input)) await connection.execute(sql, params);
      await connection.query('COMMIT');
      connection.release();
      return attempt - 1;
    } catch (error) {
      await connection.query('ROLLBACK').then(
        () => connection.release(),
        () => connection.destroy(),
      );
      const errno = (error as { errno?: unknown }).errno;
      if (attempt >= ATTEMPTS || typeof errno !== 'number' || !RETRYABLE.has(errno)) throw error;
      await sleep(5 * attempt + Math.floor(Math.random() * 10));
    }
  }
}

export interface CeilingOptions {
  readonly name: string;
  readonly endpoint: Endpoint;
  /** Concurrent transactions, and connections in the pool. */
  readonly concurrency: number;
  readonly durationMs: number;
  readonly workload: Workload;
  /** First request number; numbers already used by an earlier run must not repeat (unique keys). */
  readonly firstRequest: number;
}

/**
 * The bare-driver ceiling: `concurrency` loops on a mysql2 pool, each recording one transaction
 * after another until the time is up. A loop that is mid-transaction at the deadline finishes
 * it, so every transaction started is either counted as committed or as an error.
 */
export async function runCeiling(options: CeilingOptions): Promise<ScenarioResult & { readonly nextRequest: number }> {
  const pool = openPool(options.endpoint, options.concurrency);
  try {
    // Open every connection before the clock starts, as the service's pool is warm when measured.
    const opened = await Promise.all(Array.from({ length: options.concurrency }, () => pool.getConnection()));
    for (const connection of opened) connection.release();

    let next = options.firstRequest;
    let ok = 0;
    let errors = 0;
    let retries = 0;
    let firstError: string | undefined;
    const latenciesMs: number[] = [];
    const started = performance.now();
    const deadline = started + options.durationMs;
    let finished = started;
    const loop = async () => {
      while (performance.now() < deadline) {
        const { key, input } = transactionFor(options.workload, next);
        next += 1;
        const t0 = performance.now();
        try {
          retries += await record(pool, key, input);
          const t1 = performance.now();
          latenciesMs.push(t1 - t0);
          ok += 1;
          finished = Math.max(finished, t1);
        } catch (error) {
          errors += 1;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, loop));
    return {
      name: options.name,
      requests: ok + errors,
      ok,
      unexpected: 0,
      errors,
      seconds: (finished - started) / 1000,
      latenciesMs,
      retries,
      ...(firstError === undefined ? {} : { firstError }),
      nextRequest: next,
    };
  } finally {
    await pool.end();
  }
}
