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

/** What one database answered, as the health endpoints report it. */
export interface DbStatus {
  readonly reachable: boolean;
  /** From the database itself; null when it does not answer. */
  readonly readOnly: boolean | null;
  readonly latencyMs: number;
  readonly schemaReady: boolean;
}

/** What both health endpoints answer, apart from `status`. */
export interface HealthReport {
  readonly region: string;
  /** The DR role the instance was launched with. */
  readonly configuredRole: DrRole;
  /** From the probed database itself; `unknown` when it does not answer. */
  readonly role: 'writer' | 'reader' | 'unknown';
  /** The probed database, which the status is judged on: the region's own cluster when the probes have an endpoint of their own. */
  readonly db: DbStatus;
  /**
   * The data endpoint (reads and writes), reported only when it is not the probed one: whether it
   * answers. It never changes the status, so a region's health depends on that region alone.
   */
  readonly writer?: DbStatus;
}

export interface HealthView {
  /** The target check (`HEALTH_PATHS.target`): the database answers and the schema is current, whatever the role. */
  readonly serving: boolean;
  /** The Route 53 check (`HEALTH_PATHS.writable`): serving, and the database takes writes. */
  readonly writable: boolean;
  readonly report: HealthReport;
}

/** A probe outcome and the schema state of the database it asked. */
export interface ProbedDatabase {
  readonly outcome: ProbeOutcome;
  readonly schemaReady: boolean;
}

function dbStatus({ outcome, schemaReady }: ProbedDatabase): DbStatus {
  return outcome.ok
    ? { reachable: true, readOnly: outcome.result.readOnly, latencyMs: outcome.result.latencyMs, schemaReady }
    : { reachable: false, readOnly: null, latencyMs: outcome.latencyMs, schemaReady };
}

/**
 * Reads the probed database as the two health endpoints judge it, and adds the data endpoint's
 * answer, when it is another endpoint, for information only.
 */
export function healthView(probed: ProbedDatabase, identity: Pick<HealthReport, 'region' | 'configuredRole'>, writer?: ProbedDatabase): HealthView {
  const db = dbStatus(probed);
  const report: HealthReport = {
    ...identity,
    role: db.readOnly === null ? 'unknown' : db.readOnly ? 'reader' : 'writer',
    db,
    ...(writer !== undefined ? { writer: dbStatus(writer) } : {}),
  };
  const serving = db.reachable && db.schemaReady;
  return { serving, writable: serving && db.readOnly === false, report };
}
