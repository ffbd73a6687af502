import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DrRole } from '@txn-dr/config';
import type { Outcome, RunResult, StepRecord, StepStatus } from './engine';
import type { Direction, Operation } from './operations';
import type { RestoreReport } from './restore';
import type { RunFacts } from './steps';
import type { DrTargets } from './targets';

/** The change to config that makes Terraform agree with where the writer now is. */
export interface ConfigChange {
  readonly field: 'activeRegion';
  readonly from: string;
  readonly to: string;
  /** The environment file, relative to the workspace root. */
  readonly file: string;
  readonly instruction: string;
}

/** What a run did and how long each part took, written as JSON for the incident record. */
export interface DrReport {
  readonly operation: Operation;
  readonly environment: string;
  readonly from: { readonly role: DrRole; readonly region: string };
  readonly to: { readonly role: DrRole; readonly region: string };
  readonly outcome: Outcome;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Measured: wall-clock total, the part spent on confirmations, and each step. */
  readonly recovery: {
    readonly totalSeconds: number;
    readonly confirmationSeconds: number;
    readonly steps: readonly StepRecord[];
  };
  /** Failover only: the secondary's replication lag last seen before promotion. */
  readonly dataLossWindow?: { readonly replicationLagMs: number | null; readonly observedAt?: string; readonly cluster: string; readonly note?: string };
  readonly problems?: readonly string[];
  readonly suggestion?: string;
  readonly warnings: readonly string[];
  readonly configChange?: ConfigChange;
  /** The command that picks the run up where it stopped. */
  readonly resumeCommand?: string;
  /** Best-effort steps left to do once the region they touch answers again, and the command that does them. */
  readonly deferred?: { readonly steps: readonly string[]; readonly command: string };
}

export interface ReportInput {
  readonly operation: Operation;
  readonly targets: DrTargets;
  readonly direction: Direction;
  readonly result: RunResult;
  readonly facts: RunFacts;
  /** The command, with its flags, that starts this same operation again. */
  readonly command: string;
  /** Path of the environment file, relative to the workspace root. */
  readonly environmentFile: string;
}

const MOVED: readonly StepStatus[] = ['done', 'already-done'];

export function buildReport(input: ReportInput): DrReport {
  const { operation, targets, direction, result, facts, command } = input;
  const toRegion = targets.regions[direction.to].region;
  const promote = result.steps.find((s) => s.id === 'promote-database');
  const writerMoved = promote !== undefined && MOVED.includes(promote.status);
  const configChange: ConfigChange | undefined =
    writerMoved && targets.configActiveRegion !== toRegion
      ? {
          field: 'activeRegion',
          from: targets.configActiveRegion,
          to: toRegion,
          file: input.environmentFile,
          instruction: `set "activeRegion": "${toRegion}" in ${input.environmentFile} (create the file if it does not exist): Terraform then sizes the regions for their new roles, makes ${toRegion} the preferred (weight 100) record, and deploys stop refusing for disagreeing with the live writer`,
        }
      : undefined;
  const deferred = result.steps.filter((s) => s.status === 'deferred').map((s) => s.id);
  const lag = facts.lagBeforeFailover;
  const dataLossWindow =
    operation === 'failover'
      ? lag
        ? { replicationLagMs: lag.milliseconds, observedAt: lag.at, cluster: targets.regions[lag.role].cluster }
        : {
            replicationLagMs: null,
            cluster: targets.regions[direction.to].cluster,
            note: writerMoved && promote?.status === 'already-done' ? 'the failover was made by an earlier run: see its report' : 'no AuroraGlobalDBRPOLag datapoint could be read before the promotion',
          }
      : undefined;
  return {
    operation,
    environment: targets.environment,
    from: { role: direction.from, region: targets.regions[direction.from].region },
    to: { role: direction.to, region: toRegion },
    outcome: result.outcome,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    recovery: { totalSeconds: result.totalSeconds, confirmationSeconds: result.confirmationSeconds, steps: result.steps },
    ...(dataLossWindow ? { dataLossWindow } : {}),
    ...(result.problems ? { problems: result.problems } : {}),
    ...(result.suggestion ? { suggestion: result.suggestion } : {}),
    warnings: result.warnings,
    ...(configChange ? { configChange } : {}),
    ...(result.outcome === 'failed' || result.outcome === 'interrupted' || result.outcome === 'declined' ? { resumeCommand: command } : {}),
    ...(deferred.length > 0 ? { deferred: { steps: deferred, command } } : {}),
  };
}

/** `reports/dr/<operation>-<env>-<UTC timestamp>.json`: reports/ is not committed. */
export function defaultReportPath(root: string, operation: Operation, environment: string, startedAt: string): string {
  return join(root, 'reports', 'dr', `${operation}-${environment}-${startedAt.replace(/[:.]/g, '-')}.json`);
}

export function writeReport(path: string, report: DrReport | RestoreReport): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
}
