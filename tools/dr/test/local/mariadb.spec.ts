import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { LocalMariaDb, MariaDbTimeoutError } from '../../src/local/mariadb';

jest.setTimeout(30_000);

let root: string;
let server: LocalMariaDb;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'dr-mariadb-'));
  server = await LocalMariaDb.start({ dir: join(root, 'one'), serverId: 7, name: 'one' });
  await server.query('CREATE DATABASE ledger');
  await server.query('CREATE TABLE ledger.entries (id INT PRIMARY KEY, note VARCHAR(40) NOT NULL)');
});

afterAll(async () => {
  await server?.dispose();
  rmSync(root, { recursive: true, force: true });
});

/** Gone, or a zombie that only waits for its new parent to reap it. */
function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (processGone(pid)) return true;
    await delay(20);
  }
  return processGone(pid);
}

describe('LocalMariaDb', () => {
  it('serves on loopback with GTID binary logging, row format and its server id; pid is the pid file', async () => {
    const [vars] = await server.query<Array<Record<string, string | number>>>(
      'SELECT @@server_id AS serverId, @@log_bin AS logBin, @@log_slave_updates AS slaveUpdates, @@binlog_format AS format, @@gtid_strict_mode AS strict, @@bind_address AS bind, @@port AS port',
    );
    expect(vars).toEqual({ serverId: 7, logBin: 1, slaveUpdates: 1, format: 'ROW', strict: 1, bind: '127.0.0.1', port: server.port });
    expect(server.running).toBe(true);
    expect(server.pid).toBe(Number(readFileSync(join(server.dir, 'mariadbd.pid'), 'utf8').trim()));
    expect(processGone(server.pid!)).toBe(false);
  });

  it('fails a query to a frozen server within its bound, and answers again once thawed', async () => {
    await server.freeze();
    try {
      const started = Date.now();
      await expect(server.query('SELECT 1', [], { timeoutMs: 100 })).rejects.toBeInstanceOf(MariaDbTimeoutError);
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      await server.thaw();
    }
    await expect(server.query('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });

  it('keeps committed rows through a kill and a restart on the same port', async () => {
    await server.query('INSERT INTO ledger.entries VALUES (1, ?), (2, ?)', ['before kill', 'also before kill']);
    const { port } = server;
    const oldPid = server.pid!;
    await server.kill();
    expect(server.running).toBe(false);
    expect(server.pid).toBeUndefined();
    expect(processGone(oldPid)).toBe(true);
    // A dead server refuses at once rather than timing out.
    await expect(server.query('SELECT 1', [], { timeoutMs: 5_000 })).rejects.not.toBeInstanceOf(MariaDbTimeoutError);

    await server.restart();
    expect(server.port).toBe(port);
    expect(server.pid).not.toBe(oldPid);
    await expect(server.query('SELECT id, note FROM ledger.entries ORDER BY id')).resolves.toEqual([
      { id: 1, note: 'before kill' },
      { id: 2, note: 'also before kill' },
    ]);
  });

  it('comes back from a clean stop in the read_only state it was last given', async () => {
    await server.setReadOnly(true);
    await server.stop();
    expect(server.running).toBe(false);
    await server.restart();
    await expect(server.query('SELECT @@global.read_only AS ro')).resolves.toEqual([{ ro: 1 }]);
    await server.restart({ readOnly: false });
    await expect(server.query('SELECT @@global.read_only AS ro')).resolves.toEqual([{ ro: 0 }]);
  });

  it('does not outlive the process that started it, even one killed with SIGKILL', async () => {
    // The other process starts a server of its own on this one's data directory, stopped cleanly
    // first (which removes its socket): an install of another would cost more than the whole test.
    await server.stop();
    const dir = server.dir;
    expect(existsSync(join(dir, 'mariadbd.sock'))).toBe(false);
    const script = join(root, 'start-one.ts');
    writeFileSync(
      script,
      `import { LocalMariaDb } from ${JSON.stringify(resolve(__dirname, '../../src/local/mariadb'))};
       LocalMariaDb.start({ dir: ${JSON.stringify(dir)}, serverId: 9, name: 'orphan' }).then((s) => { process.stdout.write(String(s.pid) + '\\n'); setInterval(() => undefined, 1000); });`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: resolve(__dirname, '../../../..'), stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const pid = await new Promise<number>((resolvePid, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolvePid(Number(out.trim()));
        });
        child.once('exit', (code) => reject(new Error(`the starter exited with ${code} before printing a pid`)));
      });
      expect(processGone(pid)).toBe(false);
      expect(existsSync(join(dir, 'mariadbd.sock'))).toBe(true);
      child.kill('SIGKILL');
      await expect(waitUntilGone(pid, 10_000)).resolves.toBe(true);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
