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
  readonly zoneId: string;
  /** The region's load balancer. */
  readonly target: { readonly dnsName: string; readonly zoneId: string; readonly port: number; readonly protocol: 'HTTP' | 'HTTPS' };
  /** Path the health check asks. */
  readonly healthPath: string;
}

/**
 * A region's share of the service name: its weighted alias record to its ALB (evaluating target
 * health) and its Route 53 health check on the ALB's health endpoint (interval and threshold from
 * config). Each regional stack owns these, so rolling one region out never touches the other's
 * record. The alarm on the check is the observability layer's, with the region's other alarms.
 */
export class RegionalRecord extends Construct {
  readonly healthCheck: Route53HealthCheck;
  readonly record: Route53Record;

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
  }
}
