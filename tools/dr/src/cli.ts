import { join, relative } from 'node:path';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, type DrRole, type Environment } from '@txn-dr/config';
import { budgetView, renderBudget } from './budget';
import type { Clock } from './clock';
import { type Outcome, type RunEvent, planSteps, runSteps } from './engine';
import { clockTime, seconds, table } from './format';
import { DEFAULT_MAX_LAG_SECONDS, DirectionError, OPERATIONS, type Operation, operationSteps, resolveDirection } from './operations';
import { type DrReport, buildReport, defaultReportPath, writeReport } from './report';
import { readStatus, renderStatus } from './status';
import { DEFAULT_WAITS, type RunFacts, type Waits } from './steps';
import { type DrTargets, resolveTargets } from './targets';
import type { DrWorld } from './world';

/** Everything the commands touch outside themselves, injected so that tests drive them whole. */
export interface CliDeps {
  readonly loadEnvironment: () => Environment;
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
  /** @default DEFAULT_WAITS */
  readonly waits?: Waits;
}

export const EXIT_CODES: Record<Outcome, number> = { completed: 0, failed: 1, refused: 3, declined: 4, interrupted: 130 };
/** Bad configuration or arguments. */
const EXIT_USAGE = 2;

interface RunFlags {
  readonly to?: string;
  readonly maxLagSeconds?: number;
  readonly yes?: boolean;
  readonly report?: string;
}

function parseSeconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError(`not a positive number of seconds: ${value}`);
  return parsed;
}

/** Builds the `dr` program; `run` returns the exit code instead of exiting, for tests and main alike. */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  let exitCode = 0;
  const waits = deps.waits ?? DEFAULT_WAITS;

  const context = () => {
    const env = deps.loadEnvironment();
    return { env, targets: resolveTargets(env) };
  };

  const program = new Command('dr')
    .description(
      'Operate the warm-standby pair of the environment named by ENVIRONMENT_SUFFIX (default dev): live status, plans, and the switchover, failover and failback runs.',
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => deps.out(s.replace(/\n$/, '')), writeErr: (s) => deps.err(s.replace(/\n$/, '')) })
    .showHelpAfterError();

  program
    .command('status')
    .description('The live picture from the AWS APIs: global writer, replication lag, capacity, weights and health checks, and whether config agrees')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const { targets } = context();
      const snapshot = await readStatus(deps.createWorld(targets, {}), targets, () => deps.clock.now());
      deps.out(flags.json ? JSON.stringify(snapshot, null, 2) : renderStatus(snapshot, targets));
    });

  const toOption = () => new Option('--to <region>', 'the region to move to (default: the one config does not call active; failback: the primary region)');
  const maxLagOption = () =>
    new Option('--max-lag-seconds <seconds>', `largest replication lag a switchover accepts (default ${DEFAULT_MAX_LAG_SECONDS})`).argParser(parseSeconds);

  program
    .command('plan')
    .description('The ordered steps of an operation with current and target values; changes nothing')
    .addArgument(new Argument('<operation>', 'what to plan').choices(OPERATIONS))
    .addOption(toOption())
    .addOption(maxLagOption())
    .option('--json', 'print JSON')
    .action(async (operation: Operation, flags: RunFlags & { json?: boolean }) => {
      const { targets } = context();
      const direction = resolveDirection(operation, targets, flags.to);
      const world = deps.createWorld(targets, operation === 'failover' ? { impaired: direction.from } : {});
      const steps = operationSteps(operation, flags.maxLagSeconds !== undefined ? { maxLagSeconds: flags.maxLagSeconds } : {});
      const rows = await planSteps(steps, { world, targets, clock: deps.clock, ...direction, waits, facts: {}, ...(deps.signal ? { signal: deps.signal } : {}) });
      if (flags.json) {
        deps.out(JSON.stringify({ operation, from: targets.regions[direction.from].region, to: targets.regions[direction.to].region, steps: rows }, null, 2));
        return;
      }
      deps.out(`Plan: ${operation} ${targets.regions[direction.from].region} -> ${targets.regions[direction.to].region} for ${targets.environment} (nothing is changed)`);
      deps.out(table(['#', 'step', 'current', 'target', 'state'], rows.map((r, i) => [String(i + 1), `${r.id}${r.destructive ? ' *' : ''}`, r.current, r.target, r.state])));
      deps.out('* asks for confirmation unless --yes');
      for (const row of rows.filter((r) => r.problems)) {
        deps.out(`${row.id} would refuse:\n${row.problems!.map((p) => `  - ${p}`).join('\n')}${row.suggestion ? `\n${row.suggestion}` : ''}`);
      }
    });

  const runCommand = (operation: Operation, description: string) => {
    const command = program
      .command(operation)
      .description(description)
      .addOption(toOption())
      .option('-y, --yes', 'do not ask before destructive steps')
      .option('--report <path>', 'where to write the JSON report (default reports/dr/<operation>-<env>-<time>.json)');
    if (operation !== 'failover') command.addOption(maxLagOption());
    command.action(async (flags: RunFlags) => {
      exitCode = await runOperation(operation, flags, deps, waits, context());
    });
  };
  runCommand('switchover', 'Planned move of writes and traffic to the standby region, without data loss');
  runCommand('failover', 'Unplanned move to the standby region while the active one is impaired; allows data loss');
  runCommand('failback', 'Planned switchover back to the primary region once it is healthy again');

  program
    .command('budget')
    .description('The worst-case RTO of the environment, phase by phase, against its objective')
    .option('--json', 'print JSON')
    .action((flags: { json?: boolean }) => {
      const view = budgetView(deps.loadEnvironment());
      deps.out(flags.json ? JSON.stringify(view, null, 2) : renderBudget(view));
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : error.exitCode === 1 ? EXIT_USAGE : error.exitCode;
    if (error instanceof ConfigError || error instanceof DirectionError) {
      deps.err(error.message);
      return EXIT_USAGE;
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

async function runOperation(operation: Operation, flags: RunFlags, deps: CliDeps, waits: Waits, { env, targets }: { env: Environment; targets: DrTargets }): Promise<number> {
  const direction = resolveDirection(operation, targets, flags.to);
  const fromRegion = targets.regions[direction.from].region;
  const toRegion = targets.regions[direction.to].region;
  const world = deps.createWorld(targets, operation === 'failover' ? { impaired: direction.from } : {});
  const steps = operationSteps(operation, flags.maxLagSeconds !== undefined ? { maxLagSeconds: flags.maxLagSeconds } : {});
  const facts: RunFacts = {};
  const resume = `ENVIRONMENT_SUFFIX=${env.name} npx dr ${operation} --to ${toRegion}${flags.maxLagSeconds !== undefined ? ` --max-lag-seconds ${flags.maxLagSeconds}` : ''}`;

  deps.out(`${operation} of ${env.name}: ${fromRegion} -> ${toRegion} (${targets.globalCluster}, ${targets.fqdn})`);
  const result = await runSteps(
    steps,
    { world, targets, clock: deps.clock, ...direction, waits, facts, ...(deps.signal ? { signal: deps.signal } : {}) },
    { confirm: deps.confirm, yes: flags.yes === true, onEvent: progressPrinter(deps.out) },
  );
  const environmentFile = relative(deps.root, join(deps.environmentsDir, `${env.name}.json`));
  const report = buildReport({ operation, targets, direction, result, facts, command: resume, environmentFile });
  const path = flags.report ?? defaultReportPath(deps.root, operation, env.name, result.startedAt);
  writeReport(path, report);
  deps.out(renderSummary(report));
  deps.out(`Report: ${relative(deps.root, path) || path}`);
  return EXIT_CODES[report.outcome];
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
