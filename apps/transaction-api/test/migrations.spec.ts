import type { MariaDbServer } from '@txn-dr/testing-mariadb';
import { staticCredentials } from '../src/credentials';
import { Database } from '../src/db/database';
import { MIGRATIONS, migrate, type Migration } from '../src/db/migrations';
import { countRows, freshSchema, LogCapture, sharedServer } from './helpers';

let server: MariaDbServer;
const open: Database[] = [];

function database(name: string): Database {
  const { host, port, user, password } = server.info;
  const db = new Database({ endpoint: { host, port, database: name }, credentials: staticCredentials(user, password), poolSize: 2, connectTimeoutMs: 2_000, queryTimeoutMs: 5_000 });
  open.push(db);
  return db;
}

beforeAll(() => {
  server = sharedServer();
});
afterAll(async () => {
  await Promise.all(open.map((db) => db.close()));
});

// The read-only case (it only checks, and reports what is missing) is in resilience.spec.ts, whose
// private server may turn read-only; this file's shared one must not.
describe('migrate', () => {
  it('creates the schema on an empty database, then finds nothing to do', async () => {
    const name = await freshSchema(server, 'mig');
    const db = database(name);
    const logs = new LogCapture();
    await expect(migrate(db, logs.logger)).resolves.toEqual({ state: 'current', applied: MIGRATIONS.map((m) => m.version) });
    await expect(migrate(db, logs.logger)).resolves.toEqual({ state: 'current', applied: [] });
    expect(await server.root(`SELECT GROUP_CONCAT(version ORDER BY version) FROM ${name}.schema_migrations`)).toBe(MIGRATIONS.map((m) => m.version).join(','));
    expect(await server.root(`SELECT GROUP_CONCAT(table_name ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '${name}'`)).toBe(
      'account_balances,schema_migrations,transactions',
    );
  });

  it('applies each migration once when many instances start at the same moment', async () => {
    const name = await freshSchema(server, 'migrace');
    const logs = new LogCapture();
    // A slow first migration widens the window in which the instances overlap.
    const slow: Migration[] = [{ version: 1, name: 'slow', statements: ['DO SLEEP(0.3)', 'CREATE TABLE IF NOT EXISTS slow_marker (id INT PRIMARY KEY)'] }, ...MIGRATIONS.map((m) => ({ ...m, version: m.version + 1 }))];
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => migrate(database(name), logs.logger, slow)));
    expect(outcomes.every((o) => o.state === 'current')).toBe(true);
    // Between them, the instances applied every migration exactly once.
    const applied = outcomes.flatMap((o) => (o.state === 'current' ? o.applied : []));
    expect(applied.sort()).toEqual(slow.map((m) => m.version));
    expect(await countRows(server, name, 'schema_migrations')).toBe(slow.length);
  });
});
