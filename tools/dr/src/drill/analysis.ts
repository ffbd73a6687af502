import type { DrRole } from '@txn-dr/config';
import type { CountResult, Fault } from '../local/protocol';
import type { Operation } from '../operations';
import type { DrReport } from '../report';
import type { DbEndpoint, ProfileName } from './profile';
import { type WriteRecord, acknowledged } from './load';

/** What the CLI told the operator it may have lost, and whether that held against the data. */
export interface ReportedDataLoss {
  /** The replication lag the CLI reported before promoting; null when it said unknown. */
  readonly replicationLagMs: number | null;
  readonly observedAt?: string;
  /**
   * The CLI's claim in time: what committed before this instant was on the standby (the lag
   * datapoint's time minus the lag). Writes acknowledged after it may be lost.
   */
  readonly writesAtRiskAfter?: string;
  /** True when no lost write was acknowledged before `writesAtRiskAfter` (or nothing was claimed safe). */
  readonly honest: boolean;
}

export interface DrillStep {
  readonly name: string;
  readonly status: string;
  readonly seconds: number;
  /** Seconds from the start of the load. */
  readonly startedAtSeconds: number | null;
}

/** The drill's report: its field names are part of the interface (dashboards, CI). */
export interface DrillReport {
  readonly operation: Operation;
  readonly fault: Fault;
  readonly profile: ProfileName;
  /** Where the service read and wrote: its region's database or the global writer endpoint. */
  readonly dbEndpoint: DbEndpoint;
  readonly from: { readonly role: DrRole; readonly region: string };
  readonly to: { readonly role: DrRole; readonly region: string };
  /** The CLI's outcome: completed, failed, refused... */
  readonly outcome: string;
  /** Why the CLI refused, when it did. */
  readonly problems?: readonly string[];
  readonly requests: number;
  readonly acknowledged: number;
  /** Acknowledged keys missing on the final writer. */
  readonly lostAcknowledged: number;
  /** Acknowledged keys present only on the old writer (or in what its rebuild set aside). */
  readonly splitBrainWrites: number;
  /** Longest gap between two acknowledged writes. */
  readonly writeDowntimeSeconds: number;
  /** Where that gap was, in seconds from the start of the load. */
  readonly writeDowntimeWindow: { readonly from: number; readonly to: number } | null;
  /** From the fault (or the operation's start) to the first acknowledged write the new region served. */
  readonly rtoSeconds: number | null;
  readonly reportedDataLoss: ReportedDataLoss | null;
  /** Whether the CLI confirmed the old region fenced (failover only). */
  readonly fencingConfirmed: boolean | null;
  readonly steps: readonly DrillStep[];
  /** Milliseconds since the epoch of the load's start, the fault, the operation's start and end. */
  readonly marks: { readonly loadStart: number; readonly fault: number | null; readonly operationStart: number; readonly operationEnd: number };
  /** Acknowledged writes, errors and the serving region per second of the load. */
  readonly timeline: readonly TimelineSecond[];
  /** A few lost and split-brain keys, to look up. */
  readonly samples: { readonly lost: readonly string[]; readonly splitBrain: readonly string[] };
}

export interface TimelineSecond {
  readonly second: number;
  readonly acknowledged: Record<string, number>;
  readonly errors: number;
}

export interface AnalysisInput {
  readonly operation: Operation;
  readonly fault: Fault;
  readonly profile: ProfileName;
  readonly dbEndpoint: DbEndpoint;
  readonly from: { readonly role: DrRole; readonly region: string };
  readonly to: { readonly role: DrRole; readonly region: string };
  readonly records: readonly WriteRecord[];
  readonly count: CountResult;
  readonly cliReport: DrReport | undefined;
  readonly loadStart: number;
  readonly faultAt: number | null;
  readonly operationStart: number;
  readonly operationEnd: number;
}

const round = (seconds: number) => Math.round(seconds * 100) / 100;

/** Counts everything from the data: the load's records and what each database holds afterwards. */
export function analyse(input: AnalysisInput): DrillReport {
  const acked = input.records.filter(acknowledged);
  const onFinal = new Set(input.count.present[input.count.writer]);
  const oldRole = input.from.role === input.count.writer ? input.to.role : input.from.role;
  const onOld = new Set([...input.count.present[oldRole], ...input.count.setAside]);
  const lost = acked.filter((r) => !onFinal.has(r.key));
  const splitBrain = lost.filter((r) => onOld.has(r.key));

  const ackTimes = acked.map((r) => r.doneAt!).sort((a, b) => a - b);
  let gap = 0;
  let gapAt: number | undefined;
  for (let i = 1; i < ackTimes.length; i++) {
    if (ackTimes[i]! - ackTimes[i - 1]! > gap) {
      gap = ackTimes[i]! - ackTimes[i - 1]!;
      gapAt = i;
    }
  }

  const recoveryStart = input.faultAt ?? input.operationStart;
  const firstNew = acked.filter((r) => r.region === input.to.region && r.doneAt! >= recoveryStart).sort((a, b) => a.doneAt! - b.doneAt!)[0];

  return {
    operation: input.operation,
    fault: input.fault,
    profile: input.profile,
    dbEndpoint: input.dbEndpoint,
    from: input.from,
    to: input.to,
    outcome: input.cliReport?.outcome ?? 'no report',
    ...(input.cliReport?.problems ? { problems: input.cliReport.problems } : {}),
    requests: input.records.length,
    acknowledged: acked.length,
    lostAcknowledged: lost.length,
    splitBrainWrites: splitBrain.length,
    writeDowntimeSeconds: round(gap / 1000),
    writeDowntimeWindow: gapAt === undefined ? null : { from: round((ackTimes[gapAt - 1]! - input.loadStart) / 1000), to: round((ackTimes[gapAt]! - input.loadStart) / 1000) },
    rtoSeconds: firstNew ? round((firstNew.doneAt! - recoveryStart) / 1000) : null,
    reportedDataLoss: reportedDataLoss(input.cliReport, lost),
    fencingConfirmed: fencing(input.cliReport),
    steps: (input.cliReport?.recovery.steps ?? []).map((s) => ({
      name: s.id,
      status: s.status,
      seconds: round(s.seconds ?? 0),
      startedAtSeconds: s.startedAt ? round((Date.parse(s.startedAt) - input.loadStart) / 1000) : null,
    })),
    marks: { loadStart: input.loadStart, fault: input.faultAt, operationStart: input.operationStart, operationEnd: input.operationEnd },
    timeline: timeline(input.records, input.loadStart),
    samples: { lost: lost.slice(0, 5).map((r) => r.key), splitBrain: splitBrain.slice(0, 5).map((r) => r.key) },
  };
}

function reportedDataLoss(report: DrReport | undefined, lost: readonly WriteRecord[]): ReportedDataLoss | null {
  const window = report?.dataLossWindow;
  if (!window) return null;
  if (window.replicationLagMs === null || !window.observedAt) {
    // "Unknown" claims nothing is safe: it cannot be contradicted.
    return { replicationLagMs: null, honest: true };
  }
  const safeBefore = Date.parse(window.observedAt) - window.replicationLagMs;
  return {
    replicationLagMs: window.replicationLagMs,
    observedAt: window.observedAt,
    writesAtRiskAfter: new Date(safeBefore).toISOString(),
    honest: lost.every((r) => r.doneAt! >= safeBefore),
  };
}

function fencing(report: DrReport | undefined): boolean | null {
  const step = report?.recovery.steps.find((s) => s.id === 'fence-source');
  if (!step) return null;
  return step.status === 'done' || step.status === 'already-done';
}

function timeline(records: readonly WriteRecord[], loadStart: number): TimelineSecond[] {
  const seconds: TimelineSecond[] = [];
  for (const r of records) {
    if (r.doneAt === undefined) continue;
    const second = Math.floor((r.doneAt - loadStart) / 1000);
    while (seconds.length <= second) seconds.push({ second: seconds.length, acknowledged: {}, errors: 0 });
    const bucket = seconds[second]!;
    if (acknowledged(r)) bucket.acknowledged[r.region ?? 'unknown'] = (bucket.acknowledged[r.region ?? 'unknown'] ?? 0) + 1;
    else (bucket as { errors: number }).errors++;
  }
  return seconds;
}
