import type { Capacity, DrRole } from '@txn-dr/config';

/**
 * The narrow interface the orchestration talks to the world through: read the state of the
 * database, the capacity and the traffic, or change one of them. AWS is the first implementation
 * (aws/world.ts); a local drill against MariaDB replicas can be another.
 *
 * Reads never throw for a region that does not answer: they return `reachable: false` with the
 * error, because a failover has to go on while the impaired region's APIs time out.
 */
export interface DrWorld {
  readDatabase(): Promise<DatabaseState>;
  readCapacity(role: DrRole): Promise<CapacityState>;
  readTraffic(): Promise<TrafficState>;
  /** GET /health through the public name, as a client would. */
  checkHealth(): Promise<HealthReport>;

  /** Sets the sizes of a region's Auto Scaling group. */
  setCapacity(role: DrRole, capacity: Capacity): Promise<void>;
  /** Planned switchover of the global database to `to`: no data loss, both regions must be up. */
  switchoverDatabase(to: DrRole): Promise<void>;
  /** Unplanned failover to `to`, allowing the loss of what had not replicated yet. */
  failoverDatabase(to: DrRole): Promise<void>;
  /** Sets both weighted records in one change; returns the change to wait for. */
  setWeights(weights: Record<DrRole, number>): Promise<{ changeId: string }>;
  /** Whether a DNS change has reached every authoritative server. */
  trafficChangeInSync(changeId: string): Promise<boolean>;
  /**
   * The snapshots in which a failover kept the writes of a cluster that had not replicated (Aurora
   * names them rds:unplanned-global-failover-...), newest first.
   */
  readFailoverSnapshots(role: DrRole): Promise<readonly FailoverSnapshot[]>;

  /** How far back, and how recently, the cluster of `role` can be restored to a point in time. */
  readRestoreWindow(role: DrRole): Promise<RestoreWindow>;
  /**
   * Starts a point-in-time restore of the cluster of `role` into a new cluster `target` in the same
   * region, with the source's subnet group, security groups and KMS key. The live cluster is not touched.
   */
  restoreToTime(role: DrRole, time: string, target: string): Promise<void>;
  /** The cluster `target` in the region of `role`, with its instance; `exists: false` when there is none. */
  readRestoredCluster(role: DrRole, target: string): Promise<RestoredCluster>;
  /** Creates the one instance a restored cluster needs to answer (a restore creates none). */
  createRestoredInstance(role: DrRole, target: string, instanceClass: string): Promise<void>;
}

export interface RestoreWindow {
  readonly role: DrRole;
  readonly region: string;
  readonly cluster: string;
  /** EarliestRestorableTime, ISO-8601; undefined when the cluster reports none (no backup yet). */
  readonly earliest?: string;
  /** LatestRestorableTime, ISO-8601. */
  readonly latest?: string;
}

export interface RestoredCluster {
  readonly identifier: string;
  readonly region: string;
  readonly exists: boolean;
  /** RDS cluster status: creating, available, ... */
  readonly status?: string;
  /** The writer endpoint, once RDS has assigned it. */
  readonly endpoint?: string;
  readonly port?: number;
  /** The cluster it was restored from and the time, as the restore tagged it; undefined for a cluster that is not such a restore. */
  readonly restoredFrom?: string;
  readonly restoredTo?: string;
  /** Its first instance, when it has one. */
  readonly instance?: { readonly identifier: string; readonly status?: string; readonly instanceClass?: string };
}

export interface FailoverSnapshot {
  readonly identifier: string;
  readonly region: string;
  readonly createdAt?: string;
}

/**
 * After the region a failover leaves fails to answer, it is not asked again for this long: each
 * attempt costs the full timeout, and the waits poll every few seconds.
 */
export const IMPAIRED_RETRY_AFTER_MS = 60_000;

export interface ClusterState {
  readonly role: DrRole;
  readonly region: string;
  readonly identifier: string;
  readonly reachable: boolean;
  /** Why the region did not answer. */
  readonly error?: string;
  /**
   * Set with `reachable: false`: true when the failure counts as the region being impaired (no HTTP
   * answer, throttling past the SDK's retries, a 5xx), false for any other failure. Credential,
   * permission and configuration errors are never here: reads throw them (errors.ts).
   */
  readonly impaired?: boolean;
  readonly arn?: string;
  /** RDS cluster status: available, failing-over, ... */
  readonly status?: string;
  readonly engineVersion?: string;
}

/** A switchover or failover that Aurora is carrying out. */
export interface GlobalOperation {
  readonly status: string;
  readonly from?: DrRole;
  readonly to?: DrRole;
  readonly dataLossAllowed: boolean;
}

export interface ReplicationLag {
  /** The cluster whose lag this is (the secondary). */
  readonly role: DrRole;
  /** AuroraGlobalDBRPOLag, milliseconds. */
  readonly milliseconds: number;
  /** When the datapoint was taken. */
  readonly at: string;
  /** How long before the read the minute the datapoint covers had ended, ms. */
  readonly ageMs?: number;
}

export interface DatabaseState {
  readonly globalCluster: string;
  /** Whether any region answered for the global cluster. */
  readonly reachable: boolean;
  readonly error?: string;
  /** With `reachable: false`: whether the failure counts as an outage (see ClusterState.impaired). */
  readonly impaired?: boolean;
  readonly engineVersion?: string;
  /** The role whose cluster is the global writer, as the global cluster reports it. */
  readonly writer?: DrRole;
  /** Synchronization of each member as the global cluster reports it (connected, pending-resync). */
  readonly synchronization: Partial<Record<DrRole, string>>;
  readonly operation?: GlobalOperation;
  readonly clusters: Record<DrRole, ClusterState>;
  /** Lag of the non-writer cluster; undefined when no datapoint could be read. */
  readonly lag?: ReplicationLag;
  /**
   * Why the lag is unknown, when there is a non-writer to measure: `stale` when the latest datapoint
   * is older than twice the metric's period (`last` carries it, with its age), `missing` when there
   * is none in the window looked at, `unreadable` when CloudWatch did not answer.
   */
  readonly lagUnknown?: { readonly role: DrRole; readonly reason: 'stale' | 'missing' | 'unreadable'; readonly last?: ReplicationLag; readonly error?: string };
}

export interface CapacityState {
  readonly role: DrRole;
  readonly region: string;
  readonly autoScalingGroup: string;
  readonly reachable: boolean;
  readonly error?: string;
  /** With `reachable: false`: whether the failure counts as an outage (see ClusterState.impaired). */
  readonly impaired?: boolean;
  readonly min?: number;
  readonly desired?: number;
  readonly max?: number;
  /** Instances in the InService lifecycle state. */
  readonly inService?: number;
  /**
   * Instances in any lifecycle state but Terminated (pending, in service, terminating): fencing is
   * confirmed only when none is left, since a terminating instance may still answer.
   */
  readonly instances?: number;
  /** Targets the load balancer's target group reports healthy. */
  readonly healthyTargets?: number;
}

export type HealthCheckState = 'healthy' | 'unhealthy' | 'unknown';

export interface WeightedRecord {
  readonly role: DrRole;
  readonly setIdentifier: string;
  /** Undefined when the record does not exist. */
  readonly weight?: number;
  readonly healthCheckId?: string;
  readonly health: HealthCheckState;
  /** Checkers that report success, of those that reported. */
  readonly checkersHealthy?: number;
  readonly checkers?: number;
}

export interface TrafficState {
  readonly fqdn: string;
  readonly reachable: boolean;
  readonly error?: string;
  /** With `reachable: false`: whether the failure counts as an outage of Route 53's API (see ClusterState.impaired). */
  readonly impaired?: boolean;
  readonly zoneId?: string;
  readonly records: Record<DrRole, WeightedRecord>;
}

export interface HealthReport {
  readonly url: string;
  readonly ok: boolean;
  readonly httpStatus?: number;
  readonly region?: string;
  readonly role?: string;
  readonly error?: string;
}
