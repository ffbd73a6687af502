import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, type DrRole, type Environment } from '@txn-dr/config';
import { type LockLocation, LockHeldError, OperationLockError, withOperationLock } from '@txn-dr/operation-lock';
import { budgetView, renderBudget } from './budget';
import { registerDrillCommands } from './drill/command';
import type { Clock } from './clock';
import { type Outcome, type RunEvent, type RunResult, planSteps, runSteps } from './engine';
import { clockTime, seconds, table } from './format';
import { DEFAULT_MAX_LAG_SECONDS, type Direction, DirectionError, OPERATIONS, type Operation, type OperationOptions, operationSteps, resolveDirection, resolveFailoverDirection } from './operations';
import { type DrReport, buildReport, defaultReportPath, writeReport } from './report';
import { DEFAULT_RESTORE_WAITS, type RestoreFacts, type RestoreOptions, RestoreArgumentError, type RestoreWaits, buildRestoreReport, checkClusterIdentifier, defaultRestoreTarget, parseRestoreTime, renderRestoreSummary, restoreReportPath, restoreSteps } from './restore';
import { OperatorError } from './errors';
import { EXIT_INCOMPLETE, readStatus, renderStatus, watchReads } from './status';
import { DEFAULT_WAITS, type RunFacts, type Waits } from './steps';
import { type DrTargets, resolveTargets } from './targets';
import type { DrWorld } from './world';

/** Everything the commands touch outside themselves, injected so that tests drive them whole. */
export interface CliDeps {
  /** The environment to operate on; `configFile` is `--config`, absent when not given. */
  readonly loadEnvironment: (options: { readonly configFile?: string }) => Environment;
  /** The world of an environment; `impaired` is the region a failover moves away from. */
  readonly createWorld: (targets: DrTargets, options: { impaired?: DrRole }) => DrWorld;
  readonly clock: Clock;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly confirm: (question: string) => Promise<boolean>;
  /** Aborts on Ctrl-C. */
  readonly signal?: AbortSignal;
  /** Workspace root: reports/dr/ is under it, and config files are named relative to it. */
  readonly root: string;
  /** Folder of the environment files (libs/config/environments). */
  readonly environmentsDir: string;
  /** The environment file the TXN_DR_CONFIG variable names, when set: `--config` overrides it. */
  readonly configFileVariable?: string;
  /** @default DEFAULT_WAITS */
  readonly waits?: Waits;
  /**
   * The operation lock: where it lives (default: beside the environment's Terraform state) and
   * who is recorded as holding it (default: the caller's ARN from STS).
   */
  readonly lock?: { readonly location?: LockLocation; readonly operator?: string };
  /** @default DEFAULT_RESTORE_WAITS */
  readonly restoreWaits?: RestoreWaits;
}

export const EXIT_CODES: Record<Outcome, number> = { completed: 0, failed: 1, refused: 3, declined: 4, interrupted: 130 };
/** The version of this package, as the operator reports it with an incident. */
const CLI_VERSION = (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

/** Bad configuration or arguments. */
const EXIT_USAGE = 2;

interface RunFlags {
  readonly to?: string;
  readonly maxLagSeconds?: number;
  readonly force?: boolean;
  readonly breakStaleLock?: boolean;
  readonly yes?: boolean;
  readonly report?: string;
  /** restore: --to-time and --target-cluster. */
  readonly toTime?: string;
  readonly targetCluster?: string;
}

const toTimeOption = () => new Option('--to-time <time>', 'restore: the point in time, ISO-8601 with a zone (2026-11-20T02:55:00Z)');
const targetClusterOption = () => new Option('--target-cluster <name>', 'restore: the new cluster (default <source>-pitr-<time>)');

function parseSeconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError(`not a positive number of seconds: ${value}`);
  return parsed;
}

/** A failover reads the live writer to know where it goes; the others take config and flags. */
async function directionOf(operation: Operation, targets: DrTargets, flags: RunFlags, deps: CliDeps): Promise<Direction> {
  if (operation !== 'failover' || flags.to !== undefined) return resolveDirection(operation, targets, flags.to);
  return resolveFailoverDirection(targets, await deps.createWorld(targets, {}).readDatabase());
}

function stepOptions(flags: RunFlags): OperationOptions {
  return { ...(flags.maxLagSeconds !== undefined ? { maxLagSeconds: flags.maxLagSeconds } : {}), ...(flags.force ? { force: true } : {}) };
}

/** Builds the `dr` program; `run` returns the exit code instead of exiting, for tests and main alike. */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  let exitCode = 0;
  const waits = deps.waits ?? DEFAULT_WAITS;

  const context = (): RunContext => {
    const env = environment();
    return { env, targets: resolveTargets(env), invocation: invocationOf(env, program.opts<{ config?: string }>().config, deps) };
  };

  const program = new Command('dr')
    .description(
      'Operate the warm-standby pair of the environment named by ENVIRONMENT_SUFFIX (default dev), or described by the file --config or TXN_DR_CONFIG names: live status, plans, and the switchover, failover and failback runs.',
    )
    .option('--config <file>', 'the environment file to operate on, instead of ENVIRONMENT_SUFFIX or TXN_DR_CONFIG (relative to the current directory)')
    .version(`dr ${CLI_VERSION} (Node.js ${process.version})`, '-V, --version', 'print the version of the CLI and of Node.js')
    .exitOverride()
    .configureOutput({ writeOut: (s) => deps.out(s.replace(/\n$/, '')), writeErr: (s) => deps.err(s.replace(/\n$/, '')) })
    .showHelpAfterError();

  // --config is the program's, so it may come before or after the command.
  const environment = () => {
    const { config } = program.opts<{ config?: string }>();
    return deps.loadEnvironment(config === undefined ? {} : { configFile: config });
  };

  program
    .command('status')
    .description('The live picture from the AWS APIs: global writer, replication lag, capacity, weights and health checks, and whether config agrees')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const { targets } = context();
      const snapshot = await readStatus(deps.createWorld(targets, {}), targets, () => deps.clock.now());
      deps.out(flags.json ? JSON.stringify(snapshot, null, 2) : renderStatus(snapshot, targets));
      if (snapshot.unread.length > 0) exitCode = EXIT_INCOMPLETE;
    });

  const toOption = () => new Option('--to <region>', 'the region to move to (default: the one config does not call active; failback: the primary region)');
  const forceOption = () => new Option('--force', 'failover: go on although the source region answers as a healthy writer (its database isolated or hung)');
  const maxLagOption = () =>
    new Option('--max-lag-seconds <seconds>', `largest replication lag a switchover accepts (default ${DEFAULT_MAX_LAG_SECONDS})`).argParser(parseSeconds);

  program
    .command('plan')
    .description('The ordered steps of an operation with current and target values; changes nothing')
    .addArgument(new Argument('<operation>', 'what to plan').choices([...OPERATIONS, 'restore']))
    .addOption(toOption())
    .addOption(maxLagOption())
    .addOption(forceOption())
    .addOption(toTimeOption())
    .addOption(targetClusterOption())
    .option('--json', 'print JSON')
    .action(async (operation: Operation | 'restore', flags: RunFlags & { json?: boolean }) => {
      if (operation === 'restore') {
        exitCode = await planRestore(flags, deps, waits, context());
        return;
      }
      const { targets } = context();
      const direction = await directionOf(operation, targets, flags, deps);
      const watch = watchReads(deps.createWorld(targets, operation === 'failover' ? { impaired: direction.from } : {}));
      const steps = operationSteps(operation, stepOptions(flags));
      const rows = await planSteps(steps, { world: watch.world, targets, clock: deps.clock, ...direction, waits, facts: {}, ...(deps.signal ? { signal: deps.signal } : {}) });
      // The operator's problem is the whole answer: no table of unknowns, and never a refusal that
      // reads like an outage (or suggests a failover).
      if (watch.operatorError) throw watch.operatorError;
      const unread = [...watch.unread];
      if (unread.length > 0 || rows.some((r) => r.state === 'unknown')) exitCode = EXIT_INCOMPLETE;
      if (flags.json) {
        deps.out(JSON.stringify({ operation, from: targets.regions[direction.from].region, to: targets.regions[direction.to].region, steps: rows, unread }, null, 2));
        return;
      }
      deps.out(`Plan: ${operation} ${targets.regions[direction.from].region} -> ${targets.regions[direction.to].region} for ${targets.environment} (nothing is changed)`);
      deps.out(table(['#', 'step', 'current', 'target', 'state'], rows.map((r, i) => [String(i + 1), `${r.id}${r.destructive ? ' *' : ''}`, r.current, r.target, r.state])));
      deps.out('* asks for confirmation unless --yes');
      for (const row of rows.filter((r) => r.problems)) {
        deps.out(`${row.id} would refuse:\n${row.problems!.map((p) => `  - ${p}`).join('\n')}${row.suggestion ? `\n${row.suggestion}` : ''}`);
      }
      if (exitCode === EXIT_INCOMPLETE) deps.out(`Incomplete (exit ${EXIT_INCOMPLETE}): could not read\n${(unread.length > 0 ? unread : ['a step (see "cannot be read" above)']).map((line) => `  - ${line}`).join('\n')}`);
    });

  const runCommand = (operation: Operation, description: string) => {
    const command = program
      .command(operation)
      .description(description)
      .addOption(toOption())
      .option('-y, --yes', 'do not ask before destructive steps')
      .option('--report <path>', 'where to write the JSON report (default reports/dr/<operation>-<env>-<time>.json)')
      .option('--break-stale-lock', 'take over an operation lock older than an hour (its holder is gone)');
    if (operation !== 'failover') command.addOption(maxLagOption());
    else command.addOption(forceOption());
    command.action(async (flags: RunFlags) => {
      exitCode = await runOperation(operation, flags, deps, waits, context());
    });
  };
  runCommand('switchover', 'Planned move of writes and traffic to the standby region, without data loss');
  runCommand('failover', 'Unplanned move to the standby region while the active one is impaired; allows data loss');
  runCommand('failback', 'Planned switchover back to the primary region once it is healthy again');

  program
    .command('restore')
    .description("Restore the global writer's cluster to a point in time into a new cluster, never touching the live one")
    .addOption(toTimeOption().makeOptionMandatory())
    .addOption(targetClusterOption())
    .option('-y, --yes', 'do not ask before creating the cluster and its instance')
    .option('--report <path>', 'where to write the JSON report (default reports/dr/restore-<env>-<time>.json)')
    .option('--break-stale-lock', 'take over an operation lock older than an hour (its holder is gone)')
    .action(async (flags: RunFlags) => {
      exitCode = await runRestore(flags, deps, waits, context());
    });

  program
    .command('budget')
    .description('The worst-case RTO of the environment, phase by phase, against its objective')
    .option('--json', 'print JSON')
    .action((flags: { json?: boolean }) => {
      const view = budgetView(environment());
      deps.out(flags.json ? JSON.stringify(view, null, 2) : renderBudget(view));
    });

  registerDrillCommands(program, {
    loadEnvironment: environment,
    out: deps.out,
    root: deps.root,
    ...(deps.signal ? { signal: deps.signal } : {}),
    setExitCode: (code) => {
      exitCode = code;
    },
  });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : error.exitCode === 1 ? EXIT_USAGE : error.exitCode;
    if (error instanceof ConfigError || error instanceof DirectionError || error instanceof RestoreArgumentError) {
      deps.err(error.message);
      return EXIT_USAGE;
    }
    if (error instanceof OperatorError) {
      deps.err(error.message);
      deps.err("This is the operator's AWS access or configuration to fix, not an outage: no region was judged impaired, and nothing was changed.");
      return 1;
    }
    throw error;
  }
}

function progressPrinter(out: (text: string) => void) {
  return (event: RunEvent) => {
    switch (event.kind) {
      case 'step':
        out(`[${event.index + 1}/${event.total}] ${clockTime(event.elapsedMs)} ${event.step.id}: ${event.step.title}`);
        out(`      now: ${event.current}`);
        out(`      target: ${event.target}`);
        break;
      case 'already-done':
        out(`[${event.index + 1}/${event.total}] ${clockTime(event.elapsedMs)} ${event.step.id}: already done (${event.current})`);
        break;
      case 'progress':
        out(`      ${clockTime(event.elapsedMs)} ${event.message}`);
        break;
      case 'warning':
        out(`      note: ${event.message}`);
        break;
      case 'finished': {
        const r = event.record;
        if (r.status === 'already-done') break;
        const suffix = `after ${seconds(r.seconds)} (elapsed ${clockTime(event.elapsedMs)})`;
        if (r.status === 'done' || r.status === 'passed') out(`      ${r.status} ${suffix}`);
        else out(`      ${r.status.toUpperCase()} ${suffix}${r.error ? `: ${r.error}` : ''}`);
        break;
      }
    }
  };
}

/** What an operation runs on, and how to name that environment again in a command and a report. */
interface RunContext {
  readonly env: Environment;
  readonly targets: DrTargets;
  readonly invocation: Invocation;
}

interface Invocation {
  /** The start of a command that loads the same environment, up to the command name: `ENVIRONMENT_SUFFIX=dev npx dr`. */
  readonly dr: string;
  /** The environment's file, relative to the workspace root (it may not exist yet for a built-in one). */
  readonly environmentFile: string;
}

/**
 * A resume command must load the environment this run loaded: an environment from a file is named
 * by that file (its absolute path: the operator may resume from another folder), a built-in one by
 * its name.
 */
function invocationOf(env: Environment, configOption: string | undefined, deps: CliDeps): Invocation {
  const file = configOption ?? deps.configFileVariable;
  if (file !== undefined) {
    const path = resolve(file);
    return { dr: `npx dr --config ${path}`, environmentFile: relative(deps.root, path) };
  }
  return { dr: `ENVIRONMENT_SUFFIX=${env.name} npx dr`, environmentFile: relative(deps.root, join(deps.environmentsDir, `${env.name}.json`)) };
}

async function runOperation(operation: Operation, flags: RunFlags, deps: CliDeps, waits: Waits, { env, targets, invocation }: RunContext): Promise<number> {
  const direction = await directionOf(operation, targets, flags, deps);
  const fromRegion = targets.regions[direction.from].region;
  const toRegion = targets.regions[direction.to].region;
  const world = deps.createWorld(targets, operation === 'failover' ? { impaired: direction.from } : {});
  const steps = operationSteps(operation, stepOptions(flags));
  const facts: RunFacts = {};
  const resume = `${invocation.dr} ${operation} --to ${toRegion}${flags.maxLagSeconds !== undefined ? ` --max-lag-seconds ${flags.maxLagSeconds}` : ''}${flags.force ? ' --force' : ''}`;

  deps.out(`${operation} of ${env.name}: ${fromRegion} -> ${toRegion} (${targets.globalCluster}, ${targets.fqdn})`);
  const run = () =>
    runSteps(
      steps,
      { world, targets, clock: deps.clock, ...direction, waits, facts, ...(deps.signal ? { signal: deps.signal } : {}) },
      { confirm: deps.confirm, yes: flags.yes === true, onEvent: progressPrinter(deps.out) },
    );
  const locked = await underLock(operation, env, flags, deps, run);
  if (typeof locked === 'number') return locked;
  const result = locked;
  const report = buildReport({ operation, targets, direction, result, facts, command: resume, environmentFile: invocation.environmentFile });
  const path = flags.report ?? defaultReportPath(deps.root, operation, env.name, result.startedAt);
  return finishRun(deps, path, report, renderSummary(report));
}

/**
 * The end of every run: the summary first, so that a report that cannot be written does not hide
 * what the run did, then the report; the exit code of the outcome (1 at least when the report is lost).
 */
function finishRun(deps: CliDeps, path: string, report: Parameters<typeof writeReport>[1] & { readonly outcome: Outcome }, summary: string): number {
  deps.out(summary);
  try {
    writeReport(path, report);
  } catch (error) {
    deps.err(`cannot write the report to ${path}: ${(error as Error).message}; the summary above is the record of this run`);
    return EXIT_CODES[report.outcome] || 1;
  }
  deps.out(`Report: ${relative(deps.root, path) || path}`);
  return EXIT_CODES[report.outcome];
}

/**
 * One DR operation or deploy at a time per environment. A lock someone else holds refuses the run
 * and names them. A lock that cannot be reached at all stops a switchover or failback, but not a
 * failover: the state bucket may live in the very region that is failing, and recovery must not
 * depend on it (the operator is told to make sure no one else is operating).
 */
async function underLock(operation: Operation | 'restore', env: Environment, flags: RunFlags, deps: CliDeps, run: () => Promise<RunResult>): Promise<RunResult | number> {
  try {
    return await withOperationLock(
      {
        env,
        workspaceRoot: deps.root,
        operation,
        // Told to whoever finds the lock held: a restore waits for a new cluster and its instance.
        expectedDurationMs: operation === 'restore' ? 60 * 60_000 : 15 * 60_000,
        breakStale: flags.breakStaleLock === true,
        breakHint: `run it again with --break-stale-lock`,
        log: deps.err,
        ...(deps.lock?.location ? { location: deps.lock.location } : {}),
        ...(deps.lock?.operator ? { operator: deps.lock.operator } : {}),
      },
      run,
    );
  } catch (error) {
    if (error instanceof LockHeldError) {
      deps.err(error.message);
      return EXIT_CODES.refused;
    }
    if (error instanceof OperationLockError) {
      if (operation !== 'failover') {
        deps.err(`${error.message}\nThe operation lock cannot be read or taken, so this ${operation} does not start: fix access to it and run again.`);
        return 1;
      }
      deps.err(`warning: ${error.message}\nThe failover goes on WITHOUT the operation lock: make sure no one else is running a DR operation or a deploy of ${env.name}.`);
      return run();
    }
    throw error;
  }
}

interface RestoreRun {
  readonly role: DrRole;
  readonly options: RestoreOptions;
  readonly world: DrWorld;
}

/** The writer's role (the config's active one when it cannot be read: the window check then refuses) and what to restore. */
async function restoreRun(flags: RunFlags, deps: CliDeps, { env, targets }: { env: Environment; targets: DrTargets }): Promise<RestoreRun> {
  if (flags.toTime === undefined) throw new RestoreArgumentError('--to-time is required: the point in time to restore to');
  const time = parseRestoreTime(flags.toTime);
  const world = deps.createWorld(targets, {});
  const db = await world.readDatabase();
  const role = db.reachable && db.writer ? db.writer : targets.configActiveRole;
  // The operator's own problem (a permission the restore needs) is the whole answer, before any step:
  // the steps would only show it as a row that cannot be read.
  await world.readRestoreWindow(role).catch((error: unknown) => {
    if (error instanceof OperatorError) throw error;
  });
  const target = flags.targetCluster !== undefined ? checkClusterIdentifier(flags.targetCluster) : defaultRestoreTarget(targets.regions[role].cluster, time);
  return { role, world, options: { time, target, instanceClass: env.database.instanceClass } };
}

async function planRestore(flags: RunFlags & { json?: boolean }, deps: CliDeps, waits: Waits, ctx: { env: Environment; targets: DrTargets }): Promise<number> {
  const { targets } = ctx;
  const { role, options, world } = await restoreRun(flags, deps, ctx);
  const watch = watchReads(world);
  const rows = await planSteps(restoreSteps(options, deps.restoreWaits ?? DEFAULT_RESTORE_WAITS), {
    world: watch.world,
    targets,
    clock: deps.clock,
    from: role,
    to: role,
    waits,
    facts: {},
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  if (watch.operatorError) throw watch.operatorError;
  const incomplete = watch.unread.size > 0 || rows.some((r) => r.state === 'unknown');
  const { region, cluster } = targets.regions[role];
  if (flags.json) {
    deps.out(JSON.stringify({ operation: 'restore', source: { region, cluster }, restoreTime: options.time, target: options.target, instanceClass: options.instanceClass, steps: rows, unread: [...watch.unread] }, null, 2));
    return incomplete ? EXIT_INCOMPLETE : 0;
  }
  deps.out(`Plan: restore ${cluster} (${region}) to ${options.time} into ${options.target} for ${targets.environment} (nothing is changed)`);
  deps.out(table(['#', 'step', 'current', 'target', 'state'], rows.map((r, i) => [String(i + 1), `${r.id}${r.destructive ? ' *' : ''}`, r.current, r.target, r.state])));
  deps.out('* asks for confirmation unless --yes');
  for (const row of rows.filter((r) => r.problems)) {
    deps.out(`${row.id} would refuse:\n${row.problems!.map((p) => `  - ${p}`).join('\n')}${row.suggestion ? `\n${row.suggestion}` : ''}`);
  }
  if (incomplete) deps.out(`Incomplete (exit ${EXIT_INCOMPLETE}): could not read\n${(watch.unread.size > 0 ? [...watch.unread] : ['a step (see "cannot be read" above)']).map((line) => `  - ${line}`).join('\n')}`);
  return incomplete ? EXIT_INCOMPLETE : 0;
}

async function runRestore(flags: RunFlags, deps: CliDeps, waits: Waits, ctx: RunContext): Promise<number> {
  const { env, targets, invocation } = ctx;
  const { role, options, world } = await restoreRun(flags, deps, ctx);
  const { region, cluster } = targets.regions[role];
  const command = `${invocation.dr} restore --to-time ${options.time} --target-cluster ${options.target}`;
  deps.out(`restore of ${env.name}: ${cluster} (${region}) to ${options.time} into ${options.target}`);
  const facts: RestoreFacts = {};
  const run = () =>
    runSteps(
      restoreSteps(options, deps.restoreWaits ?? DEFAULT_RESTORE_WAITS, facts),
      { world, targets, clock: deps.clock, from: role, to: role, waits, facts: {}, ...(deps.signal ? { signal: deps.signal } : {}) },
      { confirm: deps.confirm, yes: flags.yes === true, onEvent: progressPrinter(deps.out) },
    );
  const locked = await underLock('restore', env, flags, deps, run);
  if (typeof locked === 'number') return locked;
  // What the report says of the window and the new cluster; a read that fails leaves it out.
  const [window, restored] = await Promise.all([facts.window ?? world.readRestoreWindow(role).catch(() => undefined), world.readRestoredCluster(role, options.target).catch(() => undefined)]);
  const report = buildRestoreReport({ targets, role, options, result: locked, ...(window ? { window } : {}), ...(restored ? { restored } : {}), command });
  const path = flags.report ?? restoreReportPath(deps.root, env.name, locked.startedAt);
  return finishRun(deps, path, report, renderRestoreSummary(report));
}

/** The end of a run: measured time per step and in total, what is left, and the config change. */
export function renderSummary(report: DrReport): string {
  const lines: string[] = [];
  const steps = report.recovery.steps;
  lines.push(`\n${report.operation} ${report.outcome.toUpperCase()}: ${report.from.region} -> ${report.to.region}`);
  lines.push(table(['step', 'status', 'measured'], steps.map((s) => [s.id, s.status, seconds(s.seconds)])));
  const confirmations = report.recovery.confirmationSeconds > 0 ? ` (of which ${seconds(report.recovery.confirmationSeconds)} waiting for confirmations)` : '';
  lines.push(`total ${seconds(report.recovery.totalSeconds)}${confirmations}`);
  if (report.dataLossWindow) {
    const w = report.dataLossWindow;
    lines.push(
      w.replicationLagMs !== null
        ? `data-loss window: replication lag last seen ${(w.replicationLagMs / 1000).toFixed(1)} s (${w.cluster}, ${w.observedAt})`
        : `data-loss window: unknown (${w.note})`,
    );
  }
  if (report.problems) {
    lines.push('refused:', ...report.problems.map((p) => `  - ${p}`));
    if (report.suggestion) lines.push(report.suggestion);
  }
  const failed = steps.find((s) => s.status === 'failed' || s.status === 'interrupted' || s.status === 'declined');
  if (failed) {
    const done = steps.filter((s) => ['done', 'already-done', 'passed'].includes(s.status)).map((s) => s.id);
    const notDone = steps.filter((s) => s.status === 'not-run' || s === failed).map((s) => s.id);
    lines.push(`stopped at ${failed.id}: ${failed.error ?? failed.status}`);
    lines.push(`done: ${done.join(', ') || 'nothing'}`);
    lines.push(`not done: ${notDone.join(', ')}`);
  }
  if (report.resumeCommand) lines.push(`resume with: ${report.resumeCommand}`);
  if (report.deferred) {
    lines.push(`deferred until ${report.from.region} answers again: ${report.deferred.steps.join(', ')}; then run: ${report.deferred.command}`);
  }
  if (report.configChange) {
    lines.push(`config: ${report.configChange.instruction}`);
  }
  return lines.join('\n');
}
