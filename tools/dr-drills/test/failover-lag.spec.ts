import { DRILL_TIMEOUT_MS, drillHarness } from './harness';

jest.setTimeout(DRILL_TIMEOUT_MS);
const { drill } = drillHarness();

describe('dr drill failover with lag (profile ci)', () => {
  it('failover with replication lag loses writes, and the CLI says so without understating it', async () => {
    const { report } = await drill({ operation: 'failover', fault: 'lag' });
    expect(report.outcome).toBe('completed');
    expect(report.lostAcknowledged).toBeGreaterThan(0);
    expect(report.reportedDataLoss).not.toBeNull();
    expect(report.reportedDataLoss!.replicationLagMs).toBeGreaterThan(1_000);
    expect(report.reportedDataLoss!.honest).toBe(true);
    // The old writer was fenced and then rebuilt: what it alone held is what was lost.
    expect(report.splitBrainWrites).toBe(report.lostAcknowledged);
  });
});
