import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, copyFileSync, existsSync, mkdirSync, readFileSync, openSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type LocalMariaDb, mariadbProgram } from './mariadb';

const run = promisify(execFile);

/** Bound on each program this module runs (backup, prepare, copy-back, binlog decoding, replay). */
const DEFAULT_STEP_TIMEOUT_MS = 60_000;
const MAX_BUFFER = 16 * 1024 * 1024;

/** A backup or replay that could not be done; the message says which step and what the program said. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
}

/** A place in a server's binary log: the file, the byte offset in it, and the GTID position there. */
export interface BinlogPosition {
  readonly file: string;
  readonly position: number;
  /** `gtid_binlog_pos` at that place; empty when the server had logged no transaction. */
  readonly gtid: string;
}

/** A prepared base backup: a consistent copy of the data directory and where in the binary log it stands. */
export interface BaseBackup {
  readonly dir: string;
  /** The binary log position the copy is consistent with: replay starts here. */
  readonly binlog: BinlogPosition;
  readonly backupMs: number;
  readonly prepareMs: number;
}

export interface StepOptions {
  /** Bound on each program this runs. @default 60_000 */
  readonly timeoutMs?: number;
}

/**
 * `mariadb-backup --backup` of a running server into `dir` (which must not exist or be empty), then
 * `--prepare`, which applies the redo log copied during the backup so the files are consistent
 * and a server can start on them. The backup runs while the server takes writes; the copy stands
 * at the binary log position it records in `xtrabackup_binlog_info`.
 * https://mariadb.com/docs/server/server-usage/backup-and-restore/mariadb-backup/full-backup-and-restore-with-mariadb-backup
 * ("Backing up the Database Server": the target directory must be empty or not exist; "Preparing
 * the Backup").
 */
export async function takeBaseBackup(server: LocalMariaDb, dir: string, options: StepOptions = {}): Promise<BaseBackup> {
  const timeout = options.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  const started = Date.now();
  // The client arguments start with --no-defaults, which must come first: no my.cnf of the
  // machine's own server may leak in. root over the socket needs no password.
  await program('mariadb-backup', [...server.clientArguments(), '--backup', `--target-dir=${dir}`, `--datadir=${server.dataDir}`], timeout, 'backup');
  const prepared = Date.now();
  await program('mariadb-backup', ['--no-defaults', '--prepare', `--target-dir=${dir}`], timeout, 'prepare');
  return { dir, binlog: readBackupBinlogPosition(dir), backupMs: prepared - started, prepareMs: Date.now() - prepared };
}

/**
 * The binary log position a backup is consistent with, which mariadb-backup writes to
 * `xtrabackup_binlog_info` as `<file>\t<position>\t<gtid>` when the server logs: where
 * point-in-time recovery starts replaying.
 * https://mariadb.com/docs/server/server-usage/backup-and-restore/mariadb-backup/point-in-time-recovery-pitr-mariadb-backup (step 1)
 */
export function readBackupBinlogPosition(dir: string): BinlogPosition {
  const path = join(dir, 'xtrabackup_binlog_info');
  if (!existsSync(path)) throw new BackupError(`the backup in ${dir} records no binary log position: was the server running with --log-bin?`);
  return parseBackupBinlogInfo(readFileSync(path, 'utf8'));
}

/** Parses the one line of `xtrabackup_binlog_info`: file, byte position and (optionally) the GTID position. */
export function parseBackupBinlogInfo(text: string): BinlogPosition {
  const [file, position, gtid = ''] = text.trim().split(/\s+/);
  const offset = Number(position);
  if (!file || !Number.isInteger(offset) || offset < 4) throw new BackupError(`unreadable binary log position in a backup: '${text.trim()}'`);
  return { file, position: offset, gtid };
}

/**
 * `mariadb-backup --copy-back` of a prepared backup into `dataDir`, which must be empty or not
 * exist; a server then starts on it as it would on its own files.
 * https://mariadb.com/docs/server/server-usage/backup-and-restore/mariadb-backup/full-backup-and-restore-with-mariadb-backup
 * ("Restoring the Backup": the data directory must be empty)
 */
export async function copyBack(backup: BaseBackup, dataDir: string, options: StepOptions = {}): Promise<void> {
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) throw new BackupError(`copy-back needs an empty data directory: ${dataDir} holds files`);
  mkdirSync(dataDir, { recursive: true });
  await program('mariadb-backup', ['--no-defaults', '--copy-back', `--target-dir=${backup.dir}`, `--datadir=${dataDir}`], options.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS, 'copy-back');
}

/**
 * Copies the server's binary logs into `dir` after closing the current one (FLUSH BINARY LOGS), as
 * a binary log archive would hold them: the server itself may be gone by the time they are read.
 * Returns the files in order.
 */
export async function archiveBinlogs(server: LocalMariaDb, dir: string): Promise<string[]> {
  await server.query('FLUSH BINARY LOGS');
  const logs = await server.query<Array<{ Log_name: string }>>('SHOW BINARY LOGS');
  mkdirSync(dir, { recursive: true });
  // The newest file was opened by the flush and holds nothing yet; it is copied all the same.
  for (const { Log_name: name } of logs) copyFileSync(join(server.dataDir, name), join(dir, name));
  return logs.map((l) => l.Log_name);
}

/** One row of SHOW BINLOG EVENTS. */
export interface BinlogEvent {
  readonly Log_name: string;
  readonly Pos: number;
  readonly Event_type: string;
  readonly End_log_pos: number;
  readonly Info: string;
}

/**
 * Where the transaction holding a statement that carries `marker` begins: the position of its GTID
 * event, the first event of its group, and the GTID it was logged with. With binlog_annotate_row_events
 * (on by default) a row-based transaction logs its statement text as an Annotate_rows event before
 * its row events; a statement that changed no row logs nothing and is not found.
 * https://mariadb.com/docs/server/reference/clientserver-protocol/replication-protocol/annotate_rows_event
 */
export function findTransactionStart(events: readonly BinlogEvent[], marker: string): BinlogPosition | undefined {
  let gtidEvent: BinlogEvent | undefined;
  for (const event of events) {
    if (event.Event_type === 'Gtid') gtidEvent = event;
    else if ((event.Event_type === 'Annotate_rows' || event.Event_type === 'Query') && event.Info.includes(marker) && gtidEvent) {
      const gtid = /GTID (\d+-\d+-\d+)/.exec(gtidEvent.Info)?.[1] ?? '';
      return { file: gtidEvent.Log_name, position: gtidEvent.Pos, gtid };
    }
  }
  return undefined;
}

/** Reads the server's binary logs, newest first, for the transaction that carries `marker`. */
export async function locateStatement(server: LocalMariaDb, marker: string): Promise<BinlogPosition> {
  const logs = await server.query<Array<{ Log_name: string }>>('SHOW BINARY LOGS');
  for (const { Log_name: file } of [...logs].reverse()) {
    const events = await server.query<Array<Omit<BinlogEvent, 'Log_name'> & { Log_name?: string }>>(`SHOW BINLOG EVENTS IN ${quote(file)}`);
    const found = findTransactionStart(events.map((e) => ({ ...e, Log_name: file })), marker);
    if (found) return found;
  }
  throw new BackupError(`no transaction in ${server.name}'s binary logs carries '${marker}' (a statement that changes no row is not logged in ROW format)`);
}

/** What mariadb-binlog decodes: from a position in one file up to (not including) a position in a later one. */
export interface ReplayRange {
  /** Replay starts here: the backup's position. */
  readonly from: BinlogPosition;
  /** Replay stops before the event at this position: the first event not to apply. */
  readonly until: BinlogPosition;
}

/**
 * The mariadb-binlog arguments for a range over archived files named `bin.000001`, `bin.000002`...:
 * the files from `from.file` to `until.file`, in order; `--start-position` applies to the first file
 * passed and `--stop-position` to the last, and the stop is exclusive (events at or after it are
 * not printed).
 * https://www.mariadb.com/docs/server/ref/mdb/cli/mariadb-binlog/start-position
 * https://mariadb.com/docs/server/ref/mdb/cli/mariadb-binlog/stop-position
 */
export function replayArguments(files: readonly string[], range: ReplayRange): { readonly options: string[]; readonly files: string[] } {
  const sorted = [...files].sort();
  const first = sorted.indexOf(range.from.file);
  const last = sorted.indexOf(range.until.file);
  if (first < 0) throw new BackupError(`the archive lacks ${range.from.file}, where replay starts`);
  if (last < 0) throw new BackupError(`the archive lacks ${range.until.file}, where replay stops`);
  if (last < first || (last === first && range.until.position < range.from.position)) {
    throw new BackupError(`replay would stop (${range.until.file}:${range.until.position}) before it starts (${range.from.file}:${range.from.position}): the backup is newer than the point to restore to`);
  }
  return { options: ['--no-defaults', `--start-position=${range.from.position}`, `--stop-position=${range.until.position}`], files: sorted.slice(first, last + 1) };
}

export interface ReplayResult {
  readonly files: readonly string[];
  readonly durationMs: number;
}

/**
 * Applies the archived binary logs in `archiveDir` to `server` over `range`: mariadb-binlog decodes
 * them into SQL (row events as BINLOG statements, each transaction with its original GTID) and the
 * mariadb client runs it as root (`--binary-mode`, as the output of row events may hold NUL
 * bytes). This is the documented point-in-time recovery on top of a restored backup, bounded by
 * position instead of time: https://mariadb.com/docs/server/server-usage/backup-and-restore/mariadb-backup/point-in-time-recovery-pitr-mariadb-backup
 */
export async function replayBinlogs(server: LocalMariaDb, archiveDir: string, range: ReplayRange, options: StepOptions = {}): Promise<ReplayResult> {
  const timeout = options.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  const started = Date.now();
  const { options: decode, files } = replayArguments(readdirSync(archiveDir).filter((f) => /^bin\.\d+$/.test(f)), range);
  const script = join(server.tmpDir, 'replay.sql');
  try {
    await program('mariadb-binlog', [...decode, `--result-file=${script}`, ...files.map((f) => join(archiveDir, f))], timeout, 'binlog decoding');
    // On standard input: --binary-mode turns off the client's own commands, `source` included.
    await feed(script, [...server.clientArguments(), '--batch', '--binary-mode'], timeout);
  } finally {
    rmSync(script, { force: true });
  }
  return { files, durationMs: Date.now() - started };
}

async function program(name: 'mariadb-backup' | 'mariadb-binlog' | 'mariadb', args: string[], timeout: number, step: string): Promise<void> {
  try {
    await run(mariadbProgram(name), args, { timeout, maxBuffer: MAX_BUFFER });
  } catch (error) {
    const e = error as Error & { stderr?: string; killed?: boolean };
    const said = (e.stderr ?? '').trim().split('\n').slice(-5).join('\n');
    throw new BackupError(`${step} (${name}) failed${e.killed ? ` after ${timeout} ms` : ''}: ${said || e.message}`);
  }
}

/** Runs the mariadb client with `file` as its standard input, bounded by `timeout`. */
async function feed(file: string, args: string[], timeout: number): Promise<void> {
  const input = openSync(file, 'r');
  try {
    const child = spawn(mariadbProgram('mariadb'), args, { stdio: [input, 'ignore', 'pipe'], timeout, killSignal: 'SIGKILL' });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    if (code !== 0) throw new BackupError(`replay (mariadb) failed${signal ? ` (${signal} after at most ${timeout} ms)` : ''}: ${stderr.trim().split('\n').slice(-5).join('\n')}`);
  } finally {
    closeSync(input);
  }
}

function quote(value: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(value)) throw new BackupError(`unexpected binary log name: ${value}`);
  return `'${value}'`;
}
