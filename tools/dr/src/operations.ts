import { type Capacity, type DrRole, otherRole } from '@txn-dr/config';
import { pollUntil } from './poll';
import type { CheckResult, Step, StepContext } from './steps';
import { type DrTargets, roleOfRegion } from './targets';
import type { CapacityState, DatabaseState, HealthReport, TrafficState } from './world';

export const OPERATIONS = ['switchover', 'failover', 'failback'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** A planned switchover refuses a lag above this unless told otherwise. */
export const DEFAULT_MAX_LAG_SECONDS = 10;

export interface OperationOptions {
  /** Largest replication lag a planned switchover accepts. @default DEFAULT_MAX_LAG_SECONDS */
  readonly maxLagSeconds?: number;
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
 * The direction comes from config and flags, never from the live writer: a rerun after the database
 * has already moved must keep going the same way, not turn around.
 * switchover and failover: to the region config does not call active (or `--to`);
 * failback: to the primary role's region, the pair's home.
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

function weightsText(t: TrafficState, targets: DrTargets): string {
  if (!t.reachable) return `unknown (${t.error})`;
  return (['primary', 'secondary'] as const)
    .map((role) => `${targets.regions[role].region} ${t.records[role].weight ?? 'no record'}`)
    .join(', ');
}

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

/** Moved: the global writer is the target, or Aurora is already moving it there. */
const databaseMoving = (db: DatabaseState, to: DrRole) => db.writer === to || db.operation?.to === to;
const databaseMoved = (db: DatabaseState, to: DrRole) => db.writer === to && !db.operation;

// --- steps ----------------------------------------------------------------------------------

interface PreconditionState {
  readonly db: DatabaseState;
  readonly standby: CapacityState;
}

function observePreconditions(ctx: StepContext): Promise<PreconditionState> {
  return Promise.all([ctx.world.readDatabase(), ctx.world.readCapacity(ctx.to)]).then(([db, standby]) => ({ db, standby }));
}

function switchoverPreconditions(maxLagSeconds: number): Step<PreconditionState> {
  return {
    id: 'preconditions',
    title: 'Check that a switchover can run without data loss',
    destructive: false,
    observe: observePreconditions,
    // Once the database has moved, these no longer describe the start of the run: resume past them.
    isDone: ({ db }, ctx) => databaseMoving(db, ctx.to),
    describe: ({ db, standby }, ctx) => ({
      current: `${writerText(db, ctx.targets)}; lag ${db.lag ? lagText(db.lag.milliseconds) : 'unknown'}; standby ${capacityText(standby)}`,
      target: `both clusters available, same engine version, lag <= ${maxLagSeconds} s, a healthy standby`,
    }),
    check: ({ db, standby }, ctx): CheckResult => {
      const { targets, from, to } = ctx;
      const problems: string[] = [];
      let fromImpaired = false;
      if (!db.reachable) problems.push(`the global cluster ${targets.globalCluster} does not answer: ${db.error}`);
      for (const role of [from, to]) {
        const cluster = db.clusters[role];
        if (!cluster.reachable) {
          problems.push(`${cluster.region} does not answer for ${cluster.identifier}: ${cluster.error}`);
          if (role === from) fromImpaired = true;
        } else if (cluster.status !== 'available') {
          problems.push(`${cluster.identifier} in ${cluster.region} is ${cluster.status}, not available`);
          if (role === from) fromImpaired = true;
        }
      }
      const [a, b] = [db.clusters[from].engineVersion, db.clusters[to].engineVersion];
      if (a && b && a !== b) problems.push(`engine versions differ: ${a} in ${targets.regions[from].region}, ${b} in ${targets.regions[to].region} (a switchover needs the same version, patch included)`);
      if (db.reachable && db.writer !== from) problems.push(`the global writer is ${db.writer ? targets.regions[db.writer].region : 'unknown'}, not ${targets.regions[from].region}`);
      if (db.operation) problems.push(`a ${db.operation.status} of the global cluster is already under way`);
      const sync = db.synchronization[to];
      if (sync && sync !== 'connected') problems.push(`${targets.regions[to].cluster} is ${sync}, not connected to the writer`);
      let lagging = false;
      if (db.reachable && db.writer === from) {
        if (!db.lag) {
          problems.push(`the replication lag of ${targets.regions[to].cluster} is unknown (no AuroraGlobalDBRPOLag datapoint in the last 10 minutes)`);
          lagging = true;
        } else if (db.lag.milliseconds > maxLagSeconds * 1000) {
          problems.push(`the replication lag of ${targets.regions[to].cluster} is ${lagText(db.lag.milliseconds)}, over the ${maxLagSeconds} s a switchover accepts`);
          lagging = true;
        }
      }
      if (!standby.reachable || (standby.healthyTargets ?? 0) < 1) problems.push(`the standby in ${standby.region} has no healthy target: ${capacityText(standby)}`);
      const suggestion =
        fromImpaired || lagging
          ? `If ${targets.regions[from].region} is impaired, run \`dr failover\`: it promotes ${targets.regions[to].region} without waiting for replication, accepting the loss of writes not yet replicated${db.lag ? ` (lag last seen ${lagText(db.lag.milliseconds)})` : ''}.`
          : undefined;
      return { problems, ...(suggestion ? { suggestion } : {}) };
    },
  };
}

function failoverPreconditions(): Step<PreconditionState> {
  return {
    id: 'preconditions',
    title: 'Check that the standby can take over',
    destructive: false,
    observe: async (ctx) => {
      const state = await observePreconditions(ctx);
      if (state.db.lag && state.db.writer === ctx.from) ctx.facts.lagBeforeFailover = state.db.lag;
      return state;
    },
    isDone: ({ db }, ctx) => databaseMoving(db, ctx.to),
    describe: ({ db, standby }, ctx) => ({
      current: `${writerText(db, ctx.targets)}; ${ctx.targets.regions[ctx.to].cluster} ${db.clusters[ctx.to].status ?? 'unreachable'}; standby ${capacityText(standby)}`,
      target: `${ctx.targets.regions[ctx.to].cluster} available at the global cluster's engine version, its Auto Scaling group answering`,
    }),
    check: ({ db, standby }, ctx): CheckResult => {
      const problems: string[] = [];
      const target = db.clusters[ctx.to];
      if (!db.reachable) problems.push(`the global cluster ${ctx.targets.globalCluster} does not answer in either region: ${db.error}`);
      if (!target.reachable) problems.push(`${target.region} does not answer for ${target.identifier}: ${target.error}`);
      else if (target.status !== 'available') problems.push(`${target.identifier} in ${target.region} is ${target.status}, not available`);
      if (db.engineVersion && target.engineVersion && db.engineVersion !== target.engineVersion) {
        problems.push(`${target.identifier} runs ${target.engineVersion}, the global cluster ${db.engineVersion}`);
      }
      if (db.operation && db.operation.to !== ctx.to) problems.push(`a ${db.operation.status} of the global cluster is already under way`);
      if (!standby.reachable) problems.push(`the Auto Scaling group in ${standby.region} does not answer: ${standby.error}`);
      return { problems };
    },
    warnings: ({ db, standby }, ctx) => {
      const warnings: string[] = [];
      const source = db.clusters[ctx.from];
      if (source.reachable && source.status === 'available' && db.writer === ctx.from && db.lag && db.lag.milliseconds <= DEFAULT_MAX_LAG_SECONDS * 1000) {
        warnings.push(`${source.region} answers and ${source.identifier} is available: \`dr switchover\` would lose no data`);
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
      if (db.operation?.to === ctx.to) {
        ctx.progress(`a ${db.operation.status} to ${ctx.targets.regions[ctx.to].region} is already under way`);
        return;
      }
      if (kind === 'switchover') await ctx.world.switchoverDatabase(ctx.to);
      else await ctx.world.failoverDatabase(ctx.to);
    },
    wait: async (ctx) => {
      await pollUntil(() => ctx.world.readDatabase(), (db) => databaseMoved(db, ctx.to), {
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

function moveTraffic(): Step<TrafficState, { changeId: string }> {
  const weights = (ctx: StepContext) => ({ [ctx.to]: 100, [ctx.from]: 0 }) as Record<DrRole, number>;
  return {
    id: 'move-traffic',
    title: 'Move the Route 53 weights to the new active region',
    destructive: true,
    observe: (ctx) => ctx.world.readTraffic(),
    isDone: (t, ctx) => t.reachable && t.records[ctx.to].weight === 100 && t.records[ctx.from].weight === 0,
    describe: (t, ctx) => ({
      current: weightsText(t, ctx.targets),
      target: `${ctx.targets.regions.primary.region} ${weights(ctx).primary}, ${ctx.targets.regions.secondary.region} ${weights(ctx).secondary}`,
    }),
    confirmation: (_t, ctx) => `Send all traffic for ${ctx.targets.fqdn} to ${ctx.targets.regions[ctx.to].region} (weights ${ctx.targets.regions[ctx.to].region} 100, ${ctx.targets.regions[ctx.from].region} 0)?`,
    act: (ctx) => ctx.world.setWeights(weights(ctx)),
    wait: async (ctx, acted) => {
      if (!acted) return;
      await pollUntil(() => ctx.world.trafficChangeInSync(acted.changeId), (inSync) => inSync, {
        clock: ctx.clock,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        ...ctx.waits.dnsChange,
        what: `Route 53 change ${acted.changeId} to be in sync`,
        onValue: (inSync) => ctx.progress(inSync ? 'INSYNC' : 'PENDING'),
      });
    },
  };
}

function verifyHealth(): Step<HealthReport> {
  const done = (h: HealthReport, ctx: StepContext) => h.ok && h.role === 'writer' && h.region === ctx.targets.regions[ctx.to].region;
  return {
    id: 'verify-health',
    title: 'Verify /health through the public name reports the new writer',
    destructive: false,
    observe: (ctx) => ctx.world.checkHealth(),
    isDone: done,
    describe: (h, ctx) => ({ current: healthText(h), target: `HTTP 200, ${ctx.targets.regions[ctx.to].region} writer` }),
    wait: async (ctx) => {
      await pollUntil(() => ctx.world.checkHealth(), (h) => done(h, ctx), {
        clock: ctx.clock,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        ...ctx.waits.health,
        what: `${ctx.targets.healthUrl} to report ${ctx.targets.regions[ctx.to].region} writer`,
        describe: healthText,
        onValue: (h) => ctx.progress(healthText(h)),
      });
    },
  };
}

function scaleDownSource(bestEffort: boolean): Step<CapacityState> {
  const matches = (c: CapacityState, s: Capacity) => c.reachable && !c.error && c.min === s.min && c.desired === s.desired && c.max === s.max;
  return {
    id: 'scale-down-old',
    title: 'Scale the old active region down to standby capacity',
    destructive: true,
    ...(bestEffort ? { bestEffort } : {}),
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
    return [failoverPreconditions(), requestCapacity(), promoteDatabase('failover'), awaitCapacity(), moveTraffic(), verifyHealth(), scaleDownSource(true)] as Step[];
  }
  return [switchoverPreconditions(maxLag), scaleTarget(), promoteDatabase('switchover'), moveTraffic(), verifyHealth(), scaleDownSource(false)] as Step[];
}
