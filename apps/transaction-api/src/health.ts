import type { Database, ProbeResult } from './db/database';

export type ProbeOutcome = { readonly ok: true; readonly result: ProbeResult } | { readonly ok: false; readonly error: unknown; readonly latencyMs: number };

/**
 * The database probe behind `GET /health`, bounded in time and shared: concurrent checks (the
 * load balancer's nodes, Route 53's checkers, the health Lambda) join the probe in flight instead
 * of each opening a connection, so a hung database costs one stuck connection, not one per check.
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
