import { AWS_REGION_PATTERN, ConfigError, DR_ROLES, type ConfigIssue, type DrRole } from '@txn-dr/config';
import { SERVICE_DB_USER, SERVICE_ENV as ENV } from '@txn-dr/contracts';
import { z } from 'zod';
import type { DbAuthKind } from './credentials';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type DbTls = 'off' | 'rds';

/**
 * Where the database is: the data endpoint takes every read and write; the probe endpoint, when
 * there is one, only the health probes, with the same credentials and schema (in AWS: the global
 * writer endpoint and the region's own cluster). Credentials are `DbAuthConfig`, apart.
 */
export type DatabaseSource =
  | {
      readonly kind: 'direct';
      readonly host: string;
      readonly port: number;
      readonly database: string;
      /** The health probes' endpoint; absent, the probes ask the data endpoint. */
      readonly probe?: { readonly host: string; readonly port: number };
    }
  | {
      readonly kind: 'aws';
      /** SSM parameter names; `port` and `database` fall back to `fallbackPort`/`fallbackDatabase` when absent. */
      readonly hostParameter: string;
      readonly portParameter?: string;
      readonly databaseParameter?: string;
      readonly fallbackPort: number;
      readonly fallbackDatabase: string;
      /** SSM parameter holding the health probes' host; absent, the probes ask the data endpoint. */
      readonly probeHostParameter?: string;
      /** The probes' port. @default the data endpoint's port */
      readonly probePort?: number;
    };

/** How the connections authenticate (DB_AUTH). */
export type DbAuthConfig =
  | { readonly kind: 'static'; readonly user: string; readonly password: string }
  /** The secret whose ARN the SSM parameter holds; the secret names the user. */
  | { readonly kind: 'secret'; readonly secretArnParameter: string }
  | { readonly kind: 'iam'; readonly user: string };

/** What a connection to the database needs, for the service and the migrate step alike. */
export interface DbConnectionConfig {
  readonly source: DatabaseSource;
  readonly auth: DbAuthConfig;
  readonly tls: DbTls;
  readonly connectTimeoutMs: number;
  readonly queryTimeoutMs: number;
}

/** The validated service configuration, every default filled in. */
export interface ServiceConfig {
  readonly host: string;
  readonly port: number;
  readonly region: string;
  /** The DR role the instance was launched with; the database decides whether it may write. */
  readonly role: DrRole;
  readonly logLevel: LogLevel;
  readonly bodyLimitBytes: number;
  readonly shutdownTimeoutMs: number;
  readonly retryAfterSeconds: number;
  readonly db: DbConnectionConfig & {
    readonly poolSize: number;
    readonly healthTimeoutMs: number;
    /** Migrate at start (a user that may change the schema), or only check the schema. */
    readonly migrateOnStart: boolean;
  };
}

const SSM_NAME_PATTERN = /^\/[A-Za-z0-9_.\-/]{1,1010}$/;
const DB_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
const ssmName = z.string().regex(SSM_NAME_PATTERN, 'must be an SSM parameter name starting with /');

const DB_AUTHS = ['iam', 'secret', 'static'] as const satisfies readonly DbAuthKind[];
/** MySQL 8 user names are at most 32 characters; plain ones need no quoting anywhere. */
const USER_PATTERN = /^[A-Za-z0-9_]{1,32}$/;
const boolean = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true');

const common = {
  [ENV.region]: z.string({ error: 'is required' }).regex(AWS_REGION_PATTERN, 'must be an AWS region code such as us-east-1'),
  [ENV.logLevel]: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** How to reach the database and log in: the same settings for the service and the migrate step. */
const connection = {
  [ENV.dbAuth]: z.enum(DB_AUTHS, { error: `must be one of ${DB_AUTHS.join(', ')}` }).optional(),
  [ENV.dbHost]: z.string().min(1).max(255).optional(),
  [ENV.dbPort]: integer(1, 65535).optional(),
  [ENV.dbName]: z.string().regex(DB_NAME_PATTERN, 'must be a MySQL identifier').optional(),
  [ENV.dbUser]: z.string().min(1).max(80).optional(),
  [ENV.dbPassword]: z.string().optional(),
  [ENV.dbHostParameter]: ssmName.optional(),
  [ENV.dbPortParameter]: ssmName.optional(),
  [ENV.dbNameParameter]: ssmName.optional(),
  [ENV.dbSecretArnParameter]: ssmName.optional(),
  [ENV.dbProbeHost]: z.string().min(1).max(255).optional(),
  [ENV.dbProbePort]: integer(1, 65535).optional(),
  [ENV.dbProbeHostParameter]: ssmName.optional(),
  [ENV.dbTls]: z.enum(['off', 'rds']).default('off'),
  [ENV.dbConnectTimeoutMs]: integer(100, 60_000).default(3_000),
  [ENV.dbQueryTimeoutMs]: integer(100, 300_000).default(5_000),
};

const schema = z.object({
  ...common,
  ...connection,
  [ENV.host]: z.string().min(1).default('0.0.0.0'),
  // 0 binds any free port (tests); the instances use compute.appPort.
  [ENV.port]: integer(0, 65535).default(8080),
  [ENV.role]: z.enum(DR_ROLES, { error: (issue) => `${issue.input === undefined ? 'is required' : 'must be'}: one of ${DR_ROLES.join(', ')}` }),
  [ENV.bodyLimitBytes]: integer(1024, 1_048_576).default(16_384),
  [ENV.shutdownTimeoutMs]: integer(1_000, 120_000).default(20_000),
  [ENV.retryAfterSeconds]: integer(1, 300).default(5),
  [ENV.dbPoolSize]: integer(1, 500).default(10),
  [ENV.healthTimeoutMs]: integer(100, 10_000).default(1_500),
  [ENV.dbMigrateOnStart]: boolean.default(false),
});
type ConnectionInput = z.output<z.ZodObject<typeof connection>>;

/**
 * Reads the service configuration from environment variables. Throws a ConfigError that names
 * every bad or missing variable (never echoing a value, which could be a password).
 */
export function loadConfig(env: NodeJS.ProcessEnv): ServiceConfig {
  const input = presentValues(env);
  const result = schema.safeParse(input);
  // Which settings are present is checked on the raw input, so one run names every problem.
  const issues: ConfigIssue[] = [...zodIssues(result), ...connectionIssues(input), ...probeSettingIssues(input)];
  if (result.success && result.data[ENV.healthTimeoutMs] >= 2_000) {
    issues.push({ field: ENV.healthTimeoutMs, message: 'must be under 2000: load balancer and Route 53 checks give the health endpoints 2 to 5 seconds' });
  }
  if (!result.success || issues.length > 0) throw new ConfigError('environment variables', issues);
  const parsed = result.data;
  return {
    host: parsed[ENV.host],
    port: parsed[ENV.port],
    region: parsed[ENV.region],
    role: parsed[ENV.role],
    logLevel: parsed[ENV.logLevel],
    bodyLimitBytes: parsed[ENV.bodyLimitBytes],
    shutdownTimeoutMs: parsed[ENV.shutdownTimeoutMs],
    retryAfterSeconds: parsed[ENV.retryAfterSeconds],
    db: {
      ...connectionConfig(parsed),
      poolSize: parsed[ENV.dbPoolSize],
      healthTimeoutMs: parsed[ENV.healthTimeoutMs],
      migrateOnStart: parsed[ENV.dbMigrateOnStart],
    },
  };
}

/** How the migrate step creates the service's own user. */
export type ServiceUserAuth = { readonly kind: 'iam' } | { readonly kind: 'password'; readonly password: string };

/** The validated configuration of the migrate step, every default filled in. */
export interface MigrateConfig {
  readonly region: string;
  readonly logLevel: LogLevel;
  /** The administrative connection (in AWS: the master user, from its secret). */
  readonly db: DbConnectionConfig;
  /** The user the migrate step creates or brings up to date, with DML on the schema only. */
  readonly serviceUser: {
    readonly name: string;
    /** Host part of the account. */
    readonly host: string;
    readonly auth: ServiceUserAuth;
  };
}

const migrateSchema = z.object({
  ...common,
  ...connection,
  [ENV.serviceDbUser]: z.string().regex(USER_PATTERN, 'must be 1 to 32 letters, digits or underscores').default(SERVICE_DB_USER),
  [ENV.serviceDbUserHost]: z
    .string()
    .regex(/^[A-Za-z0-9.%_:-]{1,255}$/, 'must be a host name, address or pattern (letters, digits, . % _ : -)')
    .default('%'),
  [ENV.serviceDbAuth]: z.enum(['iam', 'password'], { error: (issue) => `${issue.input === undefined ? 'is required' : 'must be'}: iam or password` }),
  [ENV.serviceDbPassword]: z.string().min(12, 'must be at least 12 characters').max(128).optional(),
});

/**
 * Reads the migrate step's configuration: the same database settings as the service (for an
 * administrative user), and the service user to create. Throws a ConfigError naming every bad or
 * missing variable, never echoing a value.
 */
export function loadMigrateConfig(env: NodeJS.ProcessEnv): MigrateConfig {
  const input = presentValues(env);
  const result = migrateSchema.safeParse(input);
  const issues: ConfigIssue[] = [...zodIssues(result), ...connectionIssues(input)];
  const has = (name: string) => input[name] !== undefined;
  if (input[ENV.serviceDbAuth] === 'password' && !has(ENV.serviceDbPassword)) {
    issues.push({ field: ENV.serviceDbPassword, message: `is required with ${ENV.serviceDbAuth}=password` });
  }
  if (input[ENV.serviceDbAuth] === 'iam' && has(ENV.serviceDbPassword)) {
    issues.push({ field: ENV.serviceDbPassword, message: `not used with ${ENV.serviceDbAuth}=iam: the user authenticates with IAM tokens and has no password` });
  }
  // Bringing the service user up to date revokes every privilege it should not have: never do
  // that to the account the step itself runs as.
  const serviceUser = input[ENV.serviceDbUser] ?? SERVICE_DB_USER;
  if (has(ENV.dbUser) && input[ENV.dbUser] === serviceUser) {
    issues.push({ field: ENV.dbUser, message: `is the service user (${ENV.serviceDbUser}); the migrate step needs an administrative user of its own` });
  }
  if (!result.success || issues.length > 0) throw new ConfigError('migrate environment variables', issues);
  const parsed = result.data;
  const password = parsed[ENV.serviceDbPassword];
  return {
    region: parsed[ENV.region],
    logLevel: parsed[ENV.logLevel],
    db: connectionConfig(parsed),
    serviceUser: {
      name: parsed[ENV.serviceDbUser],
      host: parsed[ENV.serviceDbUserHost],
      auth: parsed[ENV.serviceDbAuth] === 'iam' || password === undefined ? { kind: 'iam' } : { kind: 'password', password },
    },
  };
}

/** An empty value is what a template renders for an unknown: treat it as unset, not as "". */
function presentValues(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

function zodIssues(result: { success: boolean; error?: z.ZodError }): ConfigIssue[] {
  return result.success || result.error === undefined ? [] : result.error.issues.map((issue) => ({ field: String(issue.path[0] ?? '(root)'), message: issue.message }));
}

function connectionConfig(parsed: ConnectionInput): DbConnectionConfig {
  return {
    source: databaseSource(parsed),
    auth: authConfig(parsed),
    tls: parsed[ENV.dbTls],
    connectTimeoutMs: parsed[ENV.dbConnectTimeoutMs],
    queryTimeoutMs: parsed[ENV.dbQueryTimeoutMs],
  };
}

function connectionIssues(input: Record<string, string>): ConfigIssue[] {
  return [...databaseSettingIssues(input), ...authSettingIssues(input)];
}

/**
 * Exactly one way to find each of host, port and name: given directly (DB_HOST, DB_PORT, DB_NAME)
 * or read from SSM (DB_HOST_PARAMETER, ...), and a host one way or the other.
 */
function databaseSettingIssues(input: Record<string, string>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const has = (name: string) => input[name] !== undefined;
  for (const [direct, parameter] of [
    [ENV.dbHost, ENV.dbHostParameter],
    [ENV.dbPort, ENV.dbPortParameter],
    [ENV.dbName, ENV.dbNameParameter],
  ] as const) {
    if (has(direct) && has(parameter)) issues.push({ field: direct, message: `set either ${direct} or ${parameter}, not both` });
  }
  if (!has(ENV.dbHost) && !has(ENV.dbHostParameter)) issues.push({ field: ENV.dbHost, message: `is required (or ${ENV.dbHostParameter} to read it from SSM)` });
  return issues;
}

/** DB_AUTH as set, or as the credential settings present imply (the settings from before DB_AUTH existed). */
function authKind(input: Record<string, string>): DbAuthKind | undefined {
  const given = input[ENV.dbAuth];
  if (given !== undefined) return (DB_AUTHS as readonly string[]).includes(given) ? (given as DbAuthKind) : undefined;
  if (input[ENV.dbSecretArnParameter] !== undefined) return 'secret';
  if (input[ENV.dbUser] !== undefined || input[ENV.dbPassword] !== undefined) return 'static';
  return undefined;
}

/**
 * Each way of authenticating takes its own settings and refuses the others': `static` a user and
 * password, `secret` the SSM parameter naming the secret (which names the user), `iam` at most a
 * user (SERVICE_DB_USER by default) and TLS, since the token travels as a clear-text password.
 */
function authSettingIssues(input: Record<string, string>): ConfigIssue[] {
  const has = (name: string) => input[name] !== undefined;
  const kind = authKind(input);
  if (kind === undefined) {
    if (has(ENV.dbAuth)) return [];
    return [
      {
        field: ENV.dbAuth,
        message: `is required: iam, secret (with ${ENV.dbSecretArnParameter}) or static (with ${ENV.dbUser} and ${ENV.dbPassword})`,
      },
    ];
  }
  const issues: ConfigIssue[] = [];
  const notWith = (name: string, why: string) => {
    if (has(name)) issues.push({ field: name, message: `not used with ${ENV.dbAuth}=${kind}: ${why}` });
  };
  const required = (name: string) => {
    if (!has(name)) issues.push({ field: name, message: `is required with ${ENV.dbAuth}=${kind}` });
  };
  switch (kind) {
    case 'static':
      required(ENV.dbUser);
      required(ENV.dbPassword);
      notWith(ENV.dbSecretArnParameter, `set either ${ENV.dbUser} and ${ENV.dbPassword} or ${ENV.dbSecretArnParameter}, not both`);
      break;
    case 'secret':
      required(ENV.dbSecretArnParameter);
      notWith(ENV.dbUser, 'the secret names the user');
      notWith(ENV.dbPassword, 'the secret holds the password');
      break;
    case 'iam':
      notWith(ENV.dbPassword, 'the user authenticates with IAM tokens');
      notWith(ENV.dbSecretArnParameter, 'the user authenticates with IAM tokens');
      if (input[ENV.dbTls] !== 'rds') {
        issues.push({ field: ENV.dbTls, message: `must be rds with ${ENV.dbAuth}=iam: the token is sent as a clear-text password, over TLS only` });
      }
      break;
  }
  return issues;
}

/**
 * The health probes' endpoint is optional and found the way the data endpoint is: DB_PROBE_HOST
 * beside DB_HOST, or DB_PROBE_HOST_PARAMETER beside DB_HOST_PARAMETER. Its credentials and schema
 * are the data endpoint's, so there is nothing else to set.
 */
function probeSettingIssues(input: Record<string, string>): ConfigIssue[] {
  const has = (name: string) => input[name] !== undefined;
  if (has(ENV.dbProbeHost) && has(ENV.dbProbeHostParameter)) {
    return [{ field: ENV.dbProbeHost, message: `set either ${ENV.dbProbeHost} or ${ENV.dbProbeHostParameter}, not both` }];
  }
  if (has(ENV.dbProbePort) && !has(ENV.dbProbeHost) && !has(ENV.dbProbeHostParameter)) {
    return [{ field: ENV.dbProbePort, message: `needs ${ENV.dbProbeHost} or ${ENV.dbProbeHostParameter}: without a probe host the probes use the data endpoint` }];
  }
  if (has(ENV.dbProbeHostParameter) && has(ENV.dbHost)) {
    return [{ field: ENV.dbProbeHostParameter, message: `goes with ${ENV.dbHostParameter} (SSM); beside ${ENV.dbHost} set ${ENV.dbProbeHost}` }];
  }
  if (has(ENV.dbProbeHost) && has(ENV.dbHostParameter)) {
    return [{ field: ENV.dbProbeHost, message: `goes with ${ENV.dbHost}; beside ${ENV.dbHostParameter} (SSM) set ${ENV.dbProbeHostParameter}` }];
  }
  return [];
}

/** The source, from settings that databaseSettingIssues and probeSettingIssues found complete and consistent. */
function databaseSource(parsed: ConnectionInput): DatabaseSource {
  const fallbackPort = parsed[ENV.dbPort] ?? 3306;
  const fallbackDatabase = parsed[ENV.dbName] ?? 'transactions';
  const hostParameter = parsed[ENV.dbHostParameter];
  const probePort = parsed[ENV.dbProbePort];
  if (hostParameter !== undefined) {
    const probeHostParameter = parsed[ENV.dbProbeHostParameter];
    return {
      kind: 'aws',
      hostParameter,
      ...(parsed[ENV.dbPortParameter] !== undefined ? { portParameter: parsed[ENV.dbPortParameter] } : {}),
      ...(parsed[ENV.dbNameParameter] !== undefined ? { databaseParameter: parsed[ENV.dbNameParameter] } : {}),
      fallbackPort,
      fallbackDatabase,
      ...(probeHostParameter !== undefined ? { probeHostParameter } : {}),
      ...(probePort !== undefined ? { probePort } : {}),
    };
  }
  const { [ENV.dbHost]: host, [ENV.dbProbeHost]: probeHost } = parsed;
  if (host === undefined) throw new Error('database settings were checked as complete');
  return {
    kind: 'direct',
    host,
    port: fallbackPort,
    database: fallbackDatabase,
    ...(probeHost !== undefined ? { probe: { host: probeHost, port: probePort ?? fallbackPort } } : {}),
  };
}

/** The credentials, from settings that authSettingIssues found complete and consistent. */
function authConfig(parsed: ConnectionInput): DbAuthConfig {
  const { [ENV.dbUser]: user, [ENV.dbPassword]: password, [ENV.dbSecretArnParameter]: secretArnParameter } = parsed;
  const kind = parsed[ENV.dbAuth] ?? (secretArnParameter !== undefined ? 'secret' : 'static');
  if (kind === 'iam') return { kind, user: user ?? SERVICE_DB_USER };
  if (kind === 'secret' && secretArnParameter !== undefined) return { kind, secretArnParameter };
  if (kind === 'static' && user !== undefined && password !== undefined) return { kind, user, password };
  throw new Error('credential settings were checked as complete');
}
