/**
 * The migrate step against real MariaDB: as the administrative user (the master user's stand-in),
 * it brings the schema and the service's own user to what the build needs, idempotently; the
 * service user can then do DML on its schema and nothing else.
 */
import { randomBytes } from 'node:crypto';
import { createConnection, type Connection } from 'mysql2/promise';
import { loadMigrateConfig, type MigrateConfig } from '../src/config';
import { MIGRATIONS } from '../src/db/migrations';
import { runMigrate } from '../src/migrate';
import { start } from '../src/server';
import { eventually, freshSchema, LogCapture, migrateEnv, postTransaction, sharedServer } from './helpers';
import type { MariaDbServer } from '@txn-dr/testing-mariadb';

let server: MariaDbServer;

beforeAll(() => {
  server = sharedServer();
});

interface Setup {
  readonly database: string;
  readonly user: string;
  readonly password: string;
  readonly config: MigrateConfig;
}

/** A fresh schema and service user name, and the migrate configuration for them, as the local world passes it. */
async function setup(label: string): Promise<Setup> {
  const database = await freshSchema(server, label);
  const user = `txn_svc_${randomBytes(3).toString('hex')}`;
  const password = randomBytes(15).toString('base64url');
  const config = loadMigrateConfig(migrateEnv(server, { database, serviceUser: user, servicePassword: password }));
  return { database, user, password, config };
}

async function asUser(s: Setup, password = s.password): Promise<Connection> {
  return createConnection({ host: server.info.host, port: server.info.port, user: s.user, password, database: s.database, connectTimeout: 3_000 });
}

async function errnoOf(run: Promise<unknown>): Promise<number | undefined> {
  return run.then(
    () => undefined,
    (error: unknown) => (error as { errno?: number }).errno,
  );
}

/** SHOW GRANTS, password hash left out; the client's batch mode doubles backslashes, undone here. */
const grantsOf = async (s: Setup) =>
  (await server.root(`SHOW GRANTS FOR '${s.user}'@'127.0.0.1'`))
    .split('\n')
    .map((l) => l.replace(/ IDENTIFIED BY PASSWORD '[^']*'/, '').replace(/\\\\/g, '\\'));

// Refusing a read-only database (a standby) is tested in resilience.spec.ts, whose private server
// may turn read-only; this file's shared one must not.
describe('runMigrate', () => {
  it('migrates an empty schema and creates the service user with DML on it and nothing else', async () => {
    const s = await setup('mig_user');
    const logs = new LogCapture();
    const result = await runMigrate(s.config, { logger: logs.logger });
    expect(result).toMatchObject({
      host: '127.0.0.1',
      database: s.database,
      ranAs: 'txn_admin@127.0.0.1',
      applied: MIGRATIONS.map((m) => m.version),
      serviceUser: { account: `'${s.user}'@'127.0.0.1'`, created: true, authentication: 'password', granted: `SELECT, INSERT, UPDATE, DELETE ON \`${s.database.replace(/_/g, '\\_')}\`.*`, revoked: [] },
    });
    expect(await grantsOf(s)).toEqual([`GRANT USAGE ON *.* TO \`${s.user}\`@\`127.0.0.1\``, `GRANT SELECT, INSERT, UPDATE, DELETE ON \`${s.database.replace(/_/g, '\\_')}\`.* TO \`${s.user}\`@\`127.0.0.1\``]);
    expect(logs.lines.map((l) => l['msg'])).toEqual(['migrating', 'schema migration applied', 'schema migration applied', 'migrate done']);
    expect(logs.text()).not.toContain(s.password);
    expect(logs.text()).not.toContain(server.info.admin.password);
  });

  it('lets the service user read and write its schema, and refuses it DDL, other schemas and anything global', async () => {
    const s = await setup('mig_priv');
    await runMigrate(s.config, { logger: new LogCapture().logger });
    const other = await freshSchema(server, 'mig_other');
    await server.root(`CREATE TABLE \`${other}\`.t (id INT PRIMARY KEY); INSERT INTO \`${other}\`.t VALUES (1)`);
    const c = await asUser(s);
    try {
      // DML on its own schema works.
      await c.query("INSERT INTO account_balances (account_id, currency, balance_minor, updated_at) VALUES ('priv', 'EUR', 5, UTC_TIMESTAMP(3))");
      await c.query("UPDATE account_balances SET balance_minor = 6 WHERE account_id = 'priv'");
      expect((await c.query("SELECT balance_minor FROM account_balances WHERE account_id = 'priv'"))[0]).toEqual([{ balance_minor: 6 }]);
      await c.query("DELETE FROM account_balances WHERE account_id = 'priv'");
      await expect(c.query('SELECT version FROM schema_migrations')).resolves.toBeDefined();

      // DDL on its own schema: ER_TABLEACCESS_DENIED_ERROR.
      expect(await errnoOf(c.query('CREATE TABLE sneaky (id INT)'))).toBe(1142);
      expect(await errnoOf(c.query('ALTER TABLE transactions ADD COLUMN sneaky INT'))).toBe(1142);
      expect(await errnoOf(c.query('DROP TABLE account_balances'))).toBe(1142);
      expect(await errnoOf(c.query('TRUNCATE TABLE transactions'))).toBe(1142);
      // Another schema: neither written nor read.
      expect(await errnoOf(c.query(`INSERT INTO \`${other}\`.t VALUES (2)`))).toBe(1142);
      expect(await errnoOf(c.query(`SELECT * FROM \`${other}\`.t`))).toBe(1142);
      expect(await errnoOf(c.query('CREATE DATABASE txn_sneaky'))).toBe(1044);
      // Nothing global: no read_only bypass, no users, no grants.
      expect(await errnoOf(c.query('SET GLOBAL read_only = 1'))).toBe(1227);
      expect(await errnoOf(c.query("CREATE USER 'sneaky'@'%' IDENTIFIED BY 'sneaky-password'"))).toBe(1227);
      expect(await errnoOf(c.query(`GRANT SELECT ON \`${s.database}\`.* TO 'nobody'@'%'`))).toBe(1044);
      expect(await server.root(`SELECT COUNT(*) FROM \`${other}\`.t`)).toBe('1');
    } finally {
      await c.end();
    }
  });

  it('is idempotent: a second run applies nothing, keeps the user, and grants the same', async () => {
    const s = await setup('mig_again');
    const logs = new LogCapture();
    await runMigrate(s.config, { logger: logs.logger });
    const before = await grantsOf(s);
    const again = await runMigrate(s.config, { logger: logs.logger });
    expect(again).toMatchObject({ applied: [], serviceUser: { created: false, revoked: [] } });
    expect(await grantsOf(s)).toEqual(before);
    expect(await server.root(`SELECT COUNT(*) FROM \`${s.database}\`.schema_migrations`)).toBe(String(MIGRATIONS.length));
    await (await asUser(s)).end();
  });

  it('takes back privileges the service user should not have, and sets the password it is given', async () => {
    const s = await setup('mig_converge');
    await runMigrate(s.config, { logger: new LogCapture().logger });
    const other = await freshSchema(server, 'mig_conv_other');
    await server.root(`CREATE TABLE \`${other}\`.t (id INT PRIMARY KEY)`);
    const account = `'${s.user}'@'127.0.0.1'`;
    await server.root(
      `GRANT CREATE, DROP, ALTER ON \`${s.database}\`.* TO ${account}; GRANT PROCESS ON *.* TO ${account}; ` +
        `GRANT SELECT ON \`${other}\`.t TO ${account} WITH GRANT OPTION; GRANT INSERT ON \`${other}\`.* TO ${account}`,
    );
    const rotated = randomBytes(15).toString('base64url');
    const result = await runMigrate({ ...s.config, serviceUser: { ...s.config.serviceUser, auth: { kind: 'password', password: rotated } } }, { logger: new LogCapture().logger });
    const db = (name: string) => `\`${name}\``;
    expect(result.serviceUser.revoked).toEqual(
      [
        // Granted on the unescaped name, a pattern: a grant of its own, taken back as it is named.
        `ALTER ON ${db(s.database)}.*`,
        `CREATE ON ${db(s.database)}.*`,
        `DROP ON ${db(s.database)}.*`,
        'PROCESS ON *.*',
        `GRANT OPTION ON ${db(other)}.${db('t')}`,
        `SELECT ON ${db(other)}.${db('t')}`,
        `INSERT ON ${db(other)}.*`,
      ].sort(),
    );
    expect(await grantsOf(s)).toEqual([`GRANT USAGE ON *.* TO \`${s.user}\`@\`127.0.0.1\``, `GRANT SELECT, INSERT, UPDATE, DELETE ON \`${s.database.replace(/_/g, '\\_')}\`.* TO \`${s.user}\`@\`127.0.0.1\``]);
    // The password given now is the one that works.
    expect(await errnoOf(asUser(s))).toBe(1045);
    await (await asUser(s, rotated)).end();
  });

  it('refuses to run as the service user itself', async () => {
    const s = await setup('mig_self');
    await runMigrate(s.config, { logger: new LogCapture().logger });
    const asService: MigrateConfig = { ...s.config, db: { ...s.config.db, auth: { kind: 'static', user: s.user, password: s.password } } };
    await expect(runMigrate(asService, { logger: new LogCapture().logger })).rejects.toThrow(`migrate runs as ${s.user}@127.0.0.1, the service user itself`);
  });
});

describe('the service as its own user', () => {
  it('serves 503 until the migrate step has run, then serves without a restart', async () => {
    const s = await setup('mig_first');
    const logs = new LogCapture();
    // Deployed before the migrate step: its user does not exist yet, let alone the schema.
    const running = await start(
      {
        AWS_REGION: 'us-east-1',
        DR_ROLE: 'primary',
        APP_HOST: '127.0.0.1',
        APP_PORT: '0',
        DB_HOST: server.info.host,
        DB_PORT: String(server.info.port),
        DB_NAME: s.database,
        DB_USER: s.user,
        DB_PASSWORD: s.password,
        DB_CONNECT_TIMEOUT_MS: '1000',
        RETRY_AFTER_SECONDS: '2',
      },
      // The schema is checked again every 100 ms, not every 2 s, so the test does not wait it out.
      { handleSignals: false, logDestination: logs.stream, schemaRetryMs: 100 },
    );
    // Through inject: what is at stake is the answers, not the socket (server.spec.ts covers that).
    const post = () => postTransaction(running.app, { accountId: 'first', amount: '1.00', currency: 'USD', reference: 'before and after migrate' });
    try {
      expect(running.config.db.migrateOnStart).toBe(false);
      const health = await running.app.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(503);
      expect(health.headers['retry-after']).toBe('2');
      const early = await post();
      expect(early.statusCode).toBe(503);
      expect(early.headers['retry-after']).toBe('2');

      await runMigrate(s.config, { logger: new LogCapture().logger });
      // The credential now works and the schema is there: the renewal and the schema check find both.
      expect(await eventually(async () => (await post()).statusCode === 201)).toBe(true);
      expect((await running.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      // It never changed the schema itself: the migrations were recorded by the migrate step alone.
      expect(logs.lines.filter((l) => l['msg'] === 'schema migration applied')).toEqual([]);
      expect(logs.text()).not.toContain(s.password);
    } finally {
      await running.close();
    }
  }, 30_000);
});
