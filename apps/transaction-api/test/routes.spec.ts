/**
 * The route plugins as the app mounts them: each resource under its prefix, the schema check in
 * front of the data routes only, and a plugin on its own under another prefix. No database answers
 * here: every request is decided before one would be asked.
 */
import { freePort } from '@txn-dr/testing-mariadb';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildApp } from '../src/app';
import { staticCredentials } from '../src/credentials';
import { Database } from '../src/db/database';
import { SchemaState } from '../src/db/schema-state';
import { transactionRoutes } from '../src/routes/transactions';
import type { Transaction } from '../src/transactions';
import { LogCapture } from './helpers';

describe('the app', () => {
  let app: FastifyInstance;
  let db: Database;
  let schema: SchemaState;
  const routes: string[] = [];

  beforeAll(async () => {
    // Nothing listens on the port, so the health probe is refused at once.
    db = new Database({ endpoint: { host: '127.0.0.1', port: await freePort(), database: 'txn_routes' }, credentials: staticCredentials('nobody', 'none'), poolSize: 1, connectTimeoutMs: 500, queryTimeoutMs: 500 });
    // Never checked: the schema stays pending, and its retry never comes within the test.
    schema = new SchemaState({ db, log: new LogCapture().logger, retryMs: 600_000, checkOnly: true });
    app = buildApp({ db, schema, region: 'us-east-1', role: 'primary', healthTimeoutMs: 500, retryAfterSeconds: 5 });
    // The plugins register when the app loads, after this hook is in place.
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) routes.push(`${method} ${route.url}`);
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    schema?.stop();
    await db?.close();
  });

  it('mounts each resource under its prefix, and nothing else', () => {
    expect([...routes].sort()).toEqual(
      [
        'GET /health',
        'HEAD /health',
        'GET /health/writable',
        'HEAD /health/writable',
        'POST /transactions',
        'GET /transactions',
        'HEAD /transactions',
        'GET /transactions/:id',
        'HEAD /transactions/:id',
        'GET /accounts/:id/balance',
        'HEAD /accounts/:id/balance',
      ].sort(),
    );
  });

  it.each([
    ['POST', '/transactions/'],
    ['GET', '/accounts/'],
    ['GET', '/accounts/acc-1/balance/'],
    ['GET', '/health/'],
  ] as const)('has no route %s %s', async (method, url) => {
    const res = await app.inject({ method, url });
    expect([res.statusCode, res.json().code]).toEqual([404, 'ROUTE_NOT_FOUND']);
  });

  it.each([
    ['POST', '/transactions', { accountId: 'acc-1', amount: '1.00', currency: 'USD', reference: 'gated' }],
    ['GET', '/transactions?accountId=acc-1', undefined],
    ['GET', '/transactions/0190f3b2-6c1e-7a00-8000-000000000000', undefined],
    ['GET', '/accounts/acc-1/balance', undefined],
  ] as const)('answers %s %s with 503 SCHEMA_PENDING while the schema is not current', async (method, url, body) => {
    const res = await app.inject({ method, url, headers: { 'idempotency-key': 'routes-spec' }, ...(body !== undefined ? { payload: body } : {}) });
    expect([res.statusCode, res.json().code, res.headers['retry-after']]).toEqual([503, 'SCHEMA_PENDING', '5']);
  });

  it('answers the health endpoints itself, whatever the schema', async () => {
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'unavailable', role: 'unknown', db: { reachable: false, schemaReady: false } });
  });
});

describe('transactionRoutes on its own', () => {
  const stored: Transaction = {
    id: '0190f3b2-6c1e-7a00-8000-000000000001',
    accountId: 'acc-1',
    amountMinor: 250,
    amount: '2.50',
    currency: 'EUR',
    reference: 'elsewhere',
    createdAt: '2026-11-30T10:00:00.000Z',
  };
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify();
    app.register(transactionRoutes, {
      prefix: '/v2/transactions',
      store: {
        create: async (_key, input) => ({ created: true, transaction: { ...stored, ...input } }),
        get: async (id) => (id === stored.id ? stored : undefined),
        list: async () => ({ items: [stored], nextCursor: undefined }),
      },
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('serves its routes under the prefix it is given, and points Location there', async () => {
    const created = await app.inject({ method: 'POST', url: '/v2/transactions', headers: { 'idempotency-key': 'k-1' }, payload: { accountId: 'acc-1', amount: '2.50', currency: 'EUR', reference: 'elsewhere' } });
    expect(created.statusCode).toBe(201);
    expect(created.headers['location']).toBe(`/v2/transactions/${stored.id}`);
    expect((await app.inject({ method: 'GET', url: `/v2/transactions/${stored.id}` })).json()).toEqual(stored);
    expect((await app.inject({ method: 'GET', url: '/v2/transactions?accountId=acc-1' })).json()).toEqual({ items: [stored], nextCursor: null });
  });
});
