import { SECRET_ROTATION_ENV } from '@txn-dr/contracts';

/** `rds`: TLS with the server certificate checked against the RDS CA bundle. `off`: plain TCP, for a local MariaDB only. */
export type DbTls = 'rds' | 'off';
const TLS_MODES: readonly DbTls[] = ['rds', 'off'];

/** What the function needs to know, read from its environment once per container. */
export interface RotationSettings {
  /** The one secret this function may rotate. */
  readonly secretArn: string;
  /** Where the master user logs in: the global writer endpoint. */
  readonly dbHost: string;
  readonly dbPort: number;
  readonly dbTls: DbTls;
  /** Limit on opening one database connection, and on each statement. */
  readonly dbTimeoutMs: number;
  /** Limit on each Secrets Manager call. */
  readonly callTimeoutMs: number;
}

export const DEFAULT_DB_PORT = 3306;
/** A connection inside one VPC (or across the peering after a switchover) opens in well under a second. */
export const DEFAULT_DB_TIMEOUT_MS = 5_000;
export const DEFAULT_CALL_TIMEOUT_MS = 5_000;

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

/** The environment names every problem at once, so a broken deployment is fixed in one go. No value here is secret. */
export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid secret-rotation environment: ${problems.join('; ')}`);
    this.name = 'SettingsError';
  }
}

/** Reads and checks the settings; throws SettingsError naming every missing or bad variable. */
export function readSettings(vars: Readonly<Record<string, string | undefined>>): RotationSettings {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = vars[name]?.trim();
    if (!value) problems.push(`${name} is not set`);
    return value ?? '';
  };
  const whole = (name: string, fallback: number, min: number, max: number, what: string): number => {
    const raw = vars[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) problems.push(`${name} must be ${what} from ${min} to ${max}, got ${raw}`);
    return value;
  };

  const secretArn = required(SECRET_ROTATION_ENV.secretArn);
  if (secretArn && !SECRET_ARN.test(secretArn)) problems.push(`${SECRET_ROTATION_ENV.secretArn} must be a Secrets Manager secret ARN, got ${secretArn}`);
  const dbHost = required(SECRET_ROTATION_ENV.dbHost);
  if (/\s/.test(dbHost)) problems.push(`${SECRET_ROTATION_ENV.dbHost} must be a host name, got ${JSON.stringify(dbHost)}`);
  const rawTls = vars[SECRET_ROTATION_ENV.dbTls]?.trim() || 'rds';
  if (!TLS_MODES.includes(rawTls as DbTls)) problems.push(`${SECRET_ROTATION_ENV.dbTls} must be ${TLS_MODES.join(' or ')}, got ${rawTls}`);

  const settings: RotationSettings = {
    secretArn,
    dbHost,
    dbPort: whole(SECRET_ROTATION_ENV.dbPort, DEFAULT_DB_PORT, 1, 65_535, 'a port number'),
    dbTls: rawTls as DbTls,
    dbTimeoutMs: whole(SECRET_ROTATION_ENV.dbTimeoutMs, DEFAULT_DB_TIMEOUT_MS, 100, 60_000, 'a whole number of milliseconds'),
    callTimeoutMs: whole(SECRET_ROTATION_ENV.callTimeoutMs, DEFAULT_CALL_TIMEOUT_MS, 100, 60_000, 'a whole number of milliseconds'),
  };
  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
}
