import { ConfigError } from '@txn-dr/config';
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino, stdTimeFunctions, type Logger } from 'pino';
import { buildApp } from './app';
import { resolveDatabaseAccess, type DatabaseAccessOptions, type DatabaseEndpoint } from './aws';
import { loadConfig, type ServiceConfig } from './config';
import type { CredentialProvider } from './credentials';
import { Database } from './db/database';
import { SchemaState } from './db/schema-state';

/** How long start-up waits for the schema (checked, or migrated) before listening anyway (and retrying). */
const FIRST_MIGRATION_WAIT_MS = 10_000;

export interface StartOptions extends DatabaseAccessOptions {
  /** Install SIGTERM/SIGINT and crash handlers that close gracefully, then exit. @default true */
  readonly handleSignals?: boolean;
  /** Where JSON log lines go. @default stdout */
  readonly logDestination?: NodeJS.WritableStream;
  /** How long to wait before checking a schema that is not current again. @default 2000 (SchemaState's) */
  readonly schemaRetryMs?: number;
}

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly config: ServiceConfig;
  /** `http://host:port` actually bound. */
  readonly url: string;
  /** Stops accepting, drains in-flight requests, closes the database pools. */
  close(): Promise<void>;
}

export function createLogger(config: Pick<ServiceConfig, 'logLevel' | 'region' | 'role'>, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: 'transaction-api', region: config.region, drRole: config.role },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'password', '*.password'], censor: '[redacted]' },
    },
    destination ?? process.stdout,
  );
}

/**
 * The health probes' own database (the region's cluster), tiny: one connection for the probe and
 * one for checking the schema, both held to the health limit.
 */
function probeDatabase(endpoint: DatabaseEndpoint, credentials: CredentialProvider, config: ServiceConfig, logger: Logger, retry: { readonly retryMs?: number }): { db: Database; schema: SchemaState } {
  const { tls, connectTimeoutMs, healthTimeoutMs } = config.db;
  const db = new Database({
    endpoint,
    credentials,
    tls,
    poolSize: 1,
    connectTimeoutMs: Math.min(connectTimeoutMs, healthTimeoutMs),
    queryTimeoutMs: healthTimeoutMs,
    log: logger.child({ component: 'probe-db' }),
  });
  return { db, schema: new SchemaState({ db, log: logger.child({ component: 'probe-schema' }), checkOnly: true, ...retry }) };
}

/**
 * Runs the service: configuration, database endpoints (from SSM in AWS), the schema (checked; or
 * migrated, when DB_MIGRATE_ON_START allows), then listening. Credentials are got when the first
 * connections need them. Throws ConfigError on bad configuration before touching anything.
 */
export async function start(env: NodeJS.ProcessEnv, options: StartOptions = {}): Promise<RunningServer> {
  const config = loadConfig(env);
  const logger = createLogger(config, options.logDestination);
  const { endpoints, credentials } = await resolveDatabaseAccess(config, options);
  const db = new Database({
    endpoint: endpoints.data,
    credentials,
    tls: config.db.tls,
    poolSize: config.db.poolSize,
    connectTimeoutMs: config.db.connectTimeoutMs,
    queryTimeoutMs: config.db.queryTimeoutMs,
    log: logger.child({ component: 'db' }),
  });
  // The service's own user may not change the schema: the migrate step does, and the service only
  // checks, serving 503 SCHEMA_PENDING until the schema is there.
  const retry = options.schemaRetryMs !== undefined ? { retryMs: options.schemaRetryMs } : {};
  const schema = new SchemaState({ db, log: logger.child({ component: 'schema' }), checkOnly: !config.db.migrateOnStart, ...retry });
  const probe = endpoints.probe !== undefined ? probeDatabase(endpoints.probe, credentials, config, logger, retry) : undefined;
  // Take traffic with the schema in place when the database allows; never hang start-up on it. The
  // probes' database is checked after the data endpoint's schema, which, in the writer's region,
  // is the same cluster.
  const schemas = [schema, ...(probe !== undefined ? [probe.schema] : [])];
  const settle = async () => {
    for (const state of schemas) await state.ensure();
  };
  await Promise.race([settle(), sleep(FIRST_MIGRATION_WAIT_MS, undefined, { ref: false })]);
  for (const state of schemas) if (!state.ready) state.keepTrying();

  const app = buildApp({
    db,
    schema,
    ...(probe !== undefined ? { probe } : {}),
    region: config.region,
    role: config.role,
    healthTimeoutMs: config.db.healthTimeoutMs,
    retryAfterSeconds: config.retryAfterSeconds,
    bodyLimitBytes: config.bodyLimitBytes,
    logger,
  });

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await app.close();
      schema.stop();
      probe?.schema.stop();
      await Promise.all([db.close(), probe?.db.close()]);
    })());

  if (options.handleSignals ?? true) {
    closeWithGrace({ delay: config.shutdownTimeoutMs, logger }, async ({ signal, err }) => {
      if (err) logger.error({ err }, 'closing after an unexpected error');
      else logger.info({ signal }, 'shutting down: no new connections, draining requests');
      await close();
      logger.info('shut down');
    });
  }

  try {
    const url = await app.listen({ host: config.host, port: config.port });
    logger.info(
      {
        url,
        pool: config.db.poolSize,
        auth: credentials.kind,
        migrateOnStart: config.db.migrateOnStart,
        schemaReady: schema.ready,
        dataHost: endpoints.data.host,
        probeHost: (endpoints.probe ?? endpoints.data).host,
      },
      'listening',
    );
    return { app, config, url, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The process entry: exits non-zero with a message naming the setting when configuration is bad. */
export async function main(): Promise<void> {
  try {
    await start(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`transaction-api: ${error.message}\n`);
    } else {
      process.stderr.write(`transaction-api: start-up failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exit(1);
  }
}
