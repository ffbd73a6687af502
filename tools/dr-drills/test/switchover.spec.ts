import { DRILL_TIMEOUT_MS, drillHarness } from './harness';

jest.setTimeout(DRILL_TIMEOUT_MS);
// A switchover and one back, in the same world: the second starts from the first's new writer.
const { drill } = drillHarness({ oneWorld: true });

describe('dr drill switchover (profile ci)', () => {
  it('switchover under load loses nothing and leaves nothing on the old writer alone', async () => {
    const { report } = await drill({ operation: 'switchover', fault: 'none' });
    expect(report.outcome).toBe('completed');
    expect(report.to.region).toBe('us-east-2');
    expect(report.acknowledged).toBeGreaterThan(50);
    expect(report.lostAcknowledged).toBe(0);
    expect(report.splitBrainWrites).toBe(0);
    expect(report.rtoSeconds).not.toBeNull();
    expect(report.steps.map((s) => [s.name, s.status])).toEqual([
      ['preconditions', 'passed'],
      ['scale-standby', 'done'],
      ['promote-database', 'done'],
      ['verify-traffic', 'done'],
      ['scale-down-old', 'done'],
    ]);
  });

  it('a switchover back, with the CLI killed mid-promotion, is run again and completes what it started', async () => {
    const { report, cliOutput } = await drill({ operation: 'switchover', fault: 'none', killCliAt: /switching-over/ });
    expect(cliOutput).toHaveLength(2);
    expect(cliOutput[0]).toContain('promote-database');
    expect(cliOutput[0]).not.toContain('switchover COMPLETED');
    expect(report.outcome).toBe('completed');
    expect(report.to.region).toBe('us-east-1');
    expect(report.lostAcknowledged).toBe(0);
  });
});
