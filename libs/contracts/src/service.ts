import type { DrRole } from '@txn-dr/config';
import { parameterName } from './parameters';

/**
 * Environment variables of the transaction service, by meaning. The service reads exactly these;
 * the compute layer writes the ones it knows into the env file. Either side renaming one is a
 * compile error on the other.
 */
export const SERVICE_ENV = {
  /** Address the HTTP server binds. @default '0.0.0.0' */
  host: 'APP_HOST',
  /** HTTP port (`compute.appPort`). @default 8080 */
  port: 'APP_PORT',
  /** AWS region of the instance; also the region of the SSM and Secrets Manager clients. */
  region: 'AWS_REGION',
  /** DR role of the region the instance runs in: `primary` or `secondary`. */
  role: 'DR_ROLE',
  /** pino level. @default 'info' */
  logLevel: 'LOG_LEVEL',
  /** Largest accepted request body. @default 16384 */
  bodyLimitBytes: 'BODY_LIMIT_BYTES',
  /** Longest graceful shutdown before the process exits anyway. @default 20000 */
  shutdownTimeoutMs: 'SHUTDOWN_TIMEOUT_MS',
  /** Database host for reads and writes, given directly (local runs, tests). Exclusive with `dbHostParameter`. */
  dbHost: 'DB_HOST',
  /** Database port, given directly. @default 3306 */
  dbPort: 'DB_PORT',
  /** Database (schema) name, given directly. @default 'transactions' */
  dbName: 'DB_NAME',
  /** Database user, given directly. Exclusive with `dbSecretArnParameter`. */
  dbUser: 'DB_USER',
  /** Database password, given directly. */
  dbPassword: 'DB_PASSWORD',
  /**
   * SSM parameter holding the database host for reads and writes: on the instances, the Aurora
   * global writer endpoint, which follows the writer across regions.
   */
  dbHostParameter: 'DB_HOST_PARAMETER',
  /** SSM parameter holding the database port. */
  dbPortParameter: 'DB_PORT_PARAMETER',
  /** SSM parameter holding the database name. */
  dbNameParameter: 'DB_NAME_PARAMETER',
  /** SSM parameter holding the ARN of the Secrets Manager secret `{"username","password"}`. */
  dbSecretArnParameter: 'DB_SECRET_ARN_PARAMETER',
  /**
   * Host of the health probes, given directly, when it is not the data host: the region's own
   * cluster, so that the health endpoints judge this region whatever the data endpoint points at.
   * Exclusive with `dbProbeHostParameter`. @default the data host
   */
  dbProbeHost: 'DB_PROBE_HOST',
  /** Port of the health probes' host, with `dbProbeHost` or `dbProbeHostParameter`. @default the data port */
  dbProbePort: 'DB_PROBE_PORT',
  /** SSM parameter holding the health probes' host: on the instances, the region's cluster endpoint. */
  dbProbeHostParameter: 'DB_PROBE_HOST_PARAMETER',
  /** `rds`: TLS verified against the Amazon RDS CA bundle; `off`: plain TCP. @default 'off' */
  dbTls: 'DB_TLS',
  /** Connections in the request pool. @default 10 */
  dbPoolSize: 'DB_POOL_SIZE',
  /** Limit on opening one database connection. @default 3000 */
  dbConnectTimeoutMs: 'DB_CONNECT_TIMEOUT_MS',
  /** Limit on one query, and on waiting for a free pooled connection. @default 5000 */
  dbQueryTimeoutMs: 'DB_QUERY_TIMEOUT_MS',
  /** Limit on the database probe of the health endpoints (HEALTH_PATHS). @default 1500 */
  healthTimeoutMs: 'HEALTH_TIMEOUT_MS',
  /** `Retry-After` of a 503. @default 5 */
  retryAfterSeconds: 'RETRY_AFTER_SECONDS',
  /**
   * How the service authenticates to the database: `iam` (a token signed with the instance role,
   * as `dbUser`, over TLS), `secret` (the Secrets Manager secret named by `dbSecretArnParameter`,
   * read again when the database refuses it) or `static` (`dbUser` and `dbPassword`).
   * @default `secret` beside `dbSecretArnParameter`, `static` beside `dbPassword`
   */
  dbAuth: 'DB_AUTH',
  /**
   * Whether the service may change the schema at start (`true`), or only checks it and serves
   * `503` until the migrate step has run (`false`). Only for a user that may change the schema,
   * which the service's own user (SERVICE_DB_USER) may not. @default 'false'
   */
  dbMigrateOnStart: 'DB_MIGRATE_ON_START',
  /** The migrate step: name of the service's own database user it creates. @default SERVICE_DB_USER */
  serviceDbUser: 'SERVICE_DB_USER',
  /** The migrate step: host part of the service user's account. @default '%' */
  serviceDbUserHost: 'SERVICE_DB_USER_HOST',
  /** The migrate step: `iam` (IAM database authentication, in AWS) or `password` (`serviceDbPassword`). */
  serviceDbAuth: 'SERVICE_DB_AUTH',
  /** The migrate step: the service user's password, with `serviceDbAuth` `password`. */
  serviceDbPassword: 'SERVICE_DB_PASSWORD',
} as const;
export type ServiceEnvKey = keyof typeof SERVICE_ENV;

/**
 * The transaction service's own database user: SELECT, INSERT, UPDATE and DELETE on its schema and
 * nothing else. The migrate step creates it (with IAM database authentication in AWS), the service
 * connects as it, and the instance role may `rds-db:connect` as it and as no one else.
 */
export const SERVICE_DB_USER = 'txn_service';
export type ServiceEnvName = (typeof SERVICE_ENV)[ServiceEnvKey];

/**
 * The `${NAME}` placeholders of `transaction-api.env.template` (ARTIFACTS.transactionApi): the
 * values only the instance's own stack knows. Everything else in the file is fixed.
 */
export const SERVICE_ENV_PLACEHOLDERS = [
  SERVICE_ENV.region,
  SERVICE_ENV.role,
  SERVICE_ENV.port,
  SERVICE_ENV.dbHostParameter,
  SERVICE_ENV.dbProbeHostParameter,
  SERVICE_ENV.dbPortParameter,
  SERVICE_ENV.dbNameParameter,
  SERVICE_ENV.dbSecretArnParameter,
] as const;
export type ServiceEnvPlaceholder = (typeof SERVICE_ENV_PLACEHOLDERS)[number];

/**
 * The placeholders whose values are SSM parameter names: what the service reads from SSM at start,
 * and so what the instance role must be allowed to read.
 */
export const SERVICE_ENV_PARAMETERS = [
  SERVICE_ENV.dbHostParameter,
  SERVICE_ENV.dbProbeHostParameter,
  SERVICE_ENV.dbPortParameter,
  SERVICE_ENV.dbNameParameter,
  SERVICE_ENV.dbSecretArnParameter,
] as const satisfies readonly ServiceEnvPlaceholder[];

/** What a regional stack knows about the instances it launches. */
export interface ServiceEnvInput {
  /** Environment name (ENVIRONMENT_SUFFIX), the root of the SSM parameter paths. */
  readonly envName: string;
  readonly role: DrRole;
  /** AWS region of the instances. */
  readonly region: string;
  /** `compute.appPort`. */
  readonly appPort: number;
}

/**
 * The value of every placeholder, from the parameter paths the regional stack publishes. Reads and
 * writes go through the global writer endpoint, which Aurora keeps pointed at the writer after a
 * switchover or failover
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html),
 * so an instance keeps writing to whichever region's cluster is the writer while traffic moves; the
 * health probes ask the region's own cluster endpoint, so a region's health says whether its own
 * cluster is the writer (Route 53 sends traffic there) and a standby's liveness never depends on
 * the other region.
 */
export function serviceEnvValues(input: ServiceEnvInput): Record<ServiceEnvPlaceholder, string> {
  const { envName, role } = input;
  return {
    AWS_REGION: input.region,
    DR_ROLE: role,
    APP_PORT: String(input.appPort),
    DB_HOST_PARAMETER: parameterName(envName, role, 'globalWriterEndpoint'),
    DB_PROBE_HOST_PARAMETER: parameterName(envName, role, 'writerEndpoint'),
    DB_PORT_PARAMETER: parameterName(envName, role, 'port'),
    DB_NAME_PARAMETER: parameterName(envName, role, 'databaseName'),
    DB_SECRET_ARN_PARAMETER: parameterName(envName, role, 'secretArn'),
  };
}

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** Characters that would break a systemd EnvironmentFile line or inject another variable. */
const UNSAFE_VALUE = /[\r\n"'\\$`]/;

/**
 * Fills the `${NAME}` placeholders of the env template. Refuses an unknown or missing placeholder
 * and a value that could break out of its line, so a bad render fails at synth, not on the instance.
 */
export function renderServiceEnv(template: string, values: Record<ServiceEnvPlaceholder, string>): string {
  const known = new Set<string>(SERVICE_ENV_PLACEHOLDERS);
  const problems: string[] = [];
  for (const name of SERVICE_ENV_PLACEHOLDERS) {
    const value = values[name];
    if (typeof value !== 'string' || value.length === 0) problems.push(`${name}: no value`);
    else if (UNSAFE_VALUE.test(value)) problems.push(`${name}: value contains a quote, backslash, dollar, backtick or line break`);
  }
  const rendered = template.replace(PLACEHOLDER, (match, name: string) => {
    if (!known.has(name)) {
      problems.push(`${name}: not a service env placeholder`);
      return match;
    }
    return values[name as ServiceEnvPlaceholder] ?? match;
  });
  if (problems.length > 0) throw new Error(`cannot render the transaction-api env file: ${problems.join('; ')}`);
  return rendered;
}
