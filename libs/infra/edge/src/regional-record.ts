import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route53HealthCheck } from '@cdktf/provider-aws/lib/route53-health-check';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import type { DrRole } from '@txn-dr/config';
import { HEALTH_PATHS, type Names } from '@txn-dr/contracts';
import { Construct } from 'constructs';
import { recordWeight } from './weights';

/** How a Route 53 health check polls, and how many results in a row change its status. */
export interface HealthCheckTimings {
  /** Seconds between checks: 10 or 30, the only Route 53 request intervals, fixed at creation. */
  readonly intervalSeconds: 10 | 30;
  /** Consecutive checks that must fail, or pass, before the status changes (1-10). */
  readonly failureThreshold: number;
}

export interface RegionalRecordProps {
  /** The environment's deterministic names: the service name, the region's own name, the check's tag. */
  readonly names: Names;
  /** The region whose record this is. */
  readonly role: DrRole;
  /** Any provider of the stack: Route 53 is a global service. */
  readonly provider: AwsProvider;
  readonly zoneId: string;
  /**
   * Whether this region is the one config names active (`activeRegion`): its record weighs
   * ACTIVE_WEIGHT, the other STANDBY_WEIGHT. The weights are a fixed preference; the health
   * checks alone move traffic in a failover.
   */
  readonly active: boolean;
  /**
   * The check's timings (config `healthCheck`). No default: the RTO budget and the
   * writable-region alarms count on the same figures.
   */
  readonly healthCheck: HealthCheckTimings;
  /**
   * The region's load balancer and the port and protocol its clients use. Over HTTPS the health
   * check asks the region's own name (`<role>.<recordName>.<zoneName>`, on its certificate) and
   * sends it as SNI; over HTTP it asks the load balancer's DNS name.
   */
  readonly target: { readonly dnsName: string; readonly zoneId: string; readonly port: number; readonly protocol: 'HTTP' | 'HTTPS' };
  /**
   * Path the Route 53 health check asks through the load balancer. It must answer 200 only where
   * the service may take writes: a failover changes no weight, so this check alone moves traffic.
   * @default HEALTH_PATHS.writable
   */
  readonly healthPath?: string;
}

/**
 * A region's share of the service name: its weighted alias record to its ALB and its Route 53
 * health check on the service's writable endpoint (interval and threshold from config), which alone
 * decides whether the record is healthy. The weights are a fixed preference (active 100, standby
 * 0); Route 53 answers a weight-0 record only when every non-zero one is unhealthy, so traffic
 * moves to the standby when the active region stops being writable and the standby becomes so,
 * with no record change: health checks and DNS answers are Route 53's data plane, changing a
 * record is its control plane.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-how-route-53-chooses-records.html
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/disaster-recovery-resiliency.html
 * Beside it, the region's own name (`<role>.<recordName>.<zoneName>`), a simple alias to the same
 * ALB, which the health check asks over HTTPS and operators can use to reach one region.
 * Each regional stack owns these, so rolling one region out never touches the other's record. The
 * check is unhealthy in the standby by design, so no alarm reads it alone: the observability
 * layer's `WritableRegionAlarms` reads both regions' checks together.
 */
export class RegionalRecord extends Construct {
  readonly healthCheck: Route53HealthCheck;
  /** The weighted record of the service name. */
  readonly record: Route53Record;
  /** The region's own name, a simple alias to its load balancer. */
  readonly regionalRecord: Route53Record;

  constructor(scope: Construct, id: string, props: RegionalRecordProps) {
    super(scope, id);
    const { names, role, provider, target } = props;
    const alias = { name: target.dnsName, zoneId: target.zoneId, evaluateTargetHealth: false };

    this.regionalRecord = new Route53Record(this, 'regional-record', {
      provider,
      zoneId: props.zoneId,
      name: names.regionalServiceFqdn(role),
      type: 'A',
      alias,
    });

    // Over HTTPS the check must present a name on the region's certificate: the service name would
    // resolve through the weighted records this check guards, which the API reference warns makes
    // the results "unpredictable" (and could reach the other region), so it asks the region's own
    // name. SNI sends that name in the client_hello, so the load balancer answers with the
    // certificate that holds it; Route 53 needs TLS 1.0-1.2 there, which the listener's policy keeps.
    // https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
    const https = target.protocol === 'HTTPS';
    this.healthCheck = new Route53HealthCheck(this, 'health-check', {
      provider,
      type: target.protocol,
      fqdn: https ? names.regionalServiceFqdn(role) : target.dnsName,
      // Resolving the name it asks needs that record: create it first.
      ...(https ? { enableSni: true, dependsOn: [this.regionalRecord] } : {}),
      port: target.port,
      resourcePath: props.healthPath ?? HEALTH_PATHS.writable,
      requestInterval: props.healthCheck.intervalSeconds,
      failureThreshold: props.healthCheck.failureThreshold,
      measureLatency: true,
      tags: { Name: names.regional(role, 'health') },
      // The request interval cannot change after creation, so changing it replaces the check.
      // Deleting first would leave the record naming a deleted check, whose status Route 53 then
      // cannot predict: create the new one and move the record to it before the old one goes.
      // https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/route53/aws.sdk.kotlin.services.route53.model/-health-check-config/request-interval.html
      // https://docs.aws.amazon.com/goto/WebAPI/route53-2013-04-01/DeleteHealthCheck
      lifecycle: { createBeforeDestroy: true },
    });

    // The health check alone, evaluate_target_health off. With both on an alias record, "both must
    // evaluate to true", and for an ALB target the second means "every target group that contains
    // targets must contain at least one healthy target".
    // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-weighted-alias.html
    // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-complex-configs.html#dns-failover-complex-configs-hc-alias
    // That second signal only counts again what the check already says: the check asks
    // HEALTH_PATHS.writable through this ALB, and an instance answers 200 there only if it passes
    // HEALTH_PATHS.target (what the target group asks) as well. A region whose targets are all
    // down fails the check too: the ALB answers 5xx, or fails open to instances that cannot answer.
    // In steady state the extra signal would be harmless (the standby's record is already unhealthy,
    // its database not being the writer), but in a failover it is a second gate on the way back:
    // "your database is unavailable for a short time while this cluster is assuming its new role",
    // so the standby's targets can turn unhealthy on /health just as it becomes the writer, and its record
    // would then also wait for healthy_threshold x interval of passing target checks, not only for
    // the writable check's failure_threshold x request_interval that the RTO budget
    // (libs/config rto.ts, "routing") counts.
    // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
    this.record = new Route53Record(this, 'record', {
      provider,
      zoneId: props.zoneId,
      name: names.serviceFqdn(),
      type: 'A',
      setIdentifier: names.recordSetIdentifier(role),
      weightedRoutingPolicy: { weight: recordWeight(props.active) },
      healthCheckId: this.healthCheck.id,
      alias,
    });
  }
}
