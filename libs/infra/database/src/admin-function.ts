import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { ServiceRole, awsContext, type PolicyStatement } from '@txn-dr/infra-core';
import { Fn, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { functionZipAsset } from './function-code';

/** MySQL's port, which Aurora MySQL clusters listen on unless told otherwise (ours are not). */
export const MYSQL_PORT = 3306;
const HTTPS = 443;
/** Lambda's longest timeout: 15 minutes. https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/** Where the function's permissions are scoped to: its account, partition and region, and its log group. */
export interface AdminFunctionContext {
  readonly logGroupArn: string;
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
}

/**
 * Where a database administration function runs and logs, the same for every such function (the
 * rotation and the migration): what their constructs take and hand on as they are.
 */
export type AdminFunctionPlacement = Pick<
  DatabaseAdminFunctionProps,
  'provider' | 'secretArn' | 'vpcId' | 'subnetIds' | 'databaseSecurityGroupId' | 'endpointsSecurityGroupId' | 'databasePort' | 'otherRegionDatabaseCidrs' | 'logKeyArn' | 'logRetentionDays'
>;

export interface DatabaseAdminFunctionProps {
  /** Provider of the function's region. */
  readonly provider: AwsProvider;
  /** Name of the function, and of its role, its security group and its log group (`/aws/lambda/<name>`). */
  readonly functionName: string;
  /** What the function does, capitalised, as the descriptions of its security group and rules name it: `Secret rotation`. */
  readonly purpose: string;
  /**
   * One word for the function in the ids of the rules it adds to the database's and the
   * endpoints' groups (`database-from-<word>`). Changing it replaces those rules.
   */
  readonly ruleIdWord: string;
  /** The function's description. */
  readonly description: string;
  /** The role's description. */
  readonly roleDescription: string;
  /** ARN of the master secret, in this region: the one secret the function may read. */
  readonly secretArn: string;
  /**
   * What the function may do with the secret, in place of the default.
   * @default GetSecretValue on `secretArn`, and kms:Decrypt of it only through Secrets Manager in this region (`masterSecretReaderStatements`)
   */
  readonly secretStatements?: PolicyStatement[];
  /** The VPC the function runs in: the database's. */
  readonly vpcId: string;
  /** Subnets of the function's network interfaces: the private (service) tier. */
  readonly subnetIds: string[];
  /** The database's security group: it admits the function on the database port. */
  readonly databaseSecurityGroupId: string;
  /** The interface endpoints' security group: it admits the function on 443, for Secrets Manager. */
  readonly endpointsSecurityGroupId: string;
  /** @default 3306 */
  readonly databasePort?: number;
  /**
   * Blocks of the other region's data subnets. After a switchover the global writer endpoint names
   * the other region's cluster, reached through the VPC peering, whose other side admits this
   * region's private subnets. @default [] (this region's database only)
   */
  readonly otherRegionDatabaseCidrs?: string[];
  /** Customer-managed key of the log group; its policy must let CloudWatch Logs use it. */
  readonly logKeyArn: string;
  /** Days the log group keeps its events: one of CloudWatch Logs' retention periods (config `logs.retentionDays`). */
  readonly logRetentionDays: number;
  /** Path of the built zip. */
  readonly codePath: string;
  /** The Nx project whose `build` writes the zip, named when it is missing. */
  readonly buildProject: string;
  /** `file.export` of the handler inside the zip. */
  readonly handler: string;
  /** Lambda runtime, e.g. `nodejs22.x`. */
  readonly runtime: string;
  /** The function's environment: pointers (ARNs, hosts, limits), never a secret. */
  readonly environment: Record<string, string>;
  /** Seconds an invocation may run: 1 to 900. */
  readonly timeoutSeconds: number;
  /** Invocations that may run at once. */
  readonly reservedConcurrentExecutions: number;
  /** @default 256 */
  readonly memorySize?: number;
}

/** Every contradiction of the props, named by its field. */
function propProblems(props: DatabaseAdminFunctionProps): string[] {
  const problems: string[] = [];
  const { timeoutSeconds, reservedConcurrentExecutions } = props;
  const memorySize = props.memorySize ?? 256;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > LAMBDA_MAX_TIMEOUT_SECONDS) {
    problems.push(`timeoutSeconds: ${timeoutSeconds} is not a whole number of seconds from 1 to ${LAMBDA_MAX_TIMEOUT_SECONDS}`);
  }
  // https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
  if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10_240) problems.push(`memorySize: ${memorySize} is not a whole number of MB from 128 to 10240`);
  if (!Number.isInteger(reservedConcurrentExecutions) || reservedConcurrentExecutions < 1) {
    problems.push(`reservedConcurrentExecutions: ${reservedConcurrentExecutions} is not a whole number of at least 1 (0 would throttle every invocation)`);
  }
  if (!/^[a-z][a-z0-9-]*$/.test(props.ruleIdWord)) problems.push(`ruleIdWord: ${JSON.stringify(props.ruleIdWord)} is not one lower-case word`);
  return problems;
}

/**
 * A Lambda function that works on the database as its master user, from inside the VPC: its own
 * security group (MySQL to the database, in this region and across the peering, and HTTPS to the
 * interface endpoints, for Secrets Manager), the database's and the endpoints' groups admitting it,
 * a role that may read the master secret and nothing else of it by default (plus the network
 * interfaces Lambda manages for a VPC function, its traces and its own log group), an encrypted log
 * group with a retention made before the function, and the function itself. The secret rotation
 * and the schema migration are both one.
 */
export class DatabaseAdminFunction extends Construct {
  readonly lambdaFunction: LambdaFunction;
  readonly functionName: string;
  readonly functionArn: string;
  readonly role: ServiceRole;
  readonly roleArn: string;
  readonly logGroupName: string;
  readonly securityGroupId: string;
  /**
   * The security group rules the function's traffic needs (its own and those of the database and
   * endpoints groups), made apart from the function: what a first invocation must wait for.
   */
  readonly networkRules: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: DatabaseAdminFunctionProps) {
    super(scope, id);
    const problems = propProblems(props);
    if (problems.length > 0) throw new Error(`DatabaseAdminFunction ${props.functionName}: ${problems.join('; ')}`);
    const { provider, purpose, ruleIdWord } = props;
    const name = props.functionName;
    const { accountId, partition, region } = awsContext(this, provider);

    const logGroup = new CloudwatchLogGroup(this, 'logs', {
      provider,
      name: `/aws/lambda/${name}`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logKeyArn,
    });

    const securityGroup = new SecurityGroup(this, 'security-group', {
      provider,
      vpcId: props.vpcId,
      name,
      description: `${purpose} function: MySQL to the database, HTTPS to the Secrets Manager endpoint`,
      tags: { Name: name },
    });
    const rule = { provider, ipProtocol: 'tcp' };
    const port = props.databasePort ?? MYSQL_PORT;
    const theFunction = `the ${purpose.toLowerCase()} function`;
    this.networkRules = [
      new VpcSecurityGroupEgressRule(this, 'to-database', {
        ...rule,
        securityGroupId: securityGroup.id,
        fromPort: port,
        toPort: port,
        referencedSecurityGroupId: props.databaseSecurityGroupId,
        description: `${purpose} to Aurora MySQL`,
      }),
      new VpcSecurityGroupIngressRule(this, `database-from-${ruleIdWord}`, {
        ...rule,
        securityGroupId: props.databaseSecurityGroupId,
        fromPort: port,
        toPort: port,
        referencedSecurityGroupId: securityGroup.id,
        description: `MySQL from ${theFunction}`,
      }),
      new VpcSecurityGroupEgressRule(this, 'to-endpoints', {
        ...rule,
        securityGroupId: securityGroup.id,
        fromPort: HTTPS,
        toPort: HTTPS,
        referencedSecurityGroupId: props.endpointsSecurityGroupId,
        description: `${purpose} to Secrets Manager through its interface endpoint`,
      }),
      new VpcSecurityGroupIngressRule(this, `endpoints-from-${ruleIdWord}`, {
        ...rule,
        securityGroupId: props.endpointsSecurityGroupId,
        fromPort: HTTPS,
        toPort: HTTPS,
        referencedSecurityGroupId: securityGroup.id,
        description: `Secrets Manager calls from ${theFunction}`,
      }),
      ...(props.otherRegionDatabaseCidrs ?? []).map(
        (cidr, index) =>
          new VpcSecurityGroupEgressRule(this, `to-other-region-database-${index}`, {
            ...rule,
            securityGroupId: securityGroup.id,
            fromPort: port,
            toPort: port,
            cidrIpv4: cidr,
            description: `${purpose} to the other region's Aurora MySQL through the peering, after a switchover`,
          }),
      ),
    ];

    const context: AdminFunctionContext = { logGroupArn: logGroup.arn, accountId, partition, region };
    this.role = new ServiceRole(this, 'role', {
      provider,
      name,
      description: props.roleDescription,
      service: 'lambda.amazonaws.com',
      // Lambda sends no source account or ARN when it assumes a function's role.
      trustConditions: [],
      statements: [...(props.secretStatements ?? masterSecretReaderStatements(props.secretArn, context)), ...adminFunctionStatements(context)],
    });

    const asset = functionZipAsset(this, 'code', props.codePath, props.buildProject);
    this.lambdaFunction = new LambdaFunction(this, 'function', {
      provider,
      functionName: name,
      description: props.description,
      role: this.role.arn,
      filename: asset.path,
      // Lambda compares this with the uploaded code: a new bundle is a new hash, an unchanged one no update.
      sourceCodeHash: Fn.filebase64sha256(asset.path),
      handler: props.handler,
      runtime: props.runtime,
      architectures: ['arm64'],
      memorySize: props.memorySize ?? 256,
      timeout: props.timeoutSeconds,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      tracingConfig: { mode: 'Active' },
      loggingConfig: { logFormat: 'Text', logGroup: logGroup.name },
      environment: { variables: props.environment },
      vpcConfig: { subnetIds: props.subnetIds, securityGroupIds: [securityGroup.id] },
      // The log group and permissions exist before the first run (else Lambda makes an unencrypted group).
      dependsOn: [logGroup, this.role.policy],
    });

    this.functionName = this.lambdaFunction.functionName;
    this.functionArn = this.lambdaFunction.arn;
    this.roleArn = this.role.arn;
    this.logGroupName = logGroup.name;
    this.securityGroupId = securityGroup.id;
  }
}

/**
 * Reading the master secret and nothing else of it: GetSecretValue on that one secret, and its key
 * only through Secrets Manager in this region and only for this secret (its ARN is the encryption
 * context Secrets Manager sends).
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html#security-encryption-authz
 */
export function masterSecretReaderStatements(secretArn: string, context: Pick<AdminFunctionContext, 'accountId' | 'partition' | 'region'>): PolicyStatement[] {
  const { accountId, partition, region } = context;
  return [
    { sid: 'ReadTheMasterSecret', actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] },
    {
      sid: 'DecryptTheMasterSecretOnly',
      actions: ['kms:Decrypt'],
      resources: [`arn:${partition}:kms:${region}:${accountId}:key/*`],
      condition: [
        { test: 'StringEquals', variable: 'kms:ViaService', values: [`secretsmanager.${region}.amazonaws.com`] },
        { test: 'StringEquals', variable: 'kms:EncryptionContext:SecretARN', values: [secretArn] },
      ],
    },
  ];
}

/**
 * What every database admin function may do beside the secret: the network interfaces Lambda
 * manages for a function in a VPC, its trace segments, and its own log group.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
 */
export function adminFunctionStatements(context: AdminFunctionContext): PolicyStatement[] {
  const { logGroupArn, accountId, partition, region } = context;
  return [
    // DescribeNetworkInterfaces works only on "*" (Lambda's VPC permissions); the AWS-managed
    // AWSLambdaVPCAccessExecutionRole grants DescribeSubnets on "*" as well.
    // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html
    { sid: 'DescribeNetworkInterfaces', actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'], resources: ['*'] },
    {
      // The function's network interfaces, in this account and region (Lambda's example scope for DeleteNetworkInterface).
      sid: 'ManageNetworkInterfaces',
      actions: ['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      resources: [`arn:${partition}:ec2:${region}:${accountId}:*/*`],
    },
    // X-Ray's trace upload has no resource type to scope to.
    { sid: 'UploadTraces', actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] },
    { sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroupArn, `${logGroupArn}:*`] },
  ];
}
