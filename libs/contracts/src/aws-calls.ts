/** How long one AWS API call may take, and how often it is tried. */
export interface AwsCallBounds {
  /** TCP and TLS connection to the endpoint, per attempt. */
  readonly connectionTimeoutMs: number;
  /** From the request sent to the response, per attempt; passing it fails the attempt with a TimeoutError, which is retried. */
  readonly requestTimeoutMs: number;
  /** Attempts in all, with the SDK's standard retry mode (exponential backoff with jitter; throttling and timeouts are retried). */
  readonly maxAttempts: number;
}

/**
 * The operator tools' calls to a region that is expected to answer (the DR CLI, the operation
 * lock, the stack runner, the state bootstrap). Connections to a regional endpoint take
 * milliseconds, so 3 s means it is not there; the Describe, Get and Put calls they make answer in
 * well under a second, and 10 s leaves room for a control plane under load. Three attempts (the
 * standard mode's default) ride out throttling during a busy incident. Worst case per call: about
 * 3 x 10 s plus backoff. A tool that must give up sooner keeps its own bounds, beside a comment
 * saying why.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
export const OPERATOR_CALLS: AwsCallBounds = { connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000, maxAttempts: 3 };

/**
 * A Lambda function's calls (the health check): each call has its own abort, a few seconds, and
 * several run one after another inside the function's timeout, so an attempt that does not connect
 * in 1 s or answer in 3 s is given up, and two attempts leave room for one retry of a throttled
 * call inside the call's limit. The function runs again a minute later.
 */
export const FUNCTION_CALLS: AwsCallBounds = { connectionTimeoutMs: 1_000, requestTimeoutMs: 3_000, maxAttempts: 2 };

/** The settings of an AWS SDK for JavaScript v3 client that bound its calls, as `boundedCalls` makes them. */
export interface BoundedCalls {
  readonly maxAttempts: number;
  readonly retryMode: 'standard';
  readonly requestHandler: {
    readonly connectionTimeout: number;
    readonly requestTimeout: number;
    readonly throwOnRequestTimeout: true;
  };
}

/** BoundedCalls for one region, as `boundedClientConfig` makes them. */
export interface BoundedClientConfig extends BoundedCalls {
  readonly region: string;
}

/**
 * Client settings that hold every call to `bounds`, for a client whose region comes from its
 * environment (a Lambda function's AWS_REGION). Without throwOnRequestTimeout the SDK's Node.js
 * handler only logs a warning when requestTimeout passes and keeps waiting (NodeHttpHandlerOptions
 * in @smithy/types: "a warning will be emitted unless throwOnRequestTimeout=true, in which case a
 * TimeoutError will be thrown"), so a hanging region would hang the run.
 * https://docs.aws.amazon.com/AWSJavaScriptSDK/v3/latest/Package/-smithy-node-http-handler
 */
export function boundedCalls(bounds: AwsCallBounds): BoundedCalls {
  return {
    maxAttempts: bounds.maxAttempts,
    retryMode: 'standard',
    requestHandler: { connectionTimeout: bounds.connectionTimeoutMs, requestTimeout: bounds.requestTimeoutMs, throwOnRequestTimeout: true },
  };
}

/** Client settings for one region that hold every call to `bounds` (see `boundedCalls`). */
export function boundedClientConfig(region: string, bounds: AwsCallBounds = OPERATOR_CALLS): BoundedClientConfig {
  return { region, ...boundedCalls(bounds) };
}
