import type { FastifyInstance } from 'fastify';
import { createConnection } from 'mysql2/promise';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
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

/**
 * The service's artifacts, built once for the suite by global-setup.ts from the sources as they
 * are now. Shared by the specs: read and run them, never change them.
 */
export function sharedBundleDir(): string {
  const dir = process.env['TXN_TEST_BUNDLE_DIR'];
  if (dir === undefined) throw new Error('TXN_TEST_BUNDLE_DIR is not set: run the tests through jest.config.cjs, whose global setup builds the service');
  return dir;
}

/**
 * Runs SQL as the administrative user, over TCP, on a connection of its own. For the helpers every
 * spec calls often: `server.root` starts a client process per statement, which costs several
 * times the CPU of a connection from this process.
 */
async function asAdmin<T = unknown>(server: MariaDbServer, sql: string): Promise<T> {
  const { host, port, admin } = server.info;
  const connection = await createConnection({ host, port, user: admin.user, password: admin.password, connectTimeout: 5_000 });
  try {
    return (await connection.query(sql))[0] as T;
  } finally {
    await connection.end();
  }
}

/** Creates the empty schema `name` on `server`; fails if it exists. */
export async function createSchema(server: MariaDbServer, name: string): Promise<string> {
  await asAdmin(server, `CREATE DATABASE \`${name}\``);
  return name;
}

/** A new, empty schema on `server` with a name no other spec uses. */
export async function freshSchema(server: MariaDbServer, label: string): Promise<string> {
  return createSchema(server, `${SCHEMA_PREFIX}${label}_${randomBytes(4).toString('hex')}`);
}

/** What the migrate step is told to make on a test server: the schema and the service's own user. */
export interface MigrateTarget {
  readonly database: string;
  readonly serviceUser: string;
  readonly servicePassword: string;
  /** @default us-east-1 */
  readonly region?: string;
}

/**
 * The migrate step's environment against `server`, as the local world passes it: the
 * administrative user over TCP, and the service's user with a password.
 */
export function migrateEnv(server: MariaDbServer, target: MigrateTarget): Record<string, string> {
  const { host, port, admin } = server.info;
  return {
    AWS_REGION: target.region ?? 'us-east-1',
    DB_HOST: host,
    DB_PORT: String(port),
    DB_NAME: target.database,
    DB_USER: admin.user,
    DB_PASSWORD: admin.password,
    SERVICE_DB_USER: target.serviceUser,
    SERVICE_DB_USER_HOST: '127.0.0.1',
    SERVICE_DB_AUTH: 'password',
    SERVICE_DB_PASSWORD: target.servicePassword,
  };
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
  const [row] = await asAdmin<Array<{ n: number }>>(server, `SELECT COUNT(*) AS n FROM \`${database}\`.\`${table}\` WHERE ${where}`);
  return Number(row?.n);
}

/** What `fn` resolved to, and how long it took in milliseconds. */
export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await fn();
  return [result, performance.now() - started];
}

/**
 * Polls until `check` passes or `ms` runs out; returns whether it passed. The interval is short,
 * so a test waits for the condition, not for the poll.
 */
export async function eventually(check: () => Promise<boolean>, ms = 15_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await sleep(25);
  }
  return false;
}
