import { join } from 'node:path';
import type { DrRole } from '@txn-dr/config';
import type { Outcome, RunResult, StepRecord } from './engine';
import { seconds, table } from './format';
import { pollUntil } from './poll';
import type { CheckResult, Step, StepContext, WaitSettings } from './steps';
import type { DrTargets } from './targets';
import type { DatabaseState, RestoreWindow, RestoredCluster } from './world';

/** What to restore, and into what. */
export interface RestoreOptions {
  /** The point in time, ISO-8601 UTC. */
  readonly time: string;
  /** The new cluster's identifier. */
  readonly target: string;
  /** Class of the restored cluster's one instance: the environment's `database.instanceClass`. */
  readonly instanceClass: string;
}

/**
 * A restore's time grows with the size of the volume: the cluster wait is long, and a rerun after
 * it times out picks the same restore up again rather than starting another.
 */
export interface RestoreWaits {
  readonly cluster: WaitSettings;
  readonly instance: WaitSettings;
}

export const DEFAULT_RESTORE_WAITS: RestoreWaits = {
  cluster: { intervalMs: 30_000, timeoutMs: 4 * 60 * 60_000 },
  instance: { intervalMs: 30_000, timeoutMs: 60 * 60_000 },
};

/** A time or target name the operator gave that cannot be: a usage error. */
export class RestoreArgumentError extends Error {
  override readonly name = 'RestoreArgumentError';
}

/**
 * `--to-time`: ISO-8601 with a date, a time and a zone (Z or an offset), so that the instant is never
 * guessed from the operator's local zone. Returns it in UTC.
 */
export function parseRestoreTime(value: string): string {
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;
  const parsed = Date.parse(value);
  if (!iso.test(value) || Number.isNaN(parsed)) throw new RestoreArgumentError(`--to-time ${value} is not an ISO-8601 time with a zone, such as 2026-11-20T02:55:00Z`);
  return new Date(parsed).toISOString();
}

/**
 * An RDS cluster identifier: "1 to 63 letters, numbers, or hyphens", the first a letter, no hyphen
 * at the end and no two in a row (DBClusterIdentifier of
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RestoreDBClusterToPointInTime.html).
 */
export function checkClusterIdentifier(name: string): string {
  if (!/^[a-zA-Z][a-zA-Z0-9-]{0,62}$/.test(name) || name.endsWith('-') || name.includes('--')) {
    throw new RestoreArgumentError(`--target-cluster ${name} is not a valid RDS cluster identifier: 1 to 63 letters, digits or hyphens, starting with a letter, no hyphen at the end or two in a row`);
  }
  return name;
}

/** `<source>-pitr-<yyyymmddthhmmss>`, the source shortened as needed to stay within 63 characters. */
export function defaultRestoreTarget(source: string, time: string): string {
  const stamp = `pitr-${time.slice(0, 19).replace(/[-:]/g, '').toLowerCase()}`;
  const head = source.slice(0, 63 - stamp.length - 1).replace(/-+$/, '');
  return checkClusterIdentifier(`${head}-${stamp}`.replace(/-{2,}/g, '-'));
}

interface RestoreState {
  readonly db: DatabaseState;
  readonly window?: RestoreWindow;
  readonly restored?: RestoredCluster;
}

/** A restore of the writer's cluster to this time (from this or an earlier run). */
const ours = (r: RestoredCluster | undefined, source: string, time: string) => r?.exists === true && r.restoredFrom === source && r.restoredTo === time;

const available = (r: RestoredCluster | undefined) => r?.exists === true && r.status === 'available';
const instanceAvailable = (r: RestoredCluster | undefined) => available(r) && r!.instance?.status === 'available';

function clusterText(r: RestoredCluster | undefined): string {
  if (!r?.exists) return 'does not exist';
  return `${r.status ?? 'unknown status'}${r.restoredTo ? `, restored to ${r.restoredTo}` : ''}`;
}

function instanceText(r: RestoredCluster | undefined): string {
  if (!r?.exists) return 'no cluster yet';
  if (!r.instance) return 'no instance';
  return `${r.instance.identifier} ${r.instance.status ?? 'unknown status'}`;
}

/** The writer's role, or a refusal in words. */
function writerOf(db: DatabaseState): DrRole | undefined {
  return db.reachable && !db.operation ? db.writer : undefined;
}

function windowCheck(state: RestoreState, options: RestoreOptions, targets: DrTargets): CheckResult {
  const { db, window, restored } = state;
  const problems: string[] = [];
  if (!db.reachable) problems.push(`the global cluster ${targets.globalCluster} does not answer: ${db.error}`);
  else if (db.operation) problems.push(`a ${db.operation.status} of the global cluster is under way: restore once the writer is settled`);
  else if (!db.writer) problems.push(`the global cluster ${targets.globalCluster} reports no writer`);
  if (window) {
    const { earliest, latest } = window;
    const t = Date.parse(options.time);
    if (!earliest || !latest) problems.push(`${window.cluster} in ${window.region} reports no restorable window (EarliestRestorableTime ${earliest ?? 'none'}, LatestRestorableTime ${latest ?? 'none'})`);
    else if (t < Date.parse(earliest) || t > Date.parse(latest)) {
      problems.push(`${options.time} is outside the restorable window of ${window.cluster}: the earliest restorable time is ${earliest} and the latest ${latest}`);
    }
  }
  if (restored?.exists && window && !ours(restored, window.cluster, options.time)) {
    problems.push(
      `a cluster named ${options.target} already exists in ${restored.region} and is not a restore of ${window.cluster} to ${options.time}${restored.restoredTo ? ` (it was restored from ${restored.restoredFrom} to ${restored.restoredTo})` : ''}: name another with --target-cluster`,
    );
  }
  return { problems, ...(problems.some((p) => p.includes('outside the restorable window')) ? { suggestion: 'Choose a --to-time between those two bounds.' } : {}) };
}

/** What the run saw, for its report: the window as the check read it (it moves with the clock). */
export interface RestoreFacts {
  window?: RestoreWindow;
}

/** The steps of `dr restore`. The context's `from` and `to` are both the writer's role. */
export function restoreSteps(options: RestoreOptions, waits: RestoreWaits = DEFAULT_RESTORE_WAITS, facts: RestoreFacts = {}): Step[] {
  const readTarget = (ctx: StepContext) => ctx.world.readRestoredCluster(ctx.from, options.target);
  const source = (ctx: StepContext) => ctx.targets.regions[ctx.from].cluster;

  const window: Step<RestoreState> = {
    id: 'restore-window',
    title: 'Check that the time is within the restorable window and the target name is free',
    destructive: false,
    observe: async (ctx) => {
      const db = await ctx.world.readDatabase();
      const writer = writerOf(db);
      if (!writer) return { db };
      const [restoreWindow, restored] = await Promise.all([ctx.world.readRestoreWindow(writer), ctx.world.readRestoredCluster(writer, options.target)]);
      facts.window ??= restoreWindow;
      return { db, window: restoreWindow, restored };
    },
    // A restore of this time into this target already started: the window no longer matters.
    isDone: ({ window: w, restored }) => w !== undefined && ours(restored, w.cluster, options.time),
    describe: ({ db, window: w, restored }, ctx) => ({
      current: w
        ? `writer ${w.cluster} (${w.region}), restorable ${w.earliest ?? '?'} .. ${w.latest ?? '?'}; ${options.target} ${clusterText(restored)}`
        : `writer unknown (${db.error ?? (db.operation ? db.operation.status : 'no writer')})`,
      target: `${options.time} within the window, ${options.target} free in ${w?.region ?? ctx.targets.regions[ctx.from].region}`,
    }),
    check: (state, ctx) => windowCheck(state, options, ctx.targets),
  };

  const cluster: Step<RestoredCluster> = {
    id: 'restore-cluster',
    title: 'Restore the writer cluster to the time, into a new cluster (the live cluster is not touched)',
    destructive: true,
    observe: readTarget,
    isDone: available,
    describe: (r, ctx) => ({ current: clusterText(r), target: `${options.target} available in ${ctx.targets.regions[ctx.from].region}, restored to ${options.time}` }),
    confirmation: (_r, ctx) =>
      `Restore ${source(ctx)} to ${options.time} into a new cluster ${options.target} with one ${options.instanceClass} instance in ${ctx.targets.regions[ctx.from].region}? It is billed until it is deleted; the live cluster is not touched.`,
    act: async (ctx, r) => {
      if (r.exists) {
        ctx.progress(`the restore into ${options.target} is already under way (${r.status})`);
        return;
      }
      await ctx.world.restoreToTime(ctx.from, options.time, options.target);
    },
    wait: async (ctx) => {
      await pollUntil(() => readTarget(ctx), available, {
        clock: ctx.clock,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        ...waits.cluster,
        what: `${options.target} to be available`,
        describe: clusterText,
        onValue: (r) => ctx.progress(`${options.target} ${clusterText(r)}`),
      });
    },
  };

  const instance: Step<RestoredCluster> = {
    id: 'create-instance',
    title: 'Create the restored cluster\'s instance (a restore creates none) and wait for it',
    destructive: false,
    observe: readTarget,
    isDone: instanceAvailable,
    describe: (r) => ({ current: instanceText(r), target: `one ${options.instanceClass} instance available` }),
    act: async (ctx, r) => {
      if (r.instance) {
        ctx.progress(`${r.instance.identifier} is already being created (${r.instance.status})`);
        return;
      }
      await ctx.world.createRestoredInstance(ctx.from, options.target, options.instanceClass);
    },
    wait: async (ctx) => {
      await pollUntil(() => readTarget(ctx), instanceAvailable, {
        clock: ctx.clock,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        ...waits.instance,
        what: `the instance of ${options.target} to be available`,
        describe: instanceText,
        onValue: (r) => ctx.progress(instanceText(r)),
      });
    },
  };

  return [window, cluster, instance] as Step[];
}

/** What a restore run did, written as JSON beside the other operations' reports. */
export interface RestoreReport {
  readonly operation: 'restore';
  readonly environment: string;
  readonly source: { readonly role: DrRole; readonly region: string; readonly cluster: string };
  readonly target: { readonly cluster: string; readonly instance: string; readonly instanceClass: string; readonly endpoint?: string; readonly port?: number; readonly status?: string };
  /** The data in the restored cluster goes up to this time. */
  readonly restoreTime: string;
  /** The restorable window as read at the start of the run. */
  readonly window?: { readonly earliest?: string; readonly latest?: string };
  readonly outcome: Outcome;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly recovery: { readonly totalSeconds: number; readonly confirmationSeconds: number; readonly steps: readonly StepRecord[] };
  readonly problems?: readonly string[];
  readonly suggestion?: string;
  readonly warnings: readonly string[];
  /** What to do with the restored cluster, once it is available. */
  readonly nextSteps?: readonly string[];
  readonly resumeCommand?: string;
}

/**
 * The documented ways on from a restored cluster: point the service at it (a cut-over), or copy the
 * rows that were lost back into the live writer. Neither is done by the CLI.
 */
export function restoreNextSteps(targets: DrTargets, role: DrRole, target: string, endpoint: string | undefined): string[] {
  const live = targets.regions[role].cluster;
  const at = endpoint ?? `the endpoint of ${target}`;
  return [
    `Inspect: connect to ${at} and check that the data is what you need.`,
    `Copy rows back (the usual case): export the rows that were lost or damaged from ${at} (mysqldump --where, or SELECT ... INTO OUTFILE) and apply them to the live writer ${live}; the global database replicates them to the other region.`,
    `Cut over (only if the live data is beyond repair): stop writes, point the service's database endpoint at ${at} in the environment configuration and deploy; the restored cluster is standalone, not part of ${targets.globalCluster}, so cross-region protection returns only once it is made the primary of a new global database.`,
    `Clean up: delete ${target} and its instance once done; it is billed until it is deleted.`,
  ];
}

export interface RestoreReportInput {
  readonly targets: DrTargets;
  readonly role: DrRole;
  readonly options: RestoreOptions;
  readonly result: RunResult;
  readonly window?: RestoreWindow;
  readonly restored?: RestoredCluster;
  readonly command: string;
}

export function buildRestoreReport(input: RestoreReportInput): RestoreReport {
  const { targets, role, options, result, window, restored } = input;
  const completed = result.outcome === 'completed';
  return {
    operation: 'restore',
    environment: targets.environment,
    source: { role, region: targets.regions[role].region, cluster: targets.regions[role].cluster },
    target: {
      cluster: options.target,
      instance: restored?.instance?.identifier ?? '',
      instanceClass: options.instanceClass,
      ...(restored?.endpoint ? { endpoint: restored.endpoint } : {}),
      ...(restored?.port !== undefined ? { port: restored.port } : {}),
      ...(restored?.status ? { status: restored.status } : {}),
    },
    restoreTime: options.time,
    ...(window ? { window: { ...(window.earliest ? { earliest: window.earliest } : {}), ...(window.latest ? { latest: window.latest } : {}) } } : {}),
    outcome: result.outcome,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    recovery: { totalSeconds: result.totalSeconds, confirmationSeconds: result.confirmationSeconds, steps: result.steps },
    ...(result.problems ? { problems: result.problems } : {}),
    ...(result.suggestion ? { suggestion: result.suggestion } : {}),
    warnings: result.warnings,
    ...(completed ? { nextSteps: restoreNextSteps(targets, role, options.target, restored?.endpoint) } : {}),
    ...(['failed', 'interrupted', 'declined'].includes(result.outcome) ? { resumeCommand: input.command } : {}),
  };
}

export function renderRestoreSummary(report: RestoreReport): string {
  const lines: string[] = [];
  lines.push(`\nrestore ${report.outcome.toUpperCase()}: ${report.source.cluster} (${report.source.region}) to ${report.restoreTime} -> ${report.target.cluster}`);
  lines.push(table(['step', 'status', 'measured'], report.recovery.steps.map((s) => [s.id, s.status, seconds(s.seconds)])));
  const confirmations = report.recovery.confirmationSeconds > 0 ? ` (of which ${seconds(report.recovery.confirmationSeconds)} waiting for confirmations)` : '';
  lines.push(`total ${seconds(report.recovery.totalSeconds)}${confirmations}`);
  if (report.problems) {
    lines.push('refused:', ...report.problems.map((p) => `  - ${p}`));
    if (report.suggestion) lines.push(report.suggestion);
  }
  const stopped = report.recovery.steps.find((s) => s.status === 'failed' || s.status === 'interrupted' || s.status === 'declined');
  if (stopped) lines.push(`stopped at ${stopped.id}: ${stopped.error ?? stopped.status}`);
  if (report.outcome === 'completed') {
    lines.push(`endpoint: ${report.target.endpoint ?? 'unknown'}${report.target.port !== undefined ? `:${report.target.port}` : ''} (instance ${report.target.instance}, ${report.target.instanceClass})`);
    lines.push(`data: as of ${report.restoreTime} (restorable window was ${report.window?.earliest ?? '?'} .. ${report.window?.latest ?? '?'})`);
    lines.push('next:', ...(report.nextSteps ?? []).map((s, i) => `  ${i + 1}. ${s}`));
  }
  if (report.resumeCommand) lines.push(`resume with: ${report.resumeCommand}`);
  return lines.join('\n');
}

/** `reports/dr/restore-<env>-<UTC timestamp>.json`. */
export function restoreReportPath(root: string, environment: string, startedAt: string): string {
  return join(root, 'reports', 'dr', `restore-${environment}-${startedAt.replace(/[:.]/g, '-')}.json`);
}
