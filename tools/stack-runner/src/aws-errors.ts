import { AWS_AUTHORISATION_ERROR_CODES, AWS_CREDENTIAL_ERROR_CODES } from '@txn-dr/contracts';

interface AwsError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** `Name: message` of an SDK error. */
export function describeAwsError(error: unknown): string {
  const e = error as AwsError;
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
}

/**
 * Whether an error is the caller's credentials or permissions rather than the service or the
 * network: such an error is an answer about the caller, never about the resource asked for. The
 * codes are the ones every tool shares (@txn-dr/contracts); a 403 with another code is a
 * permission problem too.
 */
export function accessProblem(error: unknown): 'credentials' | 'permission' | undefined {
  const { name, $metadata } = (error ?? {}) as AwsError;
  if (name && AWS_CREDENTIAL_ERROR_CODES.has(name)) return 'credentials';
  if ((name && AWS_AUTHORISATION_ERROR_CODES.has(name)) || $metadata?.httpStatusCode === 403) return 'permission';
  return undefined;
}
