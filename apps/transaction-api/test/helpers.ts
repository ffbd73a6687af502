import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { MariaDbServer, SCHEMA_PREFIX, type ServerInfo } from '@txn-dr/testing-mariadb';
import { buildApp, type AppOptions } from '../src/app';
import { staticCredentials } from '../src/credentials';
import { Database, type DatabaseOptions } from '../src/db/database';
import { SchemaState } from '../src/db/schema-state';

/** The suite's shared server, started by global-setup.ts. */
export function sharedServer(): MariaDbServer {
  const raw = process.env['TXN_TEST_MARIADB'];
  if (raw === undefined) throw new Error('TXN_TEST_MARIADB is not set: run the tests through jest.config.cjs, whose global setup starts MariaDB');
  return MariaDbServer.attach(JSON.parse(raw) as ServerInfo);
}

/** A new, empty schema on `server` with a name no other spec uses. */
export async function freshSchema(server: MariaDbServer, label: string): Promise<string> {
  return server.createSchema(`${SCHEMA_PREFIX}${label}_${randomBytes(4).toString('hex')}`);
}

/** Log lines a test can read back. */
export class LogCapture {
  readonly lines: Array<Record<string, unknown>> = [];
  /** Where a logger writes JSON lines into `lines`. */
  readonly stream: Writable;
  readonly logger: Logger;

  constructor(level = 'info') {
    const lines = this.lines;
    this.stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    this.logger = pino({ level }, this.stream);
  }

  text(): string {
    return this.lines.map((l) => JSON.stringify(l)).join('\n');
  }
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly db: Database;
  readonly schema: SchemaState;
  readonly database: string;
  readonly logs: LogCapture;
  close(): Promise<void>;
}

export interface TestAppOptions {
  readonly database: string;
  readonly db?: Partial<Omit<DatabaseOptions, 'endpoint' | 'credentials'>>;
  readonly app?: Partial<AppOptions>;
  /** Run migrations before returning. @default true */
  readonly migrate?: boolean;
}

/** The service wired to a real MariaDB schema, as server.ts wires it, minus listening. */
export async function testApp(server: MariaDbServer, options: TestAppOptions): Promise<TestApp> {
  const { host, port, user, password } = server.info;
  const db = new Database({
    endpoint: { host, port, database: options.database },
    credentials: staticCredentials(user, password),
    poolSize: 10,
    connectTimeoutMs: 1_000,
    queryTimeoutMs: 3_000,
    ...options.db,
  });
  const logs = new LogCapture();
  const schema = new SchemaState({ db, log: logs.logger, retryMs: 200 });
  if (options.migrate ?? true) {
    if (!(await schema.ensure())) throw new Error(`migrations failed: ${logs.text()}`);
  }
  const app = buildApp({ db, schema, region: 'us-east-1', role: 'primary', healthTimeoutMs: 1_500, retryAfterSeconds: 5, logger: logs.logger, ...options.app });
  await app.ready();
  return {
    app,
    db,
    schema,
    database: options.database,
    logs,
    async close() {
      await app.close();
      schema.stop();
      await db.close();
    },
  };
}

let keys = 0;
/** A unique Idempotency-Key. */
export function newKey(): string {
  keys += 1;
  return `test-${process.pid}-${Date.now()}-${keys}-${randomBytes(4).toString('hex')}`;
}

/** POST /transactions with a new key, the given one, or (null) none. */
export function postTransaction(app: FastifyInstance, body: unknown, key: string | null = newKey()) {
  return app.inject({
    method: 'POST',
    url: '/transactions',
    headers: { 'content-type': 'application/json', ...(key === null ? {} : { 'idempotency-key': key }) },
    payload: JSON.stringify(body),
  });
}

/** Rows in a table of a test schema, counted by root (not through the service). */
export async function countRows(server: MariaDbServer, database: string, table: string, where = '1=1'): Promise<number> {
  return Number(await server.root(`SELECT COUNT(*) FROM \`${database}\`.\`${table}\` WHERE ${where}`));
}
