import type { Database, Session } from './database';
import { ER, errnoOf } from './errors';

export interface Migration {
  /** Strictly increasing from 1; never renumbered once shipped. */
  readonly version: number;
  readonly name: string;
  /**
   * Statements run in order. MySQL commits each DDL statement on its own, so every statement must
   * be safe to run again (IF NOT EXISTS) should a process die between it and the bookkeeping row.
   */
  readonly statements: readonly string[];
}

/**
 * The schema. Column types and collations exist in both Aurora MySQL 3 (MySQL 8.0) and MariaDB
 * 10.11, so the same statements run in AWS and in tests.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'transactions',
    statements: [
      `CREATE TABLE IF NOT EXISTS transactions (
        id BINARY(16) NOT NULL COMMENT 'UUIDv7: time-ordered, so inserts append to the clustered index',
        account_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        amount_minor BIGINT NOT NULL COMMENT 'integer minor units of currency',
        currency CHAR(3) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        reference VARCHAR(140) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
        idempotency_key VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        request_hash BINARY(32) NOT NULL COMMENT 'SHA-256 of the normalized request, to tell a replay from a reuse',
        created_at DATETIME(3) NOT NULL COMMENT 'UTC',
        PRIMARY KEY (id),
        UNIQUE KEY uq_transactions_idempotency_key (idempotency_key),
        KEY ix_transactions_account (account_id, id)
      ) ENGINE=InnoDB`,
    ],
  },
  {
    version: 2,
    name: 'account balances',
    statements: [
      `CREATE TABLE IF NOT EXISTS account_balances (
        account_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        currency CHAR(3) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
        balance_minor BIGINT NOT NULL,
        updated_at DATETIME(3) NOT NULL COMMENT 'UTC',
        PRIMARY KEY (account_id, currency),
        CONSTRAINT ck_account_balances_safe CHECK (balance_minor BETWEEN -9007199254740991 AND 9007199254740991)
      ) ENGINE=InnoDB`,
    ],
  },
];

export const LATEST_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/** A named lock: every instance of every region's writer serializes its migrations on it. */
const LOCK_NAME = 'transaction-api.schema-migrations';
const LOCK_WAIT_SECONDS = 60;
/** A DDL statement on a large table can take minutes; this only stops one that hangs on a dead server. */
const DDL_TIMEOUT_MS = 15 * 60_000;

export type MigrationOutcome =
  /** Every known migration is applied (now or before). */
  | { readonly state: 'current'; readonly applied: readonly number[] }
  /** The database is read-only (a standby region) and replication has not brought the schema yet. */
  | { readonly state: 'behind-read-only'; readonly missing: readonly number[] }
  /** Only checked (checkSchema): the schema has not arrived yet, by a migration through another endpoint or by replication. */
  | { readonly state: 'behind'; readonly missing: readonly number[] };

export interface MigrationLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * Brings the schema to the latest version, safely with many instances starting at once: they
 * queue on one named lock and each applies only what is missing when its turn comes. On a
 * read-only database (a standby region) nothing can be written; the schema arrives by replication
 * and is only checked.
 */
export async function migrate(db: Database, log: MigrationLog, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationOutcome> {
  return db.withSession(
    async (session) => {
      const [{ readOnly }] = await session.query<Array<{ readOnly: number | string }>>('SELECT (@@global.read_only OR @@global.innodb_read_only) AS readOnly');
      if (Number(readOnly) === 1) {
        const missing = await missingVersions(session, migrations);
        return missing.length === 0 ? { state: 'current', applied: [] } : { state: 'behind-read-only', missing };
      }
      const [{ locked }] = await session.query<Array<{ locked: number | string | null }>>(`SELECT GET_LOCK('${LOCK_NAME}', ${LOCK_WAIT_SECONDS}) AS locked`,
        (LOCK_WAIT_SECONDS + 5) * 1_000,
      );
      if (Number(locked) !== 1) throw new Error(`could not take the migration lock within ${LOCK_WAIT_SECONDS} s`);
      try {
        await session.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
          version INT NOT NULL PRIMARY KEY,
          name VARCHAR(200) NOT NULL,
          applied_at DATETIME(3) NOT NULL COMMENT 'UTC'
        ) ENGINE=InnoDB`,
          DDL_TIMEOUT_MS,
        );
        const applied: number[] = [];
        for (const migration of pending(migrations, await appliedVersions(session))) {
          for (const statement of migration.statements) await session.query(statement, DDL_TIMEOUT_MS);
          await session.execute('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, UTC_TIMESTAMP(3))', [migration.version, migration.name]);
          applied.push(migration.version);
          log.info({ version: migration.version, migration: migration.name }, 'schema migration applied');
        }
        return { state: 'current', applied };
      } finally {
        // Released on every path; were this to fail, the connection is dropped and the lock with it.
        await session.query(`SELECT RELEASE_LOCK('${LOCK_NAME}')`).catch(() => session.discard());
      }
  });
}

/**
 * Whether the database has every migration, writing nothing whatever its role: how an instance
 * judges a database it does not migrate (its region's cluster, when reads and writes go through
 * the global writer endpoint and the migrations with them).
 */
export async function checkSchema(db: Database, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationOutcome> {
  const missing = await db.withSession((session) => missingVersions(session, migrations));
  return missing.length === 0 ? { state: 'current', applied: [] } : { state: 'behind', missing };
}

async function missingVersions(session: Session, migrations: readonly Migration[]): Promise<number[]> {
  return pending(migrations, await appliedVersions(session)).map((m) => m.version);
}

async function appliedVersions(session: Session): Promise<Set<number>> {
  try {
    const rows = await session.query<Array<{ version: number }>>('SELECT version FROM schema_migrations');
    return new Set(rows.map((r) => Number(r.version)));
  } catch (error) {
    if (errnoOf(error) === ER.NO_SUCH_TABLE) return new Set();
    throw error;
  }
}

function pending(migrations: readonly Migration[], applied: Set<number>): Migration[] {
  return [...migrations].sort((a, b) => a.version - b.version).filter((m) => !applied.has(m.version));
}
