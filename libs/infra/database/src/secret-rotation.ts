import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { SecretsmanagerSecretRotation } from '@cdktf/provider-aws/lib/secretsmanager-secret-rotation';
import type { DrRole } from '@txn-dr/config';
import { ARTIFACTS, SECRET_ROTATION_ENV, SECRET_ROTATION_HANDLER, SECRET_ROTATION_RUNTIME, type Names, type SecretRotationEnvKey } from '@txn-dr/contracts';
import { awsContext, suppress, type PolicyStatement } from '@txn-dr/infra-core';
import type { ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import { DatabaseAdminFunction, MYSQL_PORT, adminFunctionStatements, type AdminFunctionContext, type AdminFunctionPlacement } from './admin-function';
import { SECRET_ROTATION_ZIP } from './secret-rotation-asset';

/**
 * The longest chains of calls in one invocation, which must fit in the function's timeout:
 * createSecret makes five Secrets Manager calls one after another (describe, two reads, a new
 * password, the put); setSecret three, then up to two connections and two statements (log in to
 * check AWSCURRENT, log in again to read the account and change it), each connection with the
 * function's one-second backstop beyond the database limit.
 */
const CREATE_SECRET_CALLS = 5;
const SET_SECRET_CALLS = 3;
const SET_SECRET_DATABASE_LIMITS = 4;
const CONNECTION_BACKSTOP_MS = 2 * 1_000;

/** The deterministic names of the rotation function's resources, known before any is created. */
export interface SecretRotationNames {
  readonly functionName: string;
  readonly roleName: string;
  readonly logGroupName: string;
  readonly securityGroupName: string;
}

export function secretRotationNames(names: Names, role: DrRole): SecretRotationNames {
  const functionName = names.regional(role, 'secret-rotation');
  return { functionName, roleName: functionName, logGroupName: `/aws/lambda/${functionName}`, securityGroupName: functionName };
}

export interface SecretRotationProps extends AdminFunctionPlacement {
  /** The environment's deterministic names: the function, its role, log group and security group. */
  readonly names: Names;
  /** The region the function runs in, which names it: the secret's own region (a replica cannot be rotated). */
  readonly role: DrRole;
  /** Host the master user logs in to: the global writer endpoint, which follows the writer across regions. */
  readonly databaseHost: string;
  /** Days between rotations, as `rate(N days)`: 1 to 1000 (RotationRulesType). @default 30 */
  readonly rotationDays?: number;
  /**
   * Rotate when the schedule is first set. Without it Secrets Manager tests the configuration by
   * calling testSecret, and the first rotation waits for the schedule. @default false
   */
  readonly rotateImmediately?: boolean;
  /**
   * What must exist before Secrets Manager first calls the function (the writer cluster and its
   * instances): setting the schedule calls it at once. @default none
   */
  readonly databaseReady?: ITerraformDependable[];
  /** Path of the built zip. @default the ARTIFACTS path, which `nx run secret-rotation:build` writes */
  readonly codePath?: string;
  /** @default 60 */
  readonly timeoutSeconds?: number;
  /** Limit on each database connection and statement. @default 5000 */
  readonly databaseTimeoutMs?: number;
  /** Limit on each Secrets Manager call. @default 5000 */
  readonly callTimeoutMs?: number;
  /** @default 256 */
  readonly memorySize?: number;
}

interface Resolved {
  readonly databasePort: number;
  readonly rotationDays: number;
  readonly timeoutSeconds: number;
  readonly databaseTimeoutMs: number;
  readonly callTimeoutMs: number;
}

/** Defaults filled once; every contradiction named by its field. */
function resolveProps(props: SecretRotationProps): Resolved {
  const resolved: Resolved = {
    databasePort: props.databasePort ?? MYSQL_PORT,
    rotationDays: props.rotationDays ?? 30,
    timeoutSeconds: props.timeoutSeconds ?? 60,
    databaseTimeoutMs: props.databaseTimeoutMs ?? 5_000,
    callTimeoutMs: props.callTimeoutMs ?? 5_000,
  };
  const problems: string[] = [];
  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html
  if (!Number.isInteger(resolved.rotationDays) || resolved.rotationDays < 1 || resolved.rotationDays > 1000) {
    problems.push(`rotationDays: ${resolved.rotationDays} is not a whole number of days from 1 to 1000`);
  }
  for (const field of ['databaseTimeoutMs', 'callTimeoutMs'] as const) {
    const value = resolved[field];
    if (!Number.isInteger(value) || value < 100 || value > 60_000) problems.push(`${field}: ${value} is not a whole number of milliseconds from 100 to 60000`);
  }
  const longest = Math.max(
    CREATE_SECRET_CALLS * resolved.callTimeoutMs,
    SET_SECRET_CALLS * resolved.callTimeoutMs + SET_SECRET_DATABASE_LIMITS * resolved.databaseTimeoutMs + CONNECTION_BACKSTOP_MS,
  );
  if (longest >= resolved.timeoutSeconds * 1000) {
    problems.push(`timeoutSeconds: ${resolved.timeoutSeconds} s is not more than the longest step may take at these limits (${longest} ms); the function would be killed mid-step`);
  }
  if (problems.length > 0) throw new Error(`SecretRotation: ${problems.join('; ')}`);
  return resolved;
}

/**
 * Rotation of the database master secret every `rotationDays` days, by a Lambda function in the
 * VPC (single-user strategy: the master user changes its own password; apps/secret-rotation).
 *
 * It lives in the secret's own region and only there: a replica cannot be rotated; Secrets
 * Manager rotates the primary secret and replicates the new value.
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html
 *
 * Terraform does not fight a rotated value, and this is why (MasterCredentials, RegionalDatabase):
 * - the secret's value is written through the write-only `secret_string_wo`: never stored in state,
 *   never compared, sent again only when `secret_string_wo_version` (config
 *   `database.passwordVersion`) changes; and the version resource sets no `version_stages`, so the
 *   labels a rotation moves (AWSCURRENT to the new version, AWSPREVIOUS to the old) are no diff;
 * - the cluster reads the secret ephemerally into the write-only `master_password_wo`, sent only
 *   when `master_password_wo_version` changes, so a plan never tries to set the rotated password
 *   back to the one Terraform generated.
 * Raising `database.passwordVersion` still works, as a manual rotation outside this one.
 * One caveat, left to MasterCredentials: once every label has left the version Terraform wrote
 * (the second rotation), Secrets Manager may delete it when the secret has more than 100
 * versions; the provider then drops it from state and the next apply would write a new random
 * password as AWSCURRENT, which the database does not have. A label of Terraform's own on that
 * version (with `ignore_changes` on `version_stages`) keeps it.
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_UpdateSecretVersionStage.html
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutSecretValue.html
 * https://github.com/hashicorp/terraform-provider-aws/issues/37302
 */
export class SecretRotation extends DatabaseAdminFunction {
  readonly rotation: SecretsmanagerSecretRotation;
  /** `rate(N days)`. */
  readonly scheduleExpression: string;

  constructor(scope: Construct, id: string, props: SecretRotationProps) {
    const resolved = resolveProps(props);
    const { provider, role } = props;
    const names = secretRotationNames(props.names, role);
    const environment: Record<(typeof SECRET_ROTATION_ENV)[Exclude<SecretRotationEnvKey, 'dbTls'>], string> = {
      [SECRET_ROTATION_ENV.secretArn]: props.secretArn,
      [SECRET_ROTATION_ENV.dbHost]: props.databaseHost,
      [SECRET_ROTATION_ENV.dbPort]: String(resolved.databasePort),
      [SECRET_ROTATION_ENV.dbTimeoutMs]: String(resolved.databaseTimeoutMs),
      [SECRET_ROTATION_ENV.callTimeoutMs]: String(resolved.callTimeoutMs),
    };
    super(scope, id, {
      provider,
      functionName: names.functionName,
      purpose: 'Secret rotation',
      ruleIdWord: 'rotation',
      description: `Rotates the database master secret every ${resolved.rotationDays} days (single user)`,
      roleDescription: `Rotates the database master secret of ${props.names.prefix}`,
      secretArn: props.secretArn,
      secretStatements: rotationSecretStatements(props.secretArn, awsContext(scope, provider)),
      vpcId: props.vpcId,
      subnetIds: props.subnetIds,
      databaseSecurityGroupId: props.databaseSecurityGroupId,
      endpointsSecurityGroupId: props.endpointsSecurityGroupId,
      databasePort: resolved.databasePort,
      ...(props.otherRegionDatabaseCidrs !== undefined ? { otherRegionDatabaseCidrs: props.otherRegionDatabaseCidrs } : {}),
      logKeyArn: props.logKeyArn,
      logRetentionDays: props.logRetentionDays,
      codePath: props.codePath ?? SECRET_ROTATION_ZIP,
      buildProject: ARTIFACTS.secretRotation.project,
      handler: SECRET_ROTATION_HANDLER,
      runtime: SECRET_ROTATION_RUNTIME,
      // TLS is on: DR_DB_TLS is left unset, and only a local test server turns it off.
      environment,
      timeoutSeconds: resolved.timeoutSeconds,
      // AWS warns that a concurrency setting under 10 can throttle a rotation function; 10 caps it
      // without starving it.
      // https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda-functions.html
      reservedConcurrentExecutions: 10,
      memorySize: props.memorySize ?? 256,
    });
    const { accountId } = awsContext(this, provider);
    const fn = this.lambdaFunction;
    suppress(fn, [
      {
        id: 'lambda-failure-destination',
        reason:
          'Secrets Manager invokes rotation functions synchronously and retries the rotation itself; an on-failure destination or dead-letter queue serves asynchronous invocations only and would never receive one. Failures show in the function log group and CloudTrail.',
      },
    ]);

    // Only Secrets Manager, for this account and this one secret, may invoke the function.
    // https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html
    const permission = new LambdaPermission(this, 'invoke-from-secrets-manager', {
      provider,
      statementId: 'RotateDatabaseMasterSecret',
      action: 'lambda:InvokeFunction',
      functionName: fn.functionName,
      principal: 'secretsmanager.amazonaws.com',
      sourceAccount: accountId,
      sourceArn: props.secretArn,
    });

    this.scheduleExpression = `rate(${resolved.rotationDays} days)`;
    this.rotation = new SecretsmanagerSecretRotation(this, 'rotation', {
      provider,
      secretId: props.secretArn,
      rotationLambdaArn: fn.arn,
      rotationRules: { scheduleExpression: this.scheduleExpression },
      // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotateSecret.html#SecretsManager-RotateSecret-request-RotateImmediately
      rotateImmediately: props.rotateImmediately ?? false,
      // Setting the schedule calls the function at once (testSecret, or the whole rotation).
      dependsOn: [permission, fn, ...(props.databaseReady ?? [])],
    });
  }
}

/**
 * What a single-user rotation function does with the secret, the documented permissions, scoped:
 * the four secret operations on this secret only; GetRandomPassword, which has no resource; the
 * secret's key only through Secrets Manager and only for this secret (its ARN is the encryption
 * context Secrets Manager sends).
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html
 */
export function rotationSecretStatements(secretArn: string, context: Pick<AdminFunctionContext, 'accountId' | 'partition' | 'region'>): PolicyStatement[] {
  const { accountId, partition, region } = context;
  return [
    {
      sid: 'RotateTheMasterSecret',
      actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
      resources: [secretArn],
    },
    // GetRandomPassword generates a string and names no resource: AWS grants it on "*".
    { sid: 'GeneratePasswords', actions: ['secretsmanager:GetRandomPassword'], resources: ['*'] },
    {
      sid: 'UseTheSecretKeyForThisSecretOnly',
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'],
      resources: [`arn:${partition}:kms:${region}:${accountId}:key/*`],
      condition: [
        { test: 'StringEquals', variable: 'kms:ViaService', values: [`secretsmanager.${region}.amazonaws.com`] },
        { test: 'StringEquals', variable: 'kms:EncryptionContext:SecretARN', values: [secretArn] },
      ],
    },
  ];
}

/**
 * The rotation function's whole policy: its secret statements, then what every database admin
 * function may do (its network interfaces, traces and own log group).
 */
export function rotationStatements(context: { secretArn: string } & AdminFunctionContext): PolicyStatement[] {
  return [...rotationSecretStatements(context.secretArn, context), ...adminFunctionStatements(context)];
}
