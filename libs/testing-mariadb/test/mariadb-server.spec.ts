import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { ADMIN_PASSWORD, ADMIN_USER, APP_PASSWORD, APP_USER, MariaDbServer, freePort, mariadbBinaries } from '../src';

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

/** Runs SQL over TCP as `user`, with the mariadb client, and returns what it prints. */
async function overTcp(server: MariaDbServer, user: string, password: string, sql: string): Promise<string> {
  const { stdout } = await run(
    mariadbBinaries().client,
    ['--no-defaults', '-h127.0.0.1', `-P${server.info.port}`, `-u${user}`, `-p${password}`, '--batch', '--skip-column-names', '-e', sql],
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

  it('creates the application user, which logs in over TCP with its password and may not create users', async () => {
    expect(server.info).toMatchObject({ user: APP_USER, password: APP_PASSWORD });
    expect(await overTcp(server, APP_USER, APP_PASSWORD, 'SELECT CURRENT_USER()')).toBe(`${APP_USER}@127.0.0.1`);
    await expect(overTcp(server, APP_USER, APP_PASSWORD, "CREATE USER 'txn_by_app'@'127.0.0.1'")).rejects.toThrow(/Access denied|1227/);
  });

  it('creates the administrative user, which logs in over TCP and creates users and grants, as a master user does', async () => {
    expect(server.info.admin).toEqual({ user: ADMIN_USER, password: ADMIN_PASSWORD });
    const { user, password } = server.info.admin;
    expect(await overTcp(server, user, password, 'SELECT CURRENT_USER()')).toBe(`${ADMIN_USER}@127.0.0.1`);
    await overTcp(server, user, password, "CREATE USER 'txn_by_admin'@'127.0.0.1' IDENTIFIED BY 'made-by-admin'; GRANT SELECT ON `txn_granted`.* TO 'txn_by_admin'@'127.0.0.1'");
    expect(await server.root("SHOW GRANTS FOR 'txn_by_admin'@'127.0.0.1'")).toContain('GRANT SELECT ON `txn_granted`.* TO `txn_by_admin`@`127.0.0.1`');
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
