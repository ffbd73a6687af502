import { type Clock, isAbortError, throwIfAborted } from './clock';
import { isOperatorError } from './errors';

export interface PollOptions<T> {
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** Time between two reads. */
  readonly intervalMs: number;
  /** Give up after this long, counted from the first read. */
  readonly timeoutMs: number;
  /** What is being waited for, for the timeout message. */
  readonly what: string;
  /** Called with every value read, to show progress. */
  readonly onValue?: (value: T) => void;
  /** Describes the last value read, for the timeout message. */
  readonly describe?: (value: T) => string;
}

/** A read that shows the wait can never succeed (an operation being cancelled): it ends the wait at once. */
export class StopWaitingError extends Error {
  override readonly name: string = 'StopWaitingError';
}

/** A wait that ran out of time; says what it waited for and what it saw last. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

/**
 * Reads until `done` holds. A read that fails (a throttled or timed-out call during a switchover)
 * does not end the wait: the next read may succeed, and the timeout bounds it all. Only the
 * operator's errors (credentials, permissions) and a StopWaitingError end it early.
 */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, options: PollOptions<T>): Promise<T> {
  const { clock, signal } = options;
  const started = clock.now();
  let last: { value: T } | undefined;
  let lastError: unknown;
  for (;;) {
    throwIfAborted(signal);
    try {
      const value = await read();
      last = { value };
      lastError = undefined;
      options.onValue?.(value);
      if (done(value)) return value;
    } catch (error) {
      // Expired credentials or a denied call will not mend themselves within the wait: say so now.
      if (isAbortError(error) || isOperatorError(error) || error instanceof StopWaitingError) throw error;
      lastError = error;
    }
    if (clock.now() - started + options.intervalMs > options.timeoutMs) {
      const seen = lastError
        ? `last read failed: ${(lastError as Error).message}`
        : last && options.describe
          ? `last seen: ${options.describe(last.value)}`
          : 'no read succeeded';
      throw new WaitTimeoutError(`timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${options.what} (${seen})`);
    }
    await clock.sleep(options.intervalMs, signal);
  }
}
