import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { table } from '../format';
import { type BinlogPosition, archiveBinlogs, copyBack, locateStatement, replayBinlogs, takeBaseBackup } from '../local/backup';
import { LocalMariaDb } from '../local/mariadb';

/**
 * The service's table as its first migration creates it (apps/transaction-api/src/db/migrations.ts):
 * the drill writes the rows the service would, without running it, since a restore is about the
 * data and not the path that wrote it.
 */
const TRANSACTIONS_TABLE = `CREATE TABLE IF NOT EXISTS transactions.transactions (
  id BINARY(16) NOT NULL,
  account_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  amount_minor BIGINT NOT NULL,
  currency CHAR(3) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  reference VARCHAR(140) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  idempotency_key VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  request_hash BINARY(32) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_transactions_idempotency_key (idempotency_key),
  KEY ix_transactions_account (account_id, id)
) ENGINE=InnoDB`;

const INSERT = `INSERT INTO transactions.transactions
  (id, account_id, amount_minor, currency, reference, idempotency_key, request_hash, created_at)
  VALUES (UNHEX(REPLACE(UUID(), '-', '')), ?, 100, 'USD', ?, ?, UNHEX(SHA2(?, 256)), UTC_TIMESTAMP(3))`;

/** The account whose rows the corrupting statement deletes. */
const CORRUPTED_ACCOUNT = 'restore-0';
const ACCOUNTS = 4;

export interface RestoreDrillOptions {
  /** Where the JSON report goes; none is written without it. */
  readonly reportPath?: string;
  /** Writes in flight at once. @default 4 */
  readonly concurrency?: number;
  /** Pause between two writes of one writer, so that the load stays bounded in rate. @default 10 */
  readonly writeGapMs?: number;
  /** Load before the base backup starts. @default 500 */
  readonly beforeBackupMs?: number;
  /** Load between the end of the backup and the corrupting statement. @default 1_000 */
  readonly beforeCorruptionMs?: number;
  /** Load after the corrupting statement. @default 700 */
  readonly afterCorruptionMs?: number;
  /** Hard bounds on the load, whichever comes first. @default 5_000 writes, 60 s */
  readonly maxWrites?: number;
  readonly maxLoadMs?: number;
  readonly log?: (line: string) => void;
  /** Ends the drill at its next step (Ctrl-C); what it started is stopped and removed all the same. */
  readonly signal?: AbortSignal;
}

/** One write of the drill's load. */
export interface RestoreWrite {
  readonly key: string;
  readonly account: string;
  /** Milliseconds since the epoch. */
  readonly sentAt: number;
  /** When the commit returned: set only for an acknowledged write. */
  ackedAt?: number;
  error?: string;
}

/** The corrupting statement: when it was sent and answered, and where it begins in the binary log. */
export interface Corruption {
  readonly statement: string;
  readonly sentAt: number;
  readonly doneAt: number;
  readonly rowsDeleted: number;
  /** The start of its transaction (its GTID event): replay stops just before it. */
  readonly binlog: BinlogPosition;
}

/** What the restored server holds, against what the load was told. */
export interface RestoreCheck {
  /** Acknowledged before the corrupting statement was sent. */
  readonly acknowledgedBefore: number;
  /** Sent after the corrupting statement was answered, and acknowledged. */
  readonly acknowledgedAfter: number;
  /** Acknowledged while the statement ran: on either side of it, both are right. */
  readonly concurrent: number;
  /** Of `acknowledgedBefore`, those the restored server holds. */
  readonly beforePresent: number;
  /** Of `acknowledgedAfter`, those the restored server holds (should be none). */
  readonly afterPresent: number;
  /** Up to five keys of each kind that break the property, to look up. */
  readonly missingSamples: readonly string[];
  readonly unexpectedSamples: readonly string[];
}

/** The restore drill's report: its field names are an interface (dashboards, CI). */
export interface RestoreDrillReport {
  /** `recovered` when every write acknowledged before the corruption is back and none after it. */
  readonly outcome: 'recovered' | 'incomplete';
  readonly writes: { readonly sent: number; readonly acknowledged: number };
  readonly backup: { readonly binlog: BinlogPosition; readonly seconds: number; readonly prepareSeconds: number };
  readonly corruption: {
    readonly statement: string;
    readonly at: string;
    readonly rowsDeleted: number;
    readonly binlog: BinlogPosition;
    /** Writes of the account it deletes, acknowledged before it: what the restore has to bring back. */
    readonly acknowledgedRowsHit: number;
    /** Of those, how many the damaged writer no longer holds (all of them, or the statement did nothing). */
    readonly goneFromWriter: number;
  };
  readonly restore: {
    /** Copy-back, start of the restored server and replay together: the recovery time. */
    readonly seconds: number;
    readonly copyBackSeconds: number;
    readonly startSeconds: number;
    readonly replaySeconds: number;
    readonly replayedFiles: readonly string[];
    readonly rowsRestored: number;
  };
  readonly check: RestoreCheck;
}

export interface RestoreDrillResult {
  readonly report: RestoreDrillReport;
  readonly reportPath?: string;
}

/**
 * Sorts the load's writes by the corrupting statement and counts which of them the restored server
 * holds. A write acknowledged before the statement was sent committed before it, so it is earlier
 * in the binary log and must be back; one sent after the statement was answered committed after
 * it and must not be. A write whose commit overlapped the statement may be on either side.
 */
export function checkRestore(writes: readonly RestoreWrite[], corruption: Pick<Corruption, 'sentAt' | 'doneAt'>, restoredKeys: ReadonlySet<string>): RestoreCheck {
  const acked = writes.filter((w) => w.ackedAt !== undefined);
  const before = acked.filter((w) => w.ackedAt! < corruption.sentAt);
  const after = acked.filter((w) => w.sentAt > corruption.doneAt);
  const missing = before.filter((w) => !restoredKeys.has(w.key));
  const unexpected = after.filter((w) => restoredKeys.has(w.key));
  return {
    acknowledgedBefore: before.length,
    acknowledgedAfter: after.length,
    concurrent: acked.length - before.length - after.length,
    beforePresent: before.length - missing.length,
    afterPresent: unexpected.length,
    missingSamples: missing.slice(0, 5).map((w) => w.key),
    unexpectedSamples: unexpected.slice(0, 5).map((w) => w.key),
  };
}

/**
 * Bounded write load straight to the server: `concurrency` writers, each inserting one row with a
 * unique idempotency key and pausing `gapMs`, until stopped or a bound is reached. A write counts
 * as acknowledged when its autocommit INSERT returns.
 */
class DirectLoad {
  readonly writes: RestoreWrite[] = [];
  private stopped = false;
  private readonly run = randomUUID().slice(0, 8);
  private readonly done: Promise<void>;
  private n = 0;

  constructor(
    private readonly server: LocalMariaDb,
    options: { readonly concurrency: number; readonly gapMs: number; readonly maxWrites: number; readonly maxMs: number },
  ) {
    const started = Date.now();
    const writer = async () => {
      while (!this.stopped && this.n < options.maxWrites && Date.now() - started < options.maxMs) {
        await this.write(this.n++);
        await delay(options.gapMs);
      }
    };
    this.done = Promise.all(Array.from({ length: options.concurrency }, writer)).then(() => undefined);
  }

  async stop(): Promise<RestoreWrite[]> {
    this.stopped = true;
    await this.done;
    return this.writes;
  }

  private async write(n: number): Promise<void> {
    const write: RestoreWrite = { key: `restore-${this.run}-${n}`, account: `restore-${n % ACCOUNTS}`, sentAt: Date.now() };
    this.writes.push(write);
    try {
      await this.server.query(INSERT, [write.account, `restore ${this.run} ${n}`, write.key, write.key], { timeoutMs: 5_000 });
      write.ackedAt = Date.now();
    } catch (error) {
      write.error = (error as Error).message;
    }
  }
}

/**
 * The local restore drill: point-in-time recovery with real data. One writer under load; a base
 * backup taken while it writes; a corrupting DELETE at a known moment; the binary logs archived;
 * then a new server restored from the backup and the binary logs replayed up to the event before
 * the DELETE. Counts which acknowledged writes came back, and how long the restore took.
 * Everything it starts is stopped, and its folder removed, however it ends.
 */
export async function runRestoreDrill(options: RestoreDrillOptions = {}): Promise<RestoreDrillResult> {
  const log = options.log ?? (() => undefined);
  const signal = options.signal;
  const wait = (ms: number) => delay(ms, undefined, signal ? { signal } : {});
  // Short: a unix socket path holds at most 107 bytes.
  const root = mkdtempSync(join(tmpdir(), 'dr-restore-'));
  const servers: LocalMariaDb[] = [];
  let load: DirectLoad | undefined;
  try {
    log('starting the writer');
    const writer = await LocalMariaDb.start({ dir: join(root, 'writer'), serverId: 1, name: 'writer' });
    servers.push(writer);
    signal?.throwIfAborted();
    await writer.query('CREATE DATABASE IF NOT EXISTS transactions');
    await writer.query(TRANSACTIONS_TABLE);

    load = new DirectLoad(writer, {
      concurrency: options.concurrency ?? 4,
      gapMs: options.writeGapMs ?? 10,
      maxWrites: options.maxWrites ?? 5_000,
      maxMs: options.maxLoadMs ?? 60_000,
    });
    await wait(options.beforeBackupMs ?? 500);

    log('taking the base backup under load');
    const backup = await takeBaseBackup(writer, join(root, 'backup'));
    log(`backup at ${backup.binlog.file}:${backup.binlog.position} (${backup.binlog.gtid || 'no GTID'}) in ${seconds(backup.backupMs)} s, prepared in ${seconds(backup.prepareMs)} s`);
    await wait(options.beforeCorruptionMs ?? 1_000);

    const marker = `dr-restore-drill ${randomUUID()}`;
    const statement = `DELETE /* ${marker} */ FROM transactions.transactions WHERE account_id = '${CORRUPTED_ACCOUNT}'`;
    const sentAt = Date.now();
    const result = await writer.query<{ affectedRows: number }>(statement);
    const doneAt = Date.now();
    if (result.affectedRows === 0) throw new Error(`the corrupting statement deleted nothing: the load wrote no row for ${CORRUPTED_ACCOUNT}`);
    log(`corrupted: ${result.affectedRows} rows of ${CORRUPTED_ACCOUNT} deleted`);
    await wait(options.afterCorruptionMs ?? 700);
    const writes = await load.stop();
    load = undefined;

    const corruption: Corruption = { statement, sentAt, doneAt, rowsDeleted: result.affectedRows, binlog: await locateStatement(writer, marker) };
    const hit = writes.filter((w) => w.account === CORRUPTED_ACCOUNT && w.ackedAt !== undefined && w.ackedAt < sentAt);
    const left = await writer.query<Array<{ idempotency_key: string }>>('SELECT idempotency_key FROM transactions.transactions WHERE account_id = ?', [CORRUPTED_ACCOUNT]);
    const leftKeys = new Set(left.map((r) => r.idempotency_key));
    const archive = join(root, 'binlogs');
    await archiveBinlogs(writer, archive);
    // The damaged server is set aside: the restore uses only the backup and the archive.
    await writer.stop();
    signal?.throwIfAborted();
    log(`corrupting transaction ${corruption.binlog.gtid} at ${corruption.binlog.file}:${corruption.binlog.position}; restoring`);

    const restoreStarted = Date.now();
    const restoredDir = join(root, 'restored');
    await copyBack(backup, join(restoredDir, 'data'));
    const copied = Date.now();
    const restored = await LocalMariaDb.start({ dir: restoredDir, serverId: 3, name: 'restored' });
    servers.push(restored);
    signal?.throwIfAborted();
    const up = Date.now();
    const replay = await replayBinlogs(restored, archive, { from: backup.binlog, until: corruption.binlog });
    const restoreDone = Date.now();

    const rows = await restored.query<Array<{ idempotency_key: string }>>('SELECT idempotency_key FROM transactions.transactions');
    const check = checkRestore(writes, corruption, new Set(rows.map((r) => r.idempotency_key)));
    const report: RestoreDrillReport = {
      outcome: check.beforePresent === check.acknowledgedBefore && check.afterPresent === 0 && check.acknowledgedBefore > 0 ? 'recovered' : 'incomplete',
      writes: { sent: writes.length, acknowledged: writes.filter((w) => w.ackedAt !== undefined).length },
      backup: { binlog: backup.binlog, seconds: seconds(backup.backupMs), prepareSeconds: seconds(backup.prepareMs) },
      corruption: { statement, at: new Date(sentAt).toISOString(), rowsDeleted: corruption.rowsDeleted, binlog: corruption.binlog, acknowledgedRowsHit: hit.length, goneFromWriter: hit.filter((w) => !leftKeys.has(w.key)).length },
      restore: {
        seconds: seconds(restoreDone - restoreStarted),
        copyBackSeconds: seconds(copied - restoreStarted),
        startSeconds: seconds(up - copied),
        replaySeconds: seconds(replay.durationMs),
        replayedFiles: replay.files,
        rowsRestored: rows.length,
      },
      check,
    };
    if (options.reportPath) {
      mkdirSync(dirname(options.reportPath), { recursive: true });
      writeFileSync(options.reportPath, `${JSON.stringify(report, null, 2)}\n`);
      return { report, reportPath: options.reportPath };
    }
    return { report };
  } finally {
    await load?.stop().catch(() => undefined);
    await Promise.allSettled(servers.map((s) => s.dispose()));
    rmSync(root, { recursive: true, force: true });
  }
}

/** The restore drill's figures as a person reads them. */
export function renderRestoreDrill(report: RestoreDrillReport): string {
  const c = report.check;
  const rows: [string, string][] = [
    ['outcome', report.outcome],
    ['writes acknowledged', `${report.writes.acknowledged} of ${report.writes.sent}`],
    ['base backup (under load), prepare', `${report.backup.seconds} s, ${report.backup.prepareSeconds} s at ${report.backup.binlog.file}:${report.backup.binlog.position}`],
    ['corrupting statement', `${report.corruption.rowsDeleted} rows deleted at ${report.corruption.at} (${report.corruption.binlog.gtid} at ${report.corruption.binlog.file}:${report.corruption.binlog.position})`],
    ['acknowledged before it, restored', `${c.beforePresent} of ${c.acknowledgedBefore}`],
    ['acknowledged after it, restored', `${c.afterPresent} of ${c.acknowledgedAfter}`],
    ['acknowledged while it ran', String(c.concurrent)],
    ['restore time (copy-back, start, replay)', `${report.restore.seconds} s (${report.restore.copyBackSeconds} s, ${report.restore.startSeconds} s, ${report.restore.replaySeconds} s)`],
  ];
  if (c.missingSamples.length > 0) rows.push(['missing, e.g.', c.missingSamples.join(', ')]);
  if (c.unexpectedSamples.length > 0) rows.push(['present but written after, e.g.', c.unexpectedSamples.join(', ')]);
  return ['drill restore: base backup + binary logs to just before a corrupting DELETE', table(['measured', 'value'], rows)].join('\n');
}

const seconds = (ms: number) => Math.round(ms / 10) / 100;
