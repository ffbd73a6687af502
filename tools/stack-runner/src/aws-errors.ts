interface AwsError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

// Error codes common to every AWS query API, RDS's among them:
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html. Their HTTP status
// varies by service (AccessDeniedException is 400 in RDS, 403 elsewhere), so the code decides.
// CredentialsProviderError is the SDK's own, thrown before any request when no credentials load.
const CREDENTIAL_CODES = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
]);
const PERMISSION_CODES = new Set(['AccessDenied', 'AccessDeniedException', 'NotAuthorized', 'UnauthorizedOperation']);

/** `Name: message` of an SDK error. */
export function describeAwsError(error: unknown): string {
  const e = error as AwsError;
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
}

/**
 * Whether an error is the caller's credentials or permissions rather than the service or the
 * network: such an error is an answer about the caller, never about the resource asked for.
 */
export function accessProblem(error: unknown): 'credentials' | 'permission' | undefined {
  const { name, $metadata } = (error ?? {}) as AwsError;
  if (name && CREDENTIAL_CODES.has(name)) return 'credentials';
  if ((name && PERMISSION_CODES.has(name)) || $metadata?.httpStatusCode === 403) return 'permission';
  return undefined;
}
