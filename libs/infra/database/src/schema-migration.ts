import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LambdaInvocation } from '@cdktf/provider-aws/lib/lambda-invocation';
import type { DrRole } from '@txn-dr/config';
import { ARTIFACTS, FUNCTION_CALLS, SCHEMA_MIGRATION_ENV, SCHEMA_MIGRATION_HANDLER, SCHEMA_MIGRATION_RUNTIME, SERVICE_DB_USER, SERVICE_ENV, type Names } from '@txn-dr/contracts';
import { suppress, workspaceRoot } from '@txn-dr/infra-core';
import { Fn, type ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { DatabaseAdminFunction, LAMBDA_MAX_TIMEOUT_SECONDS, MYSQL_PORT, type AdminFunctionPlacement } from './admin-function';

/** Where `nx run transaction-api:build` writes the migrate function's zip. */
export const SCHEMA_MIGRATION_ZIP = join(workspaceRoot(__dirname), ARTIFACTS.transactionApi.dir, ARTIFACTS.transactionApi.files.migrateFunction);

/**
 * What one run may spend before its statements: reading the secret (the function's Secrets
 * Manager calls are held to FUNCTION_CALLS), and waiting for the migration lock another run holds
 * (60 s in the migrate step).
 */
const SECRET_READ_MS = FUNCTION_CALLS.maxAttempts * (FUNCTION_CALLS.connectionTimeoutMs + FUNCTION_CALLS.requestTimeoutMs);
const LOCK_WAIT_MS = 60_000;

export interface SchemaMigrationProps extends AdminFunctionPlacement {
  /** The environment's deterministic names: the function, its role, log group and security group. */
  readonly names: Names;
  /** The region the function runs in, which names it: the primary's. */
  readonly role: DrRole;
  /**
   * Host the master user logs in to: the global writer endpoint, which follows the writer across
   * regions, so that an apply after a switchover migrates the writer, not a read-only standby.
   */
  readonly databaseHost: string;
  /** The schema the service works in (config `database.databaseName`). */
  readonly databaseName: string;
  /**
   * What must exist before the first invocation: the writer cluster and its instances. The
   * invocation waits for them (and for the function's network rules and permissions).
   */
  readonly databaseReady: ITerraformDependable[];
  /** The database user the service logs in as, created with IAM authentication. @default SERVICE_DB_USER */
  readonly serviceUser?: string;
  /** Path of the built zip. @default the ARTIFACTS path, which `nx run transaction-api:build` writes */
  readonly codePath?: string;
  /** Longest run, in seconds: a migration's DDL on a large table can take minutes. @default 900 (Lambda's longest) */
  readonly timeoutSeconds?: number;
  /** Limit on opening each database connection. @default 3000 */
  readonly connectTimeoutMs?: number;
  /** Limit on each statement other than a migration's DDL, and on waiting for a pooled connection. @default 5000 */
  readonly queryTimeoutMs?: number;
  /** @default 256 */
  readonly memorySize?: number;
}

interface Resolved {
  readonly databasePort: number;
  readonly timeoutSeconds: number;
  readonly connectTimeoutMs: number;
  readonly queryTimeoutMs: number;
  readonly serviceUser: string;
}

/** Defaults filled once; every contradiction named by its field. */
function resolveProps(props: SchemaMigrationProps): Resolved {
  const resolved: Resolved = {
    databasePort: props.databasePort ?? MYSQL_PORT,
    timeoutSeconds: props.timeoutSeconds ?? LAMBDA_MAX_TIMEOUT_SECONDS,
    connectTimeoutMs: props.connectTimeoutMs ?? 3_000,
    queryTimeoutMs: props.queryTimeoutMs ?? 5_000,
    serviceUser: props.serviceUser ?? SERVICE_DB_USER,
  };
  const problems: string[] = [];
  // The migrate step's own bounds on these settings (DB_CONNECT_TIMEOUT_MS, DB_QUERY_TIMEOUT_MS).
  if (!Number.isInteger(resolved.connectTimeoutMs) || resolved.connectTimeoutMs < 100 || resolved.connectTimeoutMs > 60_000) {
    problems.push(`connectTimeoutMs: ${resolved.connectTimeoutMs} is not a whole number of milliseconds from 100 to 60000`);
  }
  if (!Number.isInteger(resolved.queryTimeoutMs) || resolved.queryTimeoutMs < 100 || resolved.queryTimeoutMs > 300_000) {
    problems.push(`queryTimeoutMs: ${resolved.queryTimeoutMs} is not a whole number of milliseconds from 100 to 300000`);
  }
  const before = SECRET_READ_MS + LOCK_WAIT_MS + 2 * resolved.connectTimeoutMs + 4 * resolved.queryTimeoutMs;
  if (!Number.isInteger(resolved.timeoutSeconds) || resolved.timeoutSeconds * 1000 <= before || resolved.timeoutSeconds > LAMBDA_MAX_TIMEOUT_SECONDS) {
    problems.push(
      `timeoutSeconds: ${resolved.timeoutSeconds} is not a whole number of seconds above what a run may spend before its first migration (${before} ms) and at most ${LAMBDA_MAX_TIMEOUT_SECONDS}`,
    );
  }
  if (!/^[A-Za-z0-9_]{1,32}$/.test(resolved.serviceUser)) problems.push(`serviceUser: ${JSON.stringify(resolved.serviceUser)} is not 1 to 32 letters, digits or underscores`);
  if (problems.length > 0) throw new Error(`SchemaMigration: ${problems.join('; ')}`);
  return resolved;
}

/** SHA-256 of a file in base64: what Lambda reports as the code's CodeSha256, and Terraform's filebase64sha256 gives. */
function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('base64');
}

/**
 * The schema migration, run by the deployment itself: the migrate step of transaction-api as a
 * Lambda function in the VPC (a DatabaseAdminFunction that may read the master secret, and logs in
 * with it to the global writer endpoint), invoked by Terraform once the writer's instances exist
 * and again on every apply that brings a new bundle, so the schema and the service's own database
 * user are in place before the service's instances start (they depend on `invocation`).
 *
 * The invocation (`aws_lambda_invocation`) is a resource whose creation invokes the function,
 * synchronously, and fails the apply when the function returns an error; with the default
 * `CREATE_ONLY` lifecycle scope it invokes "only on creation or replacement", and a change of
 * `triggers` replaces it. The bundle's SHA-256 is in its triggers (and its input): a new bundle
 * runs the migration once, the same bundle never again. A failed invocation is not recorded in
 * state, so the next apply tries again; the step converges, so a rerun is always safe.
 * https://registry.terraform.io/providers/hashicorp/aws/6.25.0/docs/resources/lambda_invocation
 * https://github.com/hashicorp/terraform-provider-aws/blob/main/website/docs/r/lambda_invocation.html.markdown
 * https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/lambda/invocation.go
 */
export class SchemaMigration extends DatabaseAdminFunction {
  readonly invocation: LambdaInvocation;
  /** SHA-256 (base64) of the migrate function's zip, as Lambda reports its CodeSha256. */
  readonly bundleSha256: string;

  constructor(scope: Construct, id: string, props: SchemaMigrationProps) {
    const resolved = resolveProps(props);
    const codePath = props.codePath ?? SCHEMA_MIGRATION_ZIP;
    const functionName = props.names.regional(props.role, 'schema-migration');
    // The migrate step's own settings (SERVICE_ENV), and the secret in place of DB_AUTH.
    const environment: Record<string, string> = {
      [SCHEMA_MIGRATION_ENV.adminSecretArn]: props.secretArn,
      [SERVICE_ENV.dbHost]: props.databaseHost,
      [SERVICE_ENV.dbPort]: String(resolved.databasePort),
      [SERVICE_ENV.dbName]: props.databaseName,
      [SERVICE_ENV.dbTls]: 'rds',
      [SERVICE_ENV.dbConnectTimeoutMs]: String(resolved.connectTimeoutMs),
      [SERVICE_ENV.dbQueryTimeoutMs]: String(resolved.queryTimeoutMs),
      [SERVICE_ENV.serviceDbUser]: resolved.serviceUser,
      [SERVICE_ENV.serviceDbAuth]: 'iam',
    };
    super(scope, id, {
      provider: props.provider,
      functionName,
      purpose: 'Schema migration',
      ruleIdWord: 'migration',
      description: `Migrates the schema and brings the service's database user (${resolved.serviceUser}) up to date, as the master user`,
      roleDescription: `Runs the schema migration of ${props.names.prefix} as the database master user`,
      secretArn: props.secretArn,
      vpcId: props.vpcId,
      subnetIds: props.subnetIds,
      databaseSecurityGroupId: props.databaseSecurityGroupId,
      endpointsSecurityGroupId: props.endpointsSecurityGroupId,
      databasePort: resolved.databasePort,
      ...(props.otherRegionDatabaseCidrs !== undefined ? { otherRegionDatabaseCidrs: props.otherRegionDatabaseCidrs } : {}),
      logKeyArn: props.logKeyArn,
      logRetentionDays: props.logRetentionDays,
      codePath,
      buildProject: ARTIFACTS.transactionApi.project,
      handler: SCHEMA_MIGRATION_HANDLER,
      runtime: SCHEMA_MIGRATION_RUNTIME,
      environment,
      timeoutSeconds: resolved.timeoutSeconds,
      // One run at a time: a second would only wait for the first one's migration lock.
      reservedConcurrentExecutions: 1,
      memorySize: props.memorySize ?? 256,
    });
    // The base class has checked that the zip exists, naming the build that writes it.
    this.bundleSha256 = fileSha256(codePath);
    suppress(this.lambdaFunction, [
      {
        id: 'lambda-failure-destination',
        reason:
          'Terraform invokes the schema migration synchronously (RequestResponse) and fails the apply on its error; an on-failure destination or dead-letter queue serves asynchronous invocations only and would never receive one. Failures show in the apply, the function log group and CloudTrail.',
      },
    ]);

    this.invocation = new LambdaInvocation(this, 'invocation', {
      provider: props.provider,
      functionName: this.lambdaFunction.functionName,
      input: JSON.stringify({ bundleSha256: this.bundleSha256 }),
      // Invoke on creation and replacement only, never on destroy: CRUD would invoke the migration
      // with action "delete" too, and there is nothing to undo.
      lifecycleScope: 'CREATE_ONLY',
      triggers: {
        bundleSha256: this.bundleSha256,
        // A changed environment (another database, schema or user) runs the migration again as well.
        environmentSha256: Fn.sha256(Fn.jsonencode(this.lambdaFunction.environment)),
      },
      // The writer must exist and the function must reach it and the secret on its first run.
      dependsOn: [...props.databaseReady, ...this.networkRules, this.role.policy],
    });
  }
}
