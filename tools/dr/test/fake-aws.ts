import { AutoScalingClient, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeDBClustersCommand, DescribeGlobalClustersCommand, FailoverGlobalClusterCommand, RDSClient, SwitchoverGlobalClusterCommand } from '@aws-sdk/client-rds';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHealthCheckStatusCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { DR_ROLES, type DrRole, otherRole } from '@txn-dr/config';
import { mockClient } from 'aws-sdk-client-mock';
import type { Clock } from '../src/clock';
import type { HttpGet } from '../src/http';
import type { DrTargets } from '../src/targets';

/**
 * A small in-memory model of the pair that the mocked AWS SDK clients read and change: the global
 * cluster switches roles a few polls after a switchover or failover call, new instances turn
 * in-service once they have had time to boot, a Route 53 change goes INSYNC after a poll. A region can be made to
 * time out, and any call can be made to fail.
 */

const ACCOUNT = '123456789012';

/** A clock whose sleeps and API calls advance virtual time only. */
export class FakeClock implements Clock {
  constructor(public t = Date.parse('2026-11-20T03:00:00Z')) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
    this.t += ms;
  }
}

interface Instance {
  readonly id: string;
  lifecycle: 'Pending' | 'InService';
  /** When a pending instance has booted and passed its target health checks. */
  readyAt: number;
}

interface RegionModel {
  readonly role: DrRole;
  readonly region: string;
  readonly cluster: { readonly id: string; readonly arn: string; status: string; engineVersion: string };
  readonly asg: { readonly name: string; min: number; desired: number; max: number; instances: Instance[] };
  readonly targetGroup: { readonly name: string; readonly arn: string };
  weight: number;
  readonly healthCheckId: string;
  healthy: boolean;
  /** Of the 16 Route 53 checkers, how many report success; by default all or none, after `healthy`. */
  healthyCheckers?: number;
}

interface Operation {
  readonly status: 'switching-over' | 'failing-over';
  readonly from: DrRole;
  readonly to: DrRole;
  readonly dataLoss: boolean;
  pollsLeft: number;
}

export interface FakeAwsOptions {
  /** AuroraGlobalDBRPOLag of the secondary, ms. @default 400 */
  readonly lagMs?: number;
  /** From launch to in service and healthy in the target group, virtual ms. @default 40000 */
  readonly bootMs?: number;
  /** DescribeGlobalClusters polls before a switchover or failover completes. @default 4 */
  readonly promotionPolls?: number;
  /** Virtual time each API call takes. @default 150 */
  readonly callMs?: number;
}

type Call = { readonly command: string; readonly region: string; readonly input: Record<string, unknown> };

export class FakeAws {
  readonly regions: Record<DrRole, RegionModel>;
  readonly global: { readonly id: string; engineVersion: string; writer: DrRole; operation?: Operation; synchronization: Record<DrRole, string> };
  lagMs: number;
  /** Regions whose regional APIs (and ALB) time out. */
  readonly impaired = new Set<string>();
  /** Every call, in order, with its region. */
  readonly calls: Call[] = [];
  /** Called after each call is recorded: tests interrupt runs from here. */
  onCall?: (call: Call) => void;
  private readonly failures: { command: string; error: Error; times: number }[] = [];
  private readonly changes = new Map<string, number>();
  private readonly stubs: { restore(): void }[] = [];
  private instanceSeq = 0;
  private changeSeq = 0;
  private readonly bootMs: number;
  private readonly promotionPolls: number;
  private readonly callMs: number;

  constructor(
    private readonly targets: DrTargets,
    private readonly clock: FakeClock,
    options: FakeAwsOptions = {},
  ) {
    this.lagMs = options.lagMs ?? 400;
    this.bootMs = options.bootMs ?? 40_000;
    this.promotionPolls = options.promotionPolls ?? 4;
    this.callMs = options.callMs ?? 150;
    const region = (role: DrRole): RegionModel => {
      const t = targets.regions[role];
      const capacity = role === 'primary' ? targets.activeCapacity : targets.standbyCapacity;
      const model: RegionModel = {
        role,
        region: t.region,
        cluster: { id: t.cluster, arn: `arn:aws:rds:${t.region}:${ACCOUNT}:cluster:${t.cluster}`, status: 'available', engineVersion: '8.0.mysql_aurora.3.10.4' },
        asg: { name: t.autoScalingGroup, ...capacity, instances: [] },
        targetGroup: { name: t.targetGroup, arn: `arn:aws:elasticloadbalancing:${t.region}:${ACCOUNT}:targetgroup/${t.targetGroup}/0123456789abcdef` },
        weight: role === 'primary' ? 100 : 0,
        healthCheckId: `hc-${role}-0000-0000-000000000000`,
        healthy: true,
      };
      for (let i = 0; i < capacity.desired; i++) model.asg.instances.push({ id: this.nextInstance(), lifecycle: 'InService', readyAt: 0 });
      return model;
    };
    this.regions = { primary: region('primary'), secondary: region('secondary') };
    this.global = { id: targets.globalCluster, engineVersion: '8.0.mysql_aurora.3.10.4', writer: 'primary', synchronization: { primary: 'connected', secondary: 'connected' } };
  }

  /** The active region fails: its APIs and its ALB time out, and Route 53 sees its endpoint unhealthy. */
  impair(role: DrRole): void {
    this.impaired.add(this.regions[role].region);
    this.regions[role].healthy = false;
  }

  /** The impaired region is back; after a failover Aurora has rejoined its cluster as a secondary. */
  recover(role: DrRole): void {
    this.impaired.delete(this.regions[role].region);
    this.regions[role].healthy = true;
    this.global.synchronization[role] = 'connected';
  }

  /** The next `times` calls of `command` fail with `error`. */
  failNext(command: string, error: Error, times = 1): void {
    this.failures.push({ command, error, times });
  }

  count(command: string): number {
    return this.calls.filter((c) => c.command === command).length;
  }

  /** Mutating calls, in order: what a run changed. */
  writes(): string[] {
    const mutating = ['UpdateAutoScalingGroup', 'SwitchoverGlobalCluster', 'FailoverGlobalCluster', 'ChangeResourceRecordSets'];
    return this.calls.filter((c) => mutating.includes(c.command)).map((c) => `${c.command} ${c.region}`);
  }

  /**
   * Weight changes with their time. Clients resolve the public name through resolvers that may keep
   * an answer for the whole 60 s alias TTL: the model takes that worst case, so a client sees the
   * weights as they were a TTL ago.
   */
  private readonly weightHistory: { at: number; weights: Record<DrRole, number> }[] = [];

  private weightsSeenAt(time: number): Record<DrRole, number> {
    const seen = [...this.weightHistory].reverse().find((entry) => entry.at <= time);
    return seen?.weights ?? { primary: 100, secondary: 0 };
  }

  /** GET /health through the public name: the region the weights (and health checks) chose answers. */
  readonly http: HttpGet = async (url) => {
    this.clock.t += this.callMs;
    if (url !== this.targets.healthUrl) throw new Error(`unexpected URL ${url}`);
    const weights = this.weightsSeenAt(this.clock.t - 60_000);
    const weighted = DR_ROLES.filter((r) => weights[r] > 0 && this.regions[r].healthy);
    // Route 53 answers with a weight-0 record only when every weighted one is unhealthy.
    const candidates = weighted.length > 0 ? weighted : DR_ROLES.filter((r) => this.regions[r].healthy);
    const role = candidates[0];
    if (!role || this.impaired.has(this.regions[role].region)) throw Object.assign(new Error('fetch failed'), { name: 'TypeError' });
    const writer = this.global.writer === role && !this.global.operation;
    return { status: 200, body: JSON.stringify({ status: 'ok', region: this.regions[role].region, role: writer ? 'writer' : 'reader', db: { reachable: true } }) };
  };

  install(): this {
    const rds = mockClient(RDSClient);
    const asg = mockClient(AutoScalingClient);
    const elb = mockClient(ElasticLoadBalancingV2Client);
    const cw = mockClient(CloudWatchClient);
    const r53 = mockClient(Route53Client);
    this.stubs.push(rds, asg, elb, cw, r53);
    const on = <I>(stub: { on: (command: never) => { callsFake: (fn: (input: I, getClient: () => { config: { region: () => Promise<string> } }) => unknown) => unknown } }, command: unknown, name: string, handler: (input: I, region: string) => unknown) => {
      stub.on(command as never).callsFake(async (input: I, getClient) => {
        const region = await getClient().config.region();
        return this.call(name, region, stub === (r53 as unknown), input as Record<string, unknown>, () => handler(input, region));
      });
    };
    on(rds, DescribeGlobalClustersCommand, 'DescribeGlobalClusters', () => this.describeGlobal());
    on(rds, DescribeDBClustersCommand, 'DescribeDBClusters', (input: { DBClusterIdentifier: string }, region) => this.describeCluster(input.DBClusterIdentifier, region));
    on(rds, SwitchoverGlobalClusterCommand, 'SwitchoverGlobalCluster', (input: { TargetDbClusterIdentifier: string }) => this.promote(input.TargetDbClusterIdentifier, false));
    on(rds, FailoverGlobalClusterCommand, 'FailoverGlobalCluster', (input: { TargetDbClusterIdentifier: string; AllowDataLoss?: boolean }) => {
      if (input.AllowDataLoss !== true) throw new Error('the model only fails over with AllowDataLoss');
      return this.promote(input.TargetDbClusterIdentifier, true);
    });
    on(cw, GetMetricStatisticsCommand, 'GetMetricStatistics', (input: { MetricName: string; Dimensions: { Value: string }[] }, region) => this.lag(input, region));
    on(asg, DescribeAutoScalingGroupsCommand, 'DescribeAutoScalingGroups', (input: { AutoScalingGroupNames: string[] }, region) => this.describeGroup(input.AutoScalingGroupNames[0]!, region));
    on(asg, UpdateAutoScalingGroupCommand, 'UpdateAutoScalingGroup', (input: { AutoScalingGroupName: string; MinSize: number; DesiredCapacity: number; MaxSize: number }, region) =>
      this.updateGroup(input, region),
    );
    on(elb, DescribeTargetGroupsCommand, 'DescribeTargetGroups', (input: { Names: string[] }, region) => {
      const model = this.regionOf(region);
      if (input.Names[0] !== model.targetGroup.name) throw Object.assign(new Error('One or more target groups not found'), { name: 'TargetGroupNotFoundException' });
      return { TargetGroups: [{ TargetGroupName: model.targetGroup.name, TargetGroupArn: model.targetGroup.arn }] };
    });
    on(elb, DescribeTargetHealthCommand, 'DescribeTargetHealth', (input: { TargetGroupArn: string }, region) => {
      const model = this.regionOf(region);
      if (input.TargetGroupArn !== model.targetGroup.arn) throw new Error('unknown target group');
      return {
        TargetHealthDescriptions: model.asg.instances.map((i) => ({ Target: { Id: i.id, Port: 8080 }, TargetHealth: { State: i.lifecycle === 'InService' ? 'healthy' : 'initial' } })),
      };
    });
    on(r53, ListHostedZonesByNameCommand, 'ListHostedZonesByName', () => ({
      HostedZones: [
        // A private zone of the same name must not be mistaken for the public one.
        { Id: '/hostedzone/ZPRIVATE', Name: `${this.targets.zoneName}.`, CallerReference: 'p', Config: { PrivateZone: true } },
        { Id: '/hostedzone/ZPUBLIC', Name: `${this.targets.zoneName}.`, CallerReference: 'z', Config: { PrivateZone: false } },
      ],
    }));
    on(r53, ListResourceRecordSetsCommand, 'ListResourceRecordSets', (input: { HostedZoneId: string }) => {
      if (input.HostedZoneId !== '/hostedzone/ZPUBLIC') throw new Error(`listed the wrong zone ${input.HostedZoneId}`);
      return { ResourceRecordSets: this.recordSets() };
    });
    on(r53, GetHealthCheckStatusCommand, 'GetHealthCheckStatus', (input: { HealthCheckId: string }) => {
      const model = DR_ROLES.map((r) => this.regions[r]).find((m) => m.healthCheckId === input.HealthCheckId);
      if (!model) throw Object.assign(new Error('no such health check'), { name: 'NoSuchHealthCheck' });
      return {
        HealthCheckObservations: Array.from({ length: 16 }, (_, i) => ({
          Region: 'us-east-1',
          IPAddress: `15.177.0.${i}`,
          StatusReport: { Status: i < (model.healthyCheckers ?? (model.healthy ? 16 : 0)) ? 'Success: HTTP Status Code 200, OK' : 'Failure: Connection timed out.', CheckedTime: new Date(this.clock.t) },
        })),
      };
    });
    on(r53, ChangeResourceRecordSetsCommand, 'ChangeResourceRecordSets', (input: { HostedZoneId: string; ChangeBatch: { Changes: { Action: string; ResourceRecordSet: ResourceRecordSet }[] } }) =>
      this.changeRecords(input),
    );
    on(r53, GetChangeCommand, 'GetChange', (input: { Id: string }) => {
      const left = this.changes.get(input.Id);
      if (left === undefined) throw Object.assign(new Error('no such change'), { name: 'NoSuchChange' });
      this.changes.set(input.Id, Math.max(0, left - 1));
      return { ChangeInfo: { Id: input.Id, Status: left <= 1 ? 'INSYNC' : 'PENDING', SubmittedAt: new Date(this.clock.t) } };
    });
    return this;
  }

  restore(): void {
    for (const stub of this.stubs) stub.restore();
  }

  private call(command: string, region: string, global: boolean, input: Record<string, unknown>, handler: () => unknown): unknown {
    const call = { command, region, input };
    this.calls.push(call);
    this.onCall?.(call);
    // Route 53 is a global service: an impaired region takes its regional APIs down, not it.
    if (this.impaired.has(region) && !global) {
      // What the SDK raises when the per-attempt request timeout passes, after its attempts.
      this.clock.t += 9_000;
      throw Object.assign(new Error(`Connection timed out after 4000 ms`), { name: 'TimeoutError' });
    }
    this.clock.t += this.callMs;
    const failure = this.failures.find((f) => f.command === command && f.times > 0);
    if (failure) {
      failure.times--;
      throw failure.error;
    }
    return handler();
  }

  private nextInstance(): string {
    this.instanceSeq++;
    return `i-0${String(this.instanceSeq).padStart(16, '0')}`;
  }

  private regionOf(region: string): RegionModel {
    const model = DR_ROLES.map((r) => this.regions[r]).find((m) => m.region === region);
    if (!model) throw new Error(`no model for region ${region}`);
    return model;
  }

  private roleOfArn(arn: string): DrRole {
    const role = DR_ROLES.find((r) => this.regions[r].cluster.arn === arn);
    if (!role) throw Object.assign(new Error(`DBCluster ${arn} not found`), { name: 'DBClusterNotFoundFault' });
    return role;
  }

  private describeGlobal() {
    const op = this.global.operation;
    if (op) {
      op.pollsLeft--;
      if (op.pollsLeft <= 0) {
        this.global.writer = op.to;
        this.global.operation = undefined;
        for (const role of DR_ROLES) this.regions[role].cluster.status = 'available';
        // After a failover the old primary rejoins as a secondary once its region is back.
        if (op.dataLoss && this.impaired.has(this.regions[op.from].region)) this.global.synchronization[op.from] = 'pending-resync';
      }
    }
    const current = this.global.operation;
    return {
      GlobalClusters: [
        {
          GlobalClusterIdentifier: this.global.id,
          Engine: 'aurora-mysql',
          EngineVersion: this.global.engineVersion,
          Status: 'available',
          GlobalClusterMembers: DR_ROLES.map((role) => ({
            DBClusterArn: this.regions[role].cluster.arn,
            IsWriter: this.global.writer === role,
            Readers: this.global.writer === role ? [this.regions[otherRole(role)].cluster.arn] : [],
            SynchronizationStatus: this.global.synchronization[role],
          })),
          ...(current
            ? {
                FailoverState: {
                  Status: current.status,
                  FromDbClusterArn: this.regions[current.from].cluster.arn,
                  ToDbClusterArn: this.regions[current.to].cluster.arn,
                  IsDataLossAllowed: current.dataLoss,
                },
              }
            : {}),
        },
      ],
    };
  }

  private describeCluster(identifier: string, region: string) {
    const model = this.regionOf(region);
    if (model.cluster.id !== identifier) throw Object.assign(new Error(`DBCluster ${identifier} not found.`), { name: 'DBClusterNotFoundFault' });
    return { DBClusters: [{ DBClusterIdentifier: identifier, DBClusterArn: model.cluster.arn, Status: model.cluster.status, EngineVersion: model.cluster.engineVersion, Engine: 'aurora-mysql' }] };
  }

  private promote(targetArn: string, dataLoss: boolean) {
    const to = this.roleOfArn(targetArn);
    const from = otherRole(to);
    const invalid = (message: string) => Object.assign(new Error(message), { name: 'InvalidGlobalClusterStateFault' });
    if (this.global.operation) throw invalid(`a ${this.global.operation.status} is already in progress`);
    if (this.global.writer === to) throw invalid(`${targetArn} is already the primary cluster`);
    if (!dataLoss) {
      if (this.impaired.has(this.regions[from].region)) throw invalid('the primary cluster is not reachable: switchover needs both regions');
      if (this.regions[from].cluster.engineVersion !== this.regions[to].cluster.engineVersion) throw invalid('engine versions differ');
    }
    const status = dataLoss ? 'failing-over' : 'switching-over';
    this.global.operation = { status, from, to, dataLoss, pollsLeft: this.promotionPolls };
    this.regions[to].cluster.status = status;
    if (!this.impaired.has(this.regions[from].region)) this.regions[from].cluster.status = status;
    return this.describeGlobal().GlobalClusters[0];
  }

  private lag(input: { MetricName: string; Dimensions: { Value: string }[] }, region: string) {
    const model = this.regionOf(region);
    if (input.MetricName !== 'AuroraGlobalDBRPOLag' || input.Dimensions[0]?.Value !== model.cluster.id) return { Datapoints: [] };
    // Published for the secondary only.
    if (this.global.writer === model.role) return { Datapoints: [] };
    return {
      Label: 'AuroraGlobalDBRPOLag',
      Datapoints: [
        { Timestamp: new Date(this.clock.t - 90_000), Maximum: Math.round(this.lagMs / 2), Unit: 'Milliseconds' },
        { Timestamp: new Date(this.clock.t - 30_000), Maximum: this.lagMs, Unit: 'Milliseconds' },
      ],
    };
  }

  private describeGroup(name: string, region: string) {
    const model = this.regionOf(region);
    if (name !== model.asg.name) return { AutoScalingGroups: [] };
    for (const instance of model.asg.instances) {
      if (instance.lifecycle === 'Pending' && this.clock.t >= instance.readyAt) instance.lifecycle = 'InService';
    }
    const { min, desired, max, instances } = model.asg;
    return {
      AutoScalingGroups: [
        {
          AutoScalingGroupName: name,
          MinSize: min,
          DesiredCapacity: desired,
          MaxSize: max,
          Instances: instances.map((i) => ({ InstanceId: i.id, LifecycleState: i.lifecycle, HealthStatus: 'Healthy', AvailabilityZone: `${region}a`, ProtectedFromScaleIn: false })),
        },
      ],
    };
  }

  private updateGroup(input: { AutoScalingGroupName: string; MinSize: number; DesiredCapacity: number; MaxSize: number }, region: string) {
    const model = this.regionOf(region);
    if (input.AutoScalingGroupName !== model.asg.name) throw Object.assign(new Error('AutoScalingGroup name not found'), { name: 'ValidationError' });
    if (!(input.MinSize <= input.DesiredCapacity && input.DesiredCapacity <= input.MaxSize)) throw Object.assign(new Error('bad sizes'), { name: 'ValidationError' });
    Object.assign(model.asg, { min: input.MinSize, desired: input.DesiredCapacity, max: input.MaxSize });
    while (model.asg.instances.length < input.DesiredCapacity) model.asg.instances.push({ id: this.nextInstance(), lifecycle: 'Pending', readyAt: this.clock.t + this.bootMs });
    model.asg.instances = model.asg.instances.slice(0, input.DesiredCapacity);
    return {};
  }

  private recordSets(): ResourceRecordSet[] {
    const fqdn = `${this.targets.fqdn}.`;
    return [
      ...DR_ROLES.map((role) => ({
        Name: fqdn,
        Type: 'A' as const,
        SetIdentifier: role,
        Weight: this.regions[role].weight,
        HealthCheckId: this.regions[role].healthCheckId,
        AliasTarget: { HostedZoneId: role === 'primary' ? 'Z35SXDOTRQ7X7K' : 'Z3AADJGX6KTTL2', DNSName: `dualstack.${this.targets.regions[role].loadBalancer}-1.${this.regions[role].region}.elb.amazonaws.com.`, EvaluateTargetHealth: true },
      })),
      // A neighbour the CLI must leave alone.
      { Name: fqdn, Type: 'AAAA' as const, SetIdentifier: 'primary', Weight: 1, AliasTarget: { HostedZoneId: 'Z35SXDOTRQ7X7K', DNSName: 'x.', EvaluateTargetHealth: false } },
    ];
  }

  private changeRecords(input: { HostedZoneId: string; ChangeBatch: { Changes: { Action: string; ResourceRecordSet: ResourceRecordSet }[] } }) {
    if (input.HostedZoneId !== '/hostedzone/ZPUBLIC') throw new Error(`changed the wrong zone ${input.HostedZoneId}`);
    const existing = this.recordSets();
    for (const change of input.ChangeBatch.Changes) {
      const set = change.ResourceRecordSet;
      const before = existing.find((e) => e.Name === set.Name && e.Type === set.Type && e.SetIdentifier === set.SetIdentifier);
      // An UPSERT that dropped the alias target or health check would break the record: refuse it as Route 53 would not.
      if (change.Action !== 'UPSERT' || !before || JSON.stringify({ ...before, Weight: 0 }) !== JSON.stringify({ ...set, Weight: 0 })) {
        throw Object.assign(new Error(`unexpected change ${JSON.stringify(change)}`), { name: 'InvalidChangeBatch' });
      }
      const role = DR_ROLES.find((r) => r === set.SetIdentifier)!;
      this.regions[role].weight = set.Weight!;
    }
    this.weightHistory.push({ at: this.clock.t, weights: { primary: this.regions.primary.weight, secondary: this.regions.secondary.weight } });
    const id = `/change/C${String(++this.changeSeq).padStart(8, '0')}`;
    this.changes.set(id, 2);
    return { ChangeInfo: { Id: id, Status: 'PENDING', SubmittedAt: new Date(this.clock.t) } };
  }
}
