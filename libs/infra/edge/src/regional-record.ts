import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53HealthCheck } from '@cdktf/provider-aws/lib/route53-health-check';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import type { DrRole, Environment } from '@txn-dr/config';
import { Names } from '@txn-dr/contracts';
import { Construct } from 'constructs';
import { recordWeight } from './weights';

export interface RegionalRecordProps {
  readonly env: Environment;
  readonly role: DrRole;
  /** Any provider of the stack: Route 53 is a global service. */
  readonly provider: AwsProvider;
  /** A provider in us-east-1, where Route 53 publishes health-check metrics (for the alarm). */
  readonly metricsProvider: AwsProvider;
  readonly zoneId: string;
  /** The region's load balancer. */
  readonly target: { readonly dnsName: string; readonly zoneId: string; readonly port: number; readonly protocol: 'HTTP' | 'HTTPS' };
  /** Path the health check asks. */
  readonly healthPath: string;
  /** Topic in us-east-1 the alarm notifies. */
  readonly alarmTopicArn: string;
}

/**
 * A region's share of the service name: its weighted alias record to its ALB (evaluating target
 * health), its Route 53 health check on the ALB's health endpoint (interval and threshold from
 * config), and an alarm when that check fails. Each regional stack owns these, so rolling one
 * region out never touches the other's record.
 */
export class RegionalRecord extends Construct {
  readonly healthCheck: Route53HealthCheck;
  readonly record: Route53Record;
  readonly alarm: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: RegionalRecordProps) {
    super(scope, id);
    const { env, role, provider, target } = props;
    const names = new Names(env);

    this.healthCheck = new Route53HealthCheck(this, 'health-check', {
      provider,
      type: target.protocol,
      fqdn: target.dnsName,
      port: target.port,
      resourcePath: props.healthPath,
      requestInterval: env.healthCheck.intervalSeconds,
      failureThreshold: env.healthCheck.failureThreshold,
      measureLatency: true,
      tags: { Name: names.regional(role, 'health') },
    });

    this.record = new Route53Record(this, 'record', {
      provider,
      zoneId: props.zoneId,
      name: names.serviceFqdn(),
      type: 'A',
      setIdentifier: names.recordSetIdentifier(role),
      weightedRoutingPolicy: { weight: recordWeight(env, role) },
      healthCheckId: this.healthCheck.id,
      alias: { name: target.dnsName, zoneId: target.zoneId, evaluateTargetHealth: true },
    });

    this.alarm = new CloudwatchMetricAlarm(this, 'alarm', {
      provider: props.metricsProvider,
      alarmName: names.regional(role, 'dns-health'),
      alarmDescription: `Route 53 health check of the ${role} region (${target.dnsName}${props.healthPath}) is failing`,
      namespace: 'AWS/Route53',
      metricName: 'HealthCheckStatus',
      dimensions: { HealthCheckId: this.healthCheck.id },
      statistic: 'Minimum',
      period: 60,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: 'LessThanThreshold',
      // No data means Route 53 cannot see the endpoint at all: as bad as a failed check.
      treatMissingData: 'breaching',
      alarmActions: [props.alarmTopicArn],
      okActions: [props.alarmTopicArn],
    });
  }
}
