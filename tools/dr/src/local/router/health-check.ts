import { request } from 'node:http';

/** What one check saw: the status line the load balancer answered with, or why there was none. */
export interface ProbeResult {
  /** 2xx or 3xx. */
  readonly ok: boolean;
  readonly status?: number;
  readonly error?: string;
}

export type HealthStatus = 'healthy' | 'unhealthy';

/** The status of one record's health check and the evidence for it. */
export interface HealthView {
  readonly status: HealthStatus;
  readonly consecutiveSuccesses: number;
  readonly consecutiveFailures: number;
  /** Checks completed since start. */
  readonly checks: number;
  /** ISO time of the last completed check; null before the first. */
  readonly lastCheckedAt: string | null;
  readonly lastResult: ProbeResult | null;
  /** ISO time the status last flipped; null while it is still the initial one. */
  readonly changedAt: string | null;
}

/**
 * One Route 53 health check, as the single checker of this model sees it (Route 53 aggregates many
 * checkers and calls an endpoint healthy when more than 18% of them do; with one checker that is
 * simply its own verdict).
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
 *
 * - A new check is healthy: "Route 53 considers a new health check to be healthy until there's
 *   enough data to determine the actual status" (same page).
 * - The status flips only after `failureThreshold` consecutive results the other way, in both
 *   directions: the threshold is "the number of consecutive health checks that an endpoint must
 *   pass or fail for Route 53 to change the current status of the endpoint from unhealthy to
 *   healthy or vice versa", so recovering takes as many passes as failing takes failures.
 *   https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
 */
export class HealthCheckState {
  private status: HealthStatus = 'healthy';
  private successes = 0;
  private failures = 0;
  private checks = 0;
  private lastCheckedAt: number | undefined;
  private lastResult: ProbeResult | undefined;
  private changedAt: number | undefined;

  constructor(private readonly failureThreshold: number) {}

  get healthy(): boolean {
    return this.status === 'healthy';
  }

  record(result: ProbeResult, at: number): void {
    this.checks++;
    this.lastCheckedAt = at;
    this.lastResult = result;
    if (result.ok) {
      this.successes++;
      this.failures = 0;
      if (this.status === 'unhealthy' && this.successes >= this.failureThreshold) this.flip('healthy', at);
    } else {
      this.failures++;
      this.successes = 0;
      if (this.status === 'healthy' && this.failures >= this.failureThreshold) this.flip('unhealthy', at);
    }
  }

  view(): HealthView {
    const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());
    return {
      status: this.status,
      consecutiveSuccesses: this.successes,
      consecutiveFailures: this.failures,
      checks: this.checks,
      lastCheckedAt: iso(this.lastCheckedAt),
      lastResult: this.lastResult ?? null,
      changedAt: iso(this.changedAt),
    };
  }

  private flip(status: HealthStatus, at: number): void {
    this.status = status;
    this.changedAt = at;
  }
}

/**
 * One HTTP check: GET `url` on a fresh connection, passing on a 2xx or 3xx status line received
 * within `timeoutMs` (redirects are not followed: a 3xx already passes). The body is not read.
 * "the endpoint must respond with an HTTP status code of 2xx or 3xx":
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
 * Never rejects; `signal` ends it at once (the router closing).
 */
export function probeHttp(url: string, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const stop = () => controller.abort();
    signal.addEventListener('abort', stop, { once: true });
    const done = (result: ProbeResult) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', stop);
      resolve(result);
    };
    const req = request(url, { method: 'GET', agent: false, signal: controller.signal, headers: { connection: 'close' } }, (res) => {
      const status = res.statusCode ?? 0;
      res.destroy();
      done({ ok: status >= 200 && status < 400, status });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (timedOut) done({ ok: false, error: `no response within ${timeoutMs} ms` });
      else if (signal.aborted) done({ ok: false, error: 'check stopped' });
      else done({ ok: false, error: error.code ?? error.message });
    });
    req.end();
  });
}
