/**
 * Every error an AWS call can end with, sorted in one place into two kinds that must never be
 * confused: a region that is impaired (it gave no answer, kept throttling, or failed on its side)
 * and a problem the operator has to fix (no or expired credentials, a missing permission, a
 * configuration that names something that does not exist). Only the first kind is evidence of an
 * outage; the second stops the command with what to fix and never leads to a failover suggestion.
 *
 * Error names are the `name` the AWS SDK for JavaScript v3 gives an error: the service's error code
 * for an answer, the SDK's own name otherwise. "If a command fails, it throws an exception" whose
 * `name` identifies it, with `$metadata.httpStatusCode` when the service answered:
 * https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/the-response-object.html
 */

import { AWS_AUTHORISATION_ERROR_CODES, AWS_CREDENTIAL_ERROR_CODES } from '@txn-dr/contracts';

export type AwsErrorKind =
  /** No, expired or invalid credentials, or a signature AWS refused. */
  | 'credentials'
  /** The credentials are valid but may not do this. */
  | 'authorisation'
  /** The request was refused as malformed: a configuration or a program error. */
  | 'validation'
  /** A resource the configuration names does not exist (wrong environment, stack not deployed). */
  | 'not-found'
  /** No HTTP answer: a timeout or a connection that failed. */
  | 'unreachable'
  /** Throttled on every attempt the SDK made. */
  | 'throttled'
  /** A 5xx: the service failed on its side. */
  | 'server'
  /** Anything else: the service answered, with an error that is neither an outage nor the operator's to fix. */
  | 'other';

const OPERATOR_KINDS: readonly AwsErrorKind[] = ['credentials', 'authorisation', 'validation', 'not-found'];
const IMPAIRED_KINDS: readonly AwsErrorKind[] = ['unreachable', 'throttled', 'server'];

const EXPIRED_CODES = new Set(['ExpiredToken', 'ExpiredTokenException']);
const SIGNATURE_CODES = new Set(['SignatureDoesNotMatch', 'IncompleteSignature', 'InvalidSignatureException']);


/** Validation: ValidationError and InvalidParameter* are common errors; InvalidInput is Route 53's. */
const VALIDATION_CODES = new Set(['ValidationError', 'ValidationException', 'MissingParameter', 'MalformedQueryString', 'InvalidQueryParameter', 'InvalidAction', 'InvalidInput']);

/**
 * Resources that do not exist, as RDS (DBClusterNotFoundFault, GlobalClusterNotFoundFault), Route 53
 * (NoSuchHostedZone, NoSuchHealthCheck) and Elastic Load Balancing (TargetGroupNotFound, named
 * TargetGroupNotFoundException by the SDK) report them. The CLI only ever names resources from
 * config, so one that is missing means the wrong environment, or stacks not deployed.
 */
const NOT_FOUND_CODES = new Set(['DBClusterNotFoundFault', 'GlobalClusterNotFoundFault', 'NoSuchHostedZone', 'NoSuchHealthCheck', 'TargetGroupNotFound', 'TargetGroupNotFoundException']);

/**
 * Throttling, as the SDK's standard retry mode recognises it (it retries these, with backoff, up to
 * `maxAttempts`; an error that reaches the caller has been throttled on every attempt):
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html. The list is the
 * SDK's own (THROTTLING_ERROR_CODES in @smithy/core's service-error-classification); HTTP 429 too.
 */
const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
  'TransactionInProgressException',
]);

/**
 * No HTTP answer: the SDK's TimeoutError (connection or request timeout), RequestTimeout, and the
 * Node.js socket errors the SDK treats as transient (same classification as above). RegionSkipped is
 * this CLI's own: a region a failover leaves, not asked again for a while after it failed to answer.
 */
const NO_ANSWER_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'RegionSkipped']);
const NO_ANSWER_SOCKET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Services the CLI calls, by their IAM prefix. */
export type AwsService = 'rds' | 'autoscaling' | 'elasticloadbalancing' | 'cloudwatch' | 'route53';

/** What a call was, to name it in a message: `rds:DescribeGlobalClusters in us-east-1`. */
export interface AwsCallContext {
  readonly service: AwsService;
  /** The API operation, which is also the IAM action. */
  readonly operation: string;
  /** The region called; Route 53's API is global. */
  readonly region?: string;
  /** What the call was about, for a resource that does not exist: "global cluster txdr-dev-global". */
  readonly resource?: string;
  /** The environment (ENVIRONMENT_SUFFIX), named in the fix for a missing resource. */
  readonly environment?: string;
}

export interface ClassifiedError {
  readonly kind: AwsErrorKind;
  /** The error's name: the service's error code, or the SDK's own name. */
  readonly code: string;
  readonly message: string;
  /** The region counts as impaired: no HTTP answer, throttling past the SDK's retries, or a 5xx. */
  readonly impaired: boolean;
  /** The operator has to fix it; never a sign that a region is impaired. */
  readonly operator: boolean;
  readonly httpStatus?: number;
  /** Attempts the SDK made, when it says. */
  readonly attempts?: number;
}

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: unknown; attempts?: unknown };
  $fault?: unknown;
}

/** Sorts an error from an AWS call. Pure: looks only at the error. */
export function classifyAwsError(error: unknown): ClassifiedError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const code = typeof e.name === 'string' && e.name !== 'Error' ? e.name : typeof e.code === 'string' ? e.code : 'Error';
  const message = typeof e.message === 'string' ? e.message : String(error);
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const attempts = typeof e.$metadata?.attempts === 'number' ? e.$metadata.attempts : undefined;
  const socketCode = typeof e.code === 'string' ? e.code : '';
  const kind = kindOf(code, status, socketCode);
  return {
    kind,
    code,
    message,
    impaired: IMPAIRED_KINDS.includes(kind),
    operator: OPERATOR_KINDS.includes(kind),
    ...(status !== undefined ? { httpStatus: status } : {}),
    ...(attempts !== undefined ? { attempts } : {}),
  };
}

function kindOf(code: string, status: number | undefined, socketCode: string): AwsErrorKind {
  // Ctrl-C is neither: the engine stops on it.
  if (code === 'AbortError') return 'other';
  if (AWS_CREDENTIAL_ERROR_CODES.has(code)) return 'credentials';
  if (AWS_AUTHORISATION_ERROR_CODES.has(code)) return 'authorisation';
  if (NOT_FOUND_CODES.has(code)) return 'not-found';
  if (VALIDATION_CODES.has(code) || code.startsWith('InvalidParameter')) return 'validation';
  if (THROTTLING_CODES.has(code) || status === 429) return 'throttled';
  if (status !== undefined && status >= 500) return 'server';
  if (status === undefined && (NO_ANSWER_NAMES.has(code) || NO_ANSWER_SOCKET_CODES.has(socketCode))) return 'unreachable';
  return 'other';
}

/**
 * A problem the operator has to fix before anything else can be read or done. Its `name` is left
 * as Error's, so that the engine's and the CLI's one-line messages print the sentence alone.
 */
export class OperatorError extends Error {
  constructor(
    /** What is wrong, in words: "no AWS credentials found". */
    readonly problem: string,
    /** How to fix it: "set AWS_PROFILE or run `aws sso login`". */
    readonly fix: string,
    /** The AWS error behind it. */
    readonly classified: ClassifiedError,
  ) {
    super(`${problem}: ${fix} (${classified.code}: ${classified.message})`);
  }

  get kind(): AwsErrorKind {
    return this.classified.kind;
  }
}

export function isOperatorError(error: unknown): error is OperatorError {
  return error instanceof OperatorError;
}

const where = (c: AwsCallContext) => `${c.service}:${c.operation}${c.region ? ` in ${c.region}` : ''}`;

/** The operator's problem, named with how to fix it. */
export function operatorError(classified: ClassifiedError, context: AwsCallContext): OperatorError {
  const action = `${context.service}:${context.operation}`;
  const { code, message } = classified;
  switch (classified.kind) {
    case 'credentials':
      if (EXPIRED_CODES.has(code) || /expired/i.test(message)) {
        return new OperatorError('the AWS credentials have expired', 'refresh them (`aws sso login`, or new keys for AWS_PROFILE) and run the command again; a run resumes where it stopped', classified);
      }
      if (SIGNATURE_CODES.has(code)) {
        return new OperatorError(`AWS refused the request signature of ${where(context)}`, "check the secret access key of AWS_PROFILE and this machine's clock", classified);
      }
      if (code === 'InvalidClientTokenId' || code === 'UnrecognizedClientException' || code.startsWith('MissingAuthenticationToken')) {
        return new OperatorError('AWS does not recognise the access key in use', 'check AWS_PROFILE (or AWS_ACCESS_KEY_ID) names a key of this account, or run `aws sso login`', classified);
      }
      return new OperatorError('no AWS credentials found', 'set AWS_PROFILE or run `aws sso login`', classified);
    case 'authorisation':
      return new OperatorError(
        `${code} on ${where(context)}`,
        `the operator role needs ${action} (every permission the CLI uses is listed under "Calls, timeouts and retries" in tools/dr/README.md)`,
        classified,
      );
    case 'not-found':
      return new OperatorError(
        `${context.resource ?? 'a resource'} does not exist (${where(context)})`,
        `check ENVIRONMENT_SUFFIX${context.environment ? ` (${context.environment})` : ''} and that its stacks are deployed in this account`,
        classified,
      );
    case 'validation':
      return new OperatorError(`AWS rejected the input of ${where(context)}`, 'check the environment configuration; this is a configuration error, not an outage', classified);
    default:
      throw new Error(`not an operator error: ${classified.kind}`);
  }
}

/**
 * A resource the configuration names that an API answered without: some APIs return an empty list
 * for an unknown name (DescribeAutoScalingGroups, ListHostedZonesByName) instead of an error.
 */
export function missingResource(code: string, message: string): ClassifiedError {
  return { kind: 'not-found', code, message, impaired: false, operator: true };
}

/** Throws an OperatorError for the operator's problems; otherwise returns the classification. */
export function raiseForOperator(error: unknown, context: AwsCallContext): ClassifiedError {
  if (isOperatorError(error)) throw error;
  const classified = classifyAwsError(error);
  if (classified.operator) throw operatorError(classified, context);
  return classified;
}

/** `TimeoutError: ...` for a state's error field. */
export function errorLine(classified: ClassifiedError): string {
  return classified.code === 'Error' ? classified.message : `${classified.code}: ${classified.message}`;
}
