import autocannon from 'autocannon';
import type { ScenarioResult } from './stats';
import { transactionFor, type Workload } from './workload';

export interface LoadOptions {
  readonly name: string;
  readonly url: string;
  readonly connections: number;
  /** The status a success answers with. */
  readonly expectStatus: number;
  /**
   * Either a fixed number of requests (the run ends when every one is answered, so nothing is
   * left in flight), or a duration in seconds (requests in flight at the end are abandoned).
   */
  readonly bound: { readonly amount: number } | { readonly seconds: number };
  readonly request: autocannon.Request;
}

/** One autocannon run; latencies are taken from every answer, not from autocannon's integer histogram. */
export function runLoad(options: LoadOptions): Promise<ScenarioResult> {
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  let ok = 0;
  let answered = 0;
  let firstError: string | undefined;
  const started = performance.now();
  let last = started;
  const answeredAt: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        pipelining: 1,
        timeout: 30,
        ...('amount' in options.bound ? { amount: options.bound.amount } : { duration: options.bound.seconds }),
        requests: [options.request],
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        resolve({
          name: options.name,
          requests: answered + result.errors,
          ok,
          unexpected: answered - ok,
          errors: result.errors,
          seconds: (last - started) / 1000,
          latenciesMs,
          statuses,
          steadyPerSecond: steadyRate(answeredAt),
          ...(firstError === undefined ? {} : { firstError }),
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      answered += 1;
      last = performance.now();
      answeredAt.push(last);
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      if (statusCode === options.expectStatus) {
        ok += 1;
        latenciesMs.push(responseTimeMs);
      }
    });
    instance.on('reqError', (error) => {
      firstError ??= error.message;
    });
  });
}

/** POST /transactions, request `n` numbered from `first` on: a unique Idempotency-Key and a valid body each. */
export function postTransactions(workload: Workload, first: number): { readonly request: autocannon.Request; readonly sent: () => number } {
  let next = first;
  return {
    request: {
      method: 'POST',
      path: '/transactions',
      setupRequest: (request) => {
        const { key, input } = transactionFor(workload, next);
        next += 1;
        return {
          ...request,
          method: 'POST',
          path: '/transactions',
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify(input),
        };
      },
    },
    sent: () => next,
  };
}

/** Answers a second over the second half of a run: past the start-up, what the run settled at. */
function steadyRate(answeredAt: readonly number[]): number {
  const half = Math.floor(answeredAt.length / 2);
  const from = answeredAt[half];
  const to = answeredAt[answeredAt.length - 1];
  if (from === undefined || to === undefined || to <= from) return 0;
  return ((answeredAt.length - 1 - half) * 1000) / (to - from);
}
