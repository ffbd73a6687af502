import { createHash } from 'node:crypto';
import { parse as parseUuid, stringify as stringifyUuid, v7 as uuidv7 } from 'uuid';
import type { Database, SqlParam } from './db/database';
import { classifyDbError } from './db/errors';
import { type Currency, isCurrency, minorToDecimal } from './money';

/** A validated request to record one transaction. */
export interface NewTransaction {
  readonly accountId: string;
  readonly amountMinor: number;
  readonly currency: Currency;
  readonly reference: string;
}

export interface Transaction extends NewTransaction {
  readonly id: string;
  /** The amount as an exact decimal string in the currency's major unit. */
  readonly amount: string;
  /** ISO 8601, UTC, millisecond precision. */
  readonly createdAt: string;
}

export interface Balance {
  readonly currency: Currency;
  readonly balanceMinor: number;
  readonly balance: string;
  readonly updatedAt: string;
}

export interface Page {
  readonly items: Transaction[];
  /** Opaque cursor of the next page; undefined on the last. */
  readonly nextCursor: string | undefined;
}

/** The Idempotency-Key was used before for a different request. */
export class IdempotencyConflictError extends Error {
  override readonly name = 'IdempotencyConflictError';
}

/** A balance would leave the range every client can represent exactly. */
export class BalanceRangeError extends Error {
  override readonly name = 'BalanceRangeError';
}

interface TransactionRow {
  id: Buffer;
  account_id: string;
  amount_minor: string;
  currency: string;
  reference: string;
  created_at: string;
  request_hash: Buffer;
}

const COLUMNS = 'id, account_id, amount_minor, currency, reference, created_at, request_hash';

const INSERT_TRANSACTION =
  'INSERT INTO transactions (id, account_id, amount_minor, currency, reference, idempotency_key, request_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
const UPSERT_BALANCE =
  'INSERT INTO account_balances (account_id, currency, balance_minor, updated_at) VALUES (?, ?, ?, ?) ' +
  'ON DUPLICATE KEY UPDATE balance_minor = balance_minor + ?, updated_at = ?';

/**
 * The two statements of `create`, with their parameters, in order; exported so the benchmark's
 * bare-driver ceiling does exactly the same work.
 */
export function transactionWrites(id: string, idempotencyKey: string, hash: Buffer, timestamp: string, input: NewTransaction): [sql: string, params: SqlParam[]][] {
  const amount = String(input.amountMinor);
  return [
    [INSERT_TRANSACTION, [Buffer.from(parseUuid(id)), input.accountId, amount, input.currency, input.reference, idempotencyKey, hash, timestamp]],
    [UPSERT_BALANCE, [input.accountId, input.currency, amount, timestamp, amount, timestamp]],
  ];
}

/** The transactions and balances of accounts, on MySQL. */
export class TransactionStore {
  constructor(private readonly db: Database) {}

  /**
   * Records a transaction and moves its account's balance, in one database transaction, at most
   * once per idempotency key: a repeat returns the first result, whichever instance handled it.
   * The unique key on `idempotency_key` is the arbiter, so two concurrent requests with one key
   * cannot both write: the second waits on the first's row lock, then sees the duplicate.
   */
  async create(idempotencyKey: string, input: NewTransaction): Promise<{ readonly created: boolean; readonly transaction: Transaction }> {
    const hash = fingerprint(input);
    const id = uuidv7();
    const createdAt = new Date();
    const timestamp = mysqlTimestamp(createdAt);
    try {
      await this.db.transaction(async (session) => {
        for (const [sql, params] of transactionWrites(id, idempotencyKey, hash, timestamp, input)) await session.execute(sql, params);
      });
      return { created: true, transaction: { id, ...input, amount: minorToDecimal(input.amountMinor, input.currency), createdAt: createdAt.toISOString() } };
    } catch (error) {
      const failure = classifyDbError(error);
      if (failure === 'out-of-range') throw new BalanceRangeError('the balance would leave the supported range');
      // A read-only database (a standby region) can still answer a retry of a request that was
      // written before the failover: look the key up before refusing the write.
      if (failure === 'read-only') {
        const replayed = await this.replay(idempotencyKey, hash);
        if (replayed !== undefined) return replayed;
      }
      if (failure !== 'duplicate') throw error;
    }
    // The key was taken, and its transaction committed: we only see the duplicate after that.
    const replayed = await this.replay(idempotencyKey, hash);
    if (replayed === undefined) throw new Error('duplicate key on insert, but no transaction with that idempotency key');
    return replayed;
  }

  /** The earlier result for this key, if any; a conflict if the key was used for something else. */
  private async replay(idempotencyKey: string, hash: Buffer): Promise<{ readonly created: false; readonly transaction: Transaction } | undefined> {
    const rows = await this.db.withSession((session) => session.execute<TransactionRow[]>(`SELECT ${COLUMNS} FROM transactions WHERE idempotency_key = ?`, [idempotencyKey]));
    const existing = rows[0];
    if (existing === undefined) return undefined;
    if (!existing.request_hash.equals(hash)) throw new IdempotencyConflictError('the idempotency key was used for a different request');
    return { created: false, transaction: toTransaction(existing) };
  }

  async get(id: string): Promise<Transaction | undefined> {
    const rows = await this.db.withSession((session) => session.execute<TransactionRow[]>(`SELECT ${COLUMNS} FROM transactions WHERE id = ?`, [Buffer.from(parseUuid(id))]));
    return rows[0] === undefined ? undefined : toTransaction(rows[0]);
  }

  /** An account's transactions, newest first, `limit` at a time, resuming after `cursor`. */
  async list(accountId: string, limit: number, cursor?: string): Promise<Page> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    // One row more than asked tells whether there is a next page.
    const rows = await this.db.withSession((session) =>
      after === undefined
        ? session.execute<TransactionRow[]>(`SELECT ${COLUMNS} FROM transactions WHERE account_id = ? ORDER BY id DESC LIMIT ?`, [accountId, String(limit + 1)])
        : session.execute<TransactionRow[]>(`SELECT ${COLUMNS} FROM transactions WHERE account_id = ? AND id < ? ORDER BY id DESC LIMIT ?`, [accountId, after, String(limit + 1)]),
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { items: page.map(toTransaction), nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.id) : undefined };
  }

  /** Every currency the account holds, in code order; empty for an account with no transactions. */
  async balances(accountId: string): Promise<Balance[]> {
    const rows = await this.db.withSession((session) =>
      session.execute<Array<{ currency: string; balance_minor: string; updated_at: string }>>(
        'SELECT currency, balance_minor, updated_at FROM account_balances WHERE account_id = ? ORDER BY currency',
        [accountId],
      ),
    );
    return rows.map((row) => {
      const currency = knownCurrency(row.currency);
      const balanceMinor = Number(row.balance_minor);
      return { currency, balanceMinor, balance: minorToDecimal(BigInt(row.balance_minor), currency), updatedAt: isoTimestamp(row.updated_at) };
    });
  }
}

/** What makes two requests "the same" for an idempotency key: the normalized content, not its spelling. */
export function fingerprint(input: NewTransaction): Buffer {
  return createHash('sha256').update(JSON.stringify([input.accountId, input.amountMinor, input.currency, input.reference])).digest();
}

function toTransaction(row: TransactionRow): Transaction {
  const currency = knownCurrency(row.currency);
  return {
    id: stringifyUuid(row.id),
    accountId: row.account_id,
    amountMinor: Number(row.amount_minor),
    amount: minorToDecimal(BigInt(row.amount_minor), currency),
    currency,
    reference: row.reference,
    createdAt: isoTimestamp(row.created_at),
  };
}

function knownCurrency(code: string): Currency {
  if (!isCurrency(code)) throw new Error(`stored currency ${code} is not in the currency table`);
  return code;
}

/** `2026-11-25T10:00:00.123Z` -> `2026-11-25 10:00:00.123`, the DATETIME(3) literal (UTC). */
export function mysqlTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** The reverse: DATETIME(3) text in UTC -> ISO 8601. */
function isoTimestamp(value: string): string {
  return `${value.replace(' ', 'T')}Z`;
}

/** Cursors are the last id seen, base64url: opaque to clients, so the order key can change later. */
function encodeCursor(id: Buffer): string {
  return id.toString('base64url');
}

export const CURSOR_PATTERN = '^[A-Za-z0-9_-]{22}$';

function decodeCursor(cursor: string): Buffer {
  return Buffer.from(cursor, 'base64url');
}
