import { ConfigError, DR_ROLES, type ConfigIssue, type DrRole } from '@txn-dr/config';
import { SERVICE_ENV as ENV } from '@txn-dr/contracts';
import { z } from 'zod';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type DbTls = 'off' | 'rds';

/**
 * Where the database endpoint and credentials come from. The data endpoint takes every read and
 * write; the probe endpoint, when there is one, only the health probes, with the same
 * credentials and schema (in AWS: the global writer endpoint and the region's own cluster).
 */
export type DatabaseSource =
  | {
      readonly kind: 'direct';
      readonly host: string;
      readonly port: number;
      readonly database: string;
      readonly user: string;
      readonly password: string;
      /** The health probes' endpoint; absent, the probes ask the data endpoint. */
      readonly probe?: { readonly host: string; readonly port: number };
    }
  | {
      readonly kind: 'aws';
      /** SSM parameter names; `port` and `database` fall back to `fallbackPort`/`fallbackDatabase` when absent. */
      readonly hostParameter: string;
      readonly secretArnParameter: string;
      readonly portParameter?: string;
      readonly databaseParameter?: string;
      readonly fallbackPort: number;
      readonly fallbackDatabase: string;
      /** SSM parameter holding the health probes' host; absent, the probes ask the data endpoint. */
      readonly probeHostParameter?: string;
      /** The probes' port. @default the data endpoint's port */
      readonly probePort?: number;
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
  [ENV.role]: z.enum(DR_ROLES, { error: (issue) => `${issue.input === undefined ? 'is required' : 'must be'}: one of ${DR_ROLES.join(', ')}` }),
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
  [ENV.dbProbeHost]: z.string().min(1).max(255).optional(),
  [ENV.dbProbePort]: integer(1, 65535).optional(),
  [ENV.dbProbeHostParameter]: ssmName.optional(),
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
  const input: Record<string, string> = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
  const result = schema.safeParse(input);
  // Which settings are present is checked on the raw input, so one run names every problem.
  const issues: ConfigIssue[] = [
    ...(result.success ? [] : result.error.issues.map((issue) => ({ field: String(issue.path[0] ?? '(root)'), message: issue.message }))),
    ...databaseSettingIssues(input),
    ...probeSettingIssues(input),
  ];
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
      source: databaseSource(parsed),
      tls: parsed[ENV.dbTls],
      poolSize: parsed[ENV.dbPoolSize],
      connectTimeoutMs: parsed[ENV.dbConnectTimeoutMs],
      queryTimeoutMs: parsed[ENV.dbQueryTimeoutMs],
      healthTimeoutMs: parsed[ENV.healthTimeoutMs],
    },
  };
}

/**
 * Exactly one way to find each of host, port, name and credentials: given directly (DB_HOST,
 * DB_USER, DB_PASSWORD), or from SSM and Secrets Manager (DB_HOST_PARAMETER with
 * DB_SECRET_ARN_PARAMETER). Mixing the two sources is not a setup anyone deploys.
 */
function databaseSettingIssues(input: Record<string, string>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const has = (name: string) => input[name] !== undefined;
  for (const [direct, parameter] of [
    [ENV.dbHost, ENV.dbHostParameter],
    [ENV.dbPort, ENV.dbPortParameter],
    [ENV.dbName, ENV.dbNameParameter],
    [ENV.dbUser, ENV.dbSecretArnParameter],
    [ENV.dbPassword, ENV.dbSecretArnParameter],
  ] as const) {
    if (has(direct) && has(parameter)) issues.push({ field: direct, message: `set either ${direct} or ${parameter}, not both` });
  }
  if (issues.length > 0) return issues;
  if (has(ENV.dbHostParameter) || has(ENV.dbSecretArnParameter)) {
    if (!has(ENV.dbHostParameter) || !has(ENV.dbSecretArnParameter) || has(ENV.dbHost)) {
      issues.push({
        field: has(ENV.dbHostParameter) ? ENV.dbSecretArnParameter : ENV.dbHostParameter,
        message: `${ENV.dbHostParameter} and ${ENV.dbSecretArnParameter} go together (SSM and Secrets Manager), as do ${ENV.dbHost}, ${ENV.dbUser} and ${ENV.dbPassword}`,
      });
    }
    return issues;
  }
  const hint = (what: string) => `is required (or ${what})`;
  if (!has(ENV.dbHost)) issues.push({ field: ENV.dbHost, message: hint(`${ENV.dbHostParameter} to read it from SSM`) });
  if (!has(ENV.dbUser)) issues.push({ field: ENV.dbUser, message: hint(`${ENV.dbSecretArnParameter} to read credentials from Secrets Manager`) });
  if (!has(ENV.dbPassword)) issues.push({ field: ENV.dbPassword, message: hint(`${ENV.dbSecretArnParameter} to read credentials from Secrets Manager`) });
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
function databaseSource(parsed: Parsed): DatabaseSource {
  const fallbackPort = parsed[ENV.dbPort] ?? 3306;
  const fallbackDatabase = parsed[ENV.dbName] ?? 'transactions';
  const hostParameter = parsed[ENV.dbHostParameter];
  const secretArnParameter = parsed[ENV.dbSecretArnParameter];
  const probePort = parsed[ENV.dbProbePort];
  if (hostParameter !== undefined && secretArnParameter !== undefined) {
    const probeHostParameter = parsed[ENV.dbProbeHostParameter];
    return {
      kind: 'aws',
      hostParameter,
      secretArnParameter,
      ...(parsed[ENV.dbPortParameter] !== undefined ? { portParameter: parsed[ENV.dbPortParameter] } : {}),
      ...(parsed[ENV.dbNameParameter] !== undefined ? { databaseParameter: parsed[ENV.dbNameParameter] } : {}),
      fallbackPort,
      fallbackDatabase,
      ...(probeHostParameter !== undefined ? { probeHostParameter } : {}),
      ...(probePort !== undefined ? { probePort } : {}),
    };
  }
  const { [ENV.dbHost]: host, [ENV.dbUser]: user, [ENV.dbPassword]: password, [ENV.dbProbeHost]: probeHost } = parsed;
  if (host === undefined || user === undefined || password === undefined) throw new Error('database settings were checked as complete');
  return {
    kind: 'direct',
    host,
    port: fallbackPort,
    database: fallbackDatabase,
    user,
    password,
    ...(probeHost !== undefined ? { probe: { host: probeHost, port: probePort ?? fallbackPort } } : {}),
  };
}
