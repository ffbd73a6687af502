/**
 * The service user's password changed while the service takes writes: bounded load over HTTP on
 * 127.0.0.1, the password changed and every connection of the user killed (so every request needs
 * a new one), and the credential source returning the new password only a moment later. Counted
 * from the database: no acknowledged write is lost, and what failed is few and each a 503 with
 * Retry-After.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify as uuidText } from 'uuid';
import type { MariaDbServer } from '@txn-dr/testing-mariadb';
import { loadMigrateConfig } from '../src/config';
import type { CredentialProvider } from '../src/credentials';
import { runMigrate } from '../src/migrate';
import { start, type RunningServer } from '../src/server';
import { freshSchema, LogCapture, migrateEnv, newKey, sharedServer } from './helpers';

/** One request every 10 ms for 3 s: about 100 writes a second, 300 in all. */
const REQUESTS = 300;
const INTERVAL_MS = 10;
/** When the password changes, counted in requests sent. */
const ROTATE_AT = 100;
/** How long the credential source keeps answering the old password after the change. */
const SOURCE_LAG_MS = 300;

let server: MariaDbServer;

beforeAll(() => {
  server = sharedServer();
});

interface Outcome {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly id?: string;
  readonly code?: string;
  readonly amountMinor: number;
}

it('loses no acknowledged write when the service user\'s password changes under load, and fails few requests, each 503 with Retry-After', async () => {
  const database = await freshSchema(server, 'rotload');
  const user = `txn_svc_${randomBytes(3).toString('hex')}`;
  const first = randomBytes(15).toString('base64url');
  const { host, port } = server.info;
  await runMigrate(loadMigrateConfig(migrateEnv(server, { database, serviceUser: user, servicePassword: first })), { logger: new LogCapture().logger });

  // The credential source: the secret, as the service reads it.
  let password = first;
  const source: CredentialProvider = { kind: 'secret', credential: () => Promise.resolve({ user, password }) };
  const logs = new LogCapture();
  const running: RunningServer = await start(
    {
      AWS_REGION: 'us-east-1',
      DR_ROLE: 'primary',
      APP_HOST: '127.0.0.1',
      APP_PORT: '0',
      DB_HOST: host,
      DB_PORT: String(port),
      DB_NAME: database,
      DB_USER: user,
      DB_PASSWORD: first,
      DB_POOL_SIZE: '4',
      DB_CONNECT_TIMEOUT_MS: '1000',
      DB_QUERY_TIMEOUT_MS: '3000',
      RETRY_AFTER_SECONDS: '1',
    },
    { handleSignals: false, logDestination: logs.stream, credentials: source },
  );

  const second = randomBytes(15).toString('base64url');
  const post = async (n: number): Promise<Outcome> => {
    const amountMinor = 100 + (n % 7);
    const response = await fetch(`${running.url}/transactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': newKey() },
      body: JSON.stringify({ accountId: 'rotation', amountMinor, currency: 'USD', reference: `write ${n}` }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { id?: string; code?: string };
    return { status: response.status, retryAfter: response.headers.get('retry-after'), amountMinor, ...(body.id ? { id: body.id } : {}), ...(body.code ? { code: body.code } : {}) };
  };
  const rotate = async () => {
    await server.root(`ALTER USER '${user}'@'127.0.0.1' IDENTIFIED BY '${second}'`);
    // Connections opened with the old password stay logged in; end them, so that every request
    // from now on needs a new connection, as after a failover or once idle ones are retired.
    const ids = (await server.root(`SELECT id FROM information_schema.processlist WHERE user = '${user}'`)).split('\n').filter(Boolean);
    for (const id of ids) await server.root(`KILL CONNECTION ${id}`).catch(() => undefined);
    await sleep(SOURCE_LAG_MS);
    password = second;
  };

  let rotation: Promise<void> | undefined;
  const sent: Promise<Outcome>[] = [];
  try {
    for (let n = 0; n < REQUESTS; n += 1) {
      if (n === ROTATE_AT) rotation = rotate();
      sent.push(post(n));
      await sleep(INTERVAL_MS);
    }
    await rotation;
    const outcomes = await Promise.all(sent);

    const acknowledged = outcomes.filter((o) => o.status === 201);
    const failed = outcomes.filter((o) => o.status !== 201);
    // The change was felt: some requests failed while no credential worked...
    expect(failed.length).toBeGreaterThan(0);
    // ...each a 503 with Retry-After (never a hang: every request got an answer)...
    for (const o of failed) expect([o.status, o.retryAfter, o.code]).toEqual([503, '1', expect.stringMatching(/^DB_UNAVAILABLE$/)]);
    // ...and few: the requests on the connections killed, and those sent while no credential
    // worked. The source lags 300 ms; the renewal tries at once, then after 250 ms and 500 ms
    // more, so the window is under a second: at most about 100 requests at 100 a second (75
    // measured here), never the rest of the run.
    expect(failed.length).toBeLessThanOrEqual(100);
    // Before the change and well after it, everything was acknowledged.
    expect(outcomes.slice(0, ROTATE_AT - 5).every((o) => o.status === 201)).toBe(true);
    expect(outcomes.slice(-50).every((o) => o.status === 201)).toBe(true);

    // Every acknowledged write is in the database, and the balance adds up to what is there.
    const stored = new Set((await server.root(`SELECT LOWER(HEX(id)) FROM \`${database}\`.transactions`)).split('\n').filter(Boolean));
    const missing = acknowledged.filter((o) => !stored.has((o.id ?? '').replace(/-/g, '')));
    expect(missing).toEqual([]);
    expect(stored.size).toBeGreaterThanOrEqual(acknowledged.length);
    const [sum, balance] = (await server.root(`SELECT (SELECT SUM(amount_minor) FROM \`${database}\`.transactions), (SELECT balance_minor FROM \`${database}\`.account_balances WHERE account_id = 'rotation')`)).split('\t');
    expect(balance).toBe(sum);

    const messages = logs.lines.map((l) => l['msg']);
    expect(messages).toContain('the database refused the credential; getting a fresh one');
    expect(messages).toContain('database credential renewed; new connections use it');
    expect(logs.text()).not.toContain(second);
    // Sanity of the check itself: ids are UUIDs, stored as their 16 bytes.
    expect(uuidText(Buffer.from([...stored][0]!, 'hex'))).toMatch(/^[0-9a-f-]{36}$/);
  } finally {
    await rotation?.catch(() => undefined);
    await Promise.allSettled(sent);
    await running.close();
  }
}, 60_000);
