import { readFileSync } from 'node:fs';

/** The outcome of one scenario, measured the same way whatever produced the load. */
export interface ScenarioResult {
  readonly name: string;
  /** Requests answered (any status) plus requests that failed without an answer. */
  readonly requests: number;
  /** Requests that succeeded: the expected HTTP status, or a committed transaction. */
  readonly ok: number;
  /** Answers with another status. */
  readonly unexpected: number;
  /** Connection errors, timeouts, failed transactions. */
  readonly errors: number;
  /** From the first request sent to the last answer received. */
  readonly seconds: number;
  /** Latency of every successful request, in milliseconds. */
  readonly latenciesMs: readonly number[];
  /** Answers by HTTP status (HTTP scenarios only). */
  readonly statuses?: Readonly<Record<string, number>>;
  /** Deadlocks and lock wait timeouts retried (the ceiling retries them as the service does). */
  readonly retries?: number;
  /** Answers a second over the second half of the run (HTTP scenarios). */
  readonly steadyPerSecond?: number;
  readonly firstError?: string;
}

export interface Summary {
  readonly name: string;
  readonly requests: number;
  readonly ok: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly failures: number;
  readonly seconds: number;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export function summarize(result: ScenarioResult): Summary {
  const sorted = Float64Array.from(result.latenciesMs).sort();
  return {
    name: result.name,
    requests: result.requests,
    ok: result.ok,
    perSecond: result.seconds > 0 ? result.ok / result.seconds : 0,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? (sorted[sorted.length - 1] ?? Number.NaN) : Number.NaN,
    failures: result.errors + result.unexpected,
    seconds: result.seconds,
  };
}

/** A plain-text table, columns padded, numbers right-aligned. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** CPU time (user + system) a process has used so far, in seconds; NaN where /proc is not there. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
