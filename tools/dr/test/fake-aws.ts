import { AutoScalingClient, DescribeAutoScalingGroupsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateDBInstanceCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeGlobalClustersCommand,
  FailoverGlobalClusterCommand,
  RDSClient,
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
  Route53Client,
} from '@aws-sdk/client-route-53';
import { DR_ROLES, type DrRole, otherRole } from '@txn-dr/config';
import { mockClient } from 'aws-sdk-client-mock';
import type { Clock } from '../src/clock';
import type { HttpGet } from '../src/http';
import type { DrTargets } from '../src/targets';

/**
 * An in-memory model of the pair that the mocked AWS SDK clients read and change, as unkind as
 * AWS where it matters to a recovery:
 *
 * - operations take time on the virtual clock, through the FailoverState statuses AWS documents
 *   (pending, switching-over, failing-over, cancelling), and a switchover whose source stops
 *   answering is stuck until it answers again or a failover replaces it;
 * - after a failover the old primary is rebuilt, and rejoins as a connected secondary only a while
 *   after its region answers again;
 * - AuroraGlobalDBRPOLag is published per minute, after a delay, for the secondary only: it can
 *   stop (and go stale) or be missing;
 * - credentials can be missing, or expire at a moment of the run; permissions can be denied;
 * - calls can be throttled, and the SDK's retries (backoff on the virtual clock) are played out
 *   before the error reaches the caller; a region that does not answer costs every attempt's timeout;
 * - Route 53's API (its control plane, in us-east-1) can fail together with us-east-1, while its
 *   health checks and DNS answers (its data plane) go on;
 * - traffic follows the Route 53 health checks, which pass only where the service may take writes,
 *   and resolvers keep an answer for the whole alias TTL.
 *
 * Each behaviour cites the AWS page it follows; each has a test in test/aws/unkind-*.spec.ts.
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
  lifecycle: 'Pending' | 'InService' | 'Terminating';
  /** When a pending instance has booted and passed its target health checks. */
  readyAt: number;
  /** When a terminating instance is gone. */
  goneAt?: number;
}

interface RegionModel {
  readonly role: DrRole;
  readonly region: string;
  readonly cluster: { readonly id: string; readonly arn: string; status: string; engineVersion: string };
  readonly asg: { readonly name: string; min: number; desired: number; max: number; instances: Instance[] };
  readonly targetGroup: { readonly name: string; readonly arn: string };
  weight: number;
  readonly healthCheckId: string;
  /** The region's service answers (false while the region is impaired). */
  healthy: boolean;
  /** Of the 16 Route 53 checkers, how many report success; by default all or none, after the health check's state. */
  healthyCheckers?: number;
}

/**
 * FailoverState.Status, all four values the RDS API documents: pending ("the global cluster's primary
 * DB cluster and the specified secondary DB cluster are being verified before the operation
 * starts"), failing-over, switching-over, and cancelling ("the primary Aurora DB cluster and the
 * selected secondary Aurora DB cluster are returning to their previous states").
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html
 */
export type FailoverStatus = 'pending' | 'switching-over' | 'failing-over' | 'cancelling';

export interface GlobalOperationModel {
  readonly kind: 'switchover' | 'failover';
  status: FailoverStatus;
  readonly from: DrRole;
  readonly to: DrRole;
  readonly dataLoss: boolean;
  /** When `pending` turns into the operation itself. */
  readonly activeAt: number;
  /** When the operation can complete (a switchover also needs its source to answer). */
  readonly completesAt: number;
  /** When a cancellation has put the clusters back. */
  cancelledAt?: number;
}

export interface FakeAwsOptions {
  /** AuroraGlobalDBRPOLag of the secondary, ms. @default 400 */
  readonly lagMs?: number;
  /** From launch to in service and healthy in the target group, virtual ms. @default 40000 */
  readonly bootMs?: number;
  /** From scale-in to the instance being gone (Terminating, then Terminated). @default 20000 */
  readonly terminateMs?: number;
  /** Virtual time each API call takes. @default 150 */
  readonly callMs?: number;
  /** FailoverState `pending`: both clusters verified before the operation starts. @default 2000 */
  readonly pendingMs?: number;
  /** A switchover after `pending`, to which the replication lag at the call is added. @default 10000 */
  readonly switchoverMs?: number;
  /** A failover after `pending`. @default 30000 */
  readonly failoverMs?: number;
  /** `cancelling` until the clusters are back in their previous roles. @default 15000 */
  readonly cancelMs?: number;
  /** After a failover, rebuilding the old primary once its region answers. @default 20 min */
  readonly rebuildMs?: number;
  /** From the end of a minute to its AuroraGlobalDBRPOLag datapoint being readable. @default 30000 */
  readonly metricDelayMs?: number;
  /** Route 53 health checks see a change this long after it happens (request interval x failure threshold). @default 0 */
  readonly detectionMs?: number;
  /** From RestoreDBClusterToPointInTime to the new cluster being available. @default 15 min */
  readonly restoreMs?: number;
  /** From CreateDBInstance to the instance being available. @default 8 min */
  readonly instanceMs?: number;
  /** How far back a cluster can be restored (its BackupRetentionPeriod). @default 7 days */
  readonly retentionMs?: number;
  /** How far LatestRestorableTime trails the clock. @default 5 min */
  readonly restorableLagMs?: number;
}

/** A cluster that RestoreDBClusterToPointInTime created, or one that simply has a name (`takeClusterName`). */
interface OtherCluster {
  readonly id: string;
  readonly region: string;
  status: string;
  readonly availableAt: number;
  readonly input?: Record<string, unknown>;
  readonly tags: { Key: string; Value: string }[];
  readonly members: string[];
}

interface DbInstanceModel {
  readonly id: string;
  readonly cluster: string;
  readonly region: string;
  readonly instanceClass: string;
  status: string;
  readonly availableAt: number;
}

type Call = { readonly command: string; readonly region: string; readonly input: Record<string, unknown> };

/** How each service's protocol names the same errors, as the SDK raises them (see aws/clients.spec.ts). */
type Service = 'rds' | 'autoscaling' | 'elasticloadbalancing' | 'cloudwatch' | 'route53';
const JSON_PROTOCOL: readonly Service[] = ['cloudwatch'];

/** What the mocked SDK client gives the model: its region, attempts and timeouts. */
interface ClientView {
  readonly config: {
    region: () => Promise<string>;
    maxAttempts: () => Promise<number>;
    requestHandler?: unknown;
  };
}

/** The SDK's standard retry mode: exponential backoff, 100 ms base (500 ms when throttled), 20 s at most; the model takes the top of the jitter. */
const backoffMs = (retry: number, throttled: boolean) => Math.min(20_000, (throttled ? 500 : 100) * 2 ** retry);

export class FakeAws {
  readonly regions: Record<DrRole, RegionModel>;
  readonly global: { readonly id: string; engineVersion: string; writer: DrRole; operation?: GlobalOperationModel; synchronization: Record<DrRole, string> };
  lagMs: number;
  /** Regions whose regional APIs (and ALB) do not answer. */
  readonly impaired = new Set<string>();
  /** Route 53's API does not answer (its control plane fails with us-east-1). */
  route53Down = false;
  /**
   * The credentials the operator runs with: `missing` fails every call before it is sent (the SDK's
   * provider chain found none), `expired` every call AWS receives. `credentialsExpireAt` makes a
   * session end at a moment of the run.
   */
  credentials: 'valid' | 'missing' | 'expired' = 'valid';
  credentialsExpireAt?: number;
  /** Every call, in order, with its region. */
  readonly calls: Call[] = [];
  /** Called after each call is recorded: tests interrupt runs from here. */
  onCall?: (call: Call) => void;

  private readonly failures: { command: string; error: Error; times: number }[] = [];
  /** Snapshots an unplanned failover left, with the writes of the old primary that had not replicated. */
  readonly snapshots: { id: string; cluster: string; region: string; at: number }[] = [];
  private readonly throttles = new Map<string, number>();
  private readonly denied = new Set<string>();
  private readonly changes = new Map<string, number>();
  private readonly stubs: { restore(): void }[] = [];
  private instanceSeq = 0;
  private changeSeq = 0;
  private readonly o: Required<Omit<FakeAwsOptions, 'lagMs'>>;
  /** Since when each cluster's lag is published (it is published for a secondary only). */
  private readonly metricsSince: Record<DrRole, number>;
  /** Publishing stopped at this time: the datapoints already there grow stale. */
  private metricsStoppedAt?: number;
  /** After a failover: the old primary waits for its region, then for its rebuild. */
  private readonly rebuild: Partial<Record<DrRole, { until?: number }>> = {};
  /** Whether each region's Route 53 health check passes, over time. */
  private readonly healthHistory: { at: number; healthy: Record<DrRole, boolean> }[] = [];
  /** Clusters besides the pair's own: restores, and names taken. */
  readonly otherClusters = new Map<string, OtherCluster>();
  readonly dbInstances = new Map<string, DbInstanceModel>();

  constructor(
    private readonly targets: DrTargets,
    private readonly clock: FakeClock,
    options: FakeAwsOptions = {},
  ) {
    this.lagMs = options.lagMs ?? 400;
    this.o = {
      bootMs: options.bootMs ?? 40_000,
      terminateMs: options.terminateMs ?? 20_000,
      callMs: options.callMs ?? 150,
      pendingMs: options.pendingMs ?? 2_000,
      switchoverMs: options.switchoverMs ?? 10_000,
      failoverMs: options.failoverMs ?? 30_000,
      cancelMs: options.cancelMs ?? 15_000,
      rebuildMs: options.rebuildMs ?? 20 * 60_000,
      metricDelayMs: options.metricDelayMs ?? 30_000,
      detectionMs: options.detectionMs ?? 0,
      restoreMs: options.restoreMs ?? 15 * 60_000,
      instanceMs: options.instanceMs ?? 8 * 60_000,
      retentionMs: options.retentionMs ?? 7 * 24 * 3_600_000,
      restorableLagMs: options.restorableLagMs ?? 5 * 60_000,
    };
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
    // The pair has been running for a while: an hour of lag datapoints.
    this.metricsSince = { primary: clock.t - 3_600_000, secondary: clock.t - 3_600_000 };
    this.healthHistory.push({ at: -Infinity, healthy: this.writableNow() });
  }

  /**
   * The region fails: its APIs and its ALB stop answering, and its Route 53 health check fails.
   * With `route53`, Route 53's API fails too: its control plane is served from us-east-1, while DNS
   * answers and health checks, its data plane, go on ("DNS query resolution from the Route 53 data
   * plane continues to work normally during Regional service impairment" of US East (N. Virginia)):
   * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/accelerated-recovery.html
   */
  impair(role: DrRole, options: { route53?: boolean } = {}): void {
    this.impaired.add(this.regions[role].region);
    this.regions[role].healthy = false;
    if (options.route53) {
      if (this.regions[role].region !== 'us-east-1') throw new Error("Route 53's control plane runs in us-east-1 only");
      this.route53Down = true;
    }
    this.noteHealth(this.clock.t);
  }

  /**
   * The impaired region answers again. After a failover, "as soon as that old primary Region is
   * healthy and available again, Aurora automatically adds it back to the global cluster as a
   * secondary Region", after creating a new storage volume; rebuilding "can take a few minutes to
   * several hours": until then its cluster is `pending-resync` (GlobalClusterMember
   * SynchronizationStatus, `connected | pending-resync`).
   * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
   * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_GlobalClusterMember.html
   */
  recover(role: DrRole): void {
    this.impaired.delete(this.regions[role].region);
    this.regions[role].healthy = true;
    if (this.regions[role].region === 'us-east-1') this.route53Down = false;
    const rebuild = this.rebuild[role];
    if (rebuild && rebuild.until === undefined) rebuild.until = this.clock.t + this.o.rebuildMs;
    this.noteHealth(this.clock.t);
  }

  /** The next `times` calls of `command` fail with `error` (as it is, with no retry). */
  failNext(command: string, error: Error, times = 1): void {
    this.failures.push({ command, error, times });
  }

  /**
   * The next `attempts` attempts of `command` are throttled. The SDK retries throttling with backoff
   * ("exponential backoff with jitter", standard mode, 3 attempts unless configured), so a call fails
   * only when every attempt of it was throttled:
   * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
   */
  throttle(command: string, attempts: number): void {
    this.throttles.set(command, (this.throttles.get(command) ?? 0) + attempts);
  }

  /** The operator's role may not perform `action` (e.g. `rds:DescribeGlobalClusters`). */
  deny(action: string): void {
    this.denied.add(action);
  }

  /** AuroraGlobalDBRPOLag stops being published now: the datapoints already there grow stale. */
  stopMetrics(): void {
    this.metricsStoppedAt = this.clock.t;
  }

  /** No AuroraGlobalDBRPOLag datapoint at all (the metric is not published for this engine version or cluster). */
  dropMetrics(): void {
    for (const role of DR_ROLES) this.metricsSince[role] = Infinity;
  }

  /** AuroraGlobalDBRPOLag is published again from now. */
  resumeMetrics(): void {
    this.metricsStoppedAt = undefined;
    for (const role of DR_ROLES) this.metricsSince[role] = this.clock.t;
  }

  /**
   * The operation under way is cancelled: `cancelling` while "the primary Aurora DB cluster and the
   * selected secondary Aurora DB cluster are returning to their previous states" (FailoverState, as
   * above), then gone, with the writer unchanged.
   */
  cancelOperation(): void {
    const op = this.global.operation;
    if (!op) throw new Error('no operation to cancel');
    op.status = 'cancelling';
    op.cancelledAt = this.clock.t + this.o.cancelMs;
    this.noteHealth(this.clock.t);
  }

  /** A cluster named `id` exists in the region of `role`, created by someone else (no restore tags). */
  takeClusterName(role: DrRole, id: string): void {
    this.otherClusters.set(id, { id, region: this.regions[role].region, status: 'available', availableAt: this.clock.t, tags: [], members: [] });
  }

  /** The restorable window of the pair's clusters now: [EarliestRestorableTime, LatestRestorableTime]. */
  restorableWindow(): { earliest: number; latest: number } {
    return { earliest: this.clock.t - this.o.retentionMs, latest: this.clock.t - this.o.restorableLagMs };
  }

  count(command: string): number {
    return this.calls.filter((c) => c.command === command).length;
  }

  /** Mutating calls, in order: what a run changed. */
  writes(): string[] {
    const mutating = ['UpdateAutoScalingGroup', 'SwitchoverGlobalCluster', 'FailoverGlobalCluster', 'ChangeResourceRecordSets', 'RestoreDBClusterToPointInTime', 'CreateDBInstance'];
    return this.calls.filter((c) => mutating.includes(c.command)).map((c) => `${c.command} ${c.region}`);
  }

  /**
   * Weight changes with their time. Clients resolve the public name through resolvers that may keep
   * an answer for the whole 60 s alias TTL: the model takes that worst case, so a client sees the
   * answer Route 53 gave a TTL ago.
   */
  private readonly weightHistory: { at: number; weights: Record<DrRole, number> }[] = [];

  private weightsAt(time: number): Record<DrRole, number> {
    const seen = [...this.weightHistory].reverse().find((entry) => entry.at <= time);
    return seen?.weights ?? { primary: 100, secondary: 0 };
  }

  /**
   * Where the service may take writes: the region answers, its cluster is the global writer, and no
   * switchover or failover has made it read-only. The Route 53 health checks probe exactly that
   * (HEALTH_PATHS.writable in @txn-dr/contracts).
   */
  private writableNow(): Record<DrRole, boolean> {
    const op = this.global.operation;
    const writable = (role: DrRole) => this.regions[role].healthy && this.global.writer === role && (!op || op.status === 'pending');
    return { primary: writable('primary'), secondary: writable('secondary') };
  }

  private noteHealth(at: number): void {
    const now = this.writableNow();
    const last = this.healthHistory[this.healthHistory.length - 1]!.healthy;
    if (now.primary !== last.primary || now.secondary !== last.secondary) this.healthHistory.push({ at, healthy: now });
  }

  /**
   * What Route 53's checkers report at `time`: a change is seen `detectionMs` after it happened, as
   * Route 53 "periodically checks the health of the endpoint [...]; it doesn't perform the health
   * check when the DNS query arrives".
   * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-how-route-53-chooses-records.html
   */
  private checkedHealthy(role: DrRole, time: number): boolean {
    const seen = [...this.healthHistory].reverse().find((entry) => entry.at <= time - this.o.detectionMs);
    return seen!.healthy[role];
  }

  /**
   * Route 53's answer at `time`: a healthy record of non-zero weight; if there is none, a healthy
   * weight-0 record; if no record is healthy, "Route 53 considers all records in the group to be
   * healthy" (how-route-53-chooses-records, as above).
   */
  private answerAt(time: number): DrRole {
    this.tick();
    const weights = this.weightsAt(time);
    const weighted = DR_ROLES.filter((r) => weights[r] > 0);
    const healthy = (roles: DrRole[]) => roles.filter((r) => this.checkedHealthy(r, time));
    return healthy(weighted)[0] ?? healthy([...DR_ROLES])[0] ?? weighted[0] ?? 'primary';
  }

  /** GET /health through the public name, as a client whose resolver kept the answer for the TTL. */
  readonly http: HttpGet = async (url) => {
    this.clock.t += this.o.callMs;
    if (url !== this.targets.healthUrl) throw new Error(`unexpected URL ${url}`);
    const role = this.answerAt(this.clock.t - 60_000);
    if (this.impaired.has(this.regions[role].region)) throw Object.assign(new Error('fetch failed'), { name: 'TypeError' });
    const writer = this.writableNow()[role];
    return { status: 200, body: JSON.stringify({ status: 'ok', region: this.regions[role].region, role: writer ? 'writer' : 'reader', db: { reachable: true } }) };
  };

  install(): this {
    // Each client's stub looks the command's class up in a table of its own, rather than taking
    // aws-sdk-client-mock's `.on(Command)` for each command: every `.on` adds a sinon `withArgs`
    // matcher, and sinon deep-compares each call with every matcher, which cost more CPU than the
    // model itself.
    type Handler = { readonly service: Service; readonly name: string; readonly handler: (input: never, region: string) => unknown };
    type Command = { readonly constructor: unknown; readonly input: object };
    const answer = async (handlers: Map<unknown, Handler>, client: ClientView, command: Command) => {
      const found = handlers.get(command.constructor);
      // What a stubbed client answers to a command it was given no behaviour for.
      if (!found) return undefined;
      const region = await client.config.region();
      return this.call({ command: found.name, service: found.service, region, client, input: command.input as Record<string, unknown> }, () => found.handler(command.input as never, region));
    };
    const stub = (client: Parameters<typeof mockClient>[0]) => {
      const handlers = new Map<unknown, Handler>();
      const mock = mockClient(client);
      this.stubs.push(mock);
      // sinon calls the fake with the client the command was sent through as `this`.
      mock.send.callsFake(function (this: ClientView, command: Command) {
        return answer(handlers, this, command) as never;
      });
      return handlers;
    };
    const rds = stub(RDSClient);
    const asg = stub(AutoScalingClient);
    const elb = stub(ElasticLoadBalancingV2Client);
    const cw = stub(CloudWatchClient);
    const r53 = stub(Route53Client);
    const on = <I>(handlers: Map<unknown, Handler>, service: Service, command: unknown, name: string, handler: (input: I, region: string) => unknown) => {
      handlers.set(command, { service, name, handler: handler as Handler['handler'] });
    };
    on(rds, 'rds', DescribeGlobalClustersCommand, 'DescribeGlobalClusters', () => this.describeGlobal());
    on(rds, 'rds', DescribeDBClustersCommand, 'DescribeDBClusters', (input: { DBClusterIdentifier: string }, region) => this.describeCluster(input.DBClusterIdentifier, region));
    on(rds, 'rds', DescribeDBClusterSnapshotsCommand, 'DescribeDBClusterSnapshots', (input: { DBClusterIdentifier: string }, region) => ({
      DBClusterSnapshots: this.snapshots.filter((snapshot) => snapshot.cluster === input.DBClusterIdentifier && snapshot.region === region).map((snapshot) => ({
        DBClusterSnapshotIdentifier: snapshot.id,
        DBClusterIdentifier: snapshot.cluster,
        SnapshotCreateTime: new Date(snapshot.at),
        SnapshotType: 'automated',
      })),
    }));
    on(rds, 'rds', SwitchoverGlobalClusterCommand, 'SwitchoverGlobalCluster', (input: { TargetDbClusterIdentifier: string }) => this.promote(input.TargetDbClusterIdentifier, false));
    on(rds, 'rds', FailoverGlobalClusterCommand, 'FailoverGlobalCluster', (input: { TargetDbClusterIdentifier: string; AllowDataLoss?: boolean }) => {
      if (input.AllowDataLoss !== true) throw new Error('the model only fails over with AllowDataLoss');
      return this.promote(input.TargetDbClusterIdentifier, true);
    });
    on(rds, 'rds', RestoreDBClusterToPointInTimeCommand, 'RestoreDBClusterToPointInTime', (input: RestoreInput, region) => this.restoreToTime(input, region));
    on(rds, 'rds', CreateDBInstanceCommand, 'CreateDBInstance', (input: CreateInstanceInput, region) => this.createInstance(input, region));
    on(rds, 'rds', DescribeDBInstancesCommand, 'DescribeDBInstances', (input: { DBInstanceIdentifier: string }, region) => {
      const instance = this.dbInstances.get(input.DBInstanceIdentifier);
      // The SDK names RDS's DBInstanceNotFound after its exception class.
      if (!instance || instance.region !== region) throw this.answered('DBInstanceNotFoundFault', `DBInstance ${input.DBInstanceIdentifier} not found.`, 404);
      return { DBInstances: [{ DBInstanceIdentifier: instance.id, DBClusterIdentifier: instance.cluster, DBInstanceClass: instance.instanceClass, DBInstanceStatus: instance.status, Engine: 'aurora-mysql' }] };
    });
    on(cw, 'cloudwatch', GetMetricStatisticsCommand, 'GetMetricStatistics', (input: LagQuery, region) => this.lag(input, region));
    on(asg, 'autoscaling', DescribeAutoScalingGroupsCommand, 'DescribeAutoScalingGroups', (input: { AutoScalingGroupNames: string[] }, region) =>
      this.describeGroup(input.AutoScalingGroupNames[0]!, region),
    );
    on(asg, 'autoscaling', UpdateAutoScalingGroupCommand, 'UpdateAutoScalingGroup', (input: { AutoScalingGroupName: string; MinSize: number; DesiredCapacity: number; MaxSize: number }, region) =>
      this.updateGroup(input, region),
    );
    on(elb, 'elasticloadbalancing', DescribeTargetGroupsCommand, 'DescribeTargetGroups', (input: { Names: string[] }, region) => {
      const model = this.regionOf(region);
      if (input.Names[0] !== model.targetGroup.name) throw this.answered('TargetGroupNotFoundException', 'One or more target groups not found', 400);
      return { TargetGroups: [{ TargetGroupName: model.targetGroup.name, TargetGroupArn: model.targetGroup.arn }] };
    });
    on(elb, 'elasticloadbalancing', DescribeTargetHealthCommand, 'DescribeTargetHealth', (input: { TargetGroupArn: string }, region) => {
      const model = this.regionOf(region);
      if (input.TargetGroupArn !== model.targetGroup.arn) throw new Error('unknown target group');
      const state = (i: Instance) => (i.lifecycle === 'InService' ? 'healthy' : i.lifecycle === 'Pending' ? 'initial' : 'draining');
      return { TargetHealthDescriptions: model.asg.instances.map((i) => ({ Target: { Id: i.id, Port: 8080 }, TargetHealth: { State: state(i) } })) };
    });
    on(r53, 'route53', ListHostedZonesByNameCommand, 'ListHostedZonesByName', () => ({
      HostedZones: [
        // A private zone of the same name must not be mistaken for the public one.
        { Id: '/hostedzone/ZPRIVATE', Name: `${this.targets.zoneName}.`, CallerReference: 'p', Config: { PrivateZone: true } },
        { Id: '/hostedzone/ZPUBLIC', Name: `${this.targets.zoneName}.`, CallerReference: 'z', Config: { PrivateZone: false } },
      ],
    }));
    on(r53, 'route53', ListResourceRecordSetsCommand, 'ListResourceRecordSets', (input: { HostedZoneId: string }) => {
      if (input.HostedZoneId !== '/hostedzone/ZPUBLIC') throw new Error(`listed the wrong zone ${input.HostedZoneId}`);
      return { ResourceRecordSets: this.recordSets() };
    });
    on(r53, 'route53', GetHealthCheckStatusCommand, 'GetHealthCheckStatus', (input: { HealthCheckId: string }) => {
      const model = DR_ROLES.map((r) => this.regions[r]).find((m) => m.healthCheckId === input.HealthCheckId);
      if (!model) throw this.answered('NoSuchHealthCheck', 'No health check exists with the specified ID.', 404);
      const passing = model.healthyCheckers ?? (this.checkedHealthy(model.role, this.clock.t) ? 16 : 0);
      return {
        HealthCheckObservations: Array.from({ length: 16 }, (_, i) => ({
          Region: 'us-east-1',
          IPAddress: `15.177.0.${i}`,
          StatusReport: { Status: i < passing ? 'Success: HTTP Status Code 200, OK' : 'Failure: HTTP Status Code 503, Service Unavailable', CheckedTime: new Date(this.clock.t) },
        })),
      };
    });
    on(r53, 'route53', ChangeResourceRecordSetsCommand, 'ChangeResourceRecordSets', (input: { HostedZoneId: string; ChangeBatch: { Changes: { Action: string; ResourceRecordSet: ResourceRecordSet }[] } }) =>
      this.changeRecords(input),
    );
    on(r53, 'route53', GetChangeCommand, 'GetChange', (input: { Id: string }) => {
      const left = this.changes.get(input.Id);
      if (left === undefined) throw this.answered('NoSuchChange', 'no such change', 404);
      this.changes.set(input.Id, Math.max(0, left - 1));
      return { ChangeInfo: { Id: input.Id, Status: left <= 1 ? 'INSYNC' : 'PENDING', SubmittedAt: new Date(this.clock.t) } };
    });
    return this;
  }

  restore(): void {
    for (const stub of this.stubs) stub.restore();
  }

  /** An error AWS answered with: the SDK gives it the service's code as its name, and the HTTP status. */
  private answered(name: string, message: string, status: number, attempts = 1, totalRetryDelay = 0): Error {
    return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status, attempts, totalRetryDelay } });
  }

  private async call(call: Call & { service: Service; client: ClientView }, handler: () => unknown): Promise<unknown> {
    const { command, service, region, client } = call;
    this.calls.push({ command, region, input: call.input });
    this.onCall?.({ command, region, input: call.input });
    const json = JSON_PROTOCOL.includes(service);
    // The SDK resolves credentials before it sends anything: with none, nothing reaches AWS.
    if (this.credentials === 'missing') {
      throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError', tryNextLink: false });
    }
    const maxAttempts = await client.config.maxAttempts();
    // A region that does not answer costs every attempt its request timeout, plus the backoff between them.
    const silent = service === 'route53' ? this.route53Down : this.impaired.has(region);
    if (silent) {
      const { requestTimeout } = await requestTimeouts(client);
      let delay = 0;
      for (let retry = 0; retry < maxAttempts - 1; retry++) delay += backoffMs(retry, false);
      this.clock.t += maxAttempts * requestTimeout + delay;
      this.tick();
      throw Object.assign(new Error(`Connection timed out after ${requestTimeout} ms`), { name: 'TimeoutError', code: 'ETIMEDOUT', $metadata: { attempts: maxAttempts, totalRetryDelay: delay } });
    }
    let attempt = 0;
    let delay = 0;
    for (;;) {
      attempt++;
      this.clock.t += this.o.callMs;
      this.tick();
      if (this.credentials === 'expired' || (this.credentialsExpireAt !== undefined && this.clock.t >= this.credentialsExpireAt)) {
        // ExpiredToken for the Query and REST-XML protocols, ExpiredTokenException for JSON (common errors, HTTP 403).
        throw this.answered(json ? 'ExpiredTokenException' : 'ExpiredToken', 'The security token included in the request is expired', 403);
      }
      const action = `${service}:${command}`;
      if (this.denied.has(action)) {
        const principal = `arn:aws:sts::${ACCOUNT}:assumed-role/DrOperator/operator`;
        throw this.answered(json ? 'AccessDeniedException' : 'AccessDenied', `User: ${principal} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`, 403);
      }
      const throttled = this.throttles.get(command) ?? 0;
      if (throttled === 0) break;
      this.throttles.set(command, throttled - 1);
      if (attempt >= maxAttempts) throw this.answered(json ? 'ThrottlingException' : 'Throttling', 'Rate exceeded', 400, attempt, delay);
      const wait = backoffMs(attempt - 1, true);
      delay += wait;
      this.clock.t += wait;
    }
    const failure = this.failures.find((f) => f.command === command && f.times > 0);
    if (failure) {
      failure.times--;
      throw failure.error;
    }
    const result = handler();
    this.noteHealth(this.clock.t);
    return result;
  }

  /**
   * Moves the model on to the clock's time: operations through their statuses, rebuilds, instances
   * booting and terminating.
   */
  private tick(): void {
    const now = this.clock.t;
    const op = this.global.operation;
    if (op?.status === 'cancelling') {
      if (now >= op.cancelledAt!) {
        this.global.operation = undefined;
        for (const role of DR_ROLES) this.regions[role].cluster.status = 'available';
        this.noteHealth(op.cancelledAt!);
      }
    } else if (op) {
      if (op.status === 'pending' && now >= op.activeAt) {
        op.status = op.kind === 'switchover' ? 'switching-over' : 'failing-over';
        this.setClusterStatus(op, op.status);
        this.noteHealth(op.activeAt);
      }
      // A switchover demotes the old primary: it cannot complete while that region does not answer.
      const blocked = op.kind === 'switchover' && this.impaired.has(this.regions[op.from].region);
      if (op.status !== 'pending' && now >= op.completesAt && !blocked) this.complete(op, Math.max(op.completesAt, now - this.o.callMs));
    }
    for (const role of DR_ROLES) {
      const rebuild = this.rebuild[role];
      if (rebuild?.until !== undefined && now >= rebuild.until) {
        this.global.synchronization[role] = 'connected';
        this.metricsSince[role] = rebuild.until;
        delete this.rebuild[role];
      }
      const asg = this.regions[role].asg;
      for (const instance of asg.instances) {
        if (instance.lifecycle === 'Pending' && now >= instance.readyAt) instance.lifecycle = 'InService';
      }
      asg.instances = asg.instances.filter((i) => i.goneAt === undefined || now < i.goneAt);
    }
    for (const other of this.otherClusters.values()) if (other.status === 'creating' && now >= other.availableAt) other.status = 'available';
    for (const instance of this.dbInstances.values()) if (instance.status === 'creating' && now >= instance.availableAt) instance.status = 'available';
  }

  private setClusterStatus(op: GlobalOperationModel, status: string): void {
    this.regions[op.to].cluster.status = status;
    if (!this.impaired.has(this.regions[op.from].region)) this.regions[op.from].cluster.status = status;
  }

  private complete(op: GlobalOperationModel, at: number): void {
    this.global.writer = op.to;
    this.global.operation = undefined;
    this.regions[op.to].cluster.status = 'available';
    this.regions[op.from].cluster.status = 'available';
    // Replication lag is "only available for secondary Regions": after the change, it is published
    // for the old primary (aurora-global-database-disaster-recovery.html, as above).
    this.metricsSince[op.from] = at;
    if (op.kind === 'failover') {
      // What the old primary had not replicated is kept in a snapshot of its cluster, named
      // rds:unplanned-global-failover-... (aurora-global-database-disaster-recovery.html, "Recovering
      // an Amazon Aurora global database from an unplanned outage").
      const old = this.regions[op.from];
      this.snapshots.push({ id: `rds:unplanned-global-failover-${old.cluster.id}-${new Date(at).toISOString().replace(/[:.]/g, '-').toLowerCase()}`, cluster: old.cluster.id, region: old.region, at });
      // The old primary gets a new storage volume before it rejoins: see recover().
      this.global.synchronization[op.from] = 'pending-resync';
      this.rebuild[op.from] = this.impaired.has(this.regions[op.from].region) ? {} : { until: at + this.o.rebuildMs };
    }
    this.noteHealth(at);
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
    if (!role) throw this.answered('DBClusterNotFoundFault', `DBCluster ${arn} not found`, 404);
    return role;
  }

  private describeGlobal() {
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
    const other = this.otherClusters.get(identifier);
    if (other && other.region === region) return { DBClusters: [this.describeOther(other)] };
    if (model.cluster.id !== identifier) throw this.answered('DBClusterNotFoundFault', `DBCluster ${identifier} not found.`, 404);
    const { earliest, latest } = this.restorableWindow();
    return {
      DBClusters: [
        {
          DBClusterIdentifier: identifier,
          DBClusterArn: model.cluster.arn,
          Status: model.cluster.status,
          EngineVersion: model.cluster.engineVersion,
          Engine: 'aurora-mysql',
          EarliestRestorableTime: new Date(earliest),
          LatestRestorableTime: new Date(latest),
          DBSubnetGroup: `${identifier}-subnets`,
          VpcSecurityGroups: [{ VpcSecurityGroupId: `sg-${model.role}0123456789abcdef`, Status: 'active' }],
          StorageEncrypted: true,
          KmsKeyId: `arn:aws:kms:${region}:${ACCOUNT}:key/${model.role}-0000-0000-0000-000000000000`,
          DBClusterMembers: [{ DBInstanceIdentifier: `${identifier}-1`, IsClusterWriter: this.global.writer === model.role }],
        },
      ],
    };
  }

  /** A restored cluster has an endpoint once it exists, and no instance until CreateDBInstance adds one. */
  private describeOther(other: OtherCluster) {
    return {
      DBClusterIdentifier: other.id,
      DBClusterArn: `arn:aws:rds:${other.region}:${ACCOUNT}:cluster:${other.id}`,
      Status: other.status,
      Engine: 'aurora-mysql',
      EngineVersion: this.global.engineVersion,
      Endpoint: `${other.id}.cluster-c0ffee123456.${other.region}.rds.amazonaws.com`,
      Port: 3306,
      TagList: other.tags,
      DBClusterMembers: other.members.map((id) => ({ DBInstanceIdentifier: id, IsClusterWriter: true })),
    };
  }

  /**
   * RestoreDBClusterToPointInTime: a new cluster from the source's backups, "to any point in time
   * before LatestRestorableTime for up to BackupRetentionPeriod days", created without instances
   * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBClusterToPointInTime.html).
   * Its errors: DBClusterAlreadyExistsFault ("the user already has a DB cluster with the given
   * identifier"), DBClusterNotFoundFault, and InvalidRestoreFault for a restore that cannot be made,
   * which the model answers for a time outside the window.
   */
  private restoreToTime(input: RestoreInput, region: string) {
    const model = this.regionOf(region);
    if (input.SourceDBClusterIdentifier !== model.cluster.id) throw this.answered('DBClusterNotFoundFault', `DBCluster ${input.SourceDBClusterIdentifier} not found.`, 404);
    if (this.otherClusters.has(input.DBClusterIdentifier) || DR_ROLES.some((r) => this.regions[r].cluster.id === input.DBClusterIdentifier)) {
      throw this.answered('DBClusterAlreadyExistsFault', `DB Cluster already exists`, 400);
    }
    const { earliest, latest } = this.restorableWindow();
    const time = input.RestoreToTime.getTime();
    if (time < earliest || time > latest) throw this.answered('InvalidRestoreFault', `The restore time ${input.RestoreToTime.toISOString()} is outside the restorable window`, 400);
    const other: OtherCluster = {
      id: input.DBClusterIdentifier,
      region,
      status: 'creating',
      availableAt: this.clock.t + this.o.restoreMs,
      input: input as unknown as Record<string, unknown>,
      tags: input.Tags ?? [],
      members: [],
    };
    this.otherClusters.set(other.id, other);
    return { DBCluster: this.describeOther(other) };
  }

  /**
   * CreateDBInstance in a restored cluster: possible "only after the RestoreDBClusterToPointInTime
   * operation has completed and the DB cluster is available" (as above); a taken identifier is
   * DBInstanceAlreadyExists (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html).
   */
  private createInstance(input: CreateInstanceInput, region: string) {
    const cluster = this.otherClusters.get(input.DBClusterIdentifier);
    if (!cluster || cluster.region !== region) throw this.answered('DBClusterNotFoundFault', `DBCluster ${input.DBClusterIdentifier} not found.`, 404);
    if (cluster.status !== 'available') throw this.answered('InvalidDBClusterStateFault', `DBCluster ${cluster.id} is in ${cluster.status} state`, 400);
    if (this.dbInstances.has(input.DBInstanceIdentifier)) throw this.answered('DBInstanceAlreadyExistsFault', 'DB instance already exists', 400);
    if (!input.DBInstanceClass || !input.Engine) throw this.answered('InvalidParameterCombination', 'DBInstanceClass and Engine are required', 400);
    const instance: DbInstanceModel = { id: input.DBInstanceIdentifier, cluster: cluster.id, region, instanceClass: input.DBInstanceClass, status: 'creating', availableAt: this.clock.t + this.o.instanceMs };
    this.dbInstances.set(instance.id, instance);
    cluster.members.push(instance.id);
    return { DBInstance: { DBInstanceIdentifier: instance.id, DBInstanceStatus: instance.status } };
  }

  /**
   * SwitchoverGlobalCluster and FailoverGlobalCluster. A switchover "waits for the target secondary
   * Region clusters to be fully synchronized", so it lasts longer the larger the lag ("the larger the
   * lag value, the longer the switchover will take"); a failover "doesn't wait for data to
   * synchronize" (aurora-global-database-disaster-recovery.html, as above). Both need the same engine
   * version (patch level included for the versions this pair runs) in both regions.
   *
   * A failover to the region a switchover is already moving to replaces that switchover, which is
   * the way out when the switchover's source stops answering: the model's reading of that page,
   * whose failover is the procedure for an unplanned outage and whose switchover is "designed to be
   * used [...] where all the Aurora clusters [...] are in a healthy state".
   */
  private promote(targetArn: string, dataLoss: boolean) {
    const to = this.roleOfArn(targetArn);
    const from = otherRole(to);
    const invalid = (message: string) => this.answered('InvalidGlobalClusterStateFault', message, 400);
    const current = this.global.operation;
    const replacing = dataLoss && current?.kind === 'switchover' && current.to === to && current.status !== 'cancelling';
    if (current && !replacing) throw invalid(`a ${current.status} operation is already in progress on ${this.global.id}`);
    if (this.global.writer === to) throw invalid(`${targetArn} is already the primary cluster`);
    if (this.regions[from].cluster.engineVersion !== this.regions[to].cluster.engineVersion) throw invalid('engine versions differ');
    if (!dataLoss && this.impaired.has(this.regions[from].region)) throw invalid('the primary cluster is not reachable: a switchover needs both regions');
    const now = this.clock.t;
    const activeAt = now + this.o.pendingMs;
    this.global.operation = {
      kind: dataLoss ? 'failover' : 'switchover',
      status: 'pending',
      from,
      to,
      dataLoss,
      activeAt,
      completesAt: activeAt + (dataLoss ? this.o.failoverMs : this.o.switchoverMs + this.lagMs),
    };
    return this.describeGlobal().GlobalClusters[0];
  }

  /**
   * AuroraGlobalDBRPOLag datapoints: one per minute (the period asked), stamped with the start of the
   * minute, readable `metricDelayMs` after it ends; for the secondary only, and not while it is being
   * rebuilt. Publishing can stop (stale: the minute under way when it stopped is the last one) or never
   * have started (missing).
   */
  private lag(input: LagQuery, region: string) {
    const model = this.regionOf(region);
    if (input.MetricName !== 'AuroraGlobalDBRPOLag' || input.Dimensions[0]?.Value !== model.cluster.id) return { Datapoints: [] };
    if (this.global.writer === model.role || this.global.synchronization[model.role] !== 'connected') return { Datapoints: [] };
    const period = input.Period * 1000;
    // CloudWatch rounds a start time less than 15 days ago down to the whole minute (as it documents
    // for GetMetricData's StartTime; the model applies it to GetMetricStatistics too):
    // https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/cloudwatch/aws.sdk.kotlin.services.cloudwatch.model/-get-metric-data-request/start-time.html
    const since = Math.max(Math.floor(input.StartTime.getTime() / 60_000) * 60_000, this.metricsSince[model.role]);
    const until = Math.min(input.EndTime.getTime(), this.clock.t - this.o.metricDelayMs, this.metricsStoppedAt ?? Infinity);
    const datapoints = [];
    for (let start = Math.ceil(since / period) * period; start + period <= until; start += period) {
      datapoints.push({ Timestamp: new Date(start), Maximum: this.lagMs, Unit: 'Milliseconds' as const });
    }
    // "Data points are not returned in chronological order" (GetMetricStatistics).
    return { Label: 'AuroraGlobalDBRPOLag', Datapoints: datapoints.reverse() };
  }

  private describeGroup(name: string, region: string) {
    const model = this.regionOf(region);
    if (name !== model.asg.name) return { AutoScalingGroups: [] };
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

  /**
   * Instances follow the Auto Scaling lifecycle: launched Pending, InService once configured and
   * registered with the load balancer; scaled in, Terminating until Terminated (gone from the group).
   * https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-lifecycle.html
   * Their targets are `initial` while registering and `draining` while deregistering (TargetHealth
   * states: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html).
   */
  private updateGroup(input: { AutoScalingGroupName: string; MinSize: number; DesiredCapacity: number; MaxSize: number }, region: string) {
    const model = this.regionOf(region);
    if (input.AutoScalingGroupName !== model.asg.name) throw this.answered('ValidationError', 'AutoScalingGroup name not found', 400);
    if (!(input.MinSize <= input.DesiredCapacity && input.DesiredCapacity <= input.MaxSize)) throw this.answered('ValidationError', 'bad sizes', 400);
    Object.assign(model.asg, { min: input.MinSize, desired: input.DesiredCapacity, max: input.MaxSize });
    const live = () => model.asg.instances.filter((i) => i.lifecycle !== 'Terminating');
    while (live().length < input.DesiredCapacity) model.asg.instances.push({ id: this.nextInstance(), lifecycle: 'Pending', readyAt: this.clock.t + this.o.bootMs });
    for (const instance of live().slice(input.DesiredCapacity)) {
      instance.lifecycle = 'Terminating';
      instance.goneAt = this.clock.t + this.o.terminateMs;
    }
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
        AliasTarget: {
          HostedZoneId: role === 'primary' ? 'Z35SXDOTRQ7X7K' : 'Z3AADJGX6KTTL2',
          DNSName: `dualstack.${this.targets.regions[role].loadBalancer}-1.${this.regions[role].region}.elb.amazonaws.com.`,
          EvaluateTargetHealth: true,
        },
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
        throw this.answered('InvalidChangeBatch', `unexpected change ${JSON.stringify(change)}`, 400);
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

interface RestoreInput {
  readonly SourceDBClusterIdentifier: string;
  readonly DBClusterIdentifier: string;
  readonly RestoreToTime: Date;
  readonly Tags?: { Key: string; Value: string }[];
}

interface CreateInstanceInput {
  readonly DBInstanceIdentifier: string;
  readonly DBClusterIdentifier: string;
  readonly DBInstanceClass?: string;
  readonly Engine?: string;
}

interface LagQuery {
  readonly MetricName: string;
  readonly Dimensions: { Value: string }[];
  readonly StartTime: Date;
  readonly EndTime: Date;
  readonly Period: number;
}

/** The request timeout a client was built with (aws/clients.ts), as its request handler holds it. */
async function requestTimeouts(client: ClientView): Promise<{ requestTimeout: number }> {
  const handler = client.config.requestHandler as { configProvider?: Promise<{ requestTimeout?: number }> } | undefined;
  const config = handler?.configProvider ? await handler.configProvider : {};
  return { requestTimeout: config.requestTimeout ?? 10_000 };
}
