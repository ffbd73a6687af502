import { DescribeDBClustersCommand, DescribeGlobalClustersCommand, type DBCluster, type GlobalCluster, type RDSClient } from '@aws-sdk/client-rds';
import { describeError, withTimeout } from '@txn-dr/function-runtime';
import type { HealthCheckSettings } from './settings';

/** The cluster's place in the global database: the writer takes writes, readers replicate. */
export type MemberRole = 'writer' | 'reader';

/** What RDS said about the region's cluster. */
export interface ClusterObservation {
  readonly kind: 'observed';
  readonly healthy: boolean;
  /** Why the cluster is not healthy (empty when it is). */
  readonly reasons: readonly string[];
  /** Absent when the cluster is not (or no longer) a member of the global cluster. */
  readonly role?: MemberRole;
  readonly clusterStatus?: string;
  /** A switchover or failover in progress on the global cluster (`pending`, `failing-over`, `cancelling`). */
  readonly failover?: string;
  /** Write forwarding of a secondary member, as RDS reports it. */
  readonly writeForwarding?: string;
}

/** RDS could not be asked (throttled, denied, timed out, unreachable): the state is unknown. */
export interface FailedObservation {
  readonly kind: 'failed';
  readonly error: string;
}

export type Observation = ClusterObservation | FailedObservation;

// Definite answers: the resource does not exist. Anything else RDS throws means the check could not tell.
const CLUSTER_NOT_FOUND = 'DBClusterNotFoundFault';
const GLOBAL_NOT_FOUND = 'GlobalClusterNotFoundFault';

/**
 * Asks RDS for the cluster and its global cluster, in parallel and each with a time limit.
 * Healthy means: status `available`, a member of the global cluster, and not waiting for a resync.
 *
 * Replication lag is not among what the RDS API returns (DescribeDBClusters and
 * DescribeGlobalClusters carry no lag field in @aws-sdk/client-rds 3.1169); Aurora publishes it
 * itself as AuroraGlobalDBRPOLag in the secondary's region, and the alarms read it there.
 */
export async function observeCluster(rds: RDSClient, settings: HealthCheckSettings): Promise<Observation> {
  const ms = settings.callTimeoutMs;
  const [clusterResult, globalResult] = await Promise.allSettled([
    withTimeout('RDS DescribeDBClusters', ms, (abortSignal) =>
      rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: settings.clusterIdentifier }), { abortSignal }),
    ),
    withTimeout('RDS DescribeGlobalClusters', ms, (abortSignal) =>
      rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: settings.globalClusterIdentifier }), { abortSignal }),
    ),
  ]);

  const errors: string[] = [];
  let cluster: DBCluster | undefined;
  let global: GlobalCluster | undefined;
  if (clusterResult.status === 'fulfilled') cluster = clusterResult.value.DBClusters?.[0];
  else if (!isNamed(clusterResult.reason, CLUSTER_NOT_FOUND)) errors.push(describeError(clusterResult.reason));
  if (globalResult.status === 'fulfilled') global = globalResult.value.GlobalClusters?.[0];
  else if (!isNamed(globalResult.reason, GLOBAL_NOT_FOUND)) errors.push(describeError(globalResult.reason));
  if (errors.length > 0) return { kind: 'failed', error: errors.join('; ') };

  if (!cluster) {
    return { kind: 'observed', healthy: false, reasons: [`cluster ${settings.clusterIdentifier} not found`] };
  }
  const reasons: string[] = [];
  if (cluster.Status !== 'available') reasons.push(`cluster status is ${cluster.Status ?? 'not reported'}`);
  const member = global?.GlobalClusterMembers?.find((m) => m.DBClusterArn !== undefined && m.DBClusterArn === cluster.DBClusterArn);
  if (!global) reasons.push(`global cluster ${settings.globalClusterIdentifier} not found`);
  else if (!member) reasons.push(`cluster is not a member of global cluster ${settings.globalClusterIdentifier}`);
  else if (member.SynchronizationStatus === 'pending-resync') reasons.push('global replication is waiting for a resync');

  return {
    kind: 'observed',
    healthy: reasons.length === 0,
    reasons,
    ...(member ? { role: member.IsWriter ? 'writer' : 'reader' } : {}),
    ...(cluster.Status ? { clusterStatus: cluster.Status } : {}),
    ...(global?.FailoverState?.Status ? { failover: global.FailoverState.Status } : {}),
    ...(member?.GlobalWriteForwardingStatus ? { writeForwarding: member.GlobalWriteForwardingStatus } : {}),
  };
}

function isNamed(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}
