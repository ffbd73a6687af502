import { randomUUID } from 'node:crypto';

/** One write the load sent, and what came of it. */
export interface WriteRecord {
  readonly key: string;
  /** Milliseconds since the epoch. */
  readonly sentAt: number;
  doneAt?: number;
  /** HTTP status; undefined when no answer came (timeout, connection refused). */
  status?: number;
  /** The region that answered (`x-dr-region`). */
  region?: string;
  error?: string;
}

export interface LoadOptions {
  /** The public name (the router). */
  readonly url: string;
  readonly ratePerSecond: number;
  /** Most requests in flight: the load waits rather than piling up against a hung region. */
  readonly concurrency: number;
  readonly requestTimeoutMs: number;
  /** Hard bounds, whichever comes first. */
  readonly maxRequests: number;
  readonly maxDurationMs: number;
}

/** 201 is the service acknowledging a new write: the only answer that counts as acknowledged. */
export const acknowledged = (r: WriteRecord) => r.status === 201;

/**
 * Bounded write load through the public name: a fixed rate, a unique Idempotency-Key per
 * request (so each acknowledged key is exactly one row to look for afterwards), no retries (a
 * request that fails is simply not acknowledged), and a hard cap on count and time.
 */
export class WriteLoad {
  readonly records: WriteRecord[] = [];
  private stopped = false;
  private inFlight = 0;
  private readonly run = randomUUID().slice(0, 8);
  private done!: Promise<void>;

  constructor(private readonly options: LoadOptions) {
    if (!/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?/.test(options.url)) throw new Error(`the drill's load only goes to loopback, not ${options.url}`);
  }

  start(): this {
    this.done = this.loop();
    return this;
  }

  /** Stops sending and waits for the requests in flight (each bounded by its timeout). */
  async stop(): Promise<WriteRecord[]> {
    this.stopped = true;
    await this.done;
    return this.records;
  }

  private async loop(): Promise<void> {
    const started = Date.now();
    const gapMs = 1000 / this.options.ratePerSecond;
    const pending = new Set<Promise<void>>();
    for (let n = 0; n < this.options.maxRequests && !this.stopped && Date.now() - started < this.options.maxDurationMs; n++) {
      const due = started + n * gapMs;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      while (this.inFlight >= this.options.concurrency && !this.stopped) await Promise.race(pending);
      if (this.stopped) break;
      const p = this.send(n).finally(() => pending.delete(p));
      pending.add(p);
    }
    await Promise.all(pending);
  }

  private async send(n: number): Promise<void> {
    const record: WriteRecord = { key: `drill-${this.run}-${n}`, sentAt: Date.now() };
    this.records.push(record);
    this.inFlight++;
    try {
      const response = await fetch(`${this.options.url}/transactions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': record.key },
        body: JSON.stringify({ accountId: `drill-${n % 8}`, amount: '1.00', currency: 'USD', reference: `drill ${this.run} ${n}` }),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs),
      });
      await response.arrayBuffer();
      record.status = response.status;
      const region = response.headers.get('x-dr-region');
      if (region) record.region = region;
    } catch (error) {
      record.error = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    } finally {
      record.doneAt = Date.now();
      this.inFlight--;
    }
  }
}
