import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { APP_PASSWORD, APP_USER, MariaDbServer, freePort, mariadbBinaries } from '../src';

const run = promisify(execFile);

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Logs in over TCP as the application user, with the mariadb client, and returns CURRENT_USER(). */
async function currentUserOverTcp(server: MariaDbServer): Promise<string> {
  const { stdout } = await run(
    mariadbBinaries().client,
    ['--no-defaults', '-h127.0.0.1', `-P${server.info.port}`, `-u${APP_USER}`, `-p${APP_PASSWORD}`, '--batch', '--skip-column-names', '-e', 'SELECT CURRENT_USER()'],
    { timeout: 10_000 },
  );
  return stdout.trim();
}

describe('MariaDbServer', () => {
  let server: MariaDbServer;
  beforeAll(async () => {
    server = await MariaDbServer.create();
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it('listens on 127.0.0.1 and lets root in through the socket only', async () => {
    expect(server.info.host).toBe('127.0.0.1');
    expect(await listening(server.info.port)).toBe(true);
    expect(await server.root('SELECT CURRENT_USER()')).toBe('root@localhost');
    const rootOverTcp = run(mariadbBinaries().client, ['--no-defaults', '-h127.0.0.1', `-P${server.info.port}`, '-uroot', '-e', 'SELECT 1'], { timeout: 10_000 });
    await expect(rootOverTcp).rejects.toThrow(/Access denied|1698|1045/);
  });

  it('creates the application user, which logs in over TCP with its password', async () => {
    expect(await currentUserOverTcp(server)).toBe(`${APP_USER}@127.0.0.1`);
  });

  it('stops and starts again on the same data directory and port', async () => {
    await server.root('CREATE DATABASE IF NOT EXISTS txn_kept');
    await server.stop();
    expect(await listening(server.info.port)).toBe(false);
    await server.start();
    expect(await listening(server.info.port)).toBe(true);
    expect(await server.root("SHOW DATABASES LIKE 'txn_kept'")).toBe('txn_kept');
  });
});

describe('MariaDbServer.destroy', () => {
  it('stops the server and removes its directory', async () => {
    const server = await MariaDbServer.create();
    await server.destroy();
    expect(existsSync(server.info.dir)).toBe(false);
    expect(await listening(server.info.port)).toBe(false);
  });
});

describe('freePort', () => {
  it('gives a port nothing listens on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(await listening(port)).toBe(false);
  });
});
