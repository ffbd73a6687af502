import { escape, escapeId, type ResultSetHeader } from 'mysql2/promise';
import type { ServiceUserAuth } from '../config';
import type { Session } from './database';

/** Everything the service does to its data, and nothing more: no DDL, no other schema, nothing global. */
export const SERVICE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const;

export interface ServiceUserSpec {
  readonly name: string;
  /** Host part of the account (`%`: from anywhere the network lets in). */
  readonly host: string;
  /** The schema it works in. */
  readonly database: string;
  readonly auth: ServiceUserAuth;
}

export interface ServiceUserOutcome {
  /** `'name'@'host'`, as the server names accounts. */
  readonly account: string;
  /** Whether this run created the account (false: it existed and was brought up to date). */
  readonly created: boolean;
  readonly authentication: ServiceUserAuth['kind'];
  /** What it may do, on which schema. */
  readonly granted: string;
  /** Privileges it had beyond that and no longer has, as `PRIVILEGE ON target`. */
  readonly revoked: readonly string[];
}

/** A statement about the service user failed; the message never holds its password. */
export class ServiceUserError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServiceUserError';
  }
}

interface PrivilegeRow {
  level: 'global' | 'schema' | 'table';
  db: string | null;
  tbl: string | null;
  privilege: string;
  grantable: string;
}

/** Privilege names as information_schema spells them (`SELECT`, `CREATE TEMPORARY TABLES`, `SYSTEM_USER`). */
const PRIVILEGE_NAME = /^[A-Z][A-Z_ ]*$/;

/**
 * Creates the service's user, or brings an existing one up to date, idempotently: its
 * authentication (IAM database authentication, which RDS documents as `IDENTIFIED WITH
 * AWSAuthenticationPlugin AS 'RDS'`
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.DBAccounts.html),
 * with SSL required as that page advises; or a password), DML on its schema, and no other
 * privilege anywhere. It grants before it revokes, so a service running as the user meanwhile
 * never lacks what it needs. Runs as a user that may create users and grant (the master user in
 * AWS), on the writer: users replicate to the standbys like everything else.
 */
export async function ensureServiceUser(session: Session, spec: ServiceUserSpec): Promise<ServiceUserOutcome> {
  const account = `${escape(spec.name)}@${escape(spec.host)}`;
  const secret = spec.auth.kind === 'password' ? spec.auth.password : undefined;
  const identified = spec.auth.kind === 'iam' ? "IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS'" : `IDENTIFIED BY ${escape(spec.auth.password)}`;
  const run = async <T>(what: string, sql: string): Promise<T> => {
    try {
      return await session.query<T>(sql);
    } catch (error) {
      const e = error as Error & { code?: string; errno?: number; sqlMessage?: string };
      const detail = redact(`${e.code ?? e.name} (${e.errno ?? '-'}): ${e.sqlMessage ?? e.message}`, secret);
      throw new ServiceUserError(`${what} for ${account} failed: ${detail}`);
    }
  };

  // An existing account answers with a warning (MariaDB 1973, MySQL 3163) and is left as it is;
  // ALTER USER then gives it the authentication wanted now (a password user turned IAM, a new password).
  const header = await run<ResultSetHeader>('CREATE USER', `CREATE USER IF NOT EXISTS ${account} ${identified}`);
  await run('ALTER USER', `ALTER USER ${account} ${identified}${spec.auth.kind === 'iam' ? ' REQUIRE SSL' : ''}`);
  // A `_` or `%` in a schema name is a wildcard in GRANT; escaped, it names this schema alone.
  const schemaPattern = spec.database.replace(/[_%]/g, (c) => `\\${c}`);
  const granted = `${SERVICE_PRIVILEGES.join(', ')} ON ${escapeId(schemaPattern)}.*`;
  await run('GRANT', `GRANT ${granted} TO ${account}`);

  const grantee = `'${spec.name}'@'${spec.host}'`;
  const rows = await session.execute<PrivilegeRow[]>(
    `SELECT 'global' AS level, NULL AS db, NULL AS tbl, PRIVILEGE_TYPE AS privilege, IS_GRANTABLE AS grantable FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?
     UNION ALL SELECT 'schema', TABLE_SCHEMA, NULL, PRIVILEGE_TYPE, IS_GRANTABLE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ?
     UNION ALL SELECT 'table', TABLE_SCHEMA, TABLE_NAME, PRIVILEGE_TYPE, IS_GRANTABLE FROM information_schema.TABLE_PRIVILEGES WHERE GRANTEE = ?`,
    [grantee, grantee, grantee],
  );
  const extras = new Set<string>();
  for (const row of rows) {
    const target = row.level === 'global' ? '*.*' : row.level === 'schema' ? `${escapeId(row.db ?? '')}.*` : `${escapeId(row.db ?? '')}.${escapeId(row.tbl ?? '')}`;
    const wanted = row.level === 'schema' && row.db === schemaPattern && (SERVICE_PRIVILEGES as readonly string[]).includes(row.privilege);
    // USAGE is "no privileges": every account has it.
    if (!wanted && !(row.level === 'global' && row.privilege === 'USAGE')) {
      if (!PRIVILEGE_NAME.test(row.privilege)) throw new ServiceUserError(`unexpected privilege name ${JSON.stringify(row.privilege)} of ${account} on ${target}`);
      extras.add(`${row.privilege} ON ${target}`);
    }
    if (row.grantable === 'YES') extras.add(`GRANT OPTION ON ${target}`);
  }
  const revoked = [...extras].sort();
  for (const privilege of revoked) await run('REVOKE', `REVOKE ${privilege} FROM ${account}`);
  return { account: grantee, created: header.warningStatus === 0, authentication: spec.auth.kind, granted, revoked };
}

function redact(text: string, secret: string | undefined): string {
  if (secret === undefined || secret === '') return text;
  return text.split(secret).join('[redacted]');
}
