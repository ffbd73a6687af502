/** An AWS call that did not answer in time; the request was aborted. */
export class CallTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} timed out after ${ms} ms`);
    this.name = 'CallTimeoutError';
  }
}

/**
 * Runs `call` with a time limit. The signal goes to the SDK (`send(command, { abortSignal })`) so the
 * HTTP request is really cancelled; the race makes the limit hold even for a call that ignores the
 * signal. A plain timer (not AbortSignal.timeout) so that tests can drive it with fake timers.
 */
export async function withTimeout<T>(what: string, ms: number, call: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new CallTimeoutError(what, ms);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([call(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** The message of anything thrown, for logs and alerts (SDK errors carry their code as `name`). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
