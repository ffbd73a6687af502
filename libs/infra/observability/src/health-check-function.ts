import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import type { DrRole } from '@txn-dr/config';
import {
  HEALTH_CHECK_HANDLER,
  HEALTH_CHECK_RUNTIME,
  HEALTH_ENV,
  HEALTH_STATE_INITIAL,
  healthMetricNamespace,
  healthStateParameterName,
  tlsOnlyStatement,
  type HealthEnvKey,
  type Names,
} from '@txn-dr/contracts';
import { type PolicyStatement, ServiceRole, awsContext } from '@txn-dr/infra-core';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { healthCheckAsset } from './asset';

/** The deterministic names of a region's health-check resources, known before any is created. */
export interface HealthCheckNames {
  readonly functionName: string;
  readonly roleName: string;
  readonly logGroupName: string;
  readonly scheduleRuleName: string;
  readonly failureQueueName: string;
  readonly stateParameterName: string;
}

export function healthCheckNames(names: Names, environmentName: string, role: DrRole): HealthCheckNames {
  const functionName = names.healthFunction(role);
  return {
    functionName,
    roleName: names.regional(role, 'health-check'),
    logGroupName: `/aws/lambda/${functionName}`,
    scheduleRuleName: names.regional(role, 'health-check-schedule'),
    failureQueueName: names.regional(role, 'health-check-failures'),
    stateParameterName: healthStateParameterName(environmentName, role),
  };
}

/**
 * Actions the function's role is granted on every resource, because they have no resource type
 * to scope to (Service Authorization Reference): X-Ray's trace upload, and CloudWatch's
 * PutMetricData, which is held to one namespace by the `cloudwatch:namespace` condition instead.
 */
export const ACTIONS_WITHOUT_RESOURCE_SCOPE = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'cloudwatch:PutMetricData'] as const;

/** The longest chain of AWS calls in one run: the parallel reads, then metrics, alert, state. */
const SEQUENTIAL_CALLS = 4;

export interface HealthCheckFunctionProps {
  /** The environment's deterministic names: the function, its role, log group, schedule and queue. */
  readonly names: Names;
  /** Environment name (ENVIRONMENT_SUFFIX): the `<env>` of the state parameter's path. */
  readonly environmentName: string;
  /** The region the function checks and runs in. */
  readonly role: DrRole;
  /** Provider of the role's region. */
  readonly provider: AwsProvider;
  /** AWS region code of the provider: the cluster's ARN and the services the key is used through name it. */
  readonly region: string;
  /** Days the function's log group keeps its events: one of CloudWatch Logs' retention periods (config `logs.retentionDays`). */
  readonly logRetentionDays: number;
  /** Identifier of this region's Aurora cluster. */
  readonly clusterIdentifier: string;
  /** Identifier of the Aurora global cluster. */
  readonly globalClusterIdentifier: string;
  /** The topic the function alerts to. */
  readonly alertTopicArn: string;
  /**
   * Customer-managed key for the log group, the failure queue and the state parameter; its policy
   * must already grant CloudWatch Logs (this log group) and EventBridge (this schedule rule).
   */
  readonly keyArn: string;
  /** Path of the built zip. @default the ARTIFACTS path, which `nx run health-check:build` writes */
  readonly codePath?: string;
  /** @default 'rate(1 minute)' */
  readonly schedule?: string;
  /** @default 30 */
  readonly timeoutSeconds?: number;
  /**
   * Time limit of each AWS call the function makes. At most four run one after another (the reads
   * in parallel, then metrics, alert and state), so four of them must fit in the timeout.
   * @default 5000
   */
  readonly callTimeoutMs?: number;
  /** @default 256 (more memory is also more CPU: a faster cold start) */
  readonly memorySize?: number;
}

/**
 * The health-check Lambda of one region, on a schedule: its own role (least privilege), log group
 * (retention, KMS), failure queue (async on-failure destination and the schedule's dead-letter
 * queue), X-Ray tracing, reserved concurrency 1, and the SSM parameter it keeps its last state in.
 * It runs outside any VPC: it only calls AWS APIs.
 */
export class HealthCheckFunction extends Construct {
  readonly functionName: string;
  readonly functionArn: string;
  readonly roleArn: string;
  readonly logGroupName: string;
  readonly failureQueueArn: string;
  readonly failureQueueName: string;
  readonly stateParameterName: string;
  readonly scheduleRuleArn: string;
  /** The function's execution role, for checks of its policy. */
  readonly executionRole: ServiceRole;

  constructor(scope: Construct, id: string, props: HealthCheckFunctionProps) {
    super(scope, id);
    const { role, provider, region } = props;
    const timeoutSeconds = props.timeoutSeconds ?? 30;
    const callTimeoutMs = props.callTimeoutMs ?? 5_000;
    if (SEQUENTIAL_CALLS * callTimeoutMs >= timeoutSeconds * 1000) {
      throw new Error(
        `callTimeoutMs: ${SEQUENTIAL_CALLS} calls of ${callTimeoutMs} ms one after another do not fit in timeoutSeconds ${timeoutSeconds}; ` +
          'the function would be killed before it reports',
      );
    }
    const names = healthCheckNames(props.names, props.environmentName, role);
    const namespace = healthMetricNamespace(props.names.prefix);
    const { accountId, partition } = awsContext(this, provider);

    const logGroup = new CloudwatchLogGroup(this, 'logs', {
      provider,
      name: names.logGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.keyArn,
    });

    const failureQueue = new SqsQueue(this, 'failures', {
      provider,
      name: names.failureQueueName,
      kmsMasterKeyId: props.keyArn,
      // The longest SQS keeps a message: time to look at why runs failed.
      messageRetentionSeconds: 14 * 24 * 3600,
    });

    const stateParameter = new SsmParameter(this, 'state', {
      provider,
      name: names.stateParameterName,
      description: 'Last state the health check reported; written by the function, compared to alert on change only',
      type: 'SecureString',
      keyId: props.keyArn,
      value: HEALTH_STATE_INITIAL,
      lifecycle: {
        // The function owns the value after creation; Terraform only creates the parameter.
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/ssm_parameter
        ignoreChanges: ['value'],
      },
    });

    const rule = new CloudwatchEventRule(this, 'schedule', {
      provider,
      name: names.scheduleRuleName,
      description: `Runs ${names.functionName}`,
      scheduleExpression: props.schedule ?? 'rate(1 minute)',
    });

    const statements: PolicyStatement[] = [
      {
        sid: 'DescribeOwnCluster',
        actions: ['rds:DescribeDBClusters'],
        resources: [`arn:${partition}:rds:${region}:${accountId}:cluster:${props.clusterIdentifier}`],
      },
      {
        // Global clusters are not regional: their ARN has no region.
        sid: 'DescribeGlobalCluster',
        actions: ['rds:DescribeGlobalClusters'],
        resources: [`arn:${partition}:rds::${accountId}:global-cluster:${props.globalClusterIdentifier}`],
      },
      {
        // PutMetricData has no resource type: the namespace condition is what scopes it.
        sid: 'PutHealthMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        condition: [{ test: 'StringEquals', variable: 'cloudwatch:namespace', values: [namespace] }],
      },
      { sid: 'PublishAlerts', actions: ['sns:Publish'], resources: [props.alertTopicArn] },
      { sid: 'KeepLastState', actions: ['ssm:GetParameter', 'ssm:PutParameter'], resources: [stateParameter.arn] },
      { sid: 'RecordFailedRuns', actions: ['sqs:SendMessage'], resources: [failureQueue.arn] },
      {
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.arn, `${logGroup.arn}:*`],
      },
      {
        // X-Ray's trace upload has no resource type to scope to.
        sid: 'UploadTraces',
        actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
        resources: ['*'],
      },
      // The key: only through the services that use it on the function's behalf.
      this.keyUse('KeyForEncryptedTopic', props.keyArn, ['kms:GenerateDataKey', 'kms:Decrypt'], `sns.${region}.amazonaws.com`),
      this.keyUse('KeyForFailureQueue', props.keyArn, ['kms:GenerateDataKey', 'kms:Decrypt'], `sqs.${region}.amazonaws.com`),
      {
        ...this.keyUse('KeyForStateParameter', props.keyArn, ['kms:Encrypt', 'kms:Decrypt'], `ssm.${region}.amazonaws.com`),
        condition: [
          { test: 'StringEquals', variable: 'kms:ViaService', values: [`ssm.${region}.amazonaws.com`] },
          // Parameter Store puts the parameter's ARN in the encryption context: this parameter only.
          { test: 'StringEquals', variable: 'kms:EncryptionContext:PARAMETER_ARN', values: [stateParameter.arn] },
        ],
      },
    ];
    // Id 'Default' is left out of logical ids (cdktf's makeUniqueId), so the role keeps the
    // Terraform address it had when this construct built it by hand: a change in place (its
    // description), not a replacement of the role the function runs as.
    // https://github.com/hashicorp/terraform-cdk/blob/main/packages/cdktf/lib/private/unique.ts
    this.executionRole = new ServiceRole(this, 'Default', {
      provider,
      name: names.roleName,
      description: `Runs ${names.functionName}: reads its own clusters, publishes its metrics and alerts, keeps its state`,
      service: 'lambda.amazonaws.com',
      // The trust it always had: Lambda alone, no confused-deputy conditions (see ServiceRoleProps.trustConditions).
      trustConditions: [],
      statements,
    });
    const rolePolicy = this.executionRole.policy;

    const asset = healthCheckAsset(this, 'code', props.codePath);
    const environment: Record<(typeof HEALTH_ENV)[HealthEnvKey], string> = {
      [HEALTH_ENV.clusterIdentifier]: props.clusterIdentifier,
      [HEALTH_ENV.globalClusterIdentifier]: props.globalClusterIdentifier,
      [HEALTH_ENV.role]: role,
      [HEALTH_ENV.environment]: props.names.prefix,
      [HEALTH_ENV.metricNamespace]: namespace,
      [HEALTH_ENV.alertTopicArn]: props.alertTopicArn,
      [HEALTH_ENV.stateParameter]: stateParameter.name,
      [HEALTH_ENV.stateKeyArn]: props.keyArn,
      [HEALTH_ENV.callTimeoutMs]: String(callTimeoutMs),
    };
    const fn = new LambdaFunction(this, 'function', {
      provider,
      functionName: names.functionName,
      description: `Checks the ${role} region's Aurora cluster every minute and publishes DatabaseHealth`,
      role: this.executionRole.arn,
      filename: asset.path,
      // Lambda compares this with the uploaded code: a new bundle is a new hash, an unchanged one no update.
      sourceCodeHash: Fn.filebase64sha256(asset.path),
      handler: HEALTH_CHECK_HANDLER,
      runtime: HEALTH_CHECK_RUNTIME,
      architectures: ['arm64'],
      memorySize: props.memorySize ?? 256,
      timeout: timeoutSeconds,
      // One run at a time per region: the state parameter is read and written without races.
      reservedConcurrentExecutions: 1,
      tracingConfig: { mode: 'Active' },
      loggingConfig: { logFormat: 'Text', logGroup: logGroup.name },
      environment: { variables: environment },
      // The log group and permissions exist before the first run (else Lambda makes an unencrypted group).
      dependsOn: [logGroup, rolePolicy],
    });

    new LambdaFunctionEventInvokeConfig(this, 'async', {
      provider,
      functionName: fn.functionName,
      // A missed minute is replaced by the next run; retries would queue behind reserved concurrency 1.
      maximumRetryAttempts: 0,
      maximumEventAgeInSeconds: 60,
      destinationConfig: { onFailure: { destination: failureQueue.arn } },
      // Lambda checks the role may send to the destination when the config is created.
      dependsOn: [rolePolicy],
    });

    new LambdaPermission(this, 'invoke-from-schedule', {
      provider,
      statementId: 'InvokeFromSchedule',
      action: 'lambda:InvokeFunction',
      functionName: fn.functionName,
      principal: 'events.amazonaws.com',
      sourceArn: rule.arn,
    });
    new CloudwatchEventTarget(this, 'target', {
      provider,
      rule: rule.name,
      arn: fn.arn,
      retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 60 },
      deadLetterConfig: { arn: failureQueue.arn },
    });

    const queuePolicy = new DataAwsIamPolicyDocument(this, 'queue-policy-document', {
      provider,
      statement: [
        {
          sid: 'ScheduleDeadLetters',
          principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
          actions: ['sqs:SendMessage'],
          resources: [failureQueue.arn],
          condition: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: [rule.arn] }],
        },
        tlsOnlyStatement({ sid: 'TlsOnly', actions: ['sqs:SendMessage', 'sqs:ReceiveMessage'], resources: [failureQueue.arn] }),
      ],
    });
    new SqsQueuePolicy(this, 'queue-policy', { provider, queueUrl: failureQueue.url, policy: queuePolicy.json });

    this.functionName = fn.functionName;
    this.functionArn = fn.arn;
    this.roleArn = this.executionRole.arn;
    this.logGroupName = logGroup.name;
    this.failureQueueArn = failureQueue.arn;
    this.failureQueueName = failureQueue.name;
    this.stateParameterName = stateParameter.name;
    this.scheduleRuleArn = rule.arn;
  }

  private keyUse(sid: string, keyArn: string, actions: string[], viaService: string): PolicyStatement {
    return { sid, actions, resources: [keyArn], condition: [{ test: 'StringEquals', variable: 'kms:ViaService', values: [viaService] }] };
  }
}
