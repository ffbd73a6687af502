/**
 * The database going read-only, away and hung, on a private MariaDB that these tests stop,
 * freeze and switch, so no other suite sees it. The migrate step's and the migrations' own cases of
 * a read-only database are here too, for the same reason.
 */
import { randomBytes } from 'node:crypto';
import type { MariaDbServer } from '@txn-dr/testing-mariadb';
import { loadMigrateConfig } from '../src/config';
import { staticCredentials } from '../src/credentials';
import { Database } from '../src/db/database';
import { LATEST_VERSION, MIGRATIONS, migrate } from '../src/db/migrations';
import { MigrateError, runMigrate } from '../src/migrate';
import { countRows, eventually, freshSchema, LogCapture, migrateEnv, newKey, postTransaction, testApp, timed, type TestApp } from './helpers';
import { createServers, discard } from './mariadb';

let server: MariaDbServer;
let t: TestApp;

beforeAll(async () => {
  [server] = await createServers(1);
  t = await testApp(server, { database: await freshSchema(server, 'res') });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await discard(server);
}, 60_000);

const body = (reference = 'r') => ({ accountId: 'acc-res', amount: '1.00', currency: 'USD', reference });

describe('GET /health', () => {
  it('answers 200 with region, role from the database and latency', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ok',
      region: 'us-east-1',
      role: 'writer',
      configuredRole: 'primary',
      db: { reachable: true, readOnly: false, latencyMs: expect.any(Number), schemaReady: true },
    });
  });
});

describe('GET /health/writable', () => {
  it('answers 200 on the writer, with the same body as /health', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/writable' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(res.json()).toEqual({
      status: 'ok',
      region: 'us-east-1',
      role: 'writer',
      configuredRole: 'primary',
      db: { reachable: true, readOnly: false, latencyMs: expect.any(Number), schemaReady: true },
    });
  });

  it('logs a healthy check below info, like /health', async () => {
    const before = t.logs.lines.length;
    await t.app.inject({ method: 'GET', url: '/health/writable' });
    expect(t.logs.lines.slice(before)).toEqual([]);
  });
});

describe('a read-only database (a standby region)', () => {
  let written: { id: string };
  const key = newKey();

  beforeAll(async () => {
    written = (await postTransaction(t.app, body('before'), key)).json();
    await server.setReadOnly(true);
  });
  afterAll(async () => {
    await server.setReadOnly(false);
  });

  it('reports itself as a reader in /health, still 200', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', role: 'reader', configuredRole: 'primary', db: { reachable: true, readOnly: true } });
  });

  it('fails /health/writable with 503, Retry-After and role reader, so Route 53 sends no traffic here', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/writable' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toEqual({
      status: 'unavailable',
      region: 'us-east-1',
      role: 'reader',
      configuredRole: 'primary',
      db: { reachable: true, readOnly: true, latencyMs: expect.any(Number), schemaReady: true },
    });
  });

  it('refuses writes with 503, Retry-After and a clear body, and writes nothing', async () => {
    const before = await countRows(server, t.database, 'transactions');
    const res = await postTransaction(t.app, body('during'));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'DB_READ_ONLY',
      message: expect.stringContaining('read-only'),
      requestId: expect.any(String),
    });
    expect(res.body).not.toMatch(/INSERT|--read-only option|at .*\.ts/);
    expect(await countRows(server, t.database, 'transactions')).toBe(before);
  });

  it('still answers a retry of a request written before, from the replica', async () => {
    const res = await postTransaction(t.app, body('before'), key);
    expect(res.statusCode).toBe(201);
    expect(res.headers['idempotent-replayed']).toBe('true');
    expect(res.json().id).toBe(written.id);
    expect((await postTransaction(t.app, body('other'), key)).statusCode).toBe(409);
  });

  it('keeps serving reads', async () => {
    expect((await t.app.inject({ method: 'GET', url: `/transactions/${written.id}` })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/transactions?accountId=acc-res' })).json().items.length).toBeGreaterThan(0);
    expect((await t.app.inject({ method: 'GET', url: '/accounts/acc-res/balance' })).statusCode).toBe(200);
  });

  it('takes writes again once promoted, without a restart', async () => {
    await server.setReadOnly(false);
    const res = await postTransaction(t.app, body('after promotion'));
    expect(res.statusCode).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: '/health' })).json()).toMatchObject({ role: 'writer', db: { readOnly: false } });
    const writable = await t.app.inject({ method: 'GET', url: '/health/writable' });
    expect(writable.statusCode).toBe(200);
    expect(writable.json()).toMatchObject({ status: 'ok', role: 'writer' });
  });
});

describe('a database that is down', () => {
  afterAll(async () => {
    await server.start();
  }, 60_000);

  it('fails /health quickly, refuses requests with 503, and does not crash', async () => {
    await server.stop();
    const [health, ms] = await timed(() => t.app.inject({ method: 'GET', url: '/health' }));
    expect(health.statusCode).toBe(503);
    expect(ms).toBeLessThan(2_000);
    expect(health.json()).toMatchObject({ status: 'unavailable', role: 'unknown', db: { reachable: false, readOnly: null } });
    expect(health.headers['retry-after']).toBe('5');

    const [writable, writableMs] = await timed(() => t.app.inject({ method: 'GET', url: '/health/writable' }));
    expect(writable.statusCode).toBe(503);
    expect(writableMs).toBeLessThan(2_000);
    expect(writable.headers['retry-after']).toBe('5');
    expect(writable.json()).toMatchObject({ status: 'unavailable', role: 'unknown', db: { reachable: false, readOnly: null } });

    const write = await postTransaction(t.app, body('down'));
    expect(write.statusCode).toBe(503);
    expect(write.headers['retry-after']).toBe('5');
    expect(write.json()).toMatchObject({ code: 'DB_UNAVAILABLE' });
    expect(write.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|at /);

    const read = await t.app.inject({ method: 'GET', url: '/transactions?accountId=acc-res' });
    expect(read.statusCode).toBe(503);
  });

  it('recovers when the database comes back, without a restart', async () => {
    await server.start();
    expect(await eventually(async () => (await t.app.inject({ method: 'GET', url: '/health' })).statusCode === 200)).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: '/health/writable' })).statusCode).toBe(200);
    expect((await postTransaction(t.app, body('back'))).statusCode).toBe(201);
  });
});

describe('a hung database (SIGSTOP: connections open, nothing answers)', () => {
  /**
   * Shorter limits than the other tests' (health 1.5 s, queries 3 s), so that waiting them out
   * takes a second, not five: what is proved is that every answer comes within the configured
   * limit, plus the same half second of slack the 2 s bound gave the 1.5 s limit.
   */
  const limits = { healthTimeoutMs: 500, queryTimeoutMs: 1_000 };
  let hung: TestApp;

  beforeAll(async () => {
    hung = await testApp(server, { database: t.database, app: { healthTimeoutMs: limits.healthTimeoutMs }, db: { connectTimeoutMs: limits.healthTimeoutMs, queryTimeoutMs: limits.queryTimeoutMs } });
  });
  afterAll(async () => {
    await server.thaw();
    await hung?.close();
  });

  it('fails /health within 2 s, for every concurrent checker, and refuses writes', async () => {
    // Warm both pools so the hang catches open connections, the hard case. On a busy machine the
    // first connection may take longer than the short health limit: wait for a healthy answer.
    expect(await eventually(async () => (await hung.app.inject({ method: 'GET', url: '/health' })).statusCode === 200)).toBe(true);
    expect((await postTransaction(hung.app, body('before the hang'))).statusCode).toBe(201);
    await server.freeze();

    const [checks, ms] = await timed(() => Promise.all(Array.from({ length: 5 }, () => hung.app.inject({ method: 'GET', url: '/health' }))));
    expect(checks.map((c) => c.statusCode)).toEqual([503, 503, 503, 503, 503]);
    expect(ms).toBeLessThan(limits.healthTimeoutMs + 500);
    // A later check is bounded too, while the first probe's connection is still stuck.
    const [again, againMs] = await timed(() => hung.app.inject({ method: 'GET', url: '/health' }));
    expect(again.statusCode).toBe(503);
    expect(againMs).toBeLessThan(limits.healthTimeoutMs + 500);

    const write = await postTransaction(hung.app, body('hung'));
    expect(write.statusCode).toBe(503);
    expect(write.json()).toMatchObject({ code: 'DB_UNAVAILABLE' });
  });

  it('recovers when the database answers again', async () => {
    await server.thaw();
    expect(await eventually(async () => (await hung.app.inject({ method: 'GET', url: '/health' })).statusCode === 200)).toBe(true);
    expect(await eventually(async () => (await postTransaction(hung.app, body('thawed'))).statusCode === 201)).toBe(true);
  });
});

describe('starting while the database cannot take the schema', () => {
  it('serves 503 until the database is back, then migrates by itself', async () => {
    const database = await freshSchema(server, 'late');
    await server.stop();
    const late = await testApp(server, { database, migrate: false });
    try {
      expect(await late.schema.ensure()).toBe(false);
      const health = await late.app.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(503);
      expect(health.json().db.schemaReady).toBe(false);
      const writable = await late.app.inject({ method: 'GET', url: '/health/writable' });
      expect(writable.statusCode).toBe(503);
      expect(writable.json().db.schemaReady).toBe(false);

      // Until a migration succeeds every route answers SCHEMA_PENDING. Asked while the database
      // is still down: once it is back, the app's own retries may migrate at any moment.
      const write = await postTransaction(late.app, body('early'));
      expect(write.statusCode).toBe(503);
      expect(write.json()).toMatchObject({ code: 'SCHEMA_PENDING' });

      await server.start();
      expect(await eventually(async () => (await postTransaction(late.app, body('late'))).statusCode === 201)).toBe(true);
      expect((await late.app.inject({ method: 'GET', url: '/health' })).json().db.schemaReady).toBe(true);
    } finally {
      await late.close();
    }
  }, 60_000);

  it('waits on a read-only standby whose schema has not arrived, and migrates once promoted', async () => {
    const database = await freshSchema(server, 'standby');
    await server.setReadOnly(true);
    const standby = await testApp(server, { database, migrate: false });
    try {
      expect(await standby.schema.ensure()).toBe(false);
      expect(standby.logs.text()).toContain('database is read-only and its schema is behind this build');
      // Reachable, but neither serving (schema pending) nor writable.
      expect((await standby.app.inject({ method: 'GET', url: '/health/writable' })).json()).toMatchObject({ status: 'unavailable', role: 'reader', db: { schemaReady: false } });
      expect((await postTransaction(standby.app, body('standby'))).json()).toMatchObject({ code: 'SCHEMA_PENDING' });

      await server.setReadOnly(false);
      expect(await eventually(async () => (await postTransaction(standby.app, body('promoted'))).statusCode === 201)).toBe(true);
    } finally {
      await server.setReadOnly(false);
      await standby.close();
    }
  }, 60_000);
});

describe('migrating a read-only database (a standby), which gets its schema by replication', () => {
  afterEach(async () => {
    await server.setReadOnly(false);
  });

  it('migrate only checks, and reports what is missing, on a read-only database', async () => {
    const { host, port, user, password } = server.info;
    const database = await freshSchema(server, 'ro');
    const db = new Database({ endpoint: { host, port, database }, credentials: staticCredentials(user, password), poolSize: 1, connectTimeoutMs: 2_000, queryTimeoutMs: 5_000 });
    const logs = new LogCapture();
    try {
      await migrate(db, logs.logger, MIGRATIONS.slice(0, 1));
      await server.setReadOnly(true);
      await expect(migrate(db, logs.logger)).resolves.toEqual({ state: 'behind-read-only', missing: [LATEST_VERSION] });
      await expect(migrate(db, logs.logger, MIGRATIONS.slice(0, 1))).resolves.toEqual({ state: 'current', applied: [] });
      expect(await server.root(`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '${database}' AND table_name = 'account_balances'`)).toBe('0');
    } finally {
      await db.close();
    }
  });

  it('runMigrate refuses a read-only database (a standby) and changes nothing there', async () => {
    const database = await freshSchema(server, 'mig_ro');
    const serviceUser = `txn_svc_${randomBytes(3).toString('hex')}`;
    const config = loadMigrateConfig(migrateEnv(server, { database, serviceUser, servicePassword: randomBytes(15).toString('base64url') }));
    await server.setReadOnly(true);
    await expect(runMigrate(config, { logger: new LogCapture().logger })).rejects.toThrow(
      new MigrateError('127.0.0.1 is read-only (a standby or replica): run migrate against the writer; the schema and the service user reach the standbys by replication'),
    );
    expect(await server.root(`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '${database}'`)).toBe('0');
    expect(await server.root(`SELECT COUNT(*) FROM mysql.user WHERE user = '${serviceUser}'`)).toBe('0');
  });
});
