/**
 * The service as it runs on an instance: listening on a real socket, and the built bundles as
 * processes that read their environment: the migrate step (schema and service user, as the
 * administrative user), then the service as its own user, serving and draining on SIGTERM.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { ARTIFACTS } from '@txn-dr/contracts';
import type { MariaDbServer } from '@txn-dr/testing-mariadb';
import { loadMigrateConfig } from '../src/config';
import { runMigrate } from '../src/migrate';
import { start, type RunningServer } from '../src/server';
import { freshSchema, LogCapture, migrateEnv as migrateEnvOf, newKey, sharedBundleDir, sharedServer } from './helpers';

let server: MariaDbServer;
let env: Record<string, string>;
/**
 * The migrate step's environment for a schema and its service user, as the local world passes it.
 * One user per schema: the step leaves the user privileges on its schema alone.
 */
let migrateEnv: (database: string, user?: string) => Record<string, string>;

beforeAll(async () => {
  server = sharedServer();
  const { host, port } = server.info;
  const user = `txn_svc_${randomBytes(3).toString('hex')}`;
  const password = randomBytes(15).toString('base64url');
  migrateEnv = (database, serviceUser = `txn_svc_${randomBytes(3).toString('hex')}`) => migrateEnvOf(server, { database, serviceUser, servicePassword: password, region: 'us-east-2' });
  const database = await freshSchema(server, 'srv');
  await runMigrate(loadMigrateConfig(migrateEnv(database, user)), { logger: new LogCapture().logger });
  // The service's own user: DML on its schema, nothing else; the schema is already there.
  env = {
    AWS_REGION: 'us-east-2',
    DR_ROLE: 'secondary',
    APP_HOST: '127.0.0.1',
    APP_PORT: '0',
    DB_HOST: host,
    DB_PORT: String(port),
    DB_USER: user,
    DB_PASSWORD: password,
    DB_NAME: database,
    DB_POOL_SIZE: '4',
  };
});

/** A plain HTTP request on a fresh connection (no keep-alive pool), so "refused" means refused. */
function call(url: string, method = 'GET', body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; json: () => Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(url, { method, agent: false, headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json: () => JSON.parse(text) as Record<string, unknown> });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe('start (in process, on a real socket)', () => {
  let running: RunningServer;
  const logs = new LogCapture();

  beforeAll(async () => {
    running = await start(env, { handleSignals: false, logDestination: logs.stream });
  });
  afterAll(async () => {
    await running?.close();
  });

  it('listens on 127.0.0.1 and serves every route over HTTP', async () => {
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await call(`${running.url}/health`);
    expect(health.status).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', region: 'us-east-2', role: 'writer', configuredRole: 'secondary' });

    const created = await call(`${running.url}/transactions`, 'POST', { accountId: 'srv-1', amount: '3.50', currency: 'GBP', reference: 'over http' }, { 'idempotency-key': newKey() });
    expect(created.status).toBe(201);
    const id = created.json().id as string;
    expect((await call(`${running.url}/transactions/${id}`)).json()).toMatchObject({ id, amount: '3.50' });
    expect((await call(`${running.url}/transactions?accountId=srv-1`)).json().items).toHaveLength(1);
    expect((await call(`${running.url}/accounts/srv-1/balance`)).json().balances).toEqual([expect.objectContaining({ currency: 'GBP', balance: '3.50' })]);
  });

  it('logs JSON lines with the request id, and never the password', async () => {
    await call(`${running.url}/accounts/nobody/balance`, 'GET', undefined, { 'x-request-id': 'log-check-1' });
    const line = logs.lines.find((l) => l['requestId'] === 'log-check-1' && l['msg'] === 'request completed');
    expect(line).toMatchObject({ level: 'info', service: 'transaction-api', region: 'us-east-2', drRole: 'secondary' });
    // One line per request, written on completion, with the request as well as the outcome.
    expect(logs.lines.filter((l) => l['requestId'] === 'log-check-1')).toHaveLength(1);
    expect(line).toMatchObject({ req: { method: 'GET', url: '/accounts/nobody/balance' }, res: { statusCode: 404 } });
    expect(line?.['responseTime']).toEqual(expect.any(Number));
    expect(logs.text()).not.toContain(env['DB_PASSWORD']);
  });
});

describe('the bundle, run as the instance runs it', () => {
  let outDir: string;
  let child: ChildProcessWithoutNullStreams | undefined;

  beforeAll(() => {
    // Built by the global setup from the sources as they are now.
    outDir = sharedBundleDir();
  });
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  function run(extra: Record<string, string | undefined>, bundle: string = ARTIFACTS.transactionApi.files.bundle, base: Record<string, string> = env) {
    const childEnv: Record<string, string> = { PATH: process.env['PATH'] ?? '' };
    for (const [key, value] of Object.entries({ ...base, ...extra })) if (value !== undefined) childEnv[key] = value;
    child = spawn(process.execPath, [join(outDir, bundle)], { env: childEnv });
    const out: string[] = [];
    const err: string[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => err.push(d.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    const lines = () => out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    /** The URL of the 'listening' line, looked for as each piece of output arrives. */
    const listening = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const proc = child!;
        const done = (outcome: () => void) => {
          clearTimeout(timer);
          proc.stdout.off('data', check);
          proc.off('exit', exited);
          outcome();
        };
        const check = () => {
          const text = out.join('');
          try {
            // Whole lines only: a piece may end inside one.
            const line = text
              .slice(0, text.lastIndexOf('\n') + 1)
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l) as Record<string, unknown>)
              .find((l) => l['msg'] === 'listening');
            if (line) done(() => resolve(String(line['url'])));
          } catch (error) {
            done(() => reject(error));
          }
        };
        const exited = (code: number | null) => done(() => reject(new Error(`exited ${code}: ${err.join('')}`)));
        const timer = setTimeout(() => done(() => reject(new Error(`not listening within 10 s: ${out.join('')}${err.join('')}`))), 10_000);
        proc.stdout.on('data', check);
        proc.on('exit', exited);
        if (proc.exitCode !== null) exited(proc.exitCode);
        else check();
      });
    return { proc: child, exited, lines, stderr: () => err.join(''), listening };
  }

  it('runs the migrate step as a command: the schema and the service user, then nothing more to do', async () => {
    const database = await freshSchema(server, 'srvmig');
    const settings = migrateEnv(database);
    const first = run({}, ARTIFACTS.transactionApi.files.migrate, settings);
    expect(await first.exited).toBe(0);
    const done = first.lines().find((l) => l['msg'] === 'migrate done');
    expect(done).toMatchObject({ component: 'migrate', database, applied: [1, 2], serviceUser: { created: true, revoked: [] } });
    expect(first.stderr()).toBe('');

    const again = run({}, ARTIFACTS.transactionApi.files.migrate, settings);
    expect(await again.exited).toBe(0);
    expect(again.lines().find((l) => l['msg'] === 'migrate done')).toMatchObject({ applied: [], serviceUser: { created: false, revoked: [] } });
    expect([...first.lines(), ...again.lines()].map((l) => JSON.stringify(l)).join('\n')).not.toContain(settings['SERVICE_DB_PASSWORD']);
  });

  it('exports the migrate step as a Lambda-style handler that reads its environment', async () => {
    const database = await freshSchema(server, 'srvlambda');
    // Required, not run: the module does nothing until its handler is called, as in Lambda.
    const script = `require(${JSON.stringify(join(outDir, ARTIFACTS.transactionApi.files.migrate))}).handler({}).then((r) => process.stdout.write(JSON.stringify(r)), (e) => { process.stderr.write('FAILED ' + e.message); process.exitCode = 1; })`;
    const childEnv = { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'silent', ...migrateEnv(database) };
    child = spawn(process.execPath, ['-e', script], { env: childEnv });
    const out: string[] = [];
    const err: string[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => err.push(d.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child!.on('exit', resolve));
    expect([code, err.join('').includes('FAILED')]).toEqual([0, false]);
    expect(JSON.parse(out.join(''))).toMatchObject({ database, applied: [1, 2], serviceUser: { created: true, authentication: 'password' } });
  });

  it('fails the migrate step with what failed and that a rerun is safe', async () => {
    const proc = run({ DB_PASSWORD: 'not-the-admin-password' }, ARTIFACTS.transactionApi.files.migrate, migrateEnv(await freshSchema(server, 'srvmigbad')));
    expect(await proc.exited).toBe(1);
    expect(proc.stderr()).toContain('migrate: failed: ');
    expect(proc.stderr()).toContain('Access denied for user');
    expect(proc.stderr()).toContain('running it again once the cause is fixed finishes the work');
    expect(proc.stderr()).not.toContain('not-the-admin-password');
  }, 20_000);

  it('stops at start with a message naming each bad setting', async () => {
    const proc = run({ DR_ROLE: undefined, APP_PORT: 'eighty', DB_HOST: undefined });
    expect(await proc.exited).toBe(1);
    expect(proc.stderr()).toContain('DR_ROLE: is required');
    expect(proc.stderr()).toContain('APP_PORT: must be a whole number');
    expect(proc.stderr()).toContain('DB_HOST: is required');
  });

  it('on SIGTERM stops accepting, finishes the request in flight, closes the pool and exits 0', async () => {
    const proc = run({ DB_QUERY_TIMEOUT_MS: '15000' });
    const url = await proc.listening();
    const account = `drain-${Date.now()}`;
    const body = (reference: string) => ({ accountId: account, amount: '1.00', currency: 'USD', reference });
    expect((await call(`${url}/transactions`, 'POST', body('first'), { 'idempotency-key': newKey() })).status).toBe(201);

    // Hold the account's balance row so the next write waits inside its transaction.
    const { host, port, user, password } = server.info;
    const holder = await createConnection({ host, port, user, password, database: env['DB_NAME'] });
    try {
      await holder.query('START TRANSACTION');
      await holder.query('SELECT * FROM account_balances WHERE account_id = ? FOR UPDATE', [account]);
      const inFlight = call(`${url}/transactions`, 'POST', body('in flight'), { 'idempotency-key': newKey() });
      inFlight.catch(() => undefined); // awaited below; this only keeps an early failure from crashing the worker
      // In flight: its balance upsert, which waits for the held row, is running in this schema
      // (other spec files run beside this one on the same server). Read from the process list, not
      // information_schema.innodb_trx: InnoDB refreshes that snapshot only when it was last read
      // more than 0.1 s before, so polled faster it can keep showing the time before the wait
      // (https://dev.mysql.com/doc/refman/5.7/en/innodb-information-schema-internal-data.html).
      const waiting = `SELECT COUNT(*) FROM information_schema.processlist WHERE db = '${env['DB_NAME']}' AND info LIKE 'INSERT INTO account_balances %'`;
      await waitFor(async () => (await server.root(waiting)) === '1');

      proc.proc.kill('SIGTERM');
      await waitFor(async () => proc.lines().some((l) => l['msg'] === 'shutting down: no new connections, draining requests'));
      await expect(call(`${url}/health`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect(proc.proc.exitCode).toBeNull();

      await holder.query('COMMIT');
      const drained = await inFlight;
      expect(drained.status).toBe(201);
      expect(await proc.exited).toBe(0);
      expect(proc.lines().map((l) => l['msg'])).toContain('shut down');
      expect(Number(await server.root(`SELECT COUNT(*) FROM ${env['DB_NAME']}.transactions WHERE account_id = '${account}'`))).toBe(2);
    } finally {
      await holder.end();
    }
  }, 30_000);
});

async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('condition not met in time');
}
