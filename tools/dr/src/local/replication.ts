import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { type LocalMariaDb, type MariaDbAccount, MariaDbTimeoutError, mariadbProgram } from './mariadb';

const run = promisify(execFile);

/** The account each replica connects to its source with (REPLICATION SLAVE only). */
const REPLICATION_USER = 'dr_repl';
/** Writes the heartbeat row and nothing else; no READ ONLY ADMIN, so `read_only` refuses it. */
const HEARTBEAT_USER = 'dr_heartbeat';
const META_DATABASE = 'dr_meta';
const SYSTEM_DATABASES = new Set(['mysql', 'information_schema', 'performance_schema', 'sys']);
/** Bound on one control statement (STOP SLAVE, SET GLOBAL, CHANGE MASTER). */
const STATEMENT_TIMEOUT_MS = 10_000;

/** A replication operation that could not be done as asked; the message says what state it left. */
export class ReplicationError extends Error {
  override readonly name: string = 'ReplicationError';
}

/** A switchover that did not happen: the standby did not catch up in time; the old writer is writable again. */
export class SwitchoverRefusedError extends ReplicationError {
  override readonly name = 'SwitchoverRefusedError';
}

interface PairSecrets {
  readonly replication: MariaDbAccount;
  readonly heartbeat: MariaDbAccount;
}

/**
 * The pair's generated passwords, kept in memory only and found from either server, so the
 * operations take servers and nothing else. A replica also keeps its source's password in its
 * data directory (master.info), as MariaDB does.
 */
const pairSecrets = new WeakMap<LocalMariaDb, PairSecrets>();

function secretsOf(...servers: LocalMariaDb[]): PairSecrets {
  for (const server of servers) {
    const secrets = pairSecrets.get(server);
    if (secrets) return secrets;
  }
  throw new ReplicationError(`${servers.map((s) => s.name).join(' and ')} were not set up by initPair`);
}

export interface InitPairOptions {
  /**
   * An application user: ALL on the application database, nothing global, so `read_only` binds
   * it. None when absent: the service's own user is then the migrate step's to create.
   */
  readonly appUser?: string;
  readonly appPassword?: string;
  /**
   * An administrative account on loopback TCP, the master user's stand-in: every privilege, with
   * GRANT OPTION, so the migrate step can change the schema and create the service's user. None
   * when absent. It bypasses `read_only`: only the migrate step uses it, and only on the writer.
   */
  readonly admin?: MariaDbAccount;
  /** The application database. @default 'transactions' */
  readonly database?: string;
  /** Bound on the standby's first catch-up. @default 30_000 */
  readonly timeoutMs?: number;
}

export interface PairInfo {
  /** The writer's GTID position the standby had applied when initPair returned. */
  readonly position: string;
  readonly durationMs: number;
}

/**
 * Sets up replication between two freshly started servers: on the writer, the replication user
 * (random password), the application database (and the application or administrative user when
 * asked), the heartbeat table and its user; the
 * standby read-only and replicating with GTIDs from the writer's first transaction, so it gets all
 * of that too. Returns once the standby has applied everything.
 */
export async function initPair(writer: LocalMariaDb, standby: LocalMariaDb, options: InitPairOptions): Promise<PairInfo> {
  const started = Date.now();
  const database = options.database ?? 'transactions';
  for (const [what, user] of [
    ['appUser', options.appUser],
    ['admin.user', options.admin?.user],
  ] as const) {
    if (user !== undefined && !/^[A-Za-z0-9_]{1,80}$/.test(user)) throw new ReplicationError(`${what} must be letters, digits and underscores, got '${user}'`);
  }
  if ((options.appUser === undefined) !== (options.appPassword === undefined)) throw new ReplicationError('appUser and appPassword go together');
  if (!/^[a-z][a-z0-9_]{0,63}$/.test(database)) throw new ReplicationError(`database must be a lowercase identifier, got '${database}'`);
  if (writer === standby || writer.serverId === standby.serverId) throw new ReplicationError(`${writer.name} and ${standby.name} need distinct servers and server ids`);
  const [standbyState] = await standby.query<Array<{ pos: string }>>('SELECT @@global.gtid_binlog_pos AS pos');
  if (standbyState?.pos) {
    // Replicating from the writer's first transaction would clash with the standby's own.
    throw new ReplicationError(`${standby.name} already has transactions of its own (${standbyState.pos}); give initPair a freshly installed server`);
  }

  const secrets: PairSecrets = {
    replication: { user: REPLICATION_USER, password: randomBytes(24).toString('base64url') },
    heartbeat: { user: HEARTBEAT_USER, password: randomBytes(24).toString('base64url') },
  };
  // A literal `_` in a database name is a wildcard in GRANT; escaped, it means itself.
  const grantDatabase = database.replace(/[_%]/g, (c) => `\\${c}`);
  const statements: Array<[string, unknown[]]> = [
    ['CREATE OR REPLACE USER ?@? IDENTIFIED BY ?', [REPLICATION_USER, '127.0.0.1', secrets.replication.password]],
    ['GRANT REPLICATION SLAVE ON *.* TO ?@?', [REPLICATION_USER, '127.0.0.1']],
    ['CREATE DATABASE IF NOT EXISTS ??', [database]],
    ...(options.appUser !== undefined
      ? ([
          ['CREATE OR REPLACE USER ?@? IDENTIFIED BY ?', [options.appUser, '127.0.0.1', options.appPassword]],
          ['GRANT ALL PRIVILEGES ON ??.* TO ?@?', [grantDatabase, options.appUser, '127.0.0.1']],
        ] as Array<[string, unknown[]]>)
      : []),
    ...(options.admin !== undefined
      ? ([
          ['CREATE OR REPLACE USER ?@? IDENTIFIED BY ?', [options.admin.user, '127.0.0.1', options.admin.password]],
          ['GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [options.admin.user, '127.0.0.1']],
        ] as Array<[string, unknown[]]>)
      : []),
    ['CREATE DATABASE IF NOT EXISTS ??', [META_DATABASE]],
    [
      `CREATE TABLE IF NOT EXISTS ${META_DATABASE}.heartbeat (
        id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
        server_id INT UNSIGNED NOT NULL COMMENT 'the writer that wrote the beat',
        beat_at DATETIME(6) NOT NULL COMMENT 'NOW(6) on the writer'
      ) ENGINE=InnoDB`,
      [],
    ],
    ['CREATE OR REPLACE USER ?@? IDENTIFIED BY ?', [HEARTBEAT_USER, 'localhost', secrets.heartbeat.password]],
    [`GRANT SELECT, INSERT, UPDATE ON ${META_DATABASE}.heartbeat TO ?@?`, [HEARTBEAT_USER, 'localhost']],
    [HEARTBEAT_WRITE, []],
  ];
  for (const [sql, params] of statements) await writer.query(sql, params, { timeoutMs: STATEMENT_TIMEOUT_MS });
  await writer.setReadOnly(false, STATEMENT_TIMEOUT_MS);

  await standby.setReadOnly(true, STATEMENT_TIMEOUT_MS);
  await pointAt(standby, writer, secrets.replication);
  pairSecrets.set(writer, secrets);
  pairSecrets.set(standby, secrets);

  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!(await waitForApplied(writer, standby, timeoutMs))) {
    const status = await replicaStatus(standby).catch(() => undefined);
    throw new ReplicationError(`${standby.name} did not catch up with ${writer.name} within ${timeoutMs} ms${status?.lastError ? `: ${status.lastError}` : ''}`);
  }
  const [position] = await writer.query<Array<{ pos: string }>>('SELECT @@global.gtid_binlog_pos AS pos');
  return { position: position?.pos ?? '', durationMs: Date.now() - started };
}

/**
 * Whether `standby` has applied everything `writer` had logged when this was called, waiting up
 * to `timeoutMs` (MASTER_GTID_WAIT on the writer's `gtid_binlog_pos`). False too when either
 * server does not answer in time: applied or not cannot be told then.
 */
export async function waitForApplied(writer: LocalMariaDb, standby: LocalMariaDb, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  try {
    const [row] = await writer.query<Array<{ pos: string }>>('SELECT @@global.gtid_binlog_pos AS pos', [], { timeoutMs: Math.min(timeoutMs, 5_000) });
    const position = row?.pos ?? '';
    if (position === '') return true;
    const remaining = Math.max(0, deadline - Date.now());
    const [wait] = await standby.query<Array<{ result: number | string | null }>>('SELECT MASTER_GTID_WAIT(?, ?) AS result', [position, remaining / 1000], {
      timeoutMs: remaining + 1_000,
    });
    return Number(wait?.result) === 0;
  } catch (error) {
    if (error instanceof MariaDbTimeoutError) return false;
    throw error;
  }
}

export interface SwitchoverOptions {
  /** Bound on the standby's catch-up; past it the switchover is refused. @default 30_000 */
  readonly timeoutMs?: number;
  /**
   * Time between the standby's catch-up and its promotion, with both servers read-only: it stands
   * for the promotion time of the system the drill models, during which no write is taken. @default 0
   */
  readonly pauseMs?: number;
}

export interface SwitchoverResult {
  /** The last GTID the old writer logged; the new writer had applied it before taking writes. */
  readonly position: string;
  readonly durationMs: number;
}

/**
 * A planned switchover without data loss, in the order the database needs: `from` read-only, `to`
 * catches up with everything `from` logged, `to` stops replicating and takes writes, `from`
 * replicates from `to`. If `to` does not catch up within `timeoutMs`, `from` is made writable
 * again and SwitchoverRefusedError is thrown; nothing else changed.
 */
export async function switchover(from: LocalMariaDb, to: LocalMariaDb, options: SwitchoverOptions = {}): Promise<SwitchoverResult> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 30_000;
  const secrets = secretsOf(from, to);
  const status = await replicaStatus(to);
  if (status.sourcePort !== from.port) {
    throw new SwitchoverRefusedError(`${to.name} does not replicate from ${from.name} (its source: ${status.sourcePort ?? 'none'}); nothing was changed`);
  }

  await from.setReadOnly(true, STATEMENT_TIMEOUT_MS);
  const applied = await waitForApplied(from, to, Math.max(0, timeoutMs - (Date.now() - started)));
  if (!applied) {
    await from.setReadOnly(false, STATEMENT_TIMEOUT_MS).catch((error: unknown) => {
      throw new SwitchoverRefusedError(`${to.name} did not catch up within ${timeoutMs} ms, and ${from.name} could not be made writable again: ${(error as Error).message}`);
    });
    throw new SwitchoverRefusedError(`${to.name} did not catch up with ${from.name} within ${timeoutMs} ms; ${from.name} is writable again`);
  }
  const [row] = await from.query<Array<{ pos: string }>>('SELECT @@global.gtid_binlog_pos AS pos');
  if ((options.pauseMs ?? 0) > 0) await delay(options.pauseMs);

  try {
    await promote(to);
    await pointAt(from, to, secrets.replication);
  } catch (error) {
    throw new ReplicationError(
      `switchover from ${from.name} to ${to.name} stopped after ${to.name} had caught up (${from.name} is read-only): ${(error as Error).message}`,
    );
  }
  return { position: row?.pos ?? '', durationMs: Date.now() - started };
}

export interface FailoverResult {
  /** The new writer's position when it took writes: what it has of the history. */
  readonly position: string;
  readonly durationMs: number;
}

/**
 * An unplanned failover: `to` stops replicating and takes writes at once. What it had received
 * but not applied (an apply delay, a backlog) and what it never received are lost, as in
 * Aurora's FailoverGlobalCluster with AllowDataLoss, which "can result in a loss of write
 * transaction data that wasn't replicated to the chosen secondary"
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html).
 * The old writer is not touched: fence it first if it can be reached.
 */
export async function failover(to: LocalMariaDb): Promise<FailoverResult> {
  const started = Date.now();
  await promote(to);
  const [row] = await to.query<Array<{ pos: string }>>('SELECT @@global.gtid_binlog_pos AS pos');
  return { position: row?.pos ?? '', durationMs: Date.now() - started };
}

/**
 * `SET GLOBAL read_only=1` within `timeoutMs`; true once the server confirmed it. A dead or frozen
 * server cannot be fenced (false, never a hang); a frozen one may still apply the statement when it
 * thaws, since the statement was sent.
 */
export async function fence(server: LocalMariaDb, timeoutMs = 2_000): Promise<boolean> {
  if (!server.running) return false;
  try {
    await server.setReadOnly(true, timeoutMs);
    return true;
  } catch {
    return false;
  }
}

/**
 * GTIDs in the binary log of `old` that `newWriter` does not have: writes acknowledged by the old
 * writer that never reached the new one (an apply delay at failover, or writes after it).
 *
 * Histories are linear per GTID domain (strict mode), so `newWriter` has a GTID when it logged a
 * later one from the same server, or when the GTID is within the history it was rebuilt from (the
 * state at the start of its binary log). Only when some server's last GTID on `old` is beyond
 * those is `old`'s binary log read to list them.
 */
export async function errantTransactions(old: LocalMariaDb, newWriter: LocalMariaDb, timeoutMs = STATEMENT_TIMEOUT_MS): Promise<string[]> {
  const [[oldRow], [newRow], base] = await Promise.all([
    old.query<Array<{ state: string }>>('SELECT @@global.gtid_binlog_state AS state', [], { timeoutMs }),
    newWriter.query<Array<{ state: string }>>('SELECT @@global.gtid_binlog_state AS state', [], { timeoutMs }),
    binlogBase(newWriter, timeoutMs),
  ]);
  const newLast = new Map(parseGtids(newRow?.state ?? '').map((g) => [`${g.domain}-${g.server}`, g.seq]));
  const has = (g: Gtid) => (newLast.get(`${g.domain}-${g.server}`) ?? -1) >= g.seq || g.seq <= (base.get(g.domain) ?? -1);
  if (parseGtids(oldRow?.state ?? '').every(has)) return [];

  const files = await old.query<Array<{ Log_name: string }>>('SHOW BINARY LOGS', [], { timeoutMs });
  const errant: string[][] = [];
  // Newest file first; a file that starts with only GTIDs the new writer has ends the search.
  for (const { Log_name: file } of [...files].reverse()) {
    const events = await old.query<Array<{ Event_type: string; Info: string }>>('SHOW BINLOG EVENTS IN ?', [file], { timeoutMs });
    const inFile: string[] = [];
    let startState: Gtid[] = [];
    for (const event of events) {
      if (event.Event_type === 'Gtid_list') startState = parseGtids(event.Info.replace(/[[\]]/g, ''));
      if (event.Event_type !== 'Gtid') continue;
      const gtid = /GTID (\d+-\d+-\d+)/.exec(event.Info)?.[1];
      if (gtid && !has(parseGtids(gtid)[0]!)) inFile.push(gtid);
    }
    errant.unshift(inFile);
    if (startState.every(has)) break;
  }
  return errant.flat();
}

export type RejoinAction = 'repointed' | 'rebuilt';

export interface RejoinOptions {
  /** Bound on the whole rejoin, the copy and the catch-up included. @default 60_000 */
  readonly timeoutMs?: number;
}

export interface RejoinResult {
  readonly action: RejoinAction;
  /** GTIDs only the old writer had, now gone from it (empty when re-pointed). */
  readonly discarded: readonly string[];
  readonly durationMs: number;
}

/**
 * Makes the old writer a read-only replica of the new one, consistently. Without errant
 * transactions it is re-pointed; with them, its data is replaced by a copy of the new writer's
 * (mariadb-dump with the GTID position, loaded without binary logging) and its GTID state reset
 * to the copy's position, so that its errant transactions are gone and replication continues from
 * exactly where the copy ends. Returns once it has caught up.
 *
 * Only the non-system databases are copied: users and grants are those made on the writer before
 * (by initPair and the migrate step), which replication brought to both.
 */
export async function rejoin(old: LocalMariaDb, newWriter: LocalMariaDb, options: RejoinOptions = {}): Promise<RejoinResult> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const remaining = () => Math.max(1_000, timeoutMs - (Date.now() - started));
  if (old === newWriter) throw new ReplicationError(`${old.name} cannot rejoin itself`);
  const secrets = secretsOf(old, newWriter);

  // Fenced first: from here on only root writes to it, and only through the rebuild.
  await old.setReadOnly(true, STATEMENT_TIMEOUT_MS);
  await old.query('STOP SLAVE', [], { timeoutMs: STATEMENT_TIMEOUT_MS });
  const discarded = await errantTransactions(old, newWriter);
  if (discarded.length === 0) {
    await pointAt(old, newWriter, secrets.replication);
  } else {
    await rebuild(old, newWriter, secrets.replication, remaining());
  }
  if (!(await waitForApplied(newWriter, old, remaining()))) {
    const status = await replicaStatus(old).catch(() => undefined);
    throw new ReplicationError(`${old.name} replicates from ${newWriter.name} but did not catch up within ${timeoutMs} ms${status?.lastError ? `: ${status.lastError}` : ''}`);
  }
  return { action: discarded.length === 0 ? 'repointed' : 'rebuilt', discarded, durationMs: Date.now() - started };
}

/**
 * Holds back applying on `standby` by `seconds` (MASTER_DELAY; 0 clears it), so that a failover
 * then loses what it has received but not applied: the drill's "lag" fault.
 */
export async function setApplyDelay(standby: LocalMariaDb, seconds: number): Promise<void> {
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 86_400) throw new ReplicationError(`apply delay must be whole seconds from 0 to 86400, got ${seconds}`);
  const status = await replicaStatus(standby);
  if (status.sourcePort === undefined) throw new ReplicationError(`${standby.name} does not replicate; an apply delay needs a replica`);
  await standby.query('STOP SLAVE', [], { timeoutMs: STATEMENT_TIMEOUT_MS });
  await standby.query('CHANGE MASTER TO MASTER_DELAY = ?', [seconds], { timeoutMs: STATEMENT_TIMEOUT_MS });
  await standby.query('START SLAVE', [], { timeoutMs: STATEMENT_TIMEOUT_MS });
}

export interface ReplicaStatus {
  readonly name: string;
  /** A source is configured and both replication threads run. */
  readonly replicating: boolean;
  /** The source's port on 127.0.0.1; undefined when the server replicates from nobody. */
  readonly sourcePort?: number;
  /** Slave_IO_Running: Yes, No, Connecting, Preparing. */
  readonly ioThread?: string;
  /** Slave_SQL_Running: Yes or No. */
  readonly sqlThread?: string;
  /** The receiving or applying thread's last error. */
  readonly lastError?: string;
  readonly applyDelaySeconds?: number;
  /** MariaDB's own estimate, whole seconds; undefined when it has none. Prefer the heartbeat. */
  readonly secondsBehindSource?: number;
  readonly readOnly: boolean;
  readonly gtidBinlogPos: string;
  readonly gtidSlavePos: string;
}

/** What the server says about its replication and `read_only`. */
export async function replicaStatus(server: LocalMariaDb, timeoutMs = STATEMENT_TIMEOUT_MS): Promise<ReplicaStatus> {
  const [[state], rows] = await Promise.all([
    server.query<Array<{ readOnly: number | string; binlogPos: string; slavePos: string }>>(
      'SELECT @@global.read_only AS readOnly, @@global.gtid_binlog_pos AS binlogPos, @@global.gtid_slave_pos AS slavePos',
      [],
      { timeoutMs },
    ),
    server.query<Array<Record<string, string | number | null>>>('SHOW SLAVE STATUS', [], { timeoutMs }),
  ]);
  const base = { name: server.name, readOnly: Number(state?.readOnly) === 1, gtidBinlogPos: state?.binlogPos ?? '', gtidSlavePos: state?.slavePos ?? '' };
  const slave = rows[0];
  if (!slave) return { ...base, replicating: false };
  const ioThread = String(slave['Slave_IO_Running']);
  const sqlThread = String(slave['Slave_SQL_Running']);
  const lastError = [slave['Last_IO_Error'], slave['Last_SQL_Error']].filter((e) => typeof e === 'string' && e !== '').join('; ');
  const behind = slave['Seconds_Behind_Master'];
  return {
    ...base,
    replicating: ioThread === 'Yes' && sqlThread === 'Yes',
    sourcePort: Number(slave['Master_Port']),
    ioThread,
    sqlThread,
    ...(lastError ? { lastError } : {}),
    applyDelaySeconds: Number(slave['SQL_Delay'] ?? 0),
    ...(behind === null || behind === undefined ? {} : { secondsBehindSource: Number(behind) }),
  };
}

const HEARTBEAT_WRITE = `INSERT INTO ${META_DATABASE}.heartbeat (id, server_id, beat_at) VALUES (1, @@server_id, NOW(6))
  ON DUPLICATE KEY UPDATE server_id = VALUES(server_id), beat_at = VALUES(beat_at)`;

export interface HeartbeatOptions {
  /** Time between two beats. @default 200 */
  readonly intervalMs?: number;
  /** Bound on one write; a beat still in flight makes the next one skip, so writes never pile up. @default max(intervalMs, 1000) */
  readonly writeTimeoutMs?: number;
}

export interface HeartbeatStats {
  readonly written: number;
  /** Writes refused (a read-only server: errno 1290) or not answered in time. */
  readonly failed: number;
  /** Beats not sent because the previous one was still in flight (a frozen writer). */
  readonly skipped: number;
  readonly lastError?: string;
}

/**
 * Writes `NOW(6)` into `dr_meta.heartbeat` on the server `writer()` names, every `intervalMs`,
 * as the heartbeat user: a server that is read-only refuses it, so a beat never becomes an errant
 * transaction on a replica. The standby's copy of the row tells the lag (`standbyLagMs`).
 */
export class Heartbeat {
  private readonly intervalMs: number;
  private readonly writeTimeoutMs: number;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private counts = { written: 0, failed: 0, skipped: 0 };
  private lastError: string | undefined;

  constructor(
    private readonly writer: () => LocalMariaDb | undefined,
    options: HeartbeatOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 200;
    this.writeTimeoutMs = options.writeTimeoutMs ?? Math.max(this.intervalMs, 1_000);
    if (!(this.intervalMs > 0)) throw new ReplicationError(`heartbeat intervalMs must be positive, got ${this.intervalMs}`);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.beat(), this.intervalMs);
    this.timer.unref();
    this.beat();
  }

  /** No beat starts after this; resolves once the one in flight, if any, is over. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  get stats(): HeartbeatStats {
    return { ...this.counts, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  private beat(): void {
    if (this.inFlight) {
      this.counts.skipped += 1;
      return;
    }
    const server = this.writer();
    if (!server?.running) {
      this.counts.failed += 1;
      return;
    }
    const write = async () => {
      try {
        await server.query(HEARTBEAT_WRITE, [], { as: secretsOf(server).heartbeat, timeoutMs: this.writeTimeoutMs });
        this.counts.written += 1;
      } catch (error) {
        this.counts.failed += 1;
        this.lastError = (error as Error).message;
      }
    };
    this.inFlight = write().finally(() => {
      this.inFlight = undefined;
    });
  }
}

/**
 * Age of the newest heartbeat the standby has applied, in whole milliseconds: what it would lose
 * if it were promoted now, like the AuroraGlobalDBRPOLag metric of a secondary cluster
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html;
 * RPO lag is the time the most recent commit takes to be stored on the secondary,
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora_global_db_status.html).
 * It includes up to one heartbeat interval of granularity (the beat that is due but not yet
 * written), and it keeps growing when the writer stops beating (frozen, dead), which is what a
 * recovery point means then.
 */
export async function standbyLagMs(standby: LocalMariaDb, timeoutMs = 2_000): Promise<number> {
  const [row] = await standby.query<Array<{ us: string | number }>>(`SELECT TIMESTAMPDIFF(MICROSECOND, beat_at, NOW(6)) AS us FROM ${META_DATABASE}.heartbeat WHERE id = 1`, [], {
    timeoutMs,
  });
  if (!row) throw new ReplicationError(`${standby.name} has no heartbeat row yet`);
  return Math.max(0, Math.round(Number(row.us) / 1_000));
}

/**
 * How far the standby's newest heartbeat is behind the writer's, in whole milliseconds: the replication
 * delay alone, without the time since the writer's last beat. Same granularity as `standbyLagMs`;
 * both servers must answer.
 */
export async function lagMs(writer: LocalMariaDb, standby: LocalMariaDb, timeoutMs = 2_000): Promise<number> {
  const sql = `SELECT TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', beat_at) AS us FROM ${META_DATABASE}.heartbeat WHERE id = 1`;
  const [[w], [s]] = await Promise.all([
    writer.query<Array<{ us: string | number }>>(sql, [], { timeoutMs }),
    standby.query<Array<{ us: string | number }>>(sql, [], { timeoutMs }),
  ]);
  if (!w || !s) throw new ReplicationError(`no heartbeat row on ${w ? standby.name : writer.name}`);
  return Math.max(0, Math.round((Number(w.us) - Number(s.us)) / 1_000));
}

/** Stops replicating (the relay log not yet applied is dropped) and takes writes. */
async function promote(server: LocalMariaDb): Promise<void> {
  await server.query('STOP SLAVE', [], { timeoutMs: STATEMENT_TIMEOUT_MS });
  await server.query('RESET SLAVE ALL', [], { timeoutMs: STATEMENT_TIMEOUT_MS });
  await server.setReadOnly(false, STATEMENT_TIMEOUT_MS);
}

/**
 * Makes `replica` replicate from `source`, starting after the last transaction in its own binary
 * log. That log holds everything it wrote and applied (log_slave_updates), whereas
 * `gtid_slave_pos` lacks what it wrote as a writer; starting from it would apply those again.
 */
async function pointAt(replica: LocalMariaDb, source: LocalMariaDb, account: MariaDbAccount): Promise<void> {
  const options = { timeoutMs: STATEMENT_TIMEOUT_MS };
  await replica.query('STOP SLAVE', [], options);
  await replica.query('RESET SLAVE ALL', [], options);
  await replica.query('SET GLOBAL gtid_slave_pos = @@global.gtid_binlog_pos', [], options);
  await replica.query(
    `CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?,
      MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1`,
    [source.port, account.user, account.password],
    options,
  );
  await replica.query('START SLAVE', [], options);
}

/**
 * Replaces the data of `replica` with a consistent copy of `source`'s and replicates from where
 * the copy ends. The copy is taken in one transaction with the GTID position it corresponds to
 * (mariadb-dump --single-transaction --master-data --gtid), loaded with the binary log off, and
 * the replica's binary log is then reset to that position: its errant transactions vanish from
 * its data and from its GTID history alike.
 *
 * RESET MASTER and setting gtid_binlog_state each wait for InnoDB to report its log flushed up to
 * the moment of the request (the binlog checkpoint, see MDEV-24302), which with
 * innodb_flush_log_at_trx_commit=2 comes with the once-a-second flush: about two seconds of a
 * rebuild are that wait, whatever the size of the data.
 */
async function rebuild(replica: LocalMariaDb, source: LocalMariaDb, account: MariaDbAccount, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const options = { timeoutMs: STATEMENT_TIMEOUT_MS };
  await replica.query('STOP SLAVE', [], options);
  await replica.query('RESET SLAVE ALL', [], options);
  const [sourceDatabases, replicaDatabases] = await Promise.all([userDatabases(source), userDatabases(replica)]);

  const dumpFile = join(replica.dir, 'rebuild.sql');
  if (/['"\\]/.test(dumpFile)) throw new ReplicationError(`the rebuild needs a directory without quotes or backslashes: ${replica.dir}`);
  // RESET MASTER waits for a binary log checkpoint, which needs InnoDB's log on disk. The servers
  // write it at commit but flush it once a second (innodb_flush_log_at_trx_commit=2), so the reset
  // would wait for that timer: flushing at every commit during the rebuild saves about a second.
  const [flushing] = await replica.query<Array<{ mode: number }>>('SELECT @@global.innodb_flush_log_at_trx_commit AS mode', [], options);
  await replica.query('SET GLOBAL innodb_flush_log_at_trx_commit = 1', [], options);
  try {
    await run(
      mariadbProgram('mariadb-dump'),
      [
        ...source.clientArguments(),
        '--single-transaction',
        '--gtid',
        '--master-data=2',
        '--add-drop-database',
        '--routines',
        '--triggers',
        `--result-file=${dumpFile}`,
        '--databases',
        ...sourceDatabases,
      ],
      { timeout: Math.max(1_000, deadline - Date.now()), maxBuffer: 16 * 1024 * 1024 },
    );
    const position = /SET GLOBAL gtid_slave_pos='([^']*)'/.exec(readTail(dumpFile, 64 * 1024))?.[1];
    if (position === undefined) throw new ReplicationError(`the copy of ${source.name} carries no GTID position`);

    const dropped = replicaDatabases.filter((d) => !sourceDatabases.includes(d));
    // The client reads `source` as its own command only at the start of a line.
    const script = ['SET SESSION sql_log_bin = 0;', ...dropped.map((d) => `DROP DATABASE IF EXISTS \`${d.replace(/`/g, '``')}\`;`), `source ${dumpFile}`].join('\n');
    await run(mariadbProgram('mariadb'), [...replica.clientArguments(), '--batch', '-e', script], {
      timeout: Math.max(1_000, deadline - Date.now()),
      maxBuffer: 16 * 1024 * 1024,
    });

    await replica.query('RESET MASTER', [], options);
    if (position !== '') await replica.query('SET GLOBAL gtid_binlog_state = ?', [position], options);
    await pointAt(replica, source, account);
  } finally {
    rmSync(dumpFile, { force: true });
    await replica.query('SET GLOBAL innodb_flush_log_at_trx_commit = ?', [flushing!.mode], options);
  }
}

async function userDatabases(server: LocalMariaDb): Promise<string[]> {
  const rows = await server.query<Array<{ Database: string }>>('SHOW DATABASES', [], { timeoutMs: STATEMENT_TIMEOUT_MS });
  return rows.map((r) => r.Database).filter((d) => !SYSTEM_DATABASES.has(d));
}

interface Gtid {
  readonly domain: number;
  readonly server: number;
  readonly seq: number;
}

function parseGtids(list: string): Gtid[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [domain, server, seq] = s.split('-').map(Number);
      return { domain: domain!, server: server!, seq: seq! };
    });
}

/**
 * Highest sequence number per domain in the state that starts the server's oldest binary log: the
 * history it was rebuilt from (empty for a server that never was).
 */
async function binlogBase(server: LocalMariaDb, timeoutMs: number): Promise<Map<number, number>> {
  const files = await server.query<Array<{ Log_name: string }>>('SHOW BINARY LOGS', [], { timeoutMs });
  const base = new Map<number, number>();
  if (!files[0]) return base;
  const events = await server.query<Array<{ Event_type: string; Info: string }>>('SHOW BINLOG EVENTS IN ? LIMIT 4', [files[0].Log_name], { timeoutMs });
  const list = events.find((e) => e.Event_type === 'Gtid_list');
  for (const g of parseGtids(list?.Info.replace(/[[\]]/g, '') ?? '')) base.set(g.domain, Math.max(base.get(g.domain) ?? -1, g.seq));
  return base;
}

function readTail(file: string, bytes: number): string {
  const size = statSync(file).size;
  const length = Math.min(size, bytes);
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8');
}
