/**
 * A rotation step that may not run, or that failed. Its message names the step, the secret's ARN,
 * the version id and what went wrong; never a secret value, and it carries no cause: a database
 * driver's error holds the SQL it sent, which for ALTER USER includes the new password.
 */
export class RotationError extends Error {
  override readonly name = 'RotationError';
}

/** The message of an AWS SDK or Node.js error, for logs (SDK errors carry their code as `name`). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
