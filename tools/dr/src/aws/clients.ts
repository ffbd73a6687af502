import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { DR_ROLES, type DrRole } from '@txn-dr/config';
import type { DrTargets } from '../targets';

/** How long one API call may take, and how often it is tried. */
export interface CallSettings {
  /** TCP and TLS connection to the endpoint. */
  readonly connectionTimeoutMs: number;
  /** From the request sent to the response, per attempt; passing it fails the attempt with a TimeoutError, which is retried. */
  readonly requestTimeoutMs: number;
  /** Attempts in all, with the SDK's standard retry mode (exponential backoff with jitter, throttling and timeouts retried). */
  readonly maxAttempts: number;
}

/**
 * A healthy region: connections to a regional endpoint take milliseconds, so 3 s means it is not
 * there; the Describe and Update calls answer in well under a second, and 10 s leaves room for a
 * control plane under load. Three attempts ride out throttling during a busy incident.
 * Worst case per call: about 3 x 10 s plus backoff (standard mode: up to 20 s between attempts, typically well under 1 s).
 */
export const NORMAL_CALLS: CallSettings = { connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000, maxAttempts: 3 };

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
  /** Route 53's API is global; its endpoint signs for us-east-1. */
  readonly route53: Route53Client;
}

function clientConfig(region: string, settings: CallSettings) {
  return {
    region,
    maxAttempts: settings.maxAttempts,
    retryMode: 'standard',
    // Without throwOnRequestTimeout the handler only logs a warning when requestTimeout passes and
    // keeps waiting: a hanging region would hang the run.
    requestHandler: { connectionTimeout: settings.connectionTimeoutMs, requestTimeout: settings.requestTimeoutMs, throwOnRequestTimeout: true },
  };
}

export interface CreateClientsOptions {
  /** The region a failover moves away from: its clients get IMPAIRED_CALLS. */
  readonly impaired?: DrRole;
}

export function createAwsClients(targets: DrTargets, options: CreateClientsOptions = {}): AwsClients {
  const regional = {} as Record<DrRole, RegionalClients>;
  for (const role of DR_ROLES) {
    const config = clientConfig(targets.regions[role].region, role === options.impaired ? IMPAIRED_CALLS : NORMAL_CALLS);
    regional[role] = {
      rds: new RDSClient(config),
      autoScaling: new AutoScalingClient(config),
      elb: new ElasticLoadBalancingV2Client(config),
      cloudWatch: new CloudWatchClient(config),
    };
  }
  return { regional, route53: new Route53Client(clientConfig('us-east-1', NORMAL_CALLS)) };
}
