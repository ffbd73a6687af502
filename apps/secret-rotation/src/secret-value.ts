/** The credentials the master secret holds (libs/infra/database MasterSecretValue). */
export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** A secret version's JSON: the credentials, and every other field as it was, to carry forward. */
export interface SecretDocument {
  readonly credentials: Credentials;
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * Parses a version's SecretString. On failure the message names the version, never the content:
 * JSON.parse's own message quotes the text it choked on.
 */
export function parseSecret(text: string | undefined, version: string): SecretDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text ?? '');
  } catch {
    throw new Error(`${version} is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${version} is not a JSON object`);
  const fields = parsed as Record<string, unknown>;
  const { username, password } = fields;
  if (typeof username !== 'string' || username === '' || typeof password !== 'string' || password === '') {
    throw new Error(`${version} has no string fields "username" and "password"`);
  }
  return { credentials: { username, password }, fields };
}

/** The next version's JSON: the same document with a new password. */
export function withPassword(document: SecretDocument, password: string): string {
  return JSON.stringify({ ...document.fields, password });
}
