import { analyse, type AnalysisInput } from '../../src/drill/analysis';
import type { WriteRecord } from '../../src/drill/load';
import { timelineSvg } from '../../src/drill/timeline';
import type { DrReport } from '../../src/report';

const T0 = Date.parse('2026-11-30T10:00:00.000Z');
const east1 = { role: 'primary' as const, region: 'us-east-1' };
const east2 = { role: 'secondary' as const, region: 'us-east-2' };

/** A write acknowledged (or not) `ms` after the load started. */
const write = (key: string, ms: number, region: string, answered = true): WriteRecord => ({ key, sentAt: T0 + ms - 20, doneAt: T0 + ms, ...(answered ? { status: 201, region } : { error: 'timeout' }) });

function cliReport(lagMs: number | null, observedAtMs: number): DrReport {
  return {
    operation: 'failover',
    environment: 'dev',
    from: east1,
    to: east2,
    outcome: 'completed',
    startedAt: new Date(T0 + 1000).toISOString(),
    finishedAt: new Date(T0 + 3000).toISOString(),
    recovery: {
      totalSeconds: 2,
      confirmationSeconds: 0,
      steps: [
        { id: 'fence-source', title: 'fence', status: 'done', startedAt: new Date(T0 + 1100).toISOString(), seconds: 0.5 },
        { id: 'promote-database', title: 'promote', status: 'done', startedAt: new Date(T0 + 1600).toISOString(), seconds: 1 },
      ],
    },
    dataLossWindow: { replicationLagMs: lagMs, observedAt: new Date(T0 + observedAtMs).toISOString(), cluster: 'txdr-dev-secondary-aurora' },
    warnings: [],
  };
}

function input(records: WriteRecord[], present: { primary: string[]; secondary: string[] }, setAside: string[], report?: DrReport): AnalysisInput {
  return {
    operation: 'failover',
    fault: 'lag',
    profile: 'ci',
    dbEndpoint: 'regional',
    from: east1,
    to: east2,
    records,
    count: { writer: 'secondary', present, setAside },
    cliReport: report,
    loadStart: T0,
    faultAt: T0 + 500,
    operationStart: T0 + 1000,
    operationEnd: T0 + 3000,
  };
}

describe('drill analysis', () => {
  const records = [
    write('a', 100, 'us-east-1'),
    write('b', 400, 'us-east-1'),
    write('c', 900, 'us-east-1'),
    write('d', 1200, 'us-east-1', false),
    write('e', 2400, 'us-east-2'),
    write('f', 2600, 'us-east-2'),
  ];

  it('counts lost, split-brain, the longest gap and the RTO from the records and the databases', () => {
    const report = analyse(input(records, { primary: ['a', 'b', 'c'], secondary: ['a', 'e', 'f'] }, [], cliReport(700, 1000)));
    expect(report).toMatchObject({
      requests: 6,
      acknowledged: 5,
      lostAcknowledged: 2,
      splitBrainWrites: 2,
      writeDowntimeSeconds: 1.5,
      rtoSeconds: 1.9,
      fencingConfirmed: true,
      samples: { lost: ['b', 'c'], splitBrain: ['b', 'c'] },
    });
  });

  it('counts what a rebuild set aside as split-brain, not only what is still on the old writer', () => {
    const report = analyse(input(records, { primary: ['a', 'e', 'f'], secondary: ['a', 'e', 'f'] }, ['b'], cliReport(700, 1000)));
    expect(report.lostAcknowledged).toBe(2);
    expect(report.splitBrainWrites).toBe(1);
  });

  it.each([
    // lag 700 ms seen at 1000 ms: writes acknowledged from 300 ms on may be lost; b (400) and c (900) are.
    [700, 1000, true],
    // lag 100 ms seen at 1000 ms claims b (400 ms) was safe: an understatement.
    [100, 1000, false],
  ])('the CLI claim of lag %i ms observed at %i ms is honest: %s', (lag, at, honest) => {
    const report = analyse(input(records, { primary: ['a', 'b', 'c'], secondary: ['a', 'e', 'f'] }, [], cliReport(lag, at)));
    expect(report.reportedDataLoss).toMatchObject({ replicationLagMs: lag, honest });
    expect(report.reportedDataLoss!.writesAtRiskAfter).toBe(new Date(T0 + at - lag).toISOString());
  });

  it('has no RTO when the new region never acknowledged a write', () => {
    const report = analyse(input(records.slice(0, 3), { primary: [], secondary: ['a', 'b', 'c'] }, []));
    expect(report.rtoSeconds).toBeNull();
    expect(report.reportedDataLoss).toBeNull();
    expect(report.outcome).toBe('no report');
  });

  it('draws a self-contained timeline with the fault and every step marked', () => {
    const report = analyse(input(records, { primary: ['a', 'b', 'c'], secondary: ['a', 'e', 'f'] }, [], cliReport(700, 1000)));
    expect(report.timeline.map((s) => s.acknowledged)).toEqual([{ 'us-east-1': 3 }, {}, { 'us-east-2': 2 }]);
    expect(report.timeline[1]!.errors).toBe(1);
    const svg = timelineSvg(report);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('fault: lag');
    expect(svg).toContain('fence-source (done, 0.5 s)');
    expect(svg).toContain('acknowledged by us-east-2');
    expect(svg).not.toMatch(/<script|href=/);
  });
});
