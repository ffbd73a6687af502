import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RestoreDrillReport, runRestoreDrill } from '@txn-dr/dr/drill';

jest.setTimeout(60_000);

describe('dr drill restore', () => {
  let dir: string;
  let report: RestoreDrillReport;
  let lines: string[];
  const leftovers = () => readdirSync(tmpdir()).filter((f) => f.startsWith('dr-restore-'));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dr-restore-spec-report-'));
    lines = [];
    const before = new Set(leftovers());
    const result = await runRestoreDrill({ reportPath: join(dir, 'restore.json'), log: (line) => lines.push(line) });
    report = result.report;
    // Everything it started is gone: its folder (servers' data, backup, binary log archive).
    expect(leftovers().filter((f) => !before.has(f) && !f.startsWith('dr-restore-spec-'))).toEqual([]);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('really corrupts the writer: the rows it deleted are gone there', () => {
    expect(report.corruption.acknowledgedRowsHit).toBeGreaterThan(0);
    expect(report.corruption.goneFromWriter).toBe(report.corruption.acknowledgedRowsHit);
    expect(report.corruption.rowsDeleted).toBeGreaterThanOrEqual(report.corruption.acknowledgedRowsHit);
  });

  it('restores every write acknowledged before the corrupting statement, the deleted rows included', () => {
    expect(report.check.acknowledgedBefore).toBeGreaterThan(report.corruption.rowsDeleted);
    expect(report.check.beforePresent).toBe(report.check.acknowledgedBefore);
    expect(report.check.missingSamples).toEqual([]);
  });

  it('restores none of the writes acknowledged after it', () => {
    expect(report.check.acknowledgedAfter).toBeGreaterThan(0);
    expect(report.check.afterPresent).toBe(0);
    expect(report.check.unexpectedSamples).toEqual([]);
  });

  it('replays beyond the backup: writes made after the base backup are back too', () => {
    // The backup stands at a GTID below the corrupting one; the restored rows span the gap.
    const seq = (gtid: string) => Number(gtid.split('-')[2]);
    expect(seq(report.corruption.binlog.gtid)).toBeGreaterThan(seq(report.backup.binlog.gtid));
    expect(report.restore.rowsRestored).toBeGreaterThanOrEqual(report.check.acknowledgedBefore);
    // At most those, the concurrent ones and any write whose answer was lost but which committed.
    expect(report.restore.rowsRestored).toBeLessThanOrEqual(report.check.acknowledgedBefore + report.check.concurrent + report.writes.sent - report.writes.acknowledged);
  });

  it('reports the recovery time and writes the report', () => {
    expect(report.outcome).toBe('recovered');
    expect(report.restore.seconds).toBeGreaterThan(0);
    expect(report.restore.seconds).toBeGreaterThanOrEqual(report.restore.replaySeconds);
    expect(existsSync(join(dir, 'restore.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'restore.json'), 'utf8'))).toEqual(report);
    expect(lines.some((l) => l.startsWith('corrupting transaction'))).toBe(true);
  });
});
