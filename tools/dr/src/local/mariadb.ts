import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';

const run = promisify(execFile);

/** Where Debian puts the server binaries (root's PATH has /usr/sbin, a developer's may not). */
const SEARCH_PATH = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/usr/local/mysql/bin'];

export type MariaDbProgram = 'mariadb-install-db' | 'mariadbd' | 'mariadb' | 'mariadb-dump' | 'mariadb-binlog' | 'mariadb-backup';

/** Debian ships mariadb-backup in a package of its own; everything else comes with the server. */
const installHint = (name: MariaDbProgram) =>
  `install it first: \`sudo apt-get install ${name === 'mariadb-backup' ? 'mariadb-backup' : 'mariadb-server'}\` (Debian/Ubuntu)`;

/** The path of a MariaDB program; throws with the install hint when it is missing. */
export function mariadbProgram(name: MariaDbProgram): string {
  for (const dir of [...(process.env['PATH'] ?? '').split(':').filter(Boolean), ...SEARCH_PATH]) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`the local drill needs the MariaDB program ${name}, which is not installed: ${installHint(name)}`);
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The account a query runs as when it is not root. */
export interface MariaDbAccount {
  readonly user: string;
  readonly password: string;
}

export interface QueryOptions {
  /**
   * Bound on connecting and answering together. A frozen server accepts the connection in the
   * kernel and then never answers: only this deadline ends the call. @default 10_000
   */
  readonly timeoutMs?: number;
  /** Run as this account over the socket instead of root. @default root */
  readonly as?: MariaDbAccount;
}

export type Row = Record<string, unknown>;

/** A server that did not answer in time: frozen, overloaded or blocked on a lock. */
export class MariaDbTimeoutError extends Error {
  override readonly name = 'MariaDbTimeoutError';
}

export interface LocalMariaDbOptions {
  /** Holds the data directory, socket, pid file and log; created when missing. */
  readonly dir: string;
  /** Unique in a replication topology; it is the middle part of the GTIDs this server writes. */
  readonly serverId: number;
  /** Names the server in messages (a region, say). */
  readonly name: string;
  /** TCP port on 127.0.0.1. @default a free port */
  readonly port?: number;
  /** Start with `read_only=1`, so nothing but root writes until told otherwise. @default false */
  readonly readOnly?: boolean;
  /** Bound on installing and starting until the server answers. @default 30_000 */
  readonly startTimeoutMs?: number;
}

export interface RestartOptions {
  /**
   * Whether the server comes back read-only. MariaDB forgets `read_only` on restart; the default
   * is the state last set through `setReadOnly`, so a replica comes back as one.
   */
  readonly readOnly?: boolean;
}

const DEFAULT_QUERY_TIMEOUT_MS = 10_000;
const DEFAULT_START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 20_000;

/**
 * One private MariaDB server on 127.0.0.1, as a region's database in the local drill: binary log
 * with GTIDs (strict mode), row-based, replicated transactions logged too, so either server can
 * become the source of the other.
 *
 * root logs in over the unix socket only (socket authentication, no password anywhere). Faults:
 * `kill` (SIGKILL, the region is lost), `freeze` (SIGSTOP: connections hang and nothing, not even
 * SQL, can fence it), and `restart` on the same data and port.
 *
 * The server cannot outlive the process that started it: a small guard process holds a pipe from
 * this one and kills the server when the pipe closes, however this process ends.
 */
export class LocalMariaDb {
  readonly name: string;
  readonly dir: string;
  readonly serverId: number;
  readonly port: number;
  readonly socket: string;
  /** What root is called: the operating system user (mariadb-install-db's socket account). */
  private readonly rootUser: string;
  private child: ChildProcess | undefined;
  private guard: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private processId: number | undefined;
  private frozen = false;
  private readOnlyIntent: boolean;
  private logOffset = 0;

  private constructor(options: LocalMariaDbOptions & { readonly port: number }) {
    this.name = options.name;
    this.dir = options.dir;
    this.serverId = options.serverId;
    this.port = options.port;
    this.socket = join(options.dir, 'mariadbd.sock');
    this.rootUser = userInfo().username;
    this.readOnlyIntent = options.readOnly ?? false;
  }

  /** Installs the data directory when it is empty, starts the server and waits until it answers. */
  static async start(options: LocalMariaDbOptions): Promise<LocalMariaDb> {
    if (!Number.isInteger(options.serverId) || options.serverId < 1) throw new Error(`serverId must be a positive integer, got ${options.serverId}`);
    // A unix socket path holds at most 107 bytes on Linux.
    if (Buffer.byteLength(join(options.dir, 'mariadbd.sock')) > 107) throw new Error(`dir is too long for a unix socket path (at most about 90 bytes): ${options.dir}`);
    mkdirSync(join(options.dir, 'tmp'), { recursive: true });
    const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    for (let attempt = 1; ; attempt++) {
      const server = new LocalMariaDb({ ...options, port: options.port ?? (await freePort()) });
      if (attempt === 1) await server.install(timeoutMs);
      try {
        await server.launch(timeoutMs);
        return server;
      } catch (error) {
        await server.dispose();
        // A free port can be taken by another process between the look and the bind: take another.
        const portTaken = /Address already in use|Bind on TCP\/IP port/.test((error as Error).message);
        if (options.port !== undefined || !portTaken || attempt >= 3) throw error;
      }
    }
  }

  /** The data directory, the binary logs included. */
  get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** The server's own temporary folder (temporary tables, sort files). */
  get tmpDir(): string {
    return join(this.dir, 'tmp');
  }

  /** The server's error log. */
  get logFile(): string {
    return join(this.dir, 'mariadbd.log');
  }

  /** Where the application connects: TCP on loopback. */
  get endpoint(): { readonly host: string; readonly port: number } {
    return { host: '127.0.0.1', port: this.port };
  }

  /** Arguments that log a MariaDB client program (mariadb, mariadb-dump) in as root over the socket. */
  clientArguments(): string[] {
    return ['--no-defaults', `--socket=${this.socket}`, `--user=${this.rootUser}`];
  }

  /** The server process, from its pid file; undefined when it is not running. */
  get pid(): number | undefined {
    return this.running ? this.processId : undefined;
  }

  /** Whether the process is alive (a frozen server is running). */
  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get isFrozen(): boolean {
    return this.frozen;
  }

  /**
   * Runs one statement as root over the socket (or as `options.as`) on a connection of its own,
   * and returns the rows (or the result header of a statement without rows). Ends in
   * `MariaDbTimeoutError` after `timeoutMs`, whatever the server does. Errors from the server keep
   * their `errno`; they carry the statement as written, never the values bound to it (passwords).
   */
  async query<T = Row[]>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    const started = Date.now();
    let connection: Awaited<ReturnType<typeof createConnection>> | undefined;
    try {
      connection = await createConnection({
        socketPath: this.socket,
        user: options.as?.user ?? this.rootUser,
        ...(options.as ? { password: options.as.password } : {}),
        connectTimeout: timeoutMs,
        dateStrings: true,
        // Numbers as numbers; only those beyond 2^53 (none here) as strings.
        supportBigNumbers: true,
      });
      const remaining = Math.max(1, timeoutMs - (Date.now() - started));
      const [rows] = await connection.query({ sql, values: params.length > 0 ? [...params] : undefined, timeout: remaining });
      return rows as T;
    } catch (error) {
      throw this.describeError(error, sql, timeoutMs);
    } finally {
      // Never `end()`: it waits for the server's answer to COM_QUIT, which a frozen server never sends.
      connection?.destroy();
    }
  }

  /**
   * `SET GLOBAL read_only`, remembered so that `restart` brings the server back the same way.
   * Users without READ ONLY ADMIN (the application's, the heartbeat's) are refused with errno 1290
   * while it is on; root and the replication applier are not.
   */
  async setReadOnly(on: boolean, timeoutMs = DEFAULT_QUERY_TIMEOUT_MS): Promise<void> {
    this.readOnlyIntent = on;
    await this.query(`SET GLOBAL read_only = ${on ? 1 : 0}`, [], { timeoutMs });
  }

  /** Whether the last `setReadOnly` (or the start options) asked for read-only. */
  get readOnlyIntended(): boolean {
    return this.readOnlyIntent;
  }

  /** A clean shutdown within `timeoutMs`, then SIGKILL. The data directory stays for `restart`. */
  async stop(timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
    if (!this.running) {
      this.endGuard();
      return;
    }
    if (this.frozen) await this.thaw();
    // The server drops the connection as it shuts down, so the statement may fail: the exit decides.
    await this.query('SHUTDOWN', [], { timeoutMs: Math.min(timeoutMs, 5_000) }).catch(() => undefined);
    if (!(await this.waitForExit(timeoutMs))) {
      this.signal('SIGKILL');
      await this.waitForExit(5_000);
    }
    this.endGuard();
  }

  /** SIGKILL: the region is lost. Committed transactions survive (InnoDB recovers them on restart). */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.signal('SIGKILL');
    this.frozen = false;
    if (!(await this.waitForExit(10_000))) throw new Error(`${this.name}: mariadbd (pid ${this.processId}) did not exit within 10 s of SIGKILL`);
    this.endGuard();
  }

  /**
   * SIGSTOP: connections stay open and nothing answers, like a hung host. The signal reaches the
   * threads one by one; this returns once every thread is stopped, so no query sent after it can
   * still be answered.
   */
  async freeze(): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) throw new Error(`${this.name}: mariadbd is not running`);
    this.signal('SIGSTOP');
    this.frozen = true;
    const started = Date.now();
    while (!allThreadsStopped(pid)) {
      if (Date.now() - started > 5_000) throw new Error(`${this.name}: mariadbd (pid ${pid}) did not stop within 5 s of SIGSTOP`);
      await delay(5);
    }
  }

  /** SIGCONT: the server goes on where it stopped. */
  async thaw(): Promise<void> {
    if (this.running) this.signal('SIGCONT');
    this.frozen = false;
  }

  /**
   * Starts the server again on the same data directory and port (stopping it first if it runs).
   * A replica resumes replicating by itself: its source is kept in the data directory.
   */
  async restart(options: RestartOptions = {}): Promise<void> {
    if (this.running) await this.stop();
    this.readOnlyIntent = options.readOnly ?? this.readOnlyIntent;
    await this.launch(DEFAULT_START_TIMEOUT_MS);
  }

  /** Stops everything this object started: the server (cleanly if it can) and its guard. */
  async dispose(): Promise<void> {
    await this.stop().catch(() => {
      if (this.running) this.signal('SIGKILL');
    });
    this.endGuard();
  }

  private async install(timeoutMs: number): Promise<void> {
    if (existsSync(join(this.dataDir, 'mysql'))) return;
    await run(
      mariadbProgram('mariadb-install-db'),
      [
        '--no-defaults',
        `--datadir=${this.dataDir}`,
        // A temporary folder of its own: two installs at once in the shared /tmp can clash on
        // the names of their temporary tables ("Unknown table 'mysql.tmp_user_sys'").
        `--tmpdir=${this.tmpDir}`,
        `--user=${this.rootUser}`,
        // root (and the installing user) log in through the socket only: no password exists.
        '--auth-root-authentication-method=socket',
        '--skip-test-db',
      ],
      { timeout: timeoutMs },
    ).catch((error: unknown) => {
      throw new Error(`${this.name}: mariadb-install-db failed in ${this.dataDir}: ${(error as Error).message}`);
    });
  }

  private async launch(timeoutMs: number): Promise<void> {
    this.processId = undefined;
    this.logOffset = existsSync(this.logFile) ? statSync(this.logFile).size : 0;
    const log = openSync(this.logFile, 'a');
    const child = spawn(
      mariadbProgram('mariadbd'),
      [
        '--no-defaults',
        `--datadir=${this.dataDir}`,
        `--tmpdir=${this.tmpDir}`,
        `--socket=${this.socket}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--user=${this.rootUser}`,
        `--pid-file=${join(this.dir, 'mariadbd.pid')}`,
        `--server-id=${this.serverId}`,
        // Binary log named after nothing host-specific, so a data directory can move.
        '--log-bin=bin',
        '--relay-log=relay',
        '--log-slave-updates=1',
        '--binlog-format=ROW',
        // A replica refuses a GTID out of order instead of silently diverging.
        '--gtid-strict-mode=1',
        '--skip-name-resolve',
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_general_ci',
        // The faults are process kills, not power losses: the page cache keeps what was written,
        // so flushing to the OS at each commit is durable enough and much faster than fsync.
        '--innodb-flush-log-at-trx-commit=2',
        '--sync-binlog=0',
        '--innodb-buffer-pool-size=32M',
        '--max-connections=300',
        // A replica notices a silent source within seconds, not the default minute.
        '--slave-net-timeout=10',
        // Per-query connections are closed without COM_QUIT (see `query`): not worth a log line.
        '--log-warnings=1',
        ...(this.readOnlyIntent ? ['--read-only=1'] : []),
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    child.unref();
    this.child = child;
    this.frozen = false;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('error', () => undefined);
    this.startGuard(child.pid);

    const started = Date.now();
    for (;;) {
      if (!this.running) throw new Error(`${this.name}: mariadbd exited during start: ${this.tail()}`);
      try {
        await this.query('SELECT 1', [], { timeoutMs: 2_000 });
        break;
      } catch {
        if (Date.now() - started > timeoutMs) {
          this.signal('SIGKILL');
          throw new Error(`${this.name}: mariadbd did not answer within ${timeoutMs} ms: ${this.tail()}`);
        }
        await delay(25);
      }
    }
    this.processId = this.readPidFile() ?? child.pid;
  }

  /**
   * A `sh` that waits for end of file on a pipe from this process, then SIGKILLs the server. Only
   * this process holds the pipe's other end, so it closes when this process ends for any reason
   * (even SIGKILL, which runs no exit handler).
   */
  private startGuard(pid: number | undefined): void {
    this.endGuard();
    if (pid === undefined) return;
    const guard = spawn('/bin/sh', ['-c', 'read _; kill -KILL "$0" 2>/dev/null', String(pid)], { stdio: ['pipe', 'ignore', 'ignore'] });
    guard.once('error', () => undefined);
    guard.unref();
    // An unreferenced pipe does not keep this process alive; it still closes when it exits.
    (guard.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    this.guard = guard;
  }

  private endGuard(): void {
    const guard = this.guard;
    this.guard = undefined;
    if (guard && guard.exitCode === null && guard.signalCode === null && guard.pid !== undefined) {
      try {
        process.kill(guard.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  private async waitForExit(timeoutMs: number): Promise<boolean> {
    if (!this.running) return true;
    // A referenced timer: the child is unreferenced, so without it this process could end mid-wait.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      return await Promise.race([this.exited.then(() => true), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.processId ?? this.child?.pid;
    if (pid === undefined || !this.running) return;
    try {
      process.kill(pid, signal);
    } catch {
      // exited meanwhile
    }
  }

  private readPidFile(): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.dir, 'mariadbd.pid'), 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  private describeError(error: unknown, sql: string, timeoutMs: number): Error {
    const e = error as Error & { code?: string; sql?: string };
    const statement = sql.replace(/\s+/g, ' ').slice(0, 80);
    if (e.code === 'ETIMEDOUT' || e.code === 'PROTOCOL_SEQUENCE_TIMEOUT') {
      return new MariaDbTimeoutError(`${this.name} (port ${this.port}) did not answer within ${timeoutMs} ms: ${statement}`);
    }
    if (e instanceof Error) {
      // mysql2 attaches the statement with its values filled in; keep only the template.
      if (e.sql !== undefined) e.sql = sql;
      e.message = `${this.name}: ${e.message}`;
      return e;
    }
    return new Error(`${this.name}: ${String(error)}`);
  }

  /** The last lines the server logged since it was last launched. */
  private tail(): string {
    try {
      return readFileSync(this.logFile).subarray(this.logOffset).toString('utf8').trim().split('\n').slice(-10).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

/** Whether every thread of `pid` is in the stopped state (`T` in /proc/<pid>/task/<tid>/stat). */
function allThreadsStopped(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/task`).every((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // The state follows the command name, which is in parentheses and may hold spaces.
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state === 'T' || state === 't';
    });
  } catch {
    // Threads come and go while reading; the next look decides.
    return false;
  }
}
