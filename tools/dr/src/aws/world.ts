import { DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  type GlobalCluster,
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
import { type Clock, systemClock } from '../clock';
import type { HttpGet } from '../http';
import type { DrTargets } from '../targets';
import type {
  CapacityState,
  ClusterState,
  DatabaseState,
  DrWorld,
  GlobalOperation,
  HealthCheckState,
  HealthReport,
  ReplicationLag,
  TrafficState,
  WeightedRecord,
} from '../world';
import type { AwsClients } from './clients';

/**
 * Route 53 considers an endpoint healthy when more than 18% of its checkers report it healthy.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
 */
const HEALTHY_CHECKER_SHARE = 0.18;
/** How far back to look for the replication-lag metric (published every minute). */
const LAG_WINDOW_MS = 10 * 60_000;

/**
 * After the region a failover leaves fails to answer, it is not asked again for this long: each
 * attempt costs the full timeout, and the waits poll every few seconds.
 */
export const IMPAIRED_RETRY_AFTER_MS = 60_000;

export interface AwsWorldOptions {
  readonly http: HttpGet;
  /** The region a failover moves away from: once it fails to answer, it is skipped for a while. */
  readonly impaired?: DrRole;
  /** Deadline of one GET /health. @default 5000 */
  readonly healthTimeoutMs?: number;
  readonly clock?: Clock;
}

function message(error: unknown): string {
  if (error instanceof Error) return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}

/** The live state of the pair through the AWS APIs, and the calls that change it. */
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
   * Calls the region of `role`. For the impaired region, a call that gets no answer (a timeout or
   * a network error, as opposed to an error the service returned) makes the next calls fail at
   * once for IMPAIRED_RETRY_AFTER_MS.
   */
  private async regional<T>(role: DrRole, call: () => Promise<T>): Promise<T> {
    if (role !== this.options.impaired) return call();
    const now = this.clock.now();
    if (this.impairedSilentSince !== undefined && now - this.impairedSilentSince < IMPAIRED_RETRY_AFTER_MS) {
      const ago = Math.round((now - this.impairedSilentSince) / 1000);
      throw Object.assign(new Error(`${this.targets.regions[role].region} did not answer ${ago} s ago; not asked again until ${IMPAIRED_RETRY_AFTER_MS / 1000} s have passed`), {
        name: 'RegionSkipped',
      });
    }
    try {
      return await call();
    } catch (error) {
      const answered = typeof (error as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode === 'number';
      if (!answered) this.impairedSilentSince = this.clock.now();
      throw error;
    }
  }

  // --- database -------------------------------------------------------------------------------

  async readDatabase(): Promise<DatabaseState> {
    const [global, primary, secondary] = await Promise.all([this.describeGlobal(), this.describeCluster('primary'), this.describeCluster('secondary')]);
    const clusters = { primary, secondary };
    const base = { globalCluster: this.targets.globalCluster, clusters, synchronization: {} };
    if ('error' in global) return { ...base, reachable: false, error: global.error };

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
    const lag = writer ? await this.readLag(otherRole(writer)) : undefined;
    return {
      ...base,
      reachable: true,
      synchronization,
      ...(cluster.EngineVersion ? { engineVersion: cluster.EngineVersion } : {}),
      ...(writer ? { writer } : {}),
      ...(operation ? { operation } : {}),
      ...(lag ? { lag } : {}),
    };
  }

  async switchoverDatabase(to: DrRole): Promise<void> {
    const arn = await this.clusterArn(to);
    await this.clients.regional[to].rds.send(
      new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: this.targets.globalCluster, TargetDbClusterIdentifier: arn }),
    );
  }

  async failoverDatabase(to: DrRole): Promise<void> {
    // Sent to the target's region: the region being left may not answer at all.
    const arn = await this.clusterArn(to);
    await this.clients.regional[to].rds.send(
      new FailoverGlobalClusterCommand({ GlobalClusterIdentifier: this.targets.globalCluster, TargetDbClusterIdentifier: arn, AllowDataLoss: true }),
    );
  }

  private async describeGlobal(): Promise<{ cluster: GlobalCluster } | { error: string }> {
    const errors: string[] = [];
    for (const role of this.globalOrder) {
      try {
        const result = await this.regional(role, () =>
          this.clients.regional[role].rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: this.targets.globalCluster })),
        );
        const cluster = result.GlobalClusters?.[0];
        if (!cluster) return { error: `global cluster ${this.targets.globalCluster} not found` };
        this.globalOrder = [role, otherRole(role)];
        return { cluster };
      } catch (error) {
        errors.push(`${this.targets.regions[role].region}: ${message(error)}`);
      }
    }
    return { error: errors.join('; ') };
  }

  private async describeCluster(role: DrRole): Promise<ClusterState> {
    const { region, cluster: identifier } = this.targets.regions[role];
    try {
      const result = await this.regional(role, () => this.clients.regional[role].rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier })));
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
      if ((error as Error).name === 'DBClusterNotFoundFault') return { role, region, identifier, reachable: true, status: 'not found' };
      return { role, region, identifier, reachable: false, error: message(error) };
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

  /** AuroraGlobalDBRPOLag is published in the secondary's own region, per secondary cluster. */
  private async readLag(role: DrRole): Promise<ReplicationLag | undefined> {
    const end = this.clock.now();
    try {
      const result = await this.regional(role, () =>
        this.clients.regional[role].cloudWatch.send(
          new GetMetricStatisticsCommand({
          Namespace: 'AWS/RDS',
          MetricName: 'AuroraGlobalDBRPOLag',
          Dimensions: [{ Name: 'DBClusterIdentifier', Value: this.targets.regions[role].cluster }],
          StartTime: new Date(end - LAG_WINDOW_MS),
          EndTime: new Date(end),
          Period: 60,
          Statistics: ['Maximum'],
          }),
        ),
      );
      const latest = (result.Datapoints ?? [])
        .filter((d) => d.Timestamp && d.Maximum !== undefined)
        .sort((a, b) => b.Timestamp!.getTime() - a.Timestamp!.getTime())[0];
      return latest ? { role, milliseconds: latest.Maximum!, at: latest.Timestamp!.toISOString() } : undefined;
    } catch {
      // No lag is reported as unknown; the preconditions that need it refuse on unknown.
      return undefined;
    }
  }

  // --- capacity -------------------------------------------------------------------------------

  async readCapacity(role: DrRole): Promise<CapacityState> {
    const { region, autoScalingGroup } = this.targets.regions[role];
    const base = { role, region, autoScalingGroup };
    try {
      return await this.regional(role, () => this.describeCapacity(role));
    } catch (error) {
      return { ...base, reachable: false, error: message(error) };
    }
  }

  private async describeCapacity(role: DrRole): Promise<CapacityState> {
    const { region, autoScalingGroup } = this.targets.regions[role];
    const base = { role, region, autoScalingGroup };
    const clients = this.clients.regional[role];
    const groups = await clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [autoScalingGroup] }));
    const group = groups.AutoScalingGroups?.[0];
    if (!group) return { ...base, reachable: true, error: `Auto Scaling group ${autoScalingGroup} not found` };
    const inService = (group.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length;
    const arn = await this.targetGroupArn(role);
    const health = await clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
    const healthyTargets = (health.TargetHealthDescriptions ?? []).filter((t) => t.TargetHealth?.State === 'healthy').length;
    return { ...base, reachable: true, min: group.MinSize ?? 0, desired: group.DesiredCapacity ?? 0, max: group.MaxSize ?? 0, inService, healthyTargets };
  }

  async setCapacity(role: DrRole, capacity: Capacity): Promise<void> {
    await this.regional(role, () =>
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
    const result = await this.clients.regional[role].elb.send(new DescribeTargetGroupsCommand({ Names: [name] }));
    const arn = result.TargetGroups?.[0]?.TargetGroupArn;
    if (!arn) throw new Error(`target group ${name} not found`);
    this.targetGroupArns.set(role, arn);
    return arn;
  }

  // --- traffic --------------------------------------------------------------------------------

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
      return { fqdn, reachable: false, error: message(error), records: { primary: unknown('primary'), secondary: unknown('secondary') } };
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
    const result = await this.clients.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Comment: `dr: weights ${DR_ROLES.map((r) => `${r}=${weights[r]}`).join(' ')}`, Changes: changes },
      }),
    );
    const changeId = result.ChangeInfo?.Id;
    if (!changeId) throw new Error('Route 53 accepted the change but returned no change id');
    return { changeId };
  }

  async trafficChangeInSync(changeId: string): Promise<boolean> {
    const result = await this.clients.route53.send(new GetChangeCommand({ Id: changeId }));
    return result.ChangeInfo?.Status === 'INSYNC';
  }

  private async hostedZoneId(): Promise<string> {
    if (this.zoneId) return this.zoneId;
    const zoneName = `${this.targets.zoneName}.`;
    const result = await this.clients.route53.send(new ListHostedZonesByNameCommand({ DNSName: this.targets.zoneName, MaxItems: 10 }));
    const zone = (result.HostedZones ?? []).find((z) => z.Name === zoneName && !z.Config?.PrivateZone);
    if (!zone?.Id) throw new Error(`no public hosted zone ${this.targets.zoneName}`);
    this.zoneId = zone.Id;
    return zone.Id;
  }

  private async weightedRecordSets(zoneId: string): Promise<Partial<Record<DrRole, ResourceRecordSet>>> {
    const name = `${this.targets.fqdn}.`;
    const result = await this.clients.route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: this.targets.fqdn, StartRecordType: 'A', MaxItems: 10 }),
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
      const result = await this.clients.route53.send(new GetHealthCheckStatusCommand({ HealthCheckId: id }));
      const observations = result.HealthCheckObservations ?? [];
      const healthy = observations.filter((o) => o.StatusReport?.Status?.startsWith('Success')).length;
      if (observations.length === 0) return { health: 'unknown' };
      return { health: healthy / observations.length > HEALTHY_CHECKER_SHARE ? 'healthy' : 'unhealthy', checkersHealthy: healthy, checkers: observations.length };
    } catch {
      return { health: 'unknown' };
    }
  }

  // --- the service ----------------------------------------------------------------------------

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
      return { url, ok: false, error: message(error) };
    }
  }
}
