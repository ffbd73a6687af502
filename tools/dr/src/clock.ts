import { setTimeout as delay } from 'node:timers/promises';

/**
 * Time as the orchestration sees it. Every wait goes through `sleep`, so tests run a ten-minute
 * switchover in milliseconds with a virtual clock, and Ctrl-C ends a wait at once through `signal`.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`; rejects with an AbortError as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, signal ? { signal } : undefined),
};

/** True for the error an aborted sleep or request rejects with. */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** Throws an AbortError when the run has been interrupted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw Object.assign(new Error('interrupted'), { name: 'AbortError' });
  }
}
