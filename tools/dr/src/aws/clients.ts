import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { DR_ROLES, type DrRole } from '@txn-dr/config';
import { OPERATOR_CALLS, ROUTE53_API_REGION, boundedClientConfig, type AwsCallBounds } from '@txn-dr/contracts';
import type { DrTargets } from '../targets';

/** How long one API call may take, and how often it is tried. */
export type CallSettings = AwsCallBounds;

/**
 * A healthy region: the bounds every operator tool gives a region expected to answer
 * (OPERATOR_CALLS). Worst case per call: about 3 x 10 s plus backoff (standard mode: up to 20 s
 * between attempts, typically well under 1 s).
 */
export const NORMAL_CALLS: CallSettings = OPERATOR_CALLS;

/**
 * The region a failover moves away from: its APIs are expected to hang, and every read of it sits
 * on the critical path of the recovery, so give up after two short attempts (about 10 s in all)
 * and go on without it: about 2 x 4 s plus backoff.
 */
export const IMPAIRED_CALLS: CallSettings = { connectionTimeoutMs: 2_000, requestTimeoutMs: 4_000, maxAttempts: 2 };

export interface RegionalClients {
  readonly rds: RDSClient;
  readonly autoScaling: AutoScalingClient;
  readonly elb: ElasticLoadBalancingV2Client;
  readonly cloudWatch: CloudWatchClient;
}

/** One set of clients per region, so that a hanging region slows only its own calls. */
export interface AwsClients {
  readonly regional: Record<DrRole, RegionalClients>;
  /** Route 53's API is global; its endpoint signs for ROUTE53_API_REGION. */
  readonly route53: Route53Client;
}

export interface CreateClientsOptions {
  /** The region a failover moves away from: its clients get IMPAIRED_CALLS. */
  readonly impaired?: DrRole;
}

export function createAwsClients(targets: DrTargets, options: CreateClientsOptions = {}): AwsClients {
  const regional = {} as Record<DrRole, RegionalClients>;
  for (const role of DR_ROLES) {
    const config = boundedClientConfig(targets.regions[role].region, role === options.impaired ? IMPAIRED_CALLS : NORMAL_CALLS);
    regional[role] = {
      rds: new RDSClient(config),
      autoScaling: new AutoScalingClient(config),
      elb: new ElasticLoadBalancingV2Client(config),
      cloudWatch: new CloudWatchClient(config),
    };
  }
  return { regional, route53: new Route53Client(boundedClientConfig(ROUTE53_API_REGION, NORMAL_CALLS)) };
}
