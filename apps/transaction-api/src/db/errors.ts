import { CredentialError } from '../credentials';

/** What a database error means for the caller. */
export type DbFailure = 'read-only' | 'unavailable' | 'retryable' | 'duplicate' | 'out-of-range' | 'other';

/** MySQL/MariaDB server error numbers the service acts on. */
export const ER = {
  /** ER_OPTION_PREVENTS_STATEMENT: `read_only` (an Aurora reader, a MariaDB with read_only=ON). */
  OPTION_PREVENTS_STATEMENT: 1290,
  /** ER_READ_ONLY_MODE: InnoDB in read-only mode (`innodb_read_only`). */
  READ_ONLY_MODE: 1836,
  DUP_ENTRY: 1062,
  NO_SUCH_TABLE: 1146,
  LOCK_WAIT_TIMEOUT: 1205,
  LOCK_DEADLOCK: 1213,
  /** A CHECK constraint failed: MySQL 8 (3819) and MariaDB (4025). */
  CHECK_CONSTRAINT_MYSQL: 3819,
  CHECK_CONSTRAINT_MARIADB: 4025,
  /** BIGINT overflow in an expression. */
  DATA_OUT_OF_RANGE: 1690,
  WARN_DATA_OUT_OF_RANGE: 1264,
} as const;

/**
 * Server errors of a new connection whose credentials the server refused: the password changed
 * (rotation), the IAM token expired or was signed for something else, the account is locked or
 * must change its password. A fresh credential may cure them; the request itself is fine.
 */
const AUTHENTICATION_ERRNOS = new Set([
  1044, // ER_DBACCESS_DENIED_ERROR: the user may not use the schema (a rotated-to user without grants yet)
  1045, // ER_ACCESS_DENIED_ERROR: wrong password or token
  1698, // ER_ACCESS_DENIED_NO_PASSWORD_ERROR (MySQL)
  1862, // ER_MUST_CHANGE_PASSWORD_LOGIN: the password expired
  3118, // ER_ACCOUNT_HAS_BEEN_LOCKED (MySQL)
  4151, // ER_ACCOUNT_HAS_BEEN_LOCKED (MariaDB)
]);

/** Server errors that mean "cannot talk to a working server right now", not "your query is wrong". */
const UNAVAILABLE_ERRNOS = new Set([
  ...AUTHENTICATION_ERRNOS,
  1040, // ER_CON_COUNT_ERROR: too many connections
  1053, // ER_SERVER_SHUTDOWN
  1152, // ER_ABORTING_CONNECTION
  1203, // ER_TOO_MANY_USER_CONNECTIONS
  1927, // ER_CONNECTION_KILLED (MariaDB)
  4031, // ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8.0.24+)
]);

/** Client-side codes of mysql2 and Node for a broken or unreachable connection. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'POOL_CLOSED',
  'DB_ACQUIRE_TIMEOUT',
  'DB_CREDENTIALS_UNAVAILABLE',
]);

interface MysqlLikeError {
  errno?: unknown;
  code?: unknown;
  fatal?: unknown;
}

export function errnoOf(error: unknown): number | undefined {
  const errno = (error as MysqlLikeError | null)?.errno;
  return typeof errno === 'number' ? errno : undefined;
}

/** Whether opening a connection failed because the server refused its credentials. */
export function isAuthenticationFailure(error: unknown): boolean {
  const errno = errnoOf(error);
  return errno !== undefined && AUTHENTICATION_ERRNOS.has(errno);
}

export function classifyDbError(error: unknown): DbFailure {
  if (typeof error !== 'object' || error === null) return 'other';
  // No credential to connect with (a secret that cannot be read, a token that cannot be signed).
  if (error instanceof CredentialError) return 'unavailable';
  const { code, fatal } = error as MysqlLikeError;
  const errno = errnoOf(error);
  if (errno === ER.OPTION_PREVENTS_STATEMENT || errno === ER.READ_ONLY_MODE) return 'read-only';
  if (errno === ER.DUP_ENTRY) return 'duplicate';
  if (errno === ER.LOCK_DEADLOCK || errno === ER.LOCK_WAIT_TIMEOUT) return 'retryable';
  if (errno === ER.CHECK_CONSTRAINT_MYSQL || errno === ER.CHECK_CONSTRAINT_MARIADB || errno === ER.DATA_OUT_OF_RANGE || errno === ER.WARN_DATA_OUT_OF_RANGE) {
    return 'out-of-range';
  }
  if (errno !== undefined && UNAVAILABLE_ERRNOS.has(errno)) return 'unavailable';
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return 'unavailable';
  if (fatal === true) return 'unavailable';
  return 'other';
}

/** Whether a connection may go back to the pool after this error, or must be thrown away. */
export function poisonsConnection(error: unknown): boolean {
  const failure = classifyDbError(error);
  // A timed-out query is still running on that connection; a read-only error may mean the
  // endpoint now resolves to another instance, which only a new connection reaches.
  return failure === 'unavailable' || failure === 'read-only';
}

/**
 * Our own errors: the pool-level limit mysql2 does not have (waiting for a free connection), and
 * a database that refuses every credential the service can get right now.
 */
export class DbClientError extends Error {
  constructor(
    readonly code: 'DB_ACQUIRE_TIMEOUT' | 'DB_CREDENTIALS_UNAVAILABLE',
    message: string,
  ) {
    super(message);
    this.name = 'DbClientError';
  }
}
