import { ConfigError, DR_ROLES, type ConfigIssue, type DrRole } from '@txn-dr/config';
import { SERVICE_ENV as ENV } from '@txn-dr/contracts';
import { z } from 'zod';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type DbTls = 'off' | 'rds';

/** Where the database endpoint and credentials come from. */
export type DatabaseSource =
  | { readonly kind: 'direct'; readonly host: string; readonly port: number; readonly database: string; readonly user: string; readonly password: string }
  | {
      readonly kind: 'aws';
      /** SSM parameter names; `port` and `database` fall back to `fallbackPort`/`fallbackDatabase` when absent. */
      readonly hostParameter: string;
      readonly secretArnParameter: string;
      readonly portParameter?: string;
      readonly databaseParameter?: string;
      readonly fallbackPort: number;
      readonly fallbackDatabase: string;
    };

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
  readonly db: {
    readonly source: DatabaseSource;
    readonly tls: DbTls;
    readonly poolSize: number;
    readonly connectTimeoutMs: number;
    readonly queryTimeoutMs: number;
    readonly healthTimeoutMs: number;
  };
}

const REGION_PATTERN = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const SSM_NAME_PATTERN = /^\/[A-Za-z0-9_.\-/]{1,1010}$/;
const DB_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
const ssmName = z.string().regex(SSM_NAME_PATTERN, 'must be an SSM parameter name starting with /');

const schema = z.object({
  [ENV.host]: z.string().min(1).default('0.0.0.0'),
  // 0 binds any free port (tests); the instances use compute.appPort.
  [ENV.port]: integer(0, 65535).default(8080),
  [ENV.region]: z.string({ error: 'is required' }).regex(REGION_PATTERN, 'must be an AWS region code such as us-east-1'),
  [ENV.role]: z.enum(DR_ROLES, { error: `is required: one of ${DR_ROLES.join(', ')}` }),
  [ENV.logLevel]: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  [ENV.bodyLimitBytes]: integer(1024, 1_048_576).default(16_384),
  [ENV.shutdownTimeoutMs]: integer(1_000, 120_000).default(20_000),
  [ENV.retryAfterSeconds]: integer(1, 300).default(5),
  [ENV.dbHost]: z.string().min(1).max(255).optional(),
  [ENV.dbPort]: integer(1, 65535).optional(),
  [ENV.dbName]: z.string().regex(DB_NAME_PATTERN, 'must be a MySQL identifier').optional(),
  [ENV.dbUser]: z.string().min(1).max(80).optional(),
  [ENV.dbPassword]: z.string().optional(),
  [ENV.dbHostParameter]: ssmName.optional(),
  [ENV.dbPortParameter]: ssmName.optional(),
  [ENV.dbNameParameter]: ssmName.optional(),
  [ENV.dbSecretArnParameter]: ssmName.optional(),
  [ENV.dbTls]: z.enum(['off', 'rds']).default('off'),
  [ENV.dbPoolSize]: integer(1, 500).default(10),
  [ENV.dbConnectTimeoutMs]: integer(100, 60_000).default(3_000),
  [ENV.dbQueryTimeoutMs]: integer(100, 300_000).default(5_000),
  [ENV.healthTimeoutMs]: integer(100, 10_000).default(1_500),
});
type Parsed = z.output<typeof schema>;

/**
 * Reads the service configuration from environment variables. Throws a ConfigError that names
 * every bad or missing variable (never echoing a value, which could be a password).
 */
export function loadConfig(env: NodeJS.ProcessEnv): ServiceConfig {
  // An empty value is what a template renders for an unknown: treat it as unset, not as "".
  const input = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ConfigError('environment variables', result.error.issues.map((issue) => ({ field: String(issue.path[0] ?? '(root)'), message: issue.message })));
  }
  const parsed = result.data;
  const issues: ConfigIssue[] = [];
  const source = databaseSource(parsed, issues);
  if (parsed[ENV.healthTimeoutMs] >= 2_000) {
    issues.push({ field: ENV.healthTimeoutMs, message: 'must be under 2000: load balancer and Route 53 checks give /health 2 to 5 seconds' });
  }
  if (issues.length > 0 || source === undefined) throw new ConfigError('environment variables', issues);
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
      source,
      tls: parsed[ENV.dbTls],
      poolSize: parsed[ENV.dbPoolSize],
      connectTimeoutMs: parsed[ENV.dbConnectTimeoutMs],
      queryTimeoutMs: parsed[ENV.dbQueryTimeoutMs],
      healthTimeoutMs: parsed[ENV.healthTimeoutMs],
    },
  };
}

/** Exactly one way to find each of host, port, name and credentials. */
function databaseSource(parsed: Parsed, issues: ConfigIssue[]): DatabaseSource | undefined {
  const exclusive = (direct: string, parameter: string) => {
    if (parsed[direct as keyof Parsed] !== undefined && parsed[parameter as keyof Parsed] !== undefined) {
      issues.push({ field: direct, message: `set either ${direct} or ${parameter}, not both` });
    }
  };
  exclusive(ENV.dbHost, ENV.dbHostParameter);
  exclusive(ENV.dbPort, ENV.dbPortParameter);
  exclusive(ENV.dbName, ENV.dbNameParameter);
  exclusive(ENV.dbUser, ENV.dbSecretArnParameter);
  exclusive(ENV.dbPassword, ENV.dbSecretArnParameter);
  const fallbackPort = parsed[ENV.dbPort] ?? 3306;
  const fallbackDatabase = parsed[ENV.dbName] ?? 'transactions';

  const host = parsed[ENV.dbHost];
  const hostParameter = parsed[ENV.dbHostParameter];
  if (host === undefined && hostParameter === undefined) {
    issues.push({ field: ENV.dbHost, message: `is required (or ${ENV.dbHostParameter} to read it from SSM)` });
    return undefined;
  }
  const secretArnParameter = parsed[ENV.dbSecretArnParameter];
  const user = parsed[ENV.dbUser];
  const password = parsed[ENV.dbPassword];
  if (secretArnParameter === undefined) {
    if (user === undefined) issues.push({ field: ENV.dbUser, message: `is required (or ${ENV.dbSecretArnParameter} to read credentials from Secrets Manager)` });
    if (password === undefined) issues.push({ field: ENV.dbPassword, message: `is required (or ${ENV.dbSecretArnParameter} to read credentials from Secrets Manager)` });
  }
  if (issues.length > 0) return undefined;

  if (host !== undefined && user !== undefined && password !== undefined) {
    return { kind: 'direct', host, port: fallbackPort, database: fallbackDatabase, user, password };
  }
  if (hostParameter === undefined || secretArnParameter === undefined) {
    // Mixing a direct host with Secrets Manager credentials (or the reverse) is not a setup anyone
    // deploys; refusing it keeps the two sources whole.
    issues.push({
      field: hostParameter === undefined ? ENV.dbSecretArnParameter : ENV.dbHostParameter,
      message: `${ENV.dbHostParameter} and ${ENV.dbSecretArnParameter} go together (SSM and Secrets Manager), as do ${ENV.dbHost}, ${ENV.dbUser} and ${ENV.dbPassword}`,
    });
    return undefined;
  }
  return {
    kind: 'aws',
    hostParameter,
    secretArnParameter,
    ...(parsed[ENV.dbPortParameter] !== undefined ? { portParameter: parsed[ENV.dbPortParameter] } : {}),
    ...(parsed[ENV.dbNameParameter] !== undefined ? { databaseParameter: parsed[ENV.dbNameParameter] } : {}),
    fallbackPort,
    fallbackDatabase,
  };
}
