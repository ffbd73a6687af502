import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, closeSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** How long a clean shutdown may take before the server is killed. */
const STOP_LIMIT_MS = 30_000;

/** Where Debian puts the server binaries (root's PATH has /usr/sbin, a developer's may not). */
const SEARCH_PATH = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/usr/local/mysql/bin'];
const INSTALL_HINT = 'install MariaDB first: `sudo apt-get install mariadb-server` (Debian/Ubuntu; `npm run setup` does it)';

function findBinary(name: string): string {
  for (const dir of [...(process.env['PATH'] ?? '').split(':').filter(Boolean), ...SEARCH_PATH]) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`the tests need the MariaDB binary ${name}, which is not installed: ${INSTALL_HINT}`);
}

/** The MariaDB programs a private server needs; throws with the install hint when one is missing. */
export function mariadbBinaries() {
  return {
    installDb: findBinary('mariadb-install-db'),
    server: findBinary('mariadbd'),
    client: findBinary('mariadb'),
    admin: findBinary('mariadb-admin'),
  };
}

/** A free TCP port on 127.0.0.1 (for the servers the tests and the benchmark start). */
export async function freePort(): Promise<number> {
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

/** How the tests' application user reaches its schemas: over TCP on loopback, with a password. */
export interface ServerInfo {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** An administrative account over TCP, as the master user is in AWS: what a migrate step runs as. */
  readonly admin: { readonly user: string; readonly password: string };
  readonly socket: string;
  readonly dir: string;
}

export const APP_USER = 'txn_app';
export const APP_PASSWORD = 'txn-app-test-password';
export const ADMIN_USER = 'txn_admin';
export const ADMIN_PASSWORD = 'txn-admin-test-password';
/** The application user may touch only schemas named like this, so `read_only` binds it. */
export const SCHEMA_PREFIX = 'txn_';

/**
 * A private MariaDB server in a temporary directory, on 127.0.0.1 and a free port, that a test
 * can stop, start, freeze (SIGSTOP) and thaw. Any project's tests may start one: each server has
 * its own data directory, socket, port and temporary directory, so servers of parallel suites
 * never meet. root logs in through the socket only; the
 * application user has privileges on its own schemas and nothing global (no SUPER, no
 * READ ONLY ADMIN), like the service's user in AWS, so `SET GLOBAL read_only=ON` applies to it;
 * the administrative user has every privilege and may grant them, like an Aurora master user.
 */
export class MariaDbServer {
  private child: ChildProcess | undefined;
  private frozen = false;

  private constructor(
    readonly info: ServerInfo,
    private readonly bin: ReturnType<typeof mariadbBinaries>,
  ) {}

  /** Creates a data directory, starts the server and creates the application and administrative users. */
  static async create(): Promise<MariaDbServer> {
    const bin = mariadbBinaries();
    const dir = mkdtempSync(join(tmpdir(), 'txn-mariadb-'));
    const info: ServerInfo = {
      host: '127.0.0.1',
      port: await freePort(),
      user: APP_USER,
      password: APP_PASSWORD,
      admin: { user: ADMIN_USER, password: ADMIN_PASSWORD },
      socket: join(dir, 'mysqld.sock'),
      dir,
    };
    const server = new MariaDbServer(info, bin);
    try {
      mkdirSync(join(dir, 'tmp'));
      await run(bin.installDb, ['--no-defaults', `--datadir=${join(dir, 'data')}`, `--tmpdir=${join(dir, 'tmp')}`, '--user=root', '--auth-root-authentication-method=socket', '--skip-test-db'], {
        timeout: 60_000,
      });
      await server.start();
      await server.root(
        `CREATE USER '${APP_USER}'@'127.0.0.1' IDENTIFIED BY '${APP_PASSWORD}';` +
          `GRANT ALL PRIVILEGES ON \`${SCHEMA_PREFIX.replace('_', '\\_')}%\`.* TO '${APP_USER}'@'127.0.0.1';` +
          // Like the master user of an Aurora cluster: may create users and grant what it has.
          `CREATE USER '${ADMIN_USER}'@'127.0.0.1' IDENTIFIED BY '${ADMIN_PASSWORD}';` +
          `GRANT ALL PRIVILEGES ON *.* TO '${ADMIN_USER}'@'127.0.0.1' WITH GRANT OPTION;`,
      );
    } catch (error) {
      await server.destroy();
      throw error;
    }
    return server;
  }

  /** Reattaches to a server started by another process (Jest's global setup). */
  static attach(info: ServerInfo): MariaDbServer {
    return new MariaDbServer(info, mariadbBinaries());
  }

  /** Starts mariadbd on the existing data directory and waits until it answers. */
  async start(): Promise<void> {
    if (this.pid() !== undefined) return;
    const { dir, port, socket } = this.info;
    const log = openSync(join(dir, 'mariadbd.log'), 'a');
    this.child = spawn(
      this.bin.server,
      [
        '--no-defaults',
        `--datadir=${join(dir, 'data')}`,
        // Its own temporary directory: servers that start at the same time (several specs, other
        // projects' tests) otherwise share /tmp, where one bootstrap failed removing its own
        // temporary table ("Could not remove temporary table '/tmp/#sql-temptable-...'").
        `--tmpdir=${join(dir, 'tmp')}`,
        `--socket=${socket}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        '--user=root',
        `--pid-file=${join(dir, 'mariadbd.pid')}`,
        '--skip-name-resolve',
        // Small and quick: the tests need correctness, not a large buffer pool.
        '--innodb-buffer-pool-size=64M',
        '--max-connections=500',
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    this.child.unref();
    const started = Date.now();
    while (Date.now() - started < 30_000) {
      if (this.child.exitCode !== null) throw new Error(`mariadbd exited with ${this.child.exitCode}: ${this.tail()}`);
      try {
        await run(this.bin.admin, ['--no-defaults', `--socket=${socket}`, '-uroot', 'ping'], { timeout: 5_000 });
        return;
      } catch {
        await sleep(50);
      }
    }
    throw new Error(`mariadbd did not answer within 30 s: ${this.tail()}`);
  }

  /**
   * A clean shutdown; the data directory stays for `start`. It asks with the SHUTDOWN statement and
   * watches the pid file every 10 ms: `mariadb-admin shutdown` waits for the pid file to go too,
   * but looks once a second, while the server is down in well under that. mariadbd removes its pid
   * file last, once InnoDB has closed its files, so a `start` may follow at once.
   */
  async stop(): Promise<void> {
    if (this.frozen) await this.thaw();
    const pid = this.pid();
    if (pid === undefined) return;
    const pidFile = join(this.info.dir, 'mariadbd.pid');
    // The server may drop the connection before the client reads the answer: the exit decides.
    await this.root('SHUTDOWN').catch(() => undefined);
    const started = Date.now();
    while ((existsSync(pidFile) || isAlive(pid)) && Date.now() - started < STOP_LIMIT_MS) await sleep(10);
    if (isAlive(pid)) {
      process.kill(pid, 'SIGKILL');
      while (isAlive(pid) && Date.now() - started < STOP_LIMIT_MS + 5_000) await sleep(10);
    }
  }

  /**
   * SIGSTOP: connections stay open and nothing answers, like a hung server. The signal is
   * delivered asynchronously, thread by thread; on a busy machine a thread may still answer a
   * query sent right after `kill` returns, so this waits until every thread is stopped.
   */
  async freeze(): Promise<void> {
    const pid = this.pid();
    if (pid === undefined) throw new Error('mariadbd is not running');
    process.kill(pid, 'SIGSTOP');
    this.frozen = true;
    const started = Date.now();
    while (!allThreadsStopped(pid)) {
      if (Date.now() - started > 5_000) throw new Error(`mariadbd (pid ${pid}) did not stop within 5 s of SIGSTOP`);
      await sleep(5);
    }
  }

  async thaw(): Promise<void> {
    const pid = this.pid();
    if (pid !== undefined) process.kill(pid, 'SIGCONT');
    this.frozen = false;
  }

  /** Runs SQL as root over the socket (the mariadb client speaks unix_socket authentication). */
  async root(sql: string): Promise<string> {
    const { stdout } = await run(this.bin.client, ['--no-defaults', `--socket=${this.info.socket}`, '-uroot', '--batch', '--skip-column-names', '-e', sql], {
      timeout: 30_000,
    });
    return stdout.trim();
  }

  async setReadOnly(on: boolean): Promise<void> {
    await this.root(`SET GLOBAL read_only = ${on ? 'ON' : 'OFF'}`);
  }

  /** A fresh schema for one spec file, so suites sharing a server never see each other's rows. */
  async createSchema(name: string): Promise<string> {
    if (!name.startsWith(SCHEMA_PREFIX)) throw new Error(`schema names start with ${SCHEMA_PREFIX}`);
    await this.root(`DROP DATABASE IF EXISTS \`${name}\`; CREATE DATABASE \`${name}\``);
    return name;
  }

  /** Stops the server and removes its directory. */
  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.info.dir, { recursive: true, force: true });
  }

  private pid(): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.info.dir, 'mariadbd.pid'), 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  private tail(): string {
    try {
      return readFileSync(join(this.info.dir, 'mariadbd.log'), 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

/** Whether every thread of `pid` is in the stopped state (`T` in /proc/<pid>/task/<tid>/stat). */
function allThreadsStopped(pid: number): boolean {
  return readdirSync(`/proc/${pid}/task`).every((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // The state follows the command name, which is in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'T';
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
