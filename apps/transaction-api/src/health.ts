import type { DrRole } from '@txn-dr/config';
import type { Database, ProbeResult } from './db/database';

export type ProbeOutcome = { readonly ok: true; readonly result: ProbeResult } | { readonly ok: false; readonly error: unknown; readonly latencyMs: number };

/**
 * The database probe behind both health endpoints, bounded in time and shared: concurrent checks
 * (the load balancer's nodes, Route 53's checkers, the health Lambda) join the probe in flight
 * instead of each opening a connection, so a hung database costs one stuck connection, not one
 * per check.
 */
export class HealthProbe {
  private inFlight: Promise<ProbeOutcome> | undefined;

  constructor(
    private readonly db: Database,
    private readonly timeoutMs: number,
  ) {}

  check(): Promise<ProbeOutcome> {
    const started = performance.now();
    this.inFlight ??= this.db
      .probe(this.timeoutMs)
      .then(
        (result): ProbeOutcome => ({ ok: true, result }),
        (error: unknown): ProbeOutcome => ({ ok: false, error, latencyMs: Math.round(performance.now() - started) }),
      )
      .finally(() => {
        this.inFlight = undefined;
      });
    // The probe bounds itself; this bounds a caller that joined a probe already under way, and
    // guards against any path in the driver that would not time out.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<ProbeOutcome>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, error: new Error(`database probe took longer than ${this.timeoutMs} ms`), latencyMs: Math.round(performance.now() - started) }),
        this.timeoutMs,
      );
    });
    return Promise.race([this.inFlight, deadline]).finally(() => clearTimeout(timer));
  }
}

/** What both health endpoints answer, apart from `status`. */
export interface HealthReport {
  readonly region: string;
  /** The DR role the instance was launched with. */
  readonly configuredRole: DrRole;
  /** From the database itself; `unknown` when it does not answer. */
  readonly role: 'writer' | 'reader' | 'unknown';
  readonly db: { readonly reachable: boolean; readonly readOnly: boolean | null; readonly latencyMs: number; readonly schemaReady: boolean };
}

export interface HealthView {
  /** The target check (`HEALTH_PATHS.target`): the database answers and the schema is current, whatever the role. */
  readonly serving: boolean;
  /** The Route 53 check (`HEALTH_PATHS.writable`): serving, and the database takes writes. */
  readonly writable: boolean;
  readonly report: HealthReport;
}

/** Reads a probe outcome and the schema state as the two health endpoints judge them. */
export function healthView(outcome: ProbeOutcome, schemaReady: boolean, identity: Pick<HealthReport, 'region' | 'configuredRole'>): HealthView {
  if (!outcome.ok) {
    return { serving: false, writable: false, report: { ...identity, role: 'unknown', db: { reachable: false, readOnly: null, latencyMs: outcome.latencyMs, schemaReady } } };
  }
  const { readOnly, latencyMs } = outcome.result;
  return {
    serving: schemaReady,
    writable: schemaReady && !readOnly,
    report: { ...identity, role: readOnly ? 'reader' : 'writer', db: { reachable: true, readOnly, latencyMs, schemaReady } },
  };
}
