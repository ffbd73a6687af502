import { DRILL_TIMEOUT_MS, drillHarness } from './harness';

jest.setTimeout(DRILL_TIMEOUT_MS);
const { drill } = drillHarness();

describe('dr drill failback (profile ci)', () => {
  it('failback after a failover waits for the old primary to rejoin, then moves back without loss', async () => {
    const { report } = await drill({ operation: 'failback', fault: 'none' });
    expect(report.outcome).toBe('completed');
    expect(report.to.region).toBe('us-east-1');
    expect(report.lostAcknowledged).toBe(0);
    expect(report.splitBrainWrites).toBe(0);
  });
});
