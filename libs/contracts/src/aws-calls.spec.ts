import { FUNCTION_CALLS, OPERATOR_CALLS, boundedCalls, boundedClientConfig, type AwsCallBounds } from './aws-calls';

describe('boundedClientConfig', () => {
  it('gives the operator tools 3 s to connect and 10 s to answer, three times, by default', () => {
    expect(boundedClientConfig('us-east-2')).toEqual({
      region: 'us-east-2',
      maxAttempts: 3,
      retryMode: 'standard',
      requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true },
    });
  });

  it('holds a call to the bounds it is given, and always turns a request timeout into an error', () => {
    const short: AwsCallBounds = { connectionTimeoutMs: 2_000, requestTimeoutMs: 4_000, maxAttempts: 2 };
    expect(boundedClientConfig('eu-west-1', short)).toEqual({
      region: 'eu-west-1',
      maxAttempts: 2,
      retryMode: 'standard',
      requestHandler: { connectionTimeout: 2_000, requestTimeout: 4_000, throwOnRequestTimeout: true },
    });
  });

  it('keeps the worst case of one operator call (every attempt timing out) within a minute', () => {
    const worstMs = OPERATOR_CALLS.maxAttempts * (OPERATOR_CALLS.connectionTimeoutMs + OPERATOR_CALLS.requestTimeoutMs);
    expect(worstMs).toBeLessThanOrEqual(60_000);
    expect(OPERATOR_CALLS.connectionTimeoutMs).toBeLessThan(OPERATOR_CALLS.requestTimeoutMs);
  });
});

describe('boundedCalls', () => {
  it('bounds a client whose region comes from its environment, naming no region', () => {
    const settings = boundedCalls(FUNCTION_CALLS);
    expect(settings).not.toHaveProperty('region');
    expect(settings).toEqual({ maxAttempts: 2, retryMode: 'standard', requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true } });
  });

  it('gives a function two attempts inside a few seconds, far less than an operator tool waits', () => {
    const worst = (bounds: AwsCallBounds) => bounds.maxAttempts * (bounds.connectionTimeoutMs + bounds.requestTimeoutMs);
    expect(worst(FUNCTION_CALLS)).toBeLessThanOrEqual(10_000);
    expect(worst(FUNCTION_CALLS)).toBeLessThan(worst(OPERATOR_CALLS));
  });
});
