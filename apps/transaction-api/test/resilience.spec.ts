/**
 * The database going read-only, away and hung, on a private MariaDB that these tests stop,
 * freeze and switch, so no other suite sees it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { MariaDbServer } from '@txn-dr/testing-mariadb';
import { countRows, freshSchema, newKey, postTransaction, testApp, type TestApp } from './helpers';

let server: MariaDbServer;
let t: TestApp;

beforeAll(async () => {
  server = await MariaDbServer.create();
  t = await testApp(server, { database: await freshSchema(server, 'res') });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await server?.destroy();
}, 60_000);

const body = (reference = 'r') => ({ accountId: 'acc-res', amount: '1.00', currency: 'USD', reference });

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await fn();
  return [result, performance.now() - started];
}

/** Polls until `check` passes or `ms` runs out; returns whether it passed. */
async function eventually(check: () => Promise<boolean>, ms = 15_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await sleep(100);
  }
  return false;
}

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
  afterAll(async () => {
    await server.thaw();
  });

  it('fails /health within 2 s, for every concurrent checker, and refuses writes', async () => {
    // Warm the pools so the hang catches open connections, the hard case.
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    await server.freeze();

    const [checks, ms] = await timed(() => Promise.all(Array.from({ length: 5 }, () => t.app.inject({ method: 'GET', url: '/health' }))));
    expect(checks.map((c) => c.statusCode)).toEqual([503, 503, 503, 503, 503]);
    expect(ms).toBeLessThan(2_000);
    // A later check is bounded too, while the first probe's connection is still stuck.
    const [again, againMs] = await timed(() => t.app.inject({ method: 'GET', url: '/health' }));
    expect(again.statusCode).toBe(503);
    expect(againMs).toBeLessThan(2_000);

    const write = await postTransaction(t.app, body('hung'));
    expect(write.statusCode).toBe(503);
    expect(write.json()).toMatchObject({ code: 'DB_UNAVAILABLE' });
  });

  it('recovers when the database answers again', async () => {
    await server.thaw();
    expect(await eventually(async () => (await t.app.inject({ method: 'GET', url: '/health' })).statusCode === 200)).toBe(true);
    expect(await eventually(async () => (await postTransaction(t.app, body('thawed'))).statusCode === 201)).toBe(true);
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
