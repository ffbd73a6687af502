import { BackupError, type BinlogEvent, findTransactionStart, parseBackupBinlogInfo, replayArguments } from '../../src/local/backup';

describe('parseBackupBinlogInfo', () => {
  it('reads the file, the byte position and the GTID position of xtrabackup_binlog_info', () => {
    expect(parseBackupBinlogInfo('bin.000003\t272222\t0-1-423\n')).toEqual({ file: 'bin.000003', position: 272222, gtid: '0-1-423' });
  });

  it('takes a line without a GTID position (a server that logged no GTID yet)', () => {
    expect(parseBackupBinlogInfo('bin.000001\t329')).toEqual({ file: 'bin.000001', position: 329, gtid: '' });
  });

  it.each([
    ['empty', ''],
    ['no position', 'bin.000001'],
    ['a position that is not a number', 'bin.000001\tabc\t0-1-1'],
    ['a position inside the file header', 'bin.000001\t3\t0-1-1'],
  ])('refuses %s', (_, text) => {
    expect(() => parseBackupBinlogInfo(text)).toThrow(BackupError);
  });
});

/** SHOW BINLOG EVENTS rows of a row-based transaction: GTID, annotation, table map, rows, commit. */
function transaction(file: string, at: number, gtid: string, statement: string, rowsEvent = 'Write_rows_v1'): BinlogEvent[] {
  const events: Array<[string, string]> = [
    ['Gtid', `BEGIN GTID ${gtid}`],
    ['Annotate_rows', statement],
    ['Table_map', 'table_id: 33 (transactions.transactions)'],
    [rowsEvent, 'table_id: 33 flags: STMT_END_F'],
    ['Xid', 'COMMIT /* xid=12 */'],
  ];
  return events.map(([type, info], i) => ({ Log_name: file, Pos: at + i * 100, Event_type: type, End_log_pos: at + (i + 1) * 100, Info: info }));
}

describe('findTransactionStart', () => {
  const marker = 'dr-restore-drill 42';
  const events = [
    ...transaction('bin.000002', 400, '0-1-7', "INSERT INTO transactions.transactions VALUES ('dr-restore-drill 4')"),
    ...transaction('bin.000002', 900, '0-1-8', `DELETE /* ${marker} */ FROM transactions.transactions WHERE account_id = 'a'`, 'Delete_rows_v1'),
    ...transaction('bin.000002', 1400, '0-1-9', 'INSERT INTO transactions.transactions VALUES (1)'),
  ];

  it('answers the GTID event that opens the transaction holding the marked statement, not the statement itself', () => {
    expect(findTransactionStart(events, marker)).toEqual({ file: 'bin.000002', position: 900, gtid: '0-1-8' });
  });

  it('answers nothing when no statement carries the marker (a statement that changed no row is not logged)', () => {
    expect(findTransactionStart(events, 'dr-restore-drill 43')).toBeUndefined();
  });

  it('ignores an annotation without a GTID event before it in the file read', () => {
    expect(findTransactionStart(events.slice(1, 5), 'dr-restore-drill 4')).toBeUndefined();
  });
});

describe('replayArguments', () => {
  const at = (file: string, position: number) => ({ file, position, gtid: '' });

  it('decodes one file from the backup position up to the event to leave out', () => {
    expect(replayArguments(['bin.000001', 'bin.000002'], { from: at('bin.000001', 300), until: at('bin.000001', 9000) })).toEqual({
      options: ['--no-defaults', '--start-position=300', '--stop-position=9000'],
      files: ['bin.000001'],
    });
  });

  it('passes the files in order from the start file to the stop file, whatever order they were listed in', () => {
    const files = ['bin.000004', 'bin.000002', 'bin.000001', 'bin.000003'];
    expect(replayArguments(files, { from: at('bin.000002', 300), until: at('bin.000003', 120) }).files).toEqual(['bin.000002', 'bin.000003']);
  });

  it.each([
    ['the start file is missing', at('bin.000001', 300), at('bin.000002', 100), /lacks bin.000001/],
    ['the stop file is missing', at('bin.000002', 300), at('bin.000009', 100), /lacks bin.000009/],
    ['the stop is in an earlier file', at('bin.000003', 300), at('bin.000002', 100), /stop .* before it starts/],
    ['the stop is earlier in the same file', at('bin.000002', 300), at('bin.000002', 200), /stop .* before it starts/],
  ])('refuses a range where %s', (_, from, until, message) => {
    expect(() => replayArguments(['bin.000002', 'bin.000003'], { from, until })).toThrow(message);
  });
});
