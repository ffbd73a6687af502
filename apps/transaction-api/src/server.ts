import { ConfigError } from '@txn-dr/config';
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino, stdTimeFunctions, type Logger } from 'pino';
import { buildApp } from './app';
import { createAwsClients, resolveDatabaseEndpoint, type AwsClients } from './aws';
import { loadConfig, type ServiceConfig } from './config';
import { Database } from './db/database';
import { SchemaState } from './db/schema-state';

/** How long start-up waits for the first migration before listening anyway (and retrying). */
const FIRST_MIGRATION_WAIT_MS = 10_000;

export interface StartOptions {
  /** Install SIGTERM/SIGINT and crash handlers that close gracefully, then exit. @default true */
  readonly handleSignals?: boolean;
  /** AWS clients for SSM and Secrets Manager. @default clients for the configured region */
  readonly awsClients?: () => AwsClients;
  /** Where JSON log lines go. @default stdout */
  readonly logDestination?: NodeJS.WritableStream;
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
 * Runs the service: configuration, database endpoint (from SSM and Secrets Manager in AWS),
 * migrations, then listening. Throws ConfigError on bad configuration before touching anything.
 */
export async function start(env: NodeJS.ProcessEnv, options: StartOptions = {}): Promise<RunningServer> {
  const config = loadConfig(env);
  const logger = createLogger(config, options.logDestination);
  const endpoint = await resolveDatabaseEndpoint(config.db.source, options.awsClients ?? (() => createAwsClients(config.region)));
  const db = new Database({
    endpoint,
    tls: config.db.tls,
    poolSize: config.db.poolSize,
    connectTimeoutMs: config.db.connectTimeoutMs,
    queryTimeoutMs: config.db.queryTimeoutMs,
  });
  const schema = new SchemaState({ db, log: logger.child({ component: 'schema' }) });
  // Take traffic with the schema in place when the database allows; never hang start-up on it.
  const current = await Promise.race([schema.ensure(), sleep(FIRST_MIGRATION_WAIT_MS, false, { ref: false })]);
  if (!current) schema.keepTrying();

  const app = buildApp({
    db,
    schema,
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
      await db.close();
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
    logger.info({ url, pool: config.db.poolSize, schemaReady: schema.ready }, 'listening');
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
