import { DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { type Datapoint, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateDBInstanceCommand,
  type DBCluster,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  type GlobalCluster,
  RestoreDBClusterToPointInTimeCommand,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHealthCheckStatusCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { DR_ROLES, type Capacity, type DrRole, otherRole } from '@txn-dr/config';
import { AURORA_GLOBAL_METRICS } from '@txn-dr/contracts';
import { type Clock, systemClock } from '../clock';
import { type AwsCallContext, type AwsService, type ClassifiedError, OperatorError, classifyAwsError, errorLine, missingResource, operatorError, raiseForOperator } from '../errors';
import type { HttpGet } from '../http';
import type { DrTargets } from '../targets';
import {
  type CapacityState,
  type ClusterState,
  type DatabaseState,
  type DrWorld,
  type FailoverSnapshot,
  type GlobalOperation,
  type HealthCheckState,
  type HealthReport,
  IMPAIRED_RETRY_AFTER_MS,
  type ReplicationLag,
  type RestoreWindow,
  type RestoredCluster,
  type TrafficState,
  type WeightedRecord,
} from '../world';
import type { AwsClients } from './clients';

/**
 * Route 53 considers an endpoint healthy when more than 18% of its checkers report it healthy.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
 */
const HEALTHY_CHECKER_SHARE = 0.18;

/**
 * AuroraGlobalDBRPOLag: "how far behind (in milliseconds) replication to a secondary cluster is to
 * the primary DB cluster", for Aurora MySQL 3.04 and later, viewed "for all secondary DB clusters"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html).
 * It is a cluster-level metric of the AWS/RDS namespace, in milliseconds, available only in the
 * secondary Region (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html),
 * so it is read in the secondary's own region with the DBClusterIdentifier dimension of the
 * secondary cluster (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/dimensions.html).
 * Aurora publishes it every minute.
 */
const LAG_PERIOD_SECONDS = 60;
/**
 * A datapoint older than twice the period means publishing has stopped or lags: the value is no
 * longer the lag now, and a switchover must not trust it. The age counts from the end of the minute
 * the datapoint covers: CloudWatch "aggregates all data points with time stamps that fall within
 * each [...] period" and stamps the result with the period's start
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html),
 * so the newest sample in it is at most one period after its Timestamp.
 */
export const LAG_STALE_AFTER_MS = 2 * LAG_PERIOD_SECONDS * 1000;
/** How far back to look for the latest datapoint, to say how old it is when it is stale. */
const LAG_WINDOW_MS = 10 * 60_000;

export { IMPAIRED_RETRY_AFTER_MS } from '../world';

/** What the identifier of the snapshot an unplanned global failover leaves contains. */
export const FAILOVER_SNAPSHOT_MARK = 'unplanned-global-failover';

export interface AwsWorldOptions {
  readonly http: HttpGet;
  /** The region a failover moves away from: once it fails to answer, it is skipped for a while. */
  readonly impaired?: DrRole;
  /** Deadline of one GET /health. @default 5000 */
  readonly healthTimeoutMs?: number;
  readonly clock?: Clock;
}

/** Tags a restore puts on the cluster it creates, so that a rerun knows its own restore from a name someone else took. */
export const RESTORED_FROM_TAG = 'dr:restored-from';
export const RESTORE_TIME_TAG = 'dr:restore-time';

/** The one instance of a restored cluster: its name with `-1`, within RDS's 63 characters. */
export function restoredInstanceId(cluster: string): string {
  return `${cluster.slice(0, 61).replace(/-+$/, '')}-1`;
}

/** Where a call goes: a role's region, or Route 53's global API. */
type Where = DrRole | 'route53';

/** A read that failed as an outage or an unexpected answer (never the operator's problem: that throws). */
function failure(classified: ClassifiedError): { reachable: false; error: string; impaired: boolean } {
  return { reachable: false, error: errorLine(classified), impaired: classified.impaired };
}

/**
 * An error with one of these names answers `value` instead: a resource that does not exist yet. The
 * SDK names RDS's DBInstanceNotFound error after its exception class, DBInstanceNotFoundFault.
 */
function absentAs<T>(names: readonly string[], value: T): (error: unknown) => T {
  return (error) => {
    if (names.includes(String((error as { name?: unknown }).name))) return value;
    throw error;
  };
}

/**
 * The live state of the pair through the AWS APIs, and the calls that change it.
 *
 * Every call goes through `call`, which sorts its errors once (errors.ts): the operator's problems
 * (credentials, permissions, configuration) throw an OperatorError that names the fix, whatever
 * the call; outages and other failures are what reads report as `reachable: false`.
 */
export class AwsWorld implements DrWorld {
  private readonly clock: Clock;
  private readonly healthTimeoutMs: number;
  /** The region that last answered for the global cluster is asked first next time. */
  private globalOrder: DrRole[] = [...DR_ROLES];
  private zoneId?: string;
  private readonly targetGroupArns = new Map<DrRole, string>();
  /** When the impaired region last failed to answer. */
  private impairedSilentSince?: number;

  constructor(
    private readonly targets: DrTargets,
    private readonly clients: AwsClients,
    private readonly options: AwsWorldOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.healthTimeoutMs = options.healthTimeoutMs ?? 5_000;
  }

  /**
   * One AWS call. The operator's problems become an OperatorError; anything else is rethrown as the
   * SDK raised it. For the region a failover leaves, a call that gets no answer at all makes the
   * next calls fail at once for IMPAIRED_RETRY_AFTER_MS.
   */
  private async call<T>(where: Where, service: AwsService, operation: string, send: () => Promise<T>, resource?: string): Promise<T> {
    const region = where === 'route53' ? undefined : this.targets.regions[where].region;
    const context: AwsCallContext = { service, operation, environment: this.targets.environment, ...(region ? { region } : {}), ...(resource ? { resource } : {}) };
    const skipping = where !== 'route53' && where === this.options.impaired;
    if (skipping && this.impairedSilentSince !== undefined) {
      const now = this.clock.now();
      if (now - this.impairedSilentSince < IMPAIRED_RETRY_AFTER_MS) {
        const ago = Math.round((now - this.impairedSilentSince) / 1000);
        throw Object.assign(new Error(`${region} did not answer ${ago} s ago; not asked again until ${IMPAIRED_RETRY_AFTER_MS / 1000} s have passed`), { name: 'RegionSkipped' });
      }
    }
    try {
      return await send();
    } catch (error) {
      const classified = raiseForOperator(error, context);
      if (skipping && classified.kind === 'unreachable') this.impairedSilentSince = this.clock.now();
      throw error;
    }
  }

  async readDatabase(): Promise<DatabaseState> {
    const [global, primary, secondary] = await Promise.all([this.describeGlobal(), this.describeCluster('primary'), this.describeCluster('secondary')]);
    const clusters = { primary, secondary };
    const base = { globalCluster: this.targets.globalCluster, clusters, synchronization: {} };
    if ('failure' in global) return { ...base, reachable: false, error: global.failure, impaired: global.impaired };

    const cluster = global.cluster;
    let writer: DrRole | undefined;
    const synchronization: Partial<Record<DrRole, string>> = {};
    for (const member of cluster.GlobalClusterMembers ?? []) {
      const role = this.roleOfArn(member.DBClusterArn);
      if (!role) continue;
      if (member.IsWriter) writer = role;
      if (member.SynchronizationStatus) synchronization[role] = member.SynchronizationStatus;
    }
    const state = cluster.FailoverState;
    const operation: GlobalOperation | undefined = state?.Status
      ? { status: state.Status, from: this.roleOfArn(state.FromDbClusterArn), to: this.roleOfArn(state.ToDbClusterArn), dataLossAllowed: state.IsDataLossAllowed ?? false }
      : undefined;
    const lag = writer ? await this.readLag(otherRole(writer)) : {};
    return {
      ...base,
      reachable: true,
      synchronization,
      ...(cluster.EngineVersion ? { engineVersion: cluster.EngineVersion } : {}),
      ...(writer ? { writer } : {}),
      ...(operation ? { operation } : {}),
      ...lag,
    };
  }

  async switchoverDatabase(to: DrRole): Promise<void> {
    const arn = await this.clusterArn(to);
    await this.call(to, 'rds', 'SwitchoverGlobalCluster', () =>
      this.clients.regional[to].rds.send(new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: this.targets.globalCluster, TargetDbClusterIdentifier: arn })),
    );
  }

  /**
   * A failover with AllowDataLoss keeps what the old primary had not replicated in a snapshot of its
   * cluster named rds:unplanned-global-failover-...
   * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html#aurora-global-database-failover).
   */
  async readFailoverSnapshots(role: DrRole): Promise<readonly FailoverSnapshot[]> {
    const { region, cluster } = this.targets.regions[role];
    const result = await this.call(role, 'rds', 'DescribeDBClusterSnapshots', () =>
      this.clients.regional[role].rds.send(new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: cluster })),
    );
    return (result.DBClusterSnapshots ?? [])
      .filter((snapshot) => snapshot.DBClusterSnapshotIdentifier?.includes(FAILOVER_SNAPSHOT_MARK))
      .sort((a, b) => (b.SnapshotCreateTime?.getTime() ?? 0) - (a.SnapshotCreateTime?.getTime() ?? 0))
      .map((snapshot) => ({ identifier: snapshot.DBClusterSnapshotIdentifier!, region, ...(snapshot.SnapshotCreateTime ? { createdAt: snapshot.SnapshotCreateTime.toISOString() } : {}) }));
  }

  /**
   * EarliestRestorableTime and LatestRestorableTime of the DBCluster: "the latest time to which a
   * database can be restored with point-in-time restore", and the earliest
   * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBCluster.html).
   */
  async readRestoreWindow(role: DrRole): Promise<RestoreWindow> {
    const { region, cluster } = this.targets.regions[role];
    const source = await this.describeSource(role);
    return {
      role,
      region,
      cluster,
      ...(source.EarliestRestorableTime ? { earliest: source.EarliestRestorableTime.toISOString() } : {}),
      ...(source.LatestRestorableTime ? { latest: source.LatestRestorableTime.toISOString() } : {}),
    };
  }

  /**
   * RestoreDBClusterToPointInTime creates a new cluster "with the same configuration as the original
   * DB cluster, except that the new DB cluster is created with the default DB security group", and
   * picks the Availability Zone from the subnet group: so the source's subnet group, VPC security
   * groups and KMS key are passed explicitly. It takes no global cluster: the restore of a global
   * database's member is a standalone cluster.
   * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBClusterToPointInTime.html
   * The tags mark the cluster as this restore; tags given at creation also need rds:AddTagsToResource
   * (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/security_iam_id-based-policy-examples-grant-permissions-tags-on-create.html).
   */
  async restoreToTime(role: DrRole, time: string, target: string): Promise<void> {
    const { cluster } = this.targets.regions[role];
    const source = await this.describeSource(role);
    const securityGroups = (source.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId).filter((id): id is string => id !== undefined);
    await this.call(role, 'rds', 'RestoreDBClusterToPointInTime', () =>
      this.clients.regional[role].rds.send(
        new RestoreDBClusterToPointInTimeCommand({
          SourceDBClusterIdentifier: cluster,
          RestoreToTime: new Date(time),
          DBClusterIdentifier: target,
          RestoreType: 'full-copy',
          ...(source.DBSubnetGroup ? { DBSubnetGroupName: source.DBSubnetGroup } : {}),
          ...(securityGroups.length > 0 ? { VpcSecurityGroupIds: securityGroups } : {}),
          ...(source.KmsKeyId ? { KmsKeyId: source.KmsKeyId } : {}),
          Tags: [
            { Key: RESTORED_FROM_TAG, Value: cluster },
            { Key: RESTORE_TIME_TAG, Value: time },
          ],
        }),
      ),
    );
  }

  async readRestoredCluster(role: DrRole, target: string): Promise<RestoredCluster> {
    const { region } = this.targets.regions[role];
    const rds = this.clients.regional[role].rds;
    // A cluster that does not exist yet is the expected answer here, not a configuration error.
    const clusters = await this.call(role, 'rds', 'DescribeDBClusters', () => rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: target })).catch(absentAs(['DBClusterNotFoundFault'], undefined)));
    const found = clusters?.DBClusters?.[0];
    if (!found) return { identifier: target, region, exists: false };
    const tag = (key: string) => found.TagList?.find((t) => t.Key === key)?.Value;
    const restoredFrom = tag(RESTORED_FROM_TAG);
    const restoredTo = tag(RESTORE_TIME_TAG);
    const member = found.DBClusterMembers?.[0]?.DBInstanceIdentifier;
    const instances = member
      ? await this.call(role, 'rds', 'DescribeDBInstances', () => rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: member })).catch(absentAs(['DBInstanceNotFound', 'DBInstanceNotFoundFault'], undefined)))
      : undefined;
    const instance = instances?.DBInstances?.[0];
    return {
      identifier: target,
      region,
      exists: true,
      ...(found.Status ? { status: found.Status } : {}),
      ...(found.Endpoint ? { endpoint: found.Endpoint } : {}),
      ...(found.Port !== undefined ? { port: found.Port } : {}),
      ...(restoredFrom ? { restoredFrom } : {}),
      ...(restoredTo ? { restoredTo } : {}),
      ...(member
        ? { instance: { identifier: member, ...(instance?.DBInstanceStatus ? { status: instance.DBInstanceStatus } : {}), ...(instance?.DBInstanceClass ? { instanceClass: instance.DBInstanceClass } : {}) } }
        : {}),
    };
  }

  /**
   * "For Aurora, this operation only restores the DB cluster, not the DB instances [...]. You must
   * invoke the CreateDBInstance operation [...] specifying the identifier of the restored DB cluster
   * in DBClusterIdentifier", once the cluster is available (RestoreDBClusterToPointInTime, as above);
   * DBInstanceClass, DBInstanceIdentifier and Engine are required
   * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html).
   */
  async createRestoredInstance(role: DrRole, target: string, instanceClass: string): Promise<void> {
    const rds = this.clients.regional[role].rds;
    const clusters = await this.call(role, 'rds', 'DescribeDBClusters', () => rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: target })), `restored cluster ${target}`);
    const engine = clusters.DBClusters?.[0]?.Engine;
    if (!engine) throw new Error(`DescribeDBClusters returned no engine for ${target}`);
    await this.call(role, 'rds', 'CreateDBInstance', () =>
      rds.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: restoredInstanceId(target), DBClusterIdentifier: target, DBInstanceClass: instanceClass, Engine: engine })),
    );
  }

  private async describeSource(role: DrRole): Promise<DBCluster> {
    const { cluster } = this.targets.regions[role];
    const result = await this.call(
      role,
      'rds',
      'DescribeDBClusters',
      () => this.clients.regional[role].rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: cluster })),
      `cluster ${cluster}`,
    );
    const found = result.DBClusters?.[0];
    if (!found) throw new Error(`DescribeDBClusters returned no cluster ${cluster}`);
    return found;
  }

  async failoverDatabase(to: DrRole): Promise<void> {
    // Sent to the target's region: the region being left may not answer at all. The AWS CLI for a
    // failover is given "the AWS Region where the secondary DB cluster that you want to be the new
    // primary [...] is running" (aurora-global-database-disaster-recovery.html, as above).
    const arn = await this.clusterArn(to);
    await this.call(to, 'rds', 'FailoverGlobalCluster', () =>
      this.clients.regional[to].rds.send(
        new FailoverGlobalClusterCommand({ GlobalClusterIdentifier: this.targets.globalCluster, TargetDbClusterIdentifier: arn, AllowDataLoss: true }),
      ),
    );
  }

  /** The global cluster from whichever region answers; the operator's problems throw at once. */
  private async describeGlobal(): Promise<{ cluster: GlobalCluster } | { failure: string; impaired: boolean }> {
    const errors: string[] = [];
    let impaired = true;
    const resource = `global cluster ${this.targets.globalCluster}`;
    for (const role of this.globalOrder) {
      const region = this.targets.regions[role].region;
      try {
        const result = await this.call(
          role,
          'rds',
          'DescribeGlobalClusters',
          () => this.clients.regional[role].rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: this.targets.globalCluster })),
          resource,
        );
        const cluster = result.GlobalClusters?.[0];
        if (!cluster) {
          const missing = missingResource('GlobalClusterNotFoundFault', `DescribeGlobalClusters returned no ${resource}`);
          throw operatorError(missing, { service: 'rds', operation: 'DescribeGlobalClusters', region, resource, environment: this.targets.environment });
        }
        this.globalOrder = [role, otherRole(role)];
        return { cluster };
      } catch (error) {
        if (error instanceof OperatorError) throw error;
        const classified = classifyAwsError(error);
        impaired &&= classified.impaired;
        errors.push(`${region}: ${errorLine(classified)}`);
      }
    }
    return { failure: errors.join('; '), impaired };
  }

  private async describeCluster(role: DrRole): Promise<ClusterState> {
    const { region, cluster: identifier } = this.targets.regions[role];
    try {
      const result = await this.call(
        role,
        'rds',
        'DescribeDBClusters',
        () => this.clients.regional[role].rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier })),
        `DB cluster ${identifier}`,
      );
      const cluster = result.DBClusters?.[0];
      return {
        role,
        region,
        identifier,
        reachable: true,
        ...(cluster?.DBClusterArn ? { arn: cluster.DBClusterArn } : {}),
        status: cluster?.Status ?? 'not found',
        ...(cluster?.EngineVersion ? { engineVersion: cluster.EngineVersion } : {}),
      };
    } catch (error) {
      if (error instanceof OperatorError) throw error;
      return { role, region, identifier, ...failure(classifyAwsError(error)) };
    }
  }

  private async clusterArn(role: DrRole): Promise<string> {
    const cluster = await this.describeCluster(role);
    if (!cluster.arn) {
      throw new Error(`cannot find the ARN of ${cluster.identifier} in ${cluster.region}: ${cluster.error ?? cluster.status}`);
    }
    return cluster.arn;
  }

  private roleOfArn(arn: string | undefined): DrRole | undefined {
    // arn:aws:rds:<region>:<account>:cluster:<identifier>
    const identifier = arn?.split(':cluster:')[1];
    return DR_ROLES.find((role) => this.targets.regions[role].cluster === identifier);
  }

  /** The latest AuroraGlobalDBRPOLag of the secondary, if fresh; otherwise why it is unknown. */
  private async readLag(role: DrRole): Promise<Pick<DatabaseState, 'lag' | 'lagUnknown'>> {
    const now = this.clock.now();
    const { region, cluster } = this.targets.regions[role];
    let datapoints: Datapoint[];
    try {
      const result = await this.call(role, 'cloudwatch', 'GetMetricStatistics', () =>
        this.clients.regional[role].cloudWatch.send(
          new GetMetricStatisticsCommand({
            Namespace: AURORA_GLOBAL_METRICS.namespace,
            MetricName: AURORA_GLOBAL_METRICS.rpoLag,
            Dimensions: [{ Name: AURORA_GLOBAL_METRICS.clusterDimension, Value: cluster }],
            StartTime: new Date(now - LAG_WINDOW_MS),
            EndTime: new Date(now),
            Period: LAG_PERIOD_SECONDS,
            Statistics: ['Maximum'],
          }),
        ),
      );
      datapoints = result.Datapoints ?? [];
    } catch (error) {
      if (error instanceof OperatorError) throw error;
      return { lagUnknown: { role, reason: 'unreadable', error: `CloudWatch in ${region}: ${errorLine(classifyAwsError(error))}` } };
    }
    const latest = datapoints
      .filter((d) => d.Timestamp && d.Maximum !== undefined)
      .sort((a, b) => b.Timestamp!.getTime() - a.Timestamp!.getTime())[0];
    if (!latest) return { lagUnknown: { role, reason: 'missing' } };
    const at = latest.Timestamp!.getTime();
    const lag: ReplicationLag = { role, milliseconds: latest.Maximum!, at: new Date(at).toISOString(), ageMs: Math.max(0, now - (at + LAG_PERIOD_SECONDS * 1000)) };
    return lag.ageMs! > LAG_STALE_AFTER_MS ? { lagUnknown: { role, reason: 'stale', last: lag } } : { lag };
  }

  async readCapacity(role: DrRole): Promise<CapacityState> {
    const { region, autoScalingGroup } = this.targets.regions[role];
    try {
      return await this.describeCapacity(role);
    } catch (error) {
      if (error instanceof OperatorError) throw error;
      return { role, region, autoScalingGroup, ...failure(classifyAwsError(error)) };
    }
  }

  private async describeCapacity(role: DrRole): Promise<CapacityState> {
    const { region, autoScalingGroup } = this.targets.regions[role];
    const base = { role, region, autoScalingGroup };
    const clients = this.clients.regional[role];
    const groups = await this.call(role, 'autoscaling', 'DescribeAutoScalingGroups', () =>
      clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [autoScalingGroup] })),
    );
    const group = groups.AutoScalingGroups?.[0];
    if (!group) {
      const resource = `Auto Scaling group ${autoScalingGroup}`;
      const missing = missingResource('NoSuchAutoScalingGroup', `DescribeAutoScalingGroups returned no ${resource}`);
      throw operatorError(missing, { service: 'autoscaling', operation: 'DescribeAutoScalingGroups', region, resource, environment: this.targets.environment });
    }
    const instances = group.Instances ?? [];
    const inService = instances.filter((i) => i.LifecycleState === 'InService').length;
    const present = instances.filter((i) => i.LifecycleState !== 'Terminated').length;
    const arn = await this.targetGroupArn(role);
    const health = await this.call(role, 'elasticloadbalancing', 'DescribeTargetHealth', () => clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })));
    const healthyTargets = (health.TargetHealthDescriptions ?? []).filter((t) => t.TargetHealth?.State === 'healthy').length;
    return { ...base, reachable: true, min: group.MinSize ?? 0, desired: group.DesiredCapacity ?? 0, max: group.MaxSize ?? 0, inService, instances: present, healthyTargets };
  }

  async setCapacity(role: DrRole, capacity: Capacity): Promise<void> {
    await this.call(role, 'autoscaling', 'UpdateAutoScalingGroup', () =>
      this.clients.regional[role].autoScaling.send(
        new UpdateAutoScalingGroupCommand({
          AutoScalingGroupName: this.targets.regions[role].autoScalingGroup,
          MinSize: capacity.min,
          DesiredCapacity: capacity.desired,
          MaxSize: capacity.max,
        }),
      ),
    );
  }

  private async targetGroupArn(role: DrRole): Promise<string> {
    const cached = this.targetGroupArns.get(role);
    if (cached) return cached;
    const name = this.targets.regions[role].targetGroup;
    const result = await this.call(
      role,
      'elasticloadbalancing',
      'DescribeTargetGroups',
      () => this.clients.regional[role].elb.send(new DescribeTargetGroupsCommand({ Names: [name] })),
      `target group ${name}`,
    );
    const arn = result.TargetGroups?.[0]?.TargetGroupArn;
    if (!arn) throw new Error(`target group ${name} not found`);
    this.targetGroupArns.set(role, arn);
    return arn;
  }

  async readTraffic(): Promise<TrafficState> {
    const fqdn = this.targets.fqdn;
    const unknown = (role: DrRole): WeightedRecord => ({ role, setIdentifier: this.targets.regions[role].setIdentifier, health: 'unknown' });
    try {
      const zoneId = await this.hostedZoneId();
      const sets = await this.weightedRecordSets(zoneId);
      const records = {} as Record<DrRole, WeightedRecord>;
      for (const role of DR_ROLES) {
        const set = sets[role];
        if (!set) {
          records[role] = unknown(role);
          continue;
        }
        const health = set.HealthCheckId ? await this.healthCheckState(set.HealthCheckId) : { health: 'unknown' as const };
        records[role] = {
          role,
          setIdentifier: this.targets.regions[role].setIdentifier,
          ...(set.Weight !== undefined ? { weight: set.Weight } : {}),
          ...(set.HealthCheckId ? { healthCheckId: set.HealthCheckId } : {}),
          ...health,
        };
      }
      return { fqdn, reachable: true, zoneId, records };
    } catch (error) {
      if (error instanceof OperatorError) throw error;
      return { fqdn, ...failure(classifyAwsError(error)), records: { primary: unknown('primary'), secondary: unknown('secondary') } };
    }
  }

  async setWeights(weights: Record<DrRole, number>): Promise<{ changeId: string }> {
    const zoneId = await this.hostedZoneId();
    const sets = await this.weightedRecordSets(zoneId);
    const changes = DR_ROLES.map((role) => {
      const set = sets[role];
      if (!set) throw new Error(`no weighted record ${this.targets.fqdn} with SetIdentifier ${this.targets.regions[role].setIdentifier} in zone ${this.targets.zoneName}`);
      // The whole record set is sent back unchanged but for the weight: an UPSERT replaces it.
      return { Action: 'UPSERT' as const, ResourceRecordSet: { ...set, Weight: weights[role] } };
    });
    const result = await this.call('route53', 'route53', 'ChangeResourceRecordSets', () =>
      this.clients.route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: { Comment: `dr: weights ${DR_ROLES.map((r) => `${r}=${weights[r]}`).join(' ')}`, Changes: changes },
        }),
      ),
    );
    const changeId = result.ChangeInfo?.Id;
    if (!changeId) throw new Error('Route 53 accepted the change but returned no change id');
    return { changeId };
  }

  async trafficChangeInSync(changeId: string): Promise<boolean> {
    const result = await this.call('route53', 'route53', 'GetChange', () => this.clients.route53.send(new GetChangeCommand({ Id: changeId })));
    return result.ChangeInfo?.Status === 'INSYNC';
  }

  private async hostedZoneId(): Promise<string> {
    if (this.zoneId) return this.zoneId;
    const zoneName = `${this.targets.zoneName}.`;
    const resource = `public hosted zone ${this.targets.zoneName}`;
    const result = await this.call(
      'route53',
      'route53',
      'ListHostedZonesByName',
      () => this.clients.route53.send(new ListHostedZonesByNameCommand({ DNSName: this.targets.zoneName, MaxItems: 10 })),
      resource,
    );
    const zone = (result.HostedZones ?? []).find((z) => z.Name === zoneName && !z.Config?.PrivateZone);
    if (!zone?.Id) {
      const missing = missingResource('NoSuchHostedZone', `ListHostedZonesByName returned no ${resource}`);
      throw new OperatorError(`${resource} does not exist (route53:ListHostedZonesByName)`, 'check dns.zoneName in the environment configuration and that the zone is in this account', missing);
    }
    this.zoneId = zone.Id;
    return zone.Id;
  }

  private async weightedRecordSets(zoneId: string): Promise<Partial<Record<DrRole, ResourceRecordSet>>> {
    const name = `${this.targets.fqdn}.`;
    const result = await this.call('route53', 'route53', 'ListResourceRecordSets', () =>
      this.clients.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: this.targets.fqdn, StartRecordType: 'A', MaxItems: 10 })),
    );
    const sets: Partial<Record<DrRole, ResourceRecordSet>> = {};
    for (const set of result.ResourceRecordSets ?? []) {
      if (set.Name !== name || set.Type !== 'A') continue;
      const role = DR_ROLES.find((r) => this.targets.regions[r].setIdentifier === set.SetIdentifier);
      if (role) sets[role] = set;
    }
    return sets;
  }

  private async healthCheckState(id: string): Promise<{ health: HealthCheckState; checkersHealthy?: number; checkers?: number }> {
    try {
      const result = await this.call('route53', 'route53', 'GetHealthCheckStatus', () => this.clients.route53.send(new GetHealthCheckStatusCommand({ HealthCheckId: id })));
      const observations = result.HealthCheckObservations ?? [];
      const healthy = observations.filter((o) => o.StatusReport?.Status?.startsWith('Success')).length;
      if (observations.length === 0) return { health: 'unknown' };
      return { health: healthy / observations.length > HEALTHY_CHECKER_SHARE ? 'healthy' : 'unhealthy', checkersHealthy: healthy, checkers: observations.length };
    } catch (error) {
      if (error instanceof OperatorError) throw error;
      return { health: 'unknown' };
    }
  }

  async checkHealth(): Promise<HealthReport> {
    const url = this.targets.healthUrl;
    try {
      const response = await this.options.http(url, this.healthTimeoutMs);
      let body: { region?: unknown; role?: unknown } = {};
      try {
        body = JSON.parse(response.body) as typeof body;
      } catch {
        return { url, ok: false, httpStatus: response.status, error: 'the body is not JSON' };
      }
      return {
        url,
        ok: response.status === 200,
        httpStatus: response.status,
        ...(typeof body.region === 'string' ? { region: body.region } : {}),
        ...(typeof body.role === 'string' ? { role: body.role } : {}),
      };
    } catch (error) {
      return { url, ok: false, error: error instanceof Error ? errorLine(classifyAwsError(error)) : String(error) };
    }
  }
}
