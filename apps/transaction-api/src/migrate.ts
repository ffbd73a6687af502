// The entry of the migrate bundle (ARTIFACTS.transactionApi.files.migrate): a command when run
// with node, a Lambda-style `handler` when required. Schema changes and the service's own user
// happen here, with administrative credentials, and never in the service.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ConfigError, type ConfigIssue } from '@txn-dr/config';
import { FUNCTION_CALLS, SCHEMA_MIGRATION_ENV, SERVICE_DB_USER, SERVICE_ENV, boundedCalls } from '@txn-dr/contracts';
import { pino, stdTimeFunctions, type Logger } from 'pino';
import { createAwsClients, resolveDatabaseAccess, type AwsClients, type DatabaseAccessOptions } from './aws';
import { loadMigrateConfig, type LogLevel, type MigrateConfig } from './config';
import { CredentialError, readDatabaseSecret, type DbCredential } from './credentials';
import { Database } from './db/database';
import { migrate, type MigrationOutcome } from './db/migrations';
import { ensureServiceUser, type ServiceUserOutcome } from './db/service-user';

/** The credentials are the administrative connection's (the master user's). */
export interface MigrateOptions extends DatabaseAccessOptions {
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
  const { endpoints, credentials } = await resolveDatabaseAccess(config, options);
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

/** The settings the administrative secret stands in for: it names the user and holds the password. */
const CREDENTIAL_SETTINGS = [SERVICE_ENV.dbAuth, SERVICE_ENV.dbUser, SERVICE_ENV.dbPassword, SERVICE_ENV.dbSecretArnParameter] as const;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** A SHA-256 in base64, as Lambda reports CodeSha256 and Terraform's filebase64sha256 gives it. */
const SHA256_BASE64 = /^[A-Za-z0-9+/]{43}=$/;

/** What the deployment invokes the function with (aws_lambda_invocation's input): the bundle it applies. */
export interface MigrateEvent {
  /** SHA-256 (base64) of the function's zip, which the invocation is re-run for when it changes. */
  readonly bundleSha256?: string;
}

/** What the function answers: what the run applied, and for which bundle. */
export interface MigrateFunctionResult extends MigrateResult {
  /** The event's bundle, when it named one. */
  readonly bundleSha256?: string;
}

/**
 * The ARN of the administrative secret in the function's environment (SCHEMA_MIGRATION_ENV), and
 * none of the credential settings it stands in for. Throws a ConfigError naming every problem.
 */
export function adminSecretArn(env: NodeJS.ProcessEnv): string {
  const name = SCHEMA_MIGRATION_ENV.adminSecretArn;
  const arn = env[name] ?? '';
  const issues: ConfigIssue[] = [];
  if (arn === '') issues.push({ field: name, message: `is required: the ARN of the administrative secret {"username","password"} (or the command's ${SERVICE_ENV.dbAuth} and its settings instead)` });
  else if (!SECRET_ARN.test(arn)) issues.push({ field: name, message: 'must be the ARN of a Secrets Manager secret' });
  for (const setting of CREDENTIAL_SETTINGS) {
    if ((env[setting] ?? '') !== '') issues.push({ field: setting, message: `not used beside ${name}: the secret names the user and holds the password` });
  }
  if (issues.length > 0) throw new ConfigError('migrate function environment variables', issues);
  return arn;
}

/**
 * The migrate step's configuration in the function: its environment as the command reads it, with
 * the administrative user and password from the secret, and TLS verified against the RDS CA unless
 * the environment turns it off (a local server in tests).
 */
export function migrateFunctionConfig(env: NodeJS.ProcessEnv, admin: DbCredential): MigrateConfig {
  return loadMigrateConfig({
    ...env,
    [SERVICE_ENV.dbTls]: env[SERVICE_ENV.dbTls] || 'rds',
    [SERVICE_ENV.dbAuth]: 'static',
    [SERVICE_ENV.dbUser]: admin.user,
    [SERVICE_ENV.dbPassword]: admin.password,
  });
}

export interface MigrateFunctionOptions {
  /** AWS clients (Secrets Manager reads the secret). @default module-scope clients of the function's region */
  readonly awsClients?: AwsClients;
  /** @default a JSON logger on stdout at the configured level */
  readonly logger?: Logger;
}

/**
 * Whether the function's credentials come from the administrative secret: its ARN is set, or no
 * credential setting of the command is (then the ARN is what is missing). With the command's
 * settings instead (DB_AUTH and its own), the function reads its environment as the command does.
 */
export function usesAdminSecret(env: NodeJS.ProcessEnv): boolean {
  return (env[SCHEMA_MIGRATION_ENV.adminSecretArn] ?? '') !== '' || CREDENTIAL_SETTINGS.every((setting) => (env[setting] ?? '') === '');
}

/**
 * One invocation of the function. With the administrative secret (what the primary stack sets):
 * reads it by its ARN, then runs the migrate step as its user. Otherwise runs the step with the
 * command's settings. Every failure is a MigrateError whose message says what failed and that
 * invoking again is safe, never a secret.
 */
export async function runMigrateFunction(event: unknown, env: NodeJS.ProcessEnv, options: MigrateFunctionOptions = {}): Promise<MigrateFunctionResult> {
  const bundleSha256 = bundleOf(event);
  const region = env[SERVICE_ENV.region] ?? '';
  const level = env[SERVICE_ENV.logLevel];
  // The configuration is read below, inside the try: its failures are logged at the level asked for, if it is one.
  const log = options.logger ?? createMigrateLogger({ logLevel: LOG_LEVELS.find((l) => l === level) ?? 'info', region });
  const clients = (forRegion: string) => options.awsClients ?? (lambdaClients ??= createFunctionClients(forRegion));
  const logger = options.logger !== undefined ? { logger: options.logger } : {};
  try {
    let result: MigrateResult;
    if (usesAdminSecret(env)) {
      const secretArn = adminSecretArn(env);
      if (region === '') throw new ConfigError('migrate function environment variables', [{ field: SERVICE_ENV.region, message: 'is required (Lambda sets it)' }]);
      const admin = await readDatabaseSecret(secretArn, clients(region).secrets);
      // Bringing the service user up to date revokes everything else it holds: never as itself.
      const serviceUser = env[SERVICE_ENV.serviceDbUser] || SERVICE_DB_USER;
      if (admin.user === serviceUser) throw new MigrateError(`secret ${secretArn} names the service user (${serviceUser}): give the function the administrative (master) user's secret`);
      result = await runMigrate(migrateFunctionConfig(env, admin), { awsClients: () => clients(region), ...logger });
    } else {
      const config = loadMigrateConfig(env);
      result = await runMigrate(config, { awsClients: () => clients(config.region), ...logger });
    }
    return bundleSha256 === undefined ? result : { ...result, bundleSha256 };
  } catch (error) {
    const detail = error instanceof MigrateError || error instanceof ConfigError || error instanceof CredentialError ? error.message : describeError(error);
    log.error({ detail, ...(bundleSha256 !== undefined ? { bundleSha256 } : {}) }, 'migrate failed');
    throw new MigrateError(
      `migrate failed: ${detail}. Every applied migration is recorded and the user statements converge: invoking the function again once the cause is fixed finishes the work.`,
    );
  }
}

let lambdaClients: AwsClients | undefined;

/**
 * The function's clients, each call held to FUNCTION_CALLS (a second to connect, three to answer,
 * two attempts): a Secrets Manager or SSM endpoint that does not answer fails the invocation in
 * seconds, instead of holding the apply for the function's fifteen minutes.
 */
export function createFunctionClients(region: string): AwsClients {
  const bounded = { region, ...boundedCalls(FUNCTION_CALLS) };
  return { ssm: new SSMClient(bounded), secrets: new SecretsManagerClient(bounded) };
}

/**
 * The step as a Lambda function, in the VPC next to the clusters: the deployment invokes it with
 * `MigrateEvent` on every apply that brings a new bundle. Its environment holds the migrate step's
 * settings and the administrative secret's ARN (SCHEMA_MIGRATION_ENV), or the command's own
 * credential settings instead (`usesAdminSecret`); clients live at module scope, so warm
 * invocations reuse them. Returns what it applied; throws on failure, which Lambda
 * reports as the invocation's error (a FunctionError), and which fails the apply.
 */
export async function handler(event?: unknown): Promise<MigrateFunctionResult> {
  return runMigrateFunction(event, process.env);
}

function bundleOf(event: unknown): string | undefined {
  const value = typeof event === 'object' && event !== null ? (event as MigrateEvent).bundleSha256 : undefined;
  return typeof value === 'string' && SHA256_BASE64.test(value) ? value : undefined;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code, errno } = error as Error & { code?: unknown; errno?: unknown };
  return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}${typeof errno === 'number' ? ` (${errno})` : ''}: ${error.message}`;
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
