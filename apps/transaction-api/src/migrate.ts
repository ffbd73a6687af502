// The entry of the migrate bundle (ARTIFACTS.transactionApi.files.migrate): a command when run
// with node, a Lambda-style `handler` when required. Schema changes and the service's own user
// happen here, with administrative credentials, and never in the service.
import type { SignerConfig } from '@aws-sdk/rds-signer';
import { ConfigError } from '@txn-dr/config';
import { pino, stdTimeFunctions, type Logger } from 'pino';
import { createAwsClients, resolveDatabaseEndpoints, type AwsClients } from './aws';
import { loadMigrateConfig, type MigrateConfig } from './config';
import { credentialProvider, type CredentialProvider, type TokenSigner } from './credentials';
import { Database } from './db/database';
import { migrate, type MigrationOutcome } from './db/migrations';
import { ensureServiceUser, type ServiceUserOutcome } from './db/service-user';

export interface MigrateOptions {
  /** AWS clients for SSM and Secrets Manager. @default clients for the configured region */
  readonly awsClients?: () => AwsClients;
  /** Where the administrative connection gets its credentials. @default what DB_AUTH says */
  readonly credentials?: CredentialProvider;
  /** Makes the IAM token signer (DB_AUTH=iam). @default `@aws-sdk/rds-signer` */
  readonly signer?: (config: SignerConfig) => TokenSigner;
  /** @default a JSON logger on stdout at the configured level */
  readonly logger?: Logger;
}

export interface MigrateResult {
  /** Data endpoint and schema migrated. */
  readonly host: string;
  readonly database: string;
  /** Who the step ran as (`CURRENT_USER()`). */
  readonly ranAs: string;
  /** Migrations applied by this run (empty: the schema was current). */
  readonly applied: readonly number[];
  readonly serviceUser: ServiceUserOutcome;
  readonly durationMs: number;
}

/** The step refused to run, or a part of it failed; the message says which and what to do. */
export class MigrateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrateError';
  }
}

export function createMigrateLogger(config: Pick<MigrateConfig, 'logLevel' | 'region'>, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: 'transaction-api', component: 'migrate', region: config.region },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['password', '*.password'], censor: '[redacted]' },
    },
    destination ?? process.stdout,
  );
}

/**
 * Brings the schema to the latest version and the service's user to its exact privileges, on the
 * writer, as an administrative user. Safe to run again at any point: migrations are recorded one
 * by one under a named lock, and the user statements converge. Refuses a read-only database (a
 * standby: writing there would diverge from its source; the schema and the user reach it by
 * replication) and an administrative user that is the service user itself.
 */
export async function runMigrate(config: MigrateConfig, options: MigrateOptions = {}): Promise<MigrateResult> {
  const started = performance.now();
  const log = options.logger ?? createMigrateLogger(config);
  let clients: AwsClients | undefined;
  const awsClients = () => (clients ??= (options.awsClients ?? (() => createAwsClients(config.region)))());
  const endpoints = await resolveDatabaseEndpoints(config.db.source, config.db.auth, awsClients);
  const credentials =
    options.credentials ??
    credentialProvider(config.db.auth, {
      region: config.region,
      ...(endpoints.secretArn !== undefined ? { secretArn: endpoints.secretArn } : {}),
      secrets: () => awsClients().secrets,
      ...(options.signer !== undefined ? { signer: options.signer } : {}),
    });
  const { host, database } = endpoints.data;
  const db = new Database({
    endpoint: endpoints.data,
    credentials,
    tls: config.db.tls,
    poolSize: 1,
    connectTimeoutMs: config.db.connectTimeoutMs,
    queryTimeoutMs: config.db.queryTimeoutMs,
    log,
  });
  try {
    const [state] = await db.withSession((session) =>
      session.query<Array<{ readOnly: number | string; ranAs: string }>>('SELECT (@@global.read_only OR @@global.innodb_read_only) AS readOnly, CURRENT_USER() AS ranAs'),
    );
    const ranAs = String(state?.ranAs ?? '');
    if (Number(state?.readOnly) === 1) {
      throw new MigrateError(`${host} is read-only (a standby or replica): run migrate against the writer; the schema and the service user reach the standbys by replication`);
    }
    if (ranAs.slice(0, ranAs.lastIndexOf('@')) === config.serviceUser.name) {
      throw new MigrateError(`migrate runs as ${ranAs}, the service user itself: give it an administrative user (the master user in AWS)`);
    }
    log.info({ host, database, ranAs }, 'migrating');
    const schema: MigrationOutcome = await migrate(db, log);
    if (schema.state !== 'current') throw new MigrateError(`the schema of ${database} on ${host} is still behind (missing ${schema.missing.join(', ')})`);
    const serviceUser = await db.withSession((session) =>
      ensureServiceUser(session, { name: config.serviceUser.name, host: config.serviceUser.host, database, auth: config.serviceUser.auth }),
    );
    const result: MigrateResult = { host, database, ranAs, applied: schema.applied, serviceUser, durationMs: Math.round(performance.now() - started) };
    log.info(result, 'migrate done');
    return result;
  } finally {
    await db.close();
  }
}

let lambdaClients: AwsClients | undefined;

/**
 * The step as a Lambda function (to run inside the VPC, next to the clusters). Everything it needs
 * comes from the function's environment, as for the command; the event carries nothing it uses.
 * Clients live at module scope, so warm invocations reuse them. Throws on failure, which Lambda
 * reports as the invocation's error.
 */
export async function handler(_event?: unknown): Promise<MigrateResult> {
  const config = loadMigrateConfig(process.env);
  const clients = (lambdaClients ??= createAwsClients(config.region));
  return runMigrate(config, { awsClients: () => clients });
}

/** The command: exits 0 when done, 1 with a message saying what failed and that a rerun is safe. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let config: MigrateConfig;
  try {
    config = loadMigrateConfig(env);
  } catch (error) {
    process.stderr.write(`migrate: ${error instanceof ConfigError ? error.message : String(error)}\n`);
    return 1;
  }
  let clients: AwsClients | undefined;
  try {
    await runMigrate(config, { awsClients: () => (clients ??= createAwsClients(config.region)) });
    return 0;
  } catch (error) {
    const detail = error instanceof Error ? (error instanceof MigrateError ? error.message : (error.stack ?? error.message)) : String(error);
    process.stderr.write(
      `migrate: failed: ${detail}\n` +
        'migrate: every applied migration is recorded and the user statements converge, so running it again once the cause is fixed finishes the work.\n',
    );
    return 1;
  } finally {
    clients?.ssm.destroy();
    clients?.secrets.destroy();
  }
}

if (require.main === module) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
