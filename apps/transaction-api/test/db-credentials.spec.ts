/**
 * The pools' credentials changing under them, on the shared MariaDB: each test has a user of its
 * own whose password it changes as root, and a credential source it controls.
 */
import { randomBytes } from 'node:crypto';
import type { MariaDbServer } from '@txn-dr/testing-mariadb';
import type { CredentialProvider, CredentialRequest } from '../src/credentials';
import { Database } from '../src/db/database';
import { migrate } from '../src/db/migrations';
import { freshSchema, LogCapture, sharedServer } from './helpers';

let server: MariaDbServer;
const open: Database[] = [];

beforeAll(() => {
  server = sharedServer();
});
afterAll(async () => {
  await Promise.all(open.map((db) => db.close()));
});

/** A credential source whose password the test sets, and which records how it was asked. */
class Source implements CredentialProvider {
  readonly kind = 'static';
  readonly asked: boolean[] = [];
  constructor(
    readonly user: string,
    public password: string,
  ) {}

  credential(_target: unknown, request: CredentialRequest = {}) {
    this.asked.push(request.fresh === true);
    return Promise.resolve({ user: this.user, password: this.password });
  }
}

/** A user with every privilege on `database`, and its first password. */
async function user(database: string): Promise<{ name: string; password: string }> {
  const name = `txn_rot_${randomBytes(3).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  await server.root(`CREATE USER '${name}'@'127.0.0.1' IDENTIFIED BY '${password}'; GRANT ALL PRIVILEGES ON \`${database}\`.* TO '${name}'@'127.0.0.1'`);
  return { name, password };
}

function database(name: string, credentials: CredentialProvider, logs: LogCapture, poolSize = 2): Database {
  const { host, port } = server.info;
  const db = new Database({
    endpoint: { host, port, database: name },
    credentials,
    poolSize,
    connectTimeoutMs: 2_000,
    queryTimeoutMs: 3_000,
    renewalBackoff: { firstMs: 50, maxMs: 200 },
    log: logs.logger,
  });
  open.push(db);
  return db;
}

describe('a password changed under the pools', () => {
  it('renews the credential once, on new pools, while work on the old pool finishes', async () => {
    const name = await freshSchema(server, 'rot');
    const account = await user(name);
    const source = new Source(account.name, account.password);
    const logs = new LogCapture();
    const db = database(name, source, logs);
    await migrate(db, logs.logger);

    // A transaction in flight on a connection opened with the old password...
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const inside = new Promise<void>((resolve) => (started = resolve));
    const inFlight = db.transaction(async (session) => {
      await session.execute("INSERT INTO account_balances (account_id, currency, balance_minor, updated_at) VALUES ('old-pool', 'USD', 1, UTC_TIMESTAMP(3))");
      started();
      await gate;
      await session.execute("UPDATE account_balances SET balance_minor = 2 WHERE account_id = 'old-pool'");
    });
    await inside;

    // ...then the password changes, and the source has the new one.
    const rotated = randomBytes(12).toString('base64url');
    await server.root(`ALTER USER '${account.name}'@'127.0.0.1' IDENTIFIED BY '${rotated}'`);
    source.password = rotated;

    // The pool's second connection is new: refused with the old password, renewed, done.
    const rows = await db.withSession((session) => session.query<Array<{ one: number }>>('SELECT 1 AS one'));
    expect(rows).toEqual([{ one: 1 }]);
    expect(db.credentialStatus).toEqual({ refused: false, renewals: 1 });
    expect(source.asked).toEqual([false, true]);

    // The old pool's transaction was never cut: it commits.
    release();
    await inFlight;
    expect(await server.root(`SELECT balance_minor FROM \`${name}\`.account_balances WHERE account_id = 'old-pool'`)).toBe('2');

    const messages = logs.lines.map((l) => l['msg']);
    expect(messages).toContain('the database refused the credential; getting a fresh one');
    expect(messages).toContain('database credential renewed; new connections use it');
    expect(logs.text()).not.toContain(rotated);
    expect(logs.text()).not.toContain(account.password);
  });

  it('shares one renewal among many callers refused at once', async () => {
    const name = await freshSchema(server, 'rotmany');
    const account = await user(name);
    // A cached credential that is stale, and a fresh one that works (as a rotated secret would be).
    const asked: boolean[] = [];
    const source: CredentialProvider = {
      kind: 'secret',
      credential: (_target, request = {}) => {
        asked.push(request.fresh === true);
        return Promise.resolve({ user: account.name, password: request.fresh === true ? account.password : 'stale-password' });
      },
    };
    const logs = new LogCapture();
    const db = database(name, source, logs, 8);
    // Eight first connections with the stale password, refused together.
    const results = await Promise.all(Array.from({ length: 8 }, () => db.withSession((session) => session.query('SELECT 1'))));
    expect(results).toHaveLength(8);
    expect(db.credentialStatus).toEqual({ refused: false, renewals: 1 });
    // The first pools were made from the cached credential; the renewal asked once for a fresh one.
    expect(asked).toEqual([false, true]);
  });
});

describe('no credential that works', () => {
  it('fails at once with a 503-class error while none works, and recovers without a restart when one does', async () => {
    const name = await freshSchema(server, 'rotnone');
    const account = await user(name);
    const source = new Source(account.name, 'stale-password');
    const logs = new LogCapture();
    const db = database(name, source, logs);

    // The first connection is refused, and so is the fresh credential (the source is stale too):
    // the caller, which waited for that renewal, learns that no credential works.
    const first = await db.withSession((session) => session.query('SELECT 1')).catch((e: unknown) => e as Error & { code?: string });
    expect(first).toMatchObject({ code: 'DB_CREDENTIALS_UNAVAILABLE', message: expect.stringContaining(`the database refused ${account.name}`) });
    expect(db.credentialStatus.refused).toBe(true);

    // Meanwhile every caller fails fast, with the error the service answers 503 to.
    for (let i = 0; i < 5; i += 1) {
      const started = performance.now();
      const error = await db.withSession((session) => session.query('SELECT 1')).catch((e: unknown) => e as { code?: string });
      expect(error).toMatchObject({ code: 'DB_CREDENTIALS_UNAVAILABLE' });
      expect(performance.now() - started).toBeLessThan(100);
    }
    expect(logs.lines.map((l) => l['msg'])).toContain('no working database credential yet; requests fail with 503 until one works');

    // The source gets the right password: the background renewal finds it within its backoff.
    source.password = account.password;
    const deadline = Date.now() + 5_000;
    while (db.credentialStatus.refused && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(db.credentialStatus).toEqual({ refused: false, renewals: 1 });
    await expect(db.withSession((session) => session.query('SELECT 1 AS one'))).resolves.toEqual([{ one: 1 }]);
    await expect(db.probe(1_000)).resolves.toMatchObject({ readOnly: false });
  });

  it('stops retrying when closed', async () => {
    const name = await freshSchema(server, 'rotclose');
    const account = await user(name);
    const source = new Source(account.name, 'stale-password');
    const db = database(name, source, new LogCapture());
    await db.withSession((session) => session.query('SELECT 1')).catch(() => undefined);
    const asked = source.asked.length;
    await db.close();
    await new Promise((r) => setTimeout(r, 400));
    expect(source.asked.length).toBe(asked);
    await expect(db.withSession((session) => session.query('SELECT 1'))).rejects.toMatchObject({ code: 'POOL_CLOSED' });
  });
});
