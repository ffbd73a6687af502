/**
 * Reads and writes through one endpoint, health probes on another: in AWS the global writer
 * endpoint and the region's own cluster. Two private MariaDB servers stand in for them: A takes
 * the data, B is the region's cluster that the health endpoints judge (its schema arrives by a
 * migration run on it here, as replication would bring it). The tests stop A and B and turn B
 * read-only, so neither is the suite's shared server.
 */
import { randomBytes } from 'node:crypto';
import { SCHEMA_PREFIX, type MariaDbServer } from '@txn-dr/testing-mariadb';
import { staticCredentials } from '../src/credentials';
import { Database } from '../src/db/database';
import { migrate } from '../src/db/migrations';
import { start, type RunningServer } from '../src/server';
import { countRows, createSchema, eventually, LogCapture, newKey, postTransaction, timed } from './helpers';
import { createServers, discard } from './mariadb';

let writer: MariaDbServer;
let region: MariaDbServer;

beforeAll(async () => {
  [writer, region] = await createServers(2);
}, 90_000);
afterAll(async () => {
  await discard(writer, region);
}, 60_000);

/** The same empty schema on both servers. */
async function schemaOnBoth(label: string): Promise<string> {
  const name = `${SCHEMA_PREFIX}${label}_${randomBytes(4).toString('hex')}`;
  await Promise.all([createSchema(writer, name), createSchema(region, name)]);
  return name;
}

/** Brings the schema to the region's server, as replication from the writer would. */
async function replicateSchema(name: string): Promise<void> {
  const { host, port, user, password } = region.info;
  const db = new Database({ endpoint: { host, port, database: name }, credentials: staticCredentials(user, password), poolSize: 1, connectTimeoutMs: 2_000, queryTimeoutMs: 5_000 });
  try {
    await migrate(db, new LogCapture().logger);
  } finally {
    await db.close();
  }
}

/** The service with its data on the writer and, unless `probe` is false, its probes on the region's server. */
async function service(database: string, probe = true): Promise<RunningServer> {
  const env: Record<string, string> = {
    AWS_REGION: 'us-east-2',
    DR_ROLE: 'secondary',
    APP_HOST: '127.0.0.1',
    APP_PORT: '0',
    DB_HOST: writer.info.host,
    DB_PORT: String(writer.info.port),
    DB_USER: writer.info.user,
    DB_PASSWORD: writer.info.password,
    DB_NAME: database,
    DB_POOL_SIZE: '4',
    DB_CONNECT_TIMEOUT_MS: '1000',
    // This suite's user may change the schema, and the data endpoint's schema is migrated at start.
    DB_MIGRATE_ON_START: 'true',
    ...(probe ? { DB_PROBE_HOST: region.info.host, DB_PROBE_PORT: String(region.info.port) } : {}),
  };
  // A schema that is not there yet is checked again every 100 ms, not every 2 s: the tests wait for it.
  return start(env, { handleSignals: false, logDestination: new LogCapture().stream, schemaRetryMs: 100 });
}

const body = (reference: string) => ({ accountId: 'acc-probe', amount: '1.00', currency: 'USD', reference });
const health = (running: RunningServer, url = '/health') => running.app.inject({ method: 'GET', url });
const up = { reachable: true, readOnly: false, latencyMs: expect.any(Number), schemaReady: true };

describe('probes on the region\'s cluster, data on the writer', () => {
  let running: RunningServer;
  let database: string;

  beforeAll(async () => {
    database = await schemaOnBoth('probe');
    await replicateSchema(database);
    running = await service(database);
  }, 60_000);
  afterAll(async () => {
    await running?.close();
  });

  it('judges the region by its own cluster and reports the data endpoint beside it', async () => {
    for (const url of ['/health', '/health/writable']) {
      const res = await health(running, url);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok', region: 'us-east-2', role: 'writer', configuredRole: 'secondary', db: up, writer: up });
    }
  });

  it('keeps the probes to at most two connections on the region\'s cluster, however many checks arrive', async () => {
    const checks = await Promise.all(Array.from({ length: 20 }, (_, i) => health(running, i % 2 === 0 ? '/health' : '/health/writable')));
    expect(checks.map((c) => c.statusCode)).toEqual(Array.from({ length: 20 }, () => 200));
    const connections = Number(await region.root(`SELECT COUNT(*) FROM information_schema.processlist WHERE user = '${region.info.user}'`));
    expect(connections).toBeGreaterThanOrEqual(1);
    expect(connections).toBeLessThanOrEqual(2);
  });

  describe('the region\'s cluster turns reader (a switchover demoted it)', () => {
    beforeAll(async () => {
      await region.setReadOnly(true);
    });
    afterAll(async () => {
      await region.setReadOnly(false);
    });

    it('fails /health/writable with role reader, so Route 53 moves traffic, and keeps /health', async () => {
      const writable = await health(running, '/health/writable');
      expect(writable.statusCode).toBe(503);
      expect(writable.headers['retry-after']).toBe('5');
      expect(writable.json()).toEqual({
        status: 'unavailable',
        region: 'us-east-2',
        role: 'reader',
        configuredRole: 'secondary',
        db: { ...up, readOnly: true },
        writer: up,
      });
      const serving = await health(running);
      expect(serving.statusCode).toBe(200);
      expect(serving.json()).toMatchObject({ status: 'ok', role: 'reader' });
    });

    it('still takes writes on the data endpoint while traffic moves', async () => {
      const before = await countRows(writer, database, 'transactions');
      const res = await postTransaction(running.app, body('during the switchover'));
      expect(res.statusCode).toBe(201);
      expect(await countRows(writer, database, 'transactions')).toBe(before + 1);
      expect(await countRows(region, database, 'transactions')).toBe(0);
    });
  });

  describe('the region\'s cluster is down', () => {
    afterAll(async () => {
      await region.start();
    }, 60_000);

    it('fails /health quickly, so the load balancer sees the region\'s own trouble, while writes still work', async () => {
      await region.stop();
      const [res, ms] = await timed(() => health(running));
      expect(res.statusCode).toBe(503);
      expect(ms).toBeLessThan(2_000);
      expect(res.json()).toMatchObject({ status: 'unavailable', role: 'unknown', db: { reachable: false, readOnly: null }, writer: up });
      expect((await health(running, '/health/writable')).statusCode).toBe(503);
      expect((await postTransaction(running.app, body('region down'))).statusCode).toBe(201);
    });

    it('recovers when the cluster is back, without a restart', async () => {
      await region.start();
      expect(await eventually(async () => (await health(running)).statusCode === 200)).toBe(true);
    });
  });

  describe('the data endpoint is down', () => {
    afterAll(async () => {
      await writer.start();
    }, 60_000);

    it('keeps the region live on its own cluster, reports the writer unreachable, and refuses writes', async () => {
      await writer.stop();
      const [res, ms] = await timed(() => health(running));
      expect(ms).toBeLessThan(2_000);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'ok', role: 'writer', db: up, writer: { reachable: false, readOnly: null } });
      const write = await postTransaction(running.app, body('writer down'));
      expect(write.statusCode).toBe(503);
      expect(write.json()).toMatchObject({ code: 'DB_UNAVAILABLE' });
    });

    it('writes again once the data endpoint answers', async () => {
      await writer.start();
      expect(await eventually(async () => (await postTransaction(running.app, body('writer back'))).statusCode === 201)).toBe(true);
      expect((await health(running)).json()).toMatchObject({ writer: up });
    });
  });
});

describe('starting with probes on the region\'s cluster', () => {
  it('comes up live on a standby whose data endpoint is unreachable, and migrates once it answers', async () => {
    const database = await schemaOnBoth('standby');
    await replicateSchema(database);
    await writer.stop();
    const running = await service(database);
    try {
      const res = await health(running);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ db: up, writer: { reachable: false, schemaReady: false } });
      // Until the data endpoint has the schema, the routes wait for it.
      expect((await postTransaction(running.app, body('early'), newKey())).json()).toMatchObject({ code: 'SCHEMA_PENDING' });

      await writer.start();
      expect(await eventually(async () => (await postTransaction(running.app, body('late'))).statusCode === 201)).toBe(true);
      expect((await health(running)).json()).toMatchObject({ writer: up });
    } finally {
      await writer.start();
      await running.close();
    }
  }, 60_000);

  it('fails /health until the schema reaches the region\'s cluster, and only checks it there', async () => {
    const database = await schemaOnBoth('behind');
    const running = await service(database);
    try {
      const res = await health(running);
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'unavailable', db: { reachable: true, schemaReady: false }, writer: up });
      // The writer was migrated; the region's cluster, writable here, was only read.
      expect(await countRows(writer, database, 'schema_migrations')).toBeGreaterThan(0);
      expect(await region.root(`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '${database}'`)).toBe('0');

      await replicateSchema(database);
      expect(await eventually(async () => (await health(running)).statusCode === 200)).toBe(true);
    } finally {
      await running.close();
    }
  }, 60_000);

  it('without a probe host, judges and reports the data endpoint alone, as before', async () => {
    const database = await schemaOnBoth('single');
    await region.setReadOnly(true);
    const running = await service(database, false);
    try {
      const res = await health(running, '/health/writable');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok', region: 'us-east-2', role: 'writer', configuredRole: 'secondary', db: up });
      expect(Number(await region.root(`SELECT COUNT(*) FROM information_schema.processlist WHERE user = '${region.info.user}'`))).toBe(0);

      await writer.setReadOnly(true);
      expect((await health(running, '/health/writable')).json()).toMatchObject({ status: 'unavailable', role: 'reader', db: { readOnly: true } });
    } finally {
      await Promise.all([writer.setReadOnly(false), region.setReadOnly(false)]);
      await running.close();
    }
  }, 60_000);
});
