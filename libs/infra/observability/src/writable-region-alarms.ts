import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmMetricQuery } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AURORA_GLOBAL_PROMOTION_SECONDS, DR_ROLES, type AlertSubscription, type DrRole } from '@txn-dr/config';
import { HEALTH_PATHS, type Names } from '@txn-dr/contracts';
import { CustomerManagedKey } from '@txn-dr/infra-core';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { AlertTopic } from './alert-topic';
import { AWS_METRICS } from './aws-metrics';

/** How the Route 53 checks poll (config `healthCheck`): how fast a status can change. */
export interface WritableCheckTimings {
  /** Seconds between checks. */
  readonly intervalSeconds: number;
  /** Consecutive checks that must fail, or pass, before a check changes status. */
  readonly failureThreshold: number;
}

export interface WritableRegionAlarmsProps {
  /** The environment's deterministic names: the alarms, their topic and its key. */
  readonly names: Names;
  /**
   * Provider for ROUTE53_METRICS_REGION (us-east-1), where Route 53 publishes health-check
   * metrics: the alarms, their topic and its key live there, whichever stack owns them.
   */
  readonly provider: AwsProvider;
  /** AWS region code of each role, as the alarm descriptions name the regions. */
  readonly regions: Readonly<Record<DrRole, string>>;
  /** ID of each region's Route 53 health check on `HEALTH_PATHS.writable` (a Terraform reference or a literal). */
  readonly healthCheckIds: Readonly<Record<DrRole, string>>;
  /** The checks' timings, which say how long a planned switchover leaves no region writable. */
  readonly healthCheck: WritableCheckTimings;
  /** Endpoints subscribed to the topic, one subscription each (config `alerts.subscriptions`). @default [] (none) */
  readonly alertSubscriptions?: readonly AlertSubscription[];
  /**
   * Minutes in a row in which no region was writable at any moment before the alarm fires.
   * @default `plannedSwitchoverGapMinutes(healthCheck) + 1`: a planned switchover never fires it
   */
  readonly noWritableRegionMinutes?: number;
  /** Minutes in a row in which both regions were writable throughout before the split-brain alarm fires. @default 1 */
  readonly bothWritableMinutes?: number;
}

/** The alarms over both regions' writable checks, by what they watch. */
export type WritableRegionAlarm = 'noWritableRegion' | 'bothRegionsWritable';

/**
 * Whole one-minute periods in which a planned switchover leaves no region writable as Route 53
 * sees it. A check changes status after `failureThreshold` consecutive checks pass or fail, in
 * either direction, so the old writer's check turns unhealthy that long after it goes read-only
 * and the new writer's turns healthy that long after its promotion: Route 53 sees a gap of about
 * the promotion, and the flip time is added once more for checks that land unluckily. A gap of g
 * seconds fully covers at most floor(g / 60) periods.
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html (FailureThreshold)
 * The promotion is the RTO budget's figure (AURORA_GLOBAL_PROMOTION_SECONDS): when a switchover
 * report measures a longer write downtime, raise `noWritableRegionMinutes` to match.
 */
export function plannedSwitchoverGapMinutes(healthCheck: WritableCheckTimings): number {
  const flip = healthCheck.intervalSeconds * healthCheck.failureThreshold;
  return Math.floor((AURORA_GLOBAL_PROMOTION_SECONDS + flip) / 60);
}

interface Resolved {
  readonly alertSubscriptions: readonly AlertSubscription[];
  readonly noWritableRegionMinutes: number;
  readonly bothWritableMinutes: number;
}

/** Defaults filled in one place, then every contradiction named; throws at synth. */
function resolveProps(props: WritableRegionAlarmsProps): Resolved {
  const resolved: Resolved = {
    alertSubscriptions: props.alertSubscriptions ?? [],
    noWritableRegionMinutes: props.noWritableRegionMinutes ?? plannedSwitchoverGapMinutes(props.healthCheck) + 1,
    bothWritableMinutes: props.bothWritableMinutes ?? 1,
  };
  const region = props.provider.region;
  const wholeMinutes = (value: number) => Number.isInteger(value) && value >= 1 && value <= 60;
  const rules: [boolean, string][] = [
    [
      region === undefined || Token.isUnresolved(region) || region !== AWS_METRICS.route53.region,
      `provider: Route 53 publishes health-check metrics in ${AWS_METRICS.route53.region} only; pass a provider for ${AWS_METRICS.route53.region} (got ${region ?? 'a provider without a region'})`,
    ],
    [props.healthCheckIds.primary === props.healthCheckIds.secondary, `healthCheckIds: both regions name the same check (${props.healthCheckIds.primary})`],
    [!wholeMinutes(resolved.noWritableRegionMinutes), `noWritableRegionMinutes: ${resolved.noWritableRegionMinutes} must be a whole number of minutes from 1 to 60`],
    [!wholeMinutes(resolved.bothWritableMinutes), `bothWritableMinutes: ${resolved.bothWritableMinutes} must be a whole number of minutes from 1 to 60`],
  ];
  const problems = rules.filter(([broken]) => broken).map(([, message]) => message);
  if (problems.length > 0) throw new Error(`WritableRegionAlarms: ${problems.join('; ')}`);
  return resolved;
}

/**
 * The alarms that mean something once each region's Route 53 check asks `HEALTH_PATHS.writable`:
 * that check answers healthy only where the database is the global writer, so the standby's check
 * is unhealthy by design, and after every switchover the other one is. An alarm on one region's
 * check therefore sits in ALARM or fires at each switchover; these read both checks together.
 *
 * - **no writable region**: the number of regions whose check was healthy at some moment of the
 *   minute is 0 for `noWritableRegionMinutes` minutes. Nothing takes writes. Missing data is a
 *   breach: Route 53 reports each check's status minute by minute, and for a metric that reports
 *   continually, AWS advises treating a gap as a problem.
 *   https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
 * - **two writable regions**: both checks healthy for the whole minute. Two databases accept
 *   writes and each answers as the writer: a failover whose old writer was not fenced.
 *
 * The count is a sum rather than MAX or MIN of the two: the metric-math page advises against MAX
 * and MIN in alarms (they act differently on the extra data an alarm fetches), and arithmetic
 * treats a point missing from one series as 0 where the other has one.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
 *
 * Route 53 health-check metrics exist in us-east-1 only ("Route 53 metrics are not available if
 * you select any other region"), and an alarm notifies topics of its own region, so the alarms,
 * an encrypted topic and its key are all made through a us-east-1 provider.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html
 */
export class WritableRegionAlarms extends Construct {
  readonly topicArn: string;
  readonly topicName: string;
  readonly keyArn: string;
  /** Name of each alarm, by what it watches. */
  readonly alarmNames: Readonly<Record<WritableRegionAlarm, string>>;
  /** Minutes with no writable region before the alarm fires, as resolved. */
  readonly noWritableRegionMinutes: number;

  constructor(scope: Construct, id: string, props: WritableRegionAlarmsProps) {
    super(scope, id);
    const resolved = resolveProps(props);
    const { names, provider } = props;
    const topicName = `${names.prefix}-writable-region-alerts`;

    const key = new CustomerManagedKey(this, 'key', {
      provider,
      alias: topicName,
      description: `Alerts on the writable Route 53 checks of both regions of ${names.prefix}`,
      // Alarms publish to the encrypted topic themselves.
      serviceGrants: [{ service: 'cloudwatch.amazonaws.com', actions: ['kms:Decrypt', 'kms:GenerateDataKey*'] }],
    });
    const topic = new AlertTopic(this, 'alerts', {
      provider,
      name: topicName,
      keyArn: key.arn,
      subscriptions: resolved.alertSubscriptions,
    });

    const regions = DR_ROLES.map((role) => `${props.regions[role]} (${role})`).join(' and ');
    // One status series per region; `stat` decides what a minute counts as writable.
    const statuses = (stat: 'Maximum' | 'Minimum'): CloudwatchMetricAlarmMetricQuery[] =>
      DR_ROLES.map((role) => ({
        id: role,
        metric: {
          namespace: AWS_METRICS.route53.namespace,
          metricName: AWS_METRICS.route53.healthCheckStatus,
          dimensions: { [AWS_METRICS.route53.healthCheckDimension]: props.healthCheckIds[role] },
          stat,
          period: 60,
        },
        returnData: false,
      }));
    const count = (label: string): CloudwatchMetricAlarmMetricQuery => ({ id: 'writable', expression: DR_ROLES.join(' + '), label, returnData: true });

    const noneName = `${names.prefix}-no-writable-region`;
    new CloudwatchMetricAlarm(this, 'no-writable-region', {
      provider,
      alarmName: noneName,
      alarmDescription:
        `No region takes writes: the Route 53 checks of ${HEALTH_PATHS.writable} in ${regions} were all unhealthy for ${resolved.noWritableRegionMinutes} minutes running ` +
        `(longer than a planned switchover leaves them). Route 53 reports the checks every minute, so no data is a breach.`,
      metricQuery: [...statuses('Maximum'), count('Regions writable at some moment of the minute')],
      evaluationPeriods: resolved.noWritableRegionMinutes,
      datapointsToAlarm: resolved.noWritableRegionMinutes,
      threshold: 1,
      comparisonOperator: 'LessThanThreshold',
      treatMissingData: 'breaching',
      alarmActions: [topic.topicArn],
      okActions: [topic.topicArn],
    });

    const bothName = `${names.prefix}-two-writable-regions`;
    new CloudwatchMetricAlarm(this, 'two-writable-regions', {
      provider,
      alarmName: bothName,
      alarmDescription:
        `Two writers: the Route 53 checks of ${HEALTH_PATHS.writable} in ${regions} were both healthy for ${resolved.bothWritableMinutes} whole minute(s). ` +
        'Both databases accept writes; fence the old writer (the one that is not the global cluster’s writer).',
      metricQuery: [...statuses('Minimum'), count('Regions writable for the whole minute')],
      evaluationPeriods: resolved.bothWritableMinutes,
      datapointsToAlarm: resolved.bothWritableMinutes,
      threshold: DR_ROLES.length,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: [topic.topicArn],
      okActions: [topic.topicArn],
    });

    this.topicArn = topic.topicArn;
    this.topicName = topic.topicName;
    this.keyArn = key.arn;
    this.alarmNames = { noWritableRegion: noneName, bothRegionsWritable: bothName };
    this.noWritableRegionMinutes = resolved.noWritableRegionMinutes;
  }
}
