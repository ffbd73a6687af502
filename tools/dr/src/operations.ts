import { type Capacity, type DrRole, otherRole } from '@txn-dr/config';
import { StopWaitingError, pollUntil } from './poll';
import type { CheckResult, Step, StepContext } from './steps';
import { type DrTargets, roleOfRegion } from './targets';
import type { CapacityState, DatabaseState, FailoverSnapshot, HealthReport, TrafficState } from './world';

export const OPERATIONS = ['switchover', 'failover', 'failback'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** A planned switchover refuses a lag above this unless told otherwise. */
export const DEFAULT_MAX_LAG_SECONDS = 10;

export interface OperationOptions {
  /** Largest replication lag a planned switchover accepts. @default DEFAULT_MAX_LAG_SECONDS */
  readonly maxLagSeconds?: number;
  /**
   * Failover: go on although the source region answers and its cluster is the available writer
   * (its database isolated or hung in a way the API does not show). @default false
   */
  readonly force?: boolean;
}

/** A direction that cannot be: a usage error, reported without a stack. */
export class DirectionError extends Error {
  override readonly name = 'DirectionError';
}

/** Which way an operation moves writes and traffic. */
export interface Direction {
  readonly from: DrRole;
  readonly to: DrRole;
}

/**
 * switchover: to the region config does not call active (or `--to`); failback: to the primary
 * role's region, the pair's home. A rerun after the database has moved keeps going the same way.
 * A failover's direction never comes from config alone: see `resolveFailoverDirection`.
 */
export function resolveDirection(operation: Operation, targets: DrTargets, toRegion?: string): Direction {
  if (toRegion !== undefined) {
    const to = roleOfRegion(targets, toRegion);
    if (!to) {
      throw new DirectionError(`--to ${toRegion} is not a region of this pair (${targets.regions.primary.region}, ${targets.regions.secondary.region})`);
    }
    if (operation === 'failback' && to !== 'primary') {
      throw new DirectionError(`failback moves back to ${targets.regions.primary.region}; to go to ${toRegion}, run a switchover`);
    }
    return { from: otherRole(to), to };
  }
  const to = operation === 'failback' ? 'primary' : otherRole(targets.configActiveRole);
  return { from: otherRole(to), to };
}

/**
 * A failover moves away from the live global writer (or toward the region an operation under way
 * is already moving to), never from config: after the operator has set `activeRegion` as told, a
 * direction from config would fail over back and lose data. With no live answer, `--to` is required.
 */
export function resolveFailoverDirection(targets: DrTargets, db: DatabaseState, toRegion?: string): Direction {
  if (toRegion !== undefined) return resolveDirection('failover', targets, toRegion);
  if (db.operation?.to) return { from: otherRole(db.operation.to), to: db.operation.to };
  if (db.reachable && db.writer) return { from: db.writer, to: otherRole(db.writer) };
  throw new DirectionError(`cannot read which region is the global writer (${db.error ?? 'no answer'}): say where to fail over with --to <region>`);
}

// --- words ----------------------------------------------------------------------------------

const sizes = (c: Capacity) => `${c.min}/${c.desired}/${c.max}`;

function capacityText(c: CapacityState): string {
  if (!c.reachable) return `${c.region} does not answer (${c.error})`;
  if (c.error) return c.error;
  return `${sizes(c as Capacity)}, ${c.inService} in service, ${c.healthyTargets} healthy`;
}

function writerText(db: DatabaseState, targets: DrTargets): string {
  if (!db.reachable) return `unknown (${db.error})`;
  const moving = db.operation ? `, ${db.operation.status}${db.operation.to ? ` to ${targets.regions[db.operation.to].region}` : ''}` : '';
  return db.writer ? `writer ${targets.regions[db.writer].region} (${targets.regions[db.writer].cluster})${moving}` : `no writer${moving}`;
}

const lagText = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function healthText(h: HealthReport): string {
  if (h.error) return `no answer (${h.error})`;
  return `HTTP ${h.httpStatus}${h.region ? `, ${h.region}` : ''}${h.role ? ` ${h.role}` : ''}`;
}

/** At least `target` in every field: a group someone scaled further out is left as it is. */
function atLeast(current: CapacityState, target: Capacity): boolean {
  return current.reachable && !current.error && current.min! >= target.min && current.desired! >= target.desired && current.max! >= target.max;
}

function grown(current: CapacityState, target: Capacity): Capacity {
  return {
    min: Math.max(current.min ?? 0, target.min),
    desired: Math.max(current.desired ?? 0, target.desired),
    max: Math.max(current.max ?? 0, target.max),
  };
}

const serving = (c: CapacityState, needed: number) => c.reachable && (c.inService ?? 0) >= needed && (c.healthyTargets ?? 0) >= needed;

function waitForCapacity(ctx: StepContext, role: DrRole, needed: number): Promise<CapacityState> {
  return pollUntil(() => ctx.world.readCapacity(role), (c) => serving(c, needed), {
    clock: ctx.clock,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...ctx.waits.capacity,
    what: `${needed} in-service, healthy instances in ${ctx.targets.regions[role].region}`,
    describe: capacityText,
    onValue: (c) => ctx.progress(c.reachable ? `${c.inService}/${needed} in service, ${c.healthyTargets}/${needed} healthy targets` : `${c.region} does not answer`),
  });
}

/** Moved: the global writer is the target, and no operation is under way. */
const databaseMoved = (db: DatabaseState, to: DrRole) => db.writer === to && !db.operation;

/**
 * FailoverState statuses of an operation that is moving the writer
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html); `cancelling`
 * is the opposite of progress.
 */
const PROGRESSING: ReadonlySet<string> = new Set(['pending', 'switching-over', 'failing-over']);

/** A wait for the writer that a cancelled operation ends at once, instead of at its timeout. */
class OperationCancelledError extends StopWaitingError {
  override readonly name = 'OperationCancelled';
}

// --- steps ----------------------------------------------------------------------------------

interface PreconditionState {
  readonly db: DatabaseState;
  readonly standby: CapacityState;
  /** When the target is still being rebuilt after a failover: where the writes that failover lost are kept. */
  readonly failoverSnapshots?: readonly FailoverSnapshot[];
  /** Failover only: the weighted records' health, evidence that the source is impaired. */
  readonly traffic?: TrafficState;
}

async function observePreconditions(ctx: StepContext): Promise<PreconditionState> {
  const [db, standby] = await Promise.all([ctx.world.readDatabase(), ctx.world.readCapacity(ctx.to)]);
  const sync = db.synchronization[ctx.to];
  if (!sync || sync === 'connected') return { db, standby };
  // Read only when it matters; a region that does not answer simply names no snapshot.
  const failoverSnapshots = await ctx.world.readFailoverSnapshots(ctx.to).catch(() => []);
  return { db, standby, failoverSnapshots };
}

/** What a refusal says while the old primary is rebuilt after a failover. */
function rebuildingText(cluster: string, sync: string, snapshots: readonly FailoverSnapshot[] | undefined): string {
  const kept = snapshots?.[0]
    ? ` The writes the failover could not replicate are kept in snapshot ${snapshots[0].identifier} (${snapshots[0].region}${snapshots[0].createdAt ? `, ${snapshots[0].createdAt}` : ''}): restore it to a new cluster to recover them.`
    : '';
  return `${cluster} is ${sync}, not connected to the writer: after a failover Aurora rebuilds the old primary as a secondary, which can take from minutes to hours; run again once it is connected.${kept}`;
}

/**
 * FailoverState statuses of an operation that is moving the writer: `pending` (both clusters being
 * verified before it starts), `switching-over`, `failing-over`. `cancelling` is the opposite: "the
 * primary Aurora DB cluster and the selected secondary Aurora DB cluster are returning to their
 * previous states". https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html
 */
const MOVING_STATUSES = ['pending', 'switching-over', 'failing-over'];

/** An operation under way that is moving the writer to `to` (not one being cancelled). */
const movingTo = (db: DatabaseState, to: DrRole) => db.operation !== undefined && db.operation.to === to && MOVING_STATUSES.includes(db.operation.status);

function operationWords(db: DatabaseState, targets: DrTargets): string {
  const op = db.operation!;
  const kind = op.dataLossAllowed ? 'failover' : 'switchover';
  return `a ${kind}${op.to ? ` to ${targets.regions[op.to].region}` : ''} (${op.status})`;
}

/** The operation under way, as a reason a run cannot start now; undefined when there is none. */
function operationProblem(db: DatabaseState, targets: DrTargets): string | undefined {
  if (!db.operation) return undefined;
  const op = db.operation;
  if (op.status === 'cancelling') return `${operationWords(db, targets)} is being cancelled: the clusters are returning to their previous roles; run again once it has finished`;
  if (!MOVING_STATUSES.includes(op.status)) return `the global cluster reports an operation in a state this CLI does not know (${op.status}): check it in the RDS console`;
  return `${operationWords(db, targets)} of the global cluster is already under way`;
}

/** Counts as impaired by the definition in errors.ts: no answer, throttled past the retries, or a 5xx. */
const impairedCluster = (db: DatabaseState, role: DrRole) => !db.clusters[role].reachable && db.clusters[role].impaired === true;

function ageWords(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s old` : `${Math.floor(s / 60)} min ${s % 60} s old`;
}

function lagWords(db: DatabaseState): string {
  if (db.lag) return `${lagText(db.lag.milliseconds)}${db.lag.ageMs !== undefined ? ` (${ageWords(db.lag.ageMs)})` : ''}`;
  const unknown = db.lagUnknown;
  if (unknown?.reason === 'stale' && unknown.last) return `unknown (latest datapoint ${lagText(unknown.last.milliseconds)}, ${ageWords(unknown.last.ageMs ?? 0)})`;
  if (unknown?.reason === 'unreadable') return 'unknown (CloudWatch did not answer)';
  return 'unknown';
}

/** Why the lag cannot be trusted, in words; undefined when it is fresh. */
function unknownLagProblem(db: DatabaseState, cluster: string): string {
  const unknown = db.lagUnknown;
  if (unknown?.reason === 'stale' && unknown.last) {
    return `the replication lag of ${cluster} is unknown: the latest AuroraGlobalDBRPOLag datapoint (${lagText(unknown.last.milliseconds)} at ${unknown.last.at}) is ${ageWords(unknown.last.ageMs ?? 0)}, older than twice the metric's 1-minute period`;
  }
  if (unknown?.reason === 'unreadable') return `the replication lag of ${cluster} is unknown: ${unknown.error ?? 'CloudWatch did not answer'}`;
  return `the replication lag of ${cluster} is unknown: no AuroraGlobalDBRPOLag datapoint in the last 10 minutes`;
}

function switchoverPreconditions(maxLagSeconds: number): Step<PreconditionState> {
  return {
    id: 'preconditions',
    title: 'Check that a switchover can run without data loss',
    destructive: false,
    observe: observePreconditions,
    // Once the database has moved, or is moving, these no longer describe the start of the run:
    // resume past them. An operation being cancelled is not moving: check again.
    isDone: ({ db }, ctx) => db.writer === ctx.to || movingTo(db, ctx.to),
    describe: ({ db, standby }, ctx) => ({
      current: `${writerText(db, ctx.targets)}; lag ${lagWords(db)}; standby ${capacityText(standby)}`,
      target: `both clusters available, same engine version, lag <= ${maxLagSeconds} s, a healthy standby`,
    }),
    check: ({ db, standby, failoverSnapshots }, ctx): CheckResult => {
      const { targets, from, to } = ctx;
      const problems: string[] = [];
      if (!db.reachable) problems.push(`the global cluster ${targets.globalCluster} does not answer: ${db.error}`);
      for (const role of [from, to]) {
        const cluster = db.clusters[role];
        if (!cluster.reachable) {
          problems.push(`${cluster.region} ${cluster.impaired ? 'does not answer' : 'could not be read'} for ${cluster.identifier}: ${cluster.error}`);
        } else if (cluster.status !== 'available') {
          problems.push(`${cluster.identifier} in ${cluster.region} is ${cluster.status}, not available`);
        }
      }
      const [a, b] = [db.clusters[from].engineVersion, db.clusters[to].engineVersion];
      if (a && b && a !== b) problems.push(`engine versions differ: ${a} in ${targets.regions[from].region}, ${b} in ${targets.regions[to].region} (a switchover needs the same version, patch included)`);
      if (db.reachable && db.writer !== from) problems.push(`the global writer is ${db.writer ? targets.regions[db.writer].region : 'unknown'}, not ${targets.regions[from].region}`);
      const operation = operationProblem(db, targets);
      if (operation) problems.push(operation);
      const sync = db.synchronization[to];
      const rebuilding = sync !== undefined && sync !== 'connected';
      if (rebuilding) problems.push(rebuildingText(targets.regions[to].cluster, sync, failoverSnapshots));
      let lag: 'high' | 'unknown' | undefined;
      // A cluster being rebuilt publishes no lag: that is the rebuild, said above, not a metric to check.
      if (db.reachable && db.writer === from && !rebuilding) {
        if (!db.lag) {
          problems.push(unknownLagProblem(db, targets.regions[to].cluster));
          lag = 'unknown';
        } else if (db.lag.milliseconds > maxLagSeconds * 1000) {
          problems.push(`the replication lag of ${targets.regions[to].cluster} is ${lagText(db.lag.milliseconds)}, over the ${maxLagSeconds} s a switchover accepts`);
          lag = 'high';
        }
      }
      // A standby fenced to zero by a failover is brought up by scale-standby; one that runs
      // instances none of which is healthy is broken.
      if (!standby.reachable) problems.push(`the standby's Auto Scaling group does not answer: ${capacityText(standby)}`);
      else if ((standby.desired ?? 0) > 0 && (standby.healthyTargets ?? 0) < 1) problems.push(`the standby in ${standby.region} has no healthy target: ${capacityText(standby)}`);
      // A failover accepts data loss: it is suggested only when the source region is impaired (it
      // gave no answer, throttled past the SDK's retries, or failed with a 5xx), never for a lag,
      // a credential, a permission or a configuration problem.
      const fromRegion = targets.regions[from].region;
      const lastLag = db.lag ?? db.lagUnknown?.last;
      let suggestion: string | undefined;
      if (impairedCluster(db, from)) {
        suggestion = `If ${fromRegion} is impaired, run \`dr failover\`: it promotes ${targets.regions[to].region} without waiting for replication, accepting the loss of writes not yet replicated${lastLag ? ` (lag last seen ${lagText(lastLag.milliseconds)}, ${ageWords(lastLag.ageMs ?? 0)})` : ''}.`;
      } else if (lag === 'high') {
        suggestion = `${fromRegion} answers: wait for the lag to fall and run again (a switchover waits for ${targets.regions[to].cluster} to catch up, so writes pause longer the larger the lag), or accept that pause with --max-lag-seconds.`;
      } else if (lag === 'unknown') {
        suggestion = `${fromRegion} answers: check that AuroraGlobalDBRPOLag (namespace AWS/RDS, DBClusterIdentifier ${targets.regions[to].cluster}) is published in CloudWatch in ${targets.regions[to].region}, and run again.`;
      }
      return { problems, ...(suggestion ? { suggestion } : {}) };
    },
  };
}

/**
 * A failover throws away what has not replicated: it needs evidence that the source is impaired.
 * Its API answering that its cluster is the available writer is evidence of the contrary, unless
 * the operator knows better (--force).
 */
function sourceLooksHealthy(db: DatabaseState, ctx: StepContext, traffic: TrafficState | undefined): string | undefined {
  const source = db.clusters[ctx.from];
  if (!source.reachable || source.status !== 'available' || db.writer !== ctx.from || db.operation) return undefined;
  // Route 53's checkers failing the source's writable path (a hung or isolated database) is
  // evidence the API does not give.
  if (traffic?.reachable && traffic.records[ctx.from].health === 'unhealthy') return undefined;
  return `${source.region} answers and ${source.identifier} is its available writer: a failover would discard unreplicated writes with no evidence that ${source.region} is impaired. Run \`dr switchover\`, or, if ${source.region} is impaired in a way its API does not show (its database isolated or hung), run again with --force`;
}

function failoverPreconditions(force: boolean): Step<PreconditionState> {
  /**
   * A switchover to the target that cannot finish because its source stopped answering: a
   * failover replaces it (aurora-global-database-disaster-recovery.html: a switchover is "designed
   * to be used [...] where all the Aurora clusters [...] are in a healthy state", a failover is the
   * procedure for an unplanned outage). One whose source answers is left to finish.
   */
  const stuckSwitchover = (db: DatabaseState, ctx: StepContext) =>
    db.operation !== undefined && !db.operation.dataLossAllowed && movingTo(db, ctx.to) && impairedCluster(db, ctx.from);
  return {
    id: 'preconditions',
    title: 'Check that the standby can take over',
    destructive: false,
    observe: async (ctx) => {
      const state = await observePreconditions(ctx);
      // The health checks are read only when they are the evidence left: a source whose API does
      // not answer needs none, and reading Route 53's API during a us-east-1 outage costs its timeouts.
      const source = state.db.clusters[ctx.from];
      const needsEvidence = !force && source.reachable && source.status === 'available';
      const traffic = needsEvidence ? await ctx.world.readTraffic().catch(() => undefined) : undefined;
      // The data-loss window: the freshest lag, or the last one seen when publishing has stopped
      // (its time is in the report).
      const seen = state.db.lag ?? state.db.lagUnknown?.last;
      if (seen && state.db.writer === ctx.from) ctx.facts.lagBeforeFailover = seen;
      return { ...state, ...(traffic ? { traffic } : {}) };
    },
    // Done once the target writes, or a failover to it is under way. A switchover to it is not:
    // it may be stuck, and then this run replaces it.
    isDone: ({ db }, ctx) => db.writer === ctx.to || (movingTo(db, ctx.to) && db.operation!.dataLossAllowed),
    describe: ({ db, standby }, ctx) => ({
      current: `${writerText(db, ctx.targets)}; ${ctx.targets.regions[ctx.to].cluster} ${db.clusters[ctx.to].status ?? 'unreachable'}; standby ${capacityText(standby)}`,
      target: `${ctx.targets.regions[ctx.to].cluster} available at the global cluster's engine version, its Auto Scaling group answering`,
    }),
    check: ({ db, standby, traffic }, ctx): CheckResult => {
      const problems: string[] = [];
      const target = db.clusters[ctx.to];
      const replacing = stuckSwitchover(db, ctx);
      if (!db.reachable) problems.push(`the global cluster ${ctx.targets.globalCluster} does not answer in either region: ${db.error}`);
      if (!target.reachable) problems.push(`${target.region} ${target.impaired ? 'does not answer' : 'could not be read'} for ${target.identifier}: ${target.error}`);
      // During an operation toward it, the target is in that operation's state: the operation is the problem, if any.
      else if (target.status !== 'available' && !movingTo(db, ctx.to)) problems.push(`${target.identifier} in ${target.region} is ${target.status}, not available`);
      if (db.engineVersion && target.engineVersion && db.engineVersion !== target.engineVersion) {
        problems.push(`${target.identifier} runs ${target.engineVersion}, the global cluster ${db.engineVersion}`);
      }
      if (db.operation && !replacing) {
        const op = db.operation;
        if (op.to === ctx.to && MOVING_STATUSES.includes(op.status) && !op.dataLossAllowed) {
          problems.push(
            `${operationWords(db, ctx.targets)} is under way and ${ctx.targets.regions[ctx.from].region} answers: let it finish without data loss (\`dr switchover --to ${ctx.targets.regions[ctx.to].region}\` follows it); fail over only if it stops answering`,
          );
        } else {
          problems.push(operationProblem(db, ctx.targets)!);
        }
      }
      if (!standby.reachable) problems.push(`the Auto Scaling group in ${standby.region} does not answer: ${standby.error}`);
      const healthySource = force ? undefined : sourceLooksHealthy(db, ctx, traffic);
      if (healthySource) problems.push(healthySource);
      return { problems };
    },
    warnings: ({ db, standby }, ctx) => {
      const warnings: string[] = [];
      const source = db.clusters[ctx.from];
      if (source.reachable && source.status === 'available' && db.writer === ctx.from && db.lag && db.lag.milliseconds <= DEFAULT_MAX_LAG_SECONDS * 1000) {
        warnings.push(`${source.region} answers and ${source.identifier} is available: \`dr switchover\` would lose no data`);
      }
      if (stuckSwitchover(db, ctx)) {
        warnings.push(`${operationWords(db, ctx.targets)} cannot finish: ${source.region} does not answer (${source.error}); the failover replaces it`);
      }
      if (standby.reachable && (standby.healthyTargets ?? 0) < 1) warnings.push(`the standby in ${standby.region} has no healthy target yet`);
      return warnings;
    },
  };
}

/** Scale the standby to the active capacity and wait until it serves: before any user-facing change. */
function scaleTarget(): Step<CapacityState> {
  return {
    id: 'scale-standby',
    title: 'Scale the standby to the active capacity and wait for healthy targets',
    destructive: false,
    observe: (ctx) => ctx.world.readCapacity(ctx.to),
    isDone: (c, ctx) => atLeast(c, ctx.targets.activeCapacity) && serving(c, ctx.targets.activeCapacity.desired),
    describe: (c, ctx) => ({ current: capacityText(c), target: `${sizes(ctx.targets.activeCapacity)}, ${ctx.targets.activeCapacity.desired} in service and healthy` }),
    act: async (ctx, c) => {
      if (!atLeast(c, ctx.targets.activeCapacity)) await ctx.world.setCapacity(ctx.to, grown(c, ctx.targets.activeCapacity));
    },
    wait: async (ctx) => {
      await waitForCapacity(ctx, ctx.to, ctx.targets.activeCapacity.desired);
    },
  };
}

/** Failover: ask for the capacity now and wait for it after the promotion, so both happen at once. */
function requestCapacity(): Step<CapacityState> {
  return {
    id: 'request-capacity',
    title: 'Ask the standby for the active capacity (instances boot while the database is promoted)',
    destructive: false,
    observe: (ctx) => ctx.world.readCapacity(ctx.to),
    isDone: (c, ctx) => atLeast(c, ctx.targets.activeCapacity),
    describe: (c, ctx) => ({ current: capacityText(c), target: sizes(ctx.targets.activeCapacity) }),
    act: (ctx, c) => ctx.world.setCapacity(ctx.to, grown(c, ctx.targets.activeCapacity)),
  };
}

function awaitCapacity(): Step<CapacityState> {
  return {
    ...scaleTarget(),
    id: 'await-capacity',
    title: 'Wait for the standby to serve at the active capacity',
  };
}

function promoteDatabase(kind: 'switchover' | 'failover'): Step<DatabaseState> {
  return {
    id: 'promote-database',
    title: kind === 'switchover' ? 'Switch the Aurora global database over (no data loss)' : 'Fail the Aurora global database over (allows data loss)',
    destructive: true,
    observe: async (ctx) => {
      const db = await ctx.world.readDatabase();
      // The freshest lag before the promotion is the data-loss window a failover accepts.
      if (kind === 'failover' && db.lag && db.writer === ctx.from) ctx.facts.lagBeforeFailover = db.lag;
      return db;
    },
    isDone: (db, ctx) => databaseMoved(db, ctx.to),
    describe: (db, ctx) => ({ current: writerText(db, ctx.targets), target: `writer ${ctx.targets.regions[ctx.to].region} (${ctx.targets.regions[ctx.to].cluster})` }),
    confirmation: (db, ctx) => {
      const target = `${ctx.targets.regions[ctx.to].cluster} in ${ctx.targets.regions[ctx.to].region}`;
      return kind === 'switchover'
        ? `Switch ${ctx.targets.globalCluster} over to ${target}? Writes pause while the clusters change roles.`
        : `Fail ${ctx.targets.globalCluster} over to ${target}, allowing the loss of writes not yet replicated (lag last seen ${db.lag ? lagText(db.lag.milliseconds) : 'unknown'})?`;
    },
    act: async (ctx, db) => {
      // An operation already moving there is waited for, not asked again; but a failover does not
      // wait on a switchover (stuck while its source does not answer): it replaces it.
      const op = db.operation;
      const progressing = op?.to === ctx.to && PROGRESSING.has(op.status) && (kind === 'switchover' || op.dataLossAllowed);
      if (op && progressing) {
        ctx.progress(`a ${op.status} to ${ctx.targets.regions[ctx.to].region} is already under way`);
        return;
      }
      if (kind === 'switchover') await ctx.world.switchoverDatabase(ctx.to);
      else await ctx.world.failoverDatabase(ctx.to);
    },
    wait: async (ctx) => {
      const read = async () => {
        const db = await ctx.world.readDatabase();
        if (db.operation?.status === 'cancelling') {
          throw new OperationCancelledError(`Aurora is cancelling the ${db.operation.to ? `move to ${ctx.targets.regions[db.operation.to].region}` : 'operation'}: run the command again once the global cluster is stable`);
        }
        return db;
      };
      await pollUntil(read, (db) => databaseMoved(db, ctx.to), {
        clock: ctx.clock,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        ...ctx.waits.database,
        what: `${ctx.targets.regions[ctx.to].cluster} to be the global writer`,
        describe: (db) => writerText(db, ctx.targets),
        onValue: (db) => ctx.progress(writerText(db, ctx.targets)),
      });
    },
  };
}

/**
 * Traffic follows the Route 53 health checks, which answer healthy only where the service may take
 * writes: once the old region's database is a reader (or its fleet is fenced), its check fails and
 * resolvers get the standby's weight-0 record after the TTL. Recovery makes no Route 53 API call,
 * whose control plane runs in us-east-1, the region this pair protects against (AWS Well-Architected
 * REL11-BP04, https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/rel_withstand_component_failures_avoid_control_plane.html).
 * This step only verifies, through the public name, that traffic has moved; it is bounded by the
 * health wait, which covers detection (interval x threshold) plus the 60 s alias TTL.
 */
function verifyTraffic(): Step<HealthReport> {
  const done = (h: HealthReport, ctx: StepContext) => h.ok && h.role === 'writer' && h.region === ctx.targets.regions[ctx.to].region;
  return {
    id: 'verify-traffic',
    title: 'Verify the public name now answers from the new writer (health checks move traffic; no DNS change is made)',
    destructive: false,
    observe: (ctx) => ctx.world.checkHealth(),
    isDone: done,
    describe: (h, ctx) => ({ current: healthText(h), target: `HTTP 200, ${ctx.targets.regions[ctx.to].region} writer` }),
    wait: async (ctx) => {
      await pollUntil(() => ctx.world.checkHealth(), (h) => done(h, ctx), {
        clock: ctx.clock,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        ...ctx.waits.health,
        what: `${ctx.targets.healthUrl} to report ${ctx.targets.regions[ctx.to].region} writer (if ${ctx.targets.regions[ctx.from].region} keeps answering, its Route 53 health check is not failing: check that it probes the writable path)`,
        describe: healthText,
        onValue: (h) => ctx.progress(healthText(h)),
      });
    },
  };
}

/** No instance left, in any lifecycle state: nothing in the region can acknowledge a write. */
const fenced = (c: CapacityState) => c.reachable && !c.error && c.desired === 0 && (c.instances ?? c.inService ?? 0) === 0 && (c.healthyTargets ?? 0) === 0;
const ZERO: Capacity = { min: 0, desired: 0, max: 0 };

/**
 * Failover only, before the promotion: stop the old region from acknowledging writes that would
 * end up only in its database (Aurora fences the old writer on a best-effort basis only, and keeps
 * what it had not replicated in a snapshot). Its capacity goes to zero where its API answers; the
 * wait is bounded, and a region that does not answer leaves the step deferred, not the failover
 * stopped. The region stays at zero until a failback brings it back as the standby.
 */
function fenceSource(): Step<CapacityState> {
  return {
    id: 'fence-source',
    title: 'Fence the old region: capacity to zero, so it acknowledges no more writes',
    destructive: true,
    bestEffort: true,
    observe: (ctx) => ctx.world.readCapacity(ctx.from),
    isDone: fenced,
    describe: (c) => ({ current: capacityText(c), target: '0/0/0, no instance left' }),
    confirmation: (_c, ctx) => `Set ${ctx.targets.regions[ctx.from].autoScalingGroup} in ${ctx.targets.regions[ctx.from].region} to 0/0/0, stopping every instance of the old region?`,
    act: (ctx) => ctx.world.setCapacity(ctx.from, ZERO),
    wait: async (ctx) => {
      await pollUntil(() => ctx.world.readCapacity(ctx.from), fenced, {
        clock: ctx.clock,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        ...ctx.waits.fence,
        what: `the instances of ${ctx.targets.regions[ctx.from].region} to be gone`,
        describe: capacityText,
        onValue: (c) => ctx.progress(capacityText(c)),
      });
    },
  };
}

function scaleDownSource(): Step<CapacityState> {
  const matches = (c: CapacityState, s: Capacity) => c.reachable && !c.error && c.min === s.min && c.desired === s.desired && c.max === s.max;
  return {
    id: 'scale-down-old',
    title: 'Scale the old active region down to standby capacity',
    destructive: true,
    observe: (ctx) => ctx.world.readCapacity(ctx.from),
    isDone: (c, ctx) => matches(c, ctx.targets.standbyCapacity),
    describe: (c, ctx) => ({ current: capacityText(c), target: sizes(ctx.targets.standbyCapacity) }),
    confirmation: (_c, ctx) => `Scale ${ctx.targets.regions[ctx.from].autoScalingGroup} in ${ctx.targets.regions[ctx.from].region} down to ${sizes(ctx.targets.standbyCapacity)}?`,
    act: (ctx) => ctx.world.setCapacity(ctx.from, ctx.targets.standbyCapacity),
  };
}

/** The ordered steps of an operation. */
export function operationSteps(operation: Operation, options: OperationOptions = {}): Step[] {
  const maxLag = options.maxLagSeconds ?? DEFAULT_MAX_LAG_SECONDS;
  if (operation === 'failover') {
    return [failoverPreconditions(options.force ?? false), requestCapacity(), fenceSource(), promoteDatabase('failover'), awaitCapacity(), verifyTraffic()] as Step[];
  }
  return [switchoverPreconditions(maxLag), scaleTarget(), promoteDatabase('switchover'), verifyTraffic(), scaleDownSource()] as Step[];
}
