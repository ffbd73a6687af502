import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmConfig } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { AlertSubscription, DrRole } from '@txn-dr/config';
import { HEALTH_METRICS, healthDimensions, healthMetricNamespace, type Names } from '@txn-dr/contracts';
import { CustomerManagedKey, awsContext } from '@txn-dr/infra-core';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { AlertTopic } from './alert-topic';
import { AWS_METRICS, rpoLagQuery } from './aws-metrics';
import { HealthCheckFunction, healthCheckNames } from './health-check-function';

export interface RegionalObservabilityProps {
  /** The environment's deterministic names: the key, the topic, the function and every alarm. */
  readonly names: Names;
  /** Environment name (ENVIRONMENT_SUFFIX): the `<env>` of the health check's state parameter path. */
  readonly environmentName: string;
  /** The region this instance watches. */
  readonly role: DrRole;
  /** Provider of the role's region. */
  readonly provider: AwsProvider;
  /** AWS region code of the role's region: the provider must be for it. */
  readonly region: string;
  /** The recovery point objective in seconds (config `objectives.rpoSeconds`): the lag alarm speaks before it is broken. */
  readonly rpoSeconds: number;
  /** Days the health check's log group keeps its events: one of CloudWatch Logs' retention periods (config `logs.retentionDays`). */
  readonly logRetentionDays: number;
  /** Identifier of this region's Aurora cluster (a Terraform reference or a name). */
  readonly clusterIdentifier: string;
  /** Identifier of the Aurora global cluster. @default `Names.globalCluster()` */
  readonly globalClusterIdentifier?: string;
  /** ARN suffix of this region's ALB (`app/<name>/<id>`), the `LoadBalancer` dimension. */
  readonly loadBalancerArnSuffix: string;
  /** ARN suffix of the service's target group (`targetgroup/<name>/<id>`), the `TargetGroup` dimension. */
  readonly targetGroupArnSuffix: string;
  /** Endpoints subscribed to the region's alert topic, one subscription each (config `alerts.subscriptions`). @default [] (none) */
  readonly alertSubscriptions?: readonly AlertSubscription[];
  /** Replication lag that raises the RPO alarm, at most the RPO. @default `rpoSeconds` */
  readonly replicationLagThresholdSeconds?: number;
  /** ALB 5xx responses (load balancer plus targets) per minute that raise the 5xx alarm. @default 10 */
  readonly server5xxPerMinute?: number;
  /** Path of the health-check zip. @default where `nx run health-check:build` writes it */
  readonly healthCheckCodePath?: string;
  /** Time limit of each AWS call of the health check. @default 5000 */
  readonly callTimeoutMs?: number;
}

/** The alarms of one region, by what they watch. */
export type RegionalAlarm =
  | 'replicationLag'
  | 'databaseHealth'
  | 'unhealthyHosts'
  | 'noHealthyHosts'
  | 'server5xx'
  | 'healthCheckErrors'
  | 'healthCheckFailedRuns';

const DEFAULT_5XX_PER_MINUTE = 10;

interface Resolved {
  readonly globalClusterIdentifier: string;
  readonly alertSubscriptions: readonly AlertSubscription[];
  readonly replicationLagThresholdSeconds: number;
  readonly server5xxPerMinute: number;
  readonly callTimeoutMs: number;
}

/** Defaults filled in one place, then every contradiction named; throws at synth. */
function resolveProps(props: RegionalObservabilityProps): Resolved {
  const { role, provider, region, rpoSeconds } = props;
  const resolved: Resolved = {
    globalClusterIdentifier: props.globalClusterIdentifier ?? props.names.globalCluster(),
    alertSubscriptions: props.alertSubscriptions ?? [],
    replicationLagThresholdSeconds: props.replicationLagThresholdSeconds ?? rpoSeconds,
    server5xxPerMinute: props.server5xxPerMinute ?? DEFAULT_5XX_PER_MINUTE,
    callTimeoutMs: props.callTimeoutMs ?? 5_000,
  };
  const rules: [boolean, string][] = [
    [literal(provider.region) !== undefined && provider.region !== region, `provider: is for ${provider.region}, but the ${role} region is ${region}`],
    [
      !(resolved.replicationLagThresholdSeconds > 0 && resolved.replicationLagThresholdSeconds <= rpoSeconds),
      `replicationLagThresholdSeconds: ${resolved.replicationLagThresholdSeconds} must be above 0 and at most the RPO (rpoSeconds ${rpoSeconds}): a later alarm breaks the promise before it speaks`,
    ],
    [!(Number.isInteger(resolved.server5xxPerMinute) && resolved.server5xxPerMinute >= 1), `server5xxPerMinute: ${resolved.server5xxPerMinute} must be a whole number of at least 1`],
    [
      !(Number.isInteger(resolved.callTimeoutMs) && resolved.callTimeoutMs >= 100 && resolved.callTimeoutMs <= 60_000),
      `callTimeoutMs: ${resolved.callTimeoutMs} must be a whole number of milliseconds between 100 and 60000`,
    ],
  ];
  const problems = rules.filter(([broken]) => broken).map(([, message]) => message);
  if (problems.length > 0) throw new Error(`RegionalObservability (${role}): ${problems.join('; ')}`);
  return resolved;
}

/** A provider's region when it is a literal, undefined when it is unknown until apply. */
function literal(region: string | undefined): string | undefined {
  return region !== undefined && !Token.isUnresolved(region) ? region : undefined;
}

/**
 * Observability of one region: a KMS key, the alert topic and its subscriptions, the
 * scheduled health-check Lambda, and the alarms that page through the topic. The same construct
 * for both regions, given each region's values.
 *
 * No alarm here reads the region's Route 53 health check: it asks `HEALTH_PATHS.writable`, which
 * only the global writer's region passes, so on its own it is unhealthy in the standby by design.
 * Both regions' checks are alarmed together by `WritableRegionAlarms`; what stays per region is
 * the serving side (target health, database health, 5xx, the function itself).
 */
export class RegionalObservability extends Construct {
  /** The region's alert topic: the health check and every alarm of this region notify it. */
  readonly topicArn: string;
  readonly topicName: string;
  readonly functionName: string;
  readonly functionArn: string;
  readonly logGroupName: string;
  /** Where failed runs land (async on-failure destination and the schedule's dead letters). */
  readonly failureQueueArn: string;
  /** Key of the topic, log group, failure queue and state parameter. */
  readonly keyArn: string;
  readonly stateParameterName: string;
  /** Namespace of the health metrics. */
  readonly metricNamespace: string;
  /** Name of every alarm, by what it watches. */
  readonly alarmNames: Readonly<Record<RegionalAlarm, string>>;
  /** The function itself, for checks of its policy. */
  readonly healthCheck: HealthCheckFunction;

  constructor(scope: Construct, id: string, props: RegionalObservabilityProps) {
    super(scope, id);
    const resolved = resolveProps(props);
    const { names, role, provider, region } = props;
    const resourceNames = healthCheckNames(names, props.environmentName, role);
    const { accountId, partition } = awsContext(this, provider);

    const key = new CustomerManagedKey(this, 'key', {
      provider,
      alias: names.regional(role, 'observability'),
      description: `Alerts, health-check logs, failed runs and state of the ${role} region`,
      serviceGrants: [
        {
          // CloudWatch Logs names the log group in the encryption context: this one only.
          service: `logs.${region}.amazonaws.com`,
          conditions: [
            {
              test: 'ArnEquals',
              variable: 'kms:EncryptionContext:aws:logs:arn',
              values: [`arn:${partition}:logs:${region}:${accountId}:log-group:${resourceNames.logGroupName}`],
            },
          ],
        },
        // Alarms publish to the encrypted topic themselves.
        { service: 'cloudwatch.amazonaws.com', actions: ['kms:Decrypt', 'kms:GenerateDataKey*'] },
        {
          // The schedule's dead letters go to the encrypted failure queue.
          service: 'events.amazonaws.com',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          conditions: [
            { test: 'ArnEquals', variable: 'aws:SourceArn', values: [`arn:${partition}:events:${region}:${accountId}:rule/${resourceNames.scheduleRuleName}`] },
          ],
        },
      ],
    });

    const topic = new AlertTopic(this, 'alerts', {
      provider,
      name: names.alertTopic(role),
      keyArn: key.arn,
      subscriptions: resolved.alertSubscriptions,
    });

    this.healthCheck = new HealthCheckFunction(this, 'health-check', {
      names,
      environmentName: props.environmentName,
      role,
      provider,
      region,
      logRetentionDays: props.logRetentionDays,
      clusterIdentifier: props.clusterIdentifier,
      globalClusterIdentifier: resolved.globalClusterIdentifier,
      alertTopicArn: topic.topicArn,
      keyArn: key.arn,
      callTimeoutMs: resolved.callTimeoutMs,
      ...(props.healthCheckCodePath ? { codePath: props.healthCheckCodePath } : {}),
    });

    const where = `${region} (${role})`;
    const alarm = (what: RegionalAlarm, suffix: string, config: Omit<CloudwatchMetricAlarmConfig, 'alarmName' | 'provider'>) => {
      const alarmName = names.regional(role, suffix);
      new CloudwatchMetricAlarm(this, `alarm-${suffix}`, {
        provider,
        alarmName,
        alarmActions: [topic.topicArn],
        okActions: [topic.topicArn],
        ...config,
      });
      return [what, alarmName] as const;
    };
    const alb = { [AWS_METRICS.alb.loadBalancerDimension]: props.loadBalancerArnSuffix };
    const targets = { ...alb, [AWS_METRICS.alb.targetGroupDimension]: props.targetGroupArnSuffix };

    this.alarmNames = Object.fromEntries([
      // The RPO is the lag of the secondary cluster, and Aurora publishes it only there: the
      // metric lives "only in secondary AWS Regions", per secondary cluster, in milliseconds.
      // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
      // So every region alarms on its own cluster, in its own region, through its own provider: the
      // secondary's alarm reads the lag, and the primary's, on a writer that publishes nothing,
      // stays OK (no data is not a breach). A switchover or failover swaps the roles ("some
      // CloudWatch metrics, such as replication lag, are only available for secondary Regions.
      // Thus, a switchover changes how to view those metrics and set alarms on them"): the old
      // writer, now a secondary, publishes its lag in its own region, where its alarm already
      // waits, and the new writer's alarm goes quiet. Nothing to re-create at a switchover.
      // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
      alarm('replicationLag', 'replication-lag', {
        alarmDescription: `RPO at risk: Aurora global replication lag (${AWS_METRICS.aurora.rpoLag}) of ${where} over ${resolved.replicationLagThresholdSeconds} s. Published only while this cluster is a secondary, so no data is not a breach.`,
        metricQuery: [
          {
            id: 'lag',
            expression: rpoLagQuery(props.clusterIdentifier),
            period: 60,
            label: `${AWS_METRICS.aurora.rpoLag} of ${props.clusterIdentifier} (ms)`,
            returnData: true,
          },
        ],
        evaluationPeriods: 1,
        // The metric is in milliseconds, the objective in seconds.
        threshold: resolved.replicationLagThresholdSeconds * 1000,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
      }),
      alarm('databaseHealth', 'database-health', {
        alarmDescription: `Database of ${where} unhealthy for two checks, or the health check stopped reporting (no data is a breach).`,
        namespace: healthMetricNamespace(names.prefix),
        metricName: HEALTH_METRICS.databaseHealth,
        dimensions: healthDimensions(role, region),
        statistic: 'Minimum',
        period: 60,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        threshold: 1,
        comparisonOperator: 'LessThanThreshold',
        treatMissingData: 'breaching',
      }),
      alarm('unhealthyHosts', 'alb-unhealthy-hosts', {
        alarmDescription: `Unhealthy targets behind the ALB of ${where} for two minutes.`,
        namespace: AWS_METRICS.alb.namespace,
        metricName: AWS_METRICS.alb.unhealthyHosts,
        dimensions: targets,
        statistic: 'Maximum',
        period: 60,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
      }),
      alarm('noHealthyHosts', 'alb-no-healthy-hosts', {
        alarmDescription: `No healthy target behind the ALB of ${where} (an empty group has no unhealthy hosts either).`,
        namespace: AWS_METRICS.alb.namespace,
        metricName: AWS_METRICS.alb.healthyHosts,
        dimensions: targets,
        statistic: 'Minimum',
        period: 60,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        threshold: 1,
        comparisonOperator: 'LessThanThreshold',
        treatMissingData: 'breaching',
      }),
      alarm('server5xx', 'alb-5xx', {
        alarmDescription: `Over ${resolved.server5xxPerMinute} 5xx responses a minute (load balancer plus targets) at the ALB of ${where}, two minutes running.`,
        metricQuery: [
          {
            id: 'elb',
            metric: { namespace: AWS_METRICS.alb.namespace, metricName: AWS_METRICS.alb.elb5xx, dimensions: alb, stat: 'Sum', period: 60 },
            returnData: false,
          },
          {
            id: 'target',
            metric: { namespace: AWS_METRICS.alb.namespace, metricName: AWS_METRICS.alb.target5xx, dimensions: alb, stat: 'Sum', period: 60 },
            returnData: false,
          },
          // Both counts are absent while there are no errors, not zero.
          { id: 'total', expression: 'FILL(elb, 0) + FILL(target, 0)', label: '5xx responses', returnData: true },
        ],
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        threshold: resolved.server5xxPerMinute,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
      }),
      alarm('healthCheckErrors', 'health-check-errors', {
        alarmDescription: `The health-check function of ${where} failed (it never throws on its own: this is a crash or a timeout).`,
        namespace: AWS_METRICS.lambda.namespace,
        metricName: AWS_METRICS.lambda.errors,
        dimensions: { [AWS_METRICS.lambda.functionDimension]: this.healthCheck.functionName },
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
      }),
      alarm('healthCheckFailedRuns', 'health-check-failed-runs', {
        alarmDescription: `Runs of the health check of ${where} that failed or were never delivered are waiting in ${resourceNames.failureQueueName}.`,
        namespace: AWS_METRICS.sqs.namespace,
        metricName: AWS_METRICS.sqs.visibleMessages,
        dimensions: { [AWS_METRICS.sqs.queueDimension]: this.healthCheck.failureQueueName },
        statistic: 'Maximum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
      }),
    ]) as Record<RegionalAlarm, string>;

    this.topicArn = topic.topicArn;
    this.topicName = topic.topicName;
    this.functionName = this.healthCheck.functionName;
    this.functionArn = this.healthCheck.functionArn;
    this.logGroupName = this.healthCheck.logGroupName;
    this.failureQueueArn = this.healthCheck.failureQueueArn;
    this.keyArn = key.arn;
    this.stateParameterName = this.healthCheck.stateParameterName;
    this.metricNamespace = healthMetricNamespace(names.prefix);
  }
}
