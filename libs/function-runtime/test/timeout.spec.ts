import { CallTimeoutError, describeError, withTimeout } from '../src/timeout';

afterEach(() => jest.useRealTimers());

describe('withTimeout', () => {
  it('passes through what the call returns, and clears its timer', async () => {
    jest.useFakeTimers();
    await expect(withTimeout('call', 1_000, async () => 42)).resolves.toBe(42);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('passes through what the call throws', async () => {
    await expect(withTimeout('call', 1_000, async () => Promise.reject(new Error('denied')))).rejects.toThrow('denied');
  });

  it('aborts a call that never answers, exactly at the limit', async () => {
    jest.useFakeTimers();
    let signal: AbortSignal | undefined;
    const outcome = withTimeout('RDS DescribeDBClusters', 500, (abortSignal) => {
      signal = abortSignal;
      return new Promise<never>(() => undefined);
    });
    const caught = outcome.catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(499);
    expect(signal?.aborted).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    const error = await caught;
    expect(error).toBeInstanceOf(CallTimeoutError);
    expect(describeError(error)).toBe('CallTimeoutError: RDS DescribeDBClusters timed out after 500 ms');
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBe(error);
  });
});

describe('describeError', () => {
  it('names SDK errors by their code and plain errors by their message', () => {
    const sdk = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    expect(describeError(sdk)).toBe('ThrottlingException: Rate exceeded');
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError('text')).toBe('text');
  });
});
