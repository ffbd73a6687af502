import { DataAwsElbServiceAccount } from '@cdktf/provider-aws/lib/data-aws-elb-service-account';
import { Lb } from '@cdktf/provider-aws/lib/lb';
import { LbListener } from '@cdktf/provider-aws/lib/lb-listener';
import { LbTargetGroup } from '@cdktf/provider-aws/lib/lb-target-group';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { type DrRole, TARGET_DEREGISTRATION_DELAY_SECONDS, acmCertificateRegion } from '@txn-dr/config';
import { HEALTH_PATHS, type Names } from '@txn-dr/contracts';
import { awsContext, suppress } from '@txn-dr/infra-core';
import { SecureBucket } from '@txn-dr/infra-storage';
import { Token } from 'cdktf';
import { Construct } from 'constructs';

/**
 * TLS 1.3 with a TLS 1.2 fallback restricted to AEAD ciphers, and hybrid post-quantum key exchange
 * for clients that offer it: the policy AWS recommends for HTTPS listeners, and the console's
 * default (other clients get ELBSecurityPolicy-2016-08 unless they name one, hence naming it).
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
 * TLS 1.2 must stay: Route 53 health checks over HTTPS need the endpoint to speak TLS 1.0, 1.1 or 1.2.
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
 */
export const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09';
const LOG_PREFIX = 'alb';

/**
 * How the target group checks each instance. Application Load Balancers take an interval of 5 to
 * 300 s, a timeout of 2 to 120 s and thresholds of 2 to 10
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html),
 * and refuse a timeout that is not shorter than the interval, with the ValidationError "Health check
 * interval must be greater than the timeout" (https://github.com/hashicorp/terraform-provider-aws/pull/48071).
 */
export interface TargetHealthCheck {
  /** Seconds between checks of one target. */
  readonly intervalSeconds: number;
  /** Seconds without an answer that fail a check: shorter than the interval. */
  readonly timeoutSeconds: number;
  /** Checks passed in a row that make an unhealthy target healthy. */
  readonly healthyThreshold: number;
  /** Checks failed in a row that make a healthy target unhealthy. */
  readonly unhealthyThreshold: number;
}

export interface ServiceLoadBalancerProps {
  /** The environment's deterministic names: the load balancer, its target group and log bucket. */
  readonly names: Names;
  /** The region this load balancer serves. */
  readonly role: DrRole;
  /** Provider of the role's region. */
  readonly provider: AwsProvider;
  /** The VPC of the target group. */
  readonly vpcId: string;
  /** Public subnets, one per AZ. */
  readonly subnetIds: string[];
  /** The load balancer's security group. */
  readonly securityGroupId: string;
  /** Port the service listens on, where the target group sends requests and checks (config `compute.appPort`). */
  readonly appPort: number;
  /**
   * The target group's health check (config `compute.targetHealth`). No default: the RTO budget
   * counts the same figures.
   */
  readonly targetHealth: TargetHealthCheck;
  /** Days the access-log bucket keeps its objects (config `logs.retentionDays`). */
  readonly logRetentionDays: number;
  /** Whether the load balancer refuses deletion (config `loadBalancer.deletionProtection`). @default true */
  readonly deletionProtection?: boolean;
  /**
   * The certificate of the HTTPS listener, an ACM certificate in this region (ACM certificates are
   * regional: https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html). With one, port 443
   * serves and port 80 only redirects to it; without, port 80 serves plain HTTP.
   * @default undefined (HTTP only)
   */
  readonly certificateArn?: string;
}

interface Resolved {
  readonly deletionProtection: boolean;
}

/** A whole number from `min` to `max`. */
const within = (value: number, min: number, max: number) => Number.isInteger(value) && value >= min && value <= max;

/** Defaults filled in one place, then every contradiction named; throws at synth. */
function resolveProps(props: ServiceLoadBalancerProps): Resolved {
  const resolved: Resolved = { deletionProtection: props.deletionProtection ?? true };
  const { targetHealth: health, certificateArn } = props;
  const providerRegion = props.provider.region !== undefined && !Token.isUnresolved(props.provider.region) ? props.provider.region : undefined;
  const certificateRegion = certificateArn !== undefined ? acmCertificateRegion(certificateArn) : undefined;
  const rules: [boolean, string][] = [
    [
      certificateRegion !== undefined && providerRegion !== undefined && certificateRegion !== providerRegion,
      `certificateArn: is in ${certificateRegion}, but the provider is for ${providerRegion}; a load balancer can use only a certificate of its own region`,
    ],
    [!within(props.appPort, 1, 65535), `appPort: ${props.appPort} is not a port from 1 to 65535`],
    [!within(health.intervalSeconds, 5, 300), `targetHealth.intervalSeconds: ${health.intervalSeconds} is not a whole number of seconds from 5 to 300`],
    [!within(health.timeoutSeconds, 2, 120), `targetHealth.timeoutSeconds: ${health.timeoutSeconds} is not a whole number of seconds from 2 to 120`],
    [
      health.timeoutSeconds >= health.intervalSeconds,
      `targetHealth.timeoutSeconds: ${health.timeoutSeconds} s is not shorter than targetHealth.intervalSeconds ${health.intervalSeconds} s`,
    ],
    [!within(health.healthyThreshold, 2, 10), `targetHealth.healthyThreshold: ${health.healthyThreshold} is not a whole number from 2 to 10`],
    [!within(health.unhealthyThreshold, 2, 10), `targetHealth.unhealthyThreshold: ${health.unhealthyThreshold} is not a whole number from 2 to 10`],
  ];
  const problems = rules.filter(([broken]) => broken).map(([, message]) => message);
  if (problems.length > 0) throw new Error(`ServiceLoadBalancer (${props.role}): ${problems.join('; ')}`);
  return resolved;
}

/**
 * The internet-facing ALB of a region: HTTPS on 443 with port 80 only redirecting to it (301), or
 * plain HTTP when given no certificate; invalid header fields dropped; access logs to a bucket of its own; a target group
 * on the service port checking `HEALTH_PATHS.target` (`/health`) with the thresholds it is given.
 */
export class ServiceLoadBalancer extends Construct {
  readonly loadBalancer: Lb;
  readonly targetGroup: LbTargetGroup;
  readonly logBucket: SecureBucket;
  /** The port and protocol clients (and Route 53) use. */
  readonly endpoint: { readonly port: number; readonly protocol: 'HTTP' | 'HTTPS' };

  constructor(scope: Construct, id: string, props: ServiceLoadBalancerProps) {
    super(scope, id);
    const resolved = resolveProps(props);
    const { names, role, provider } = props;
    const { accountId } = awsContext(this, provider);
    const elb = new DataAwsElbServiceAccount(this, 'elb-account', { provider });

    this.logBucket = new SecureBucket(this, 'logs', {
      provider,
      name: `${names.regional(role, 'alb-logs')}-${accountId}`,
      // ALB access logs can only be written to buckets with S3-managed encryption.
      // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
      expireAfterDays: props.logRetentionDays,
      policyStatements: (bucketArn) => [
        {
          sid: 'LoadBalancerWritesAccessLogs',
          effect: 'Allow',
          // us-east-1 and us-east-2 predate the log-delivery service principal: logs come from ELB's own account.
          principals: [{ type: 'AWS', identifiers: [elb.arn] }],
          actions: ['s3:PutObject'],
          resources: [`${bucketArn}/${LOG_PREFIX}/AWSLogs/${accountId}/*`],
        },
      ],
    });
    suppress(this.logBucket.bucket, [
      { id: 's3-sse-kms', reason: 'ELB access-log delivery supports only SSE-S3 (AES256) on the destination bucket, not SSE-KMS' },
      {
        id: 's3-replication',
        reason: "Access logs of this region's load balancer, kept for troubleshooting; they are not data the other region needs to take over",
      },
    ]);

    this.loadBalancer = new Lb(this, 'alb', {
      provider,
      name: names.loadBalancer(role),
      internal: false,
      loadBalancerType: 'application',
      securityGroups: [props.securityGroupId],
      subnets: props.subnetIds,
      dropInvalidHeaderFields: true,
      desyncMitigationMode: 'defensive',
      enableDeletionProtection: resolved.deletionProtection,
      accessLogs: { bucket: this.logBucket.name, prefix: LOG_PREFIX, enabled: true },
      dependsOn: [this.logBucket.policy],
    });

    const health = props.targetHealth;
    this.targetGroup = new LbTargetGroup(this, 'targets', {
      provider,
      name: names.targetGroup(role),
      port: props.appPort,
      protocol: 'HTTP',
      targetType: 'instance',
      vpcId: props.vpcId,
      // The service drains in-flight requests on SIGTERM within seconds; longer only slows rollouts
      // and the fencing of a failover, whose RTO budget counts it.
      deregistrationDelay: String(TARGET_DEREGISTRATION_DELAY_SECONDS),
      healthCheck: {
        enabled: true,
        // Not the writable check that Route 53 asks: a standby's instances answer 503 there, and
        // the group (ELB health checks) would replace them for being a standby.
        path: HEALTH_PATHS.target,
        port: 'traffic-port',
        protocol: 'HTTP',
        matcher: '200',
        interval: health.intervalSeconds,
        timeout: health.timeoutSeconds,
        healthyThreshold: health.healthyThreshold,
        unhealthyThreshold: health.unhealthyThreshold,
      },
    });

    const forward = [{ type: 'forward', targetGroupArn: this.targetGroup.arn }];
    const certificateArn = props.certificateArn;
    if (certificateArn !== undefined) {
      new LbListener(this, 'https', {
        provider,
        loadBalancerArn: this.loadBalancer.arn,
        port: 443,
        protocol: 'HTTPS',
        sslPolicy: TLS_POLICY,
        certificateArn,
        defaultAction: forward,
      });
      // Port 80 stays open only to send clients to 443: a permanent redirect, never the service
      // (AWS Control Tower's CT.ELASTICLOADBALANCING.PR.1 asks the same of every HTTP listener).
      // https://docs.aws.amazon.com/controltower/latest/controlreference/elb-rules.html
      new LbListener(this, 'http', {
        provider,
        loadBalancerArn: this.loadBalancer.arn,
        port: 80,
        protocol: 'HTTP',
        defaultAction: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
      });
      this.endpoint = { port: 443, protocol: 'HTTPS' };
    } else {
      new LbListener(this, 'http', { provider, loadBalancerArn: this.loadBalancer.arn, port: 80, protocol: 'HTTP', defaultAction: forward });
      this.endpoint = { port: 80, protocol: 'HTTP' };
    }
  }
}
