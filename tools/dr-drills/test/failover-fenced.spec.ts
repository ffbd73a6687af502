import { DRILL_TIMEOUT_MS, drillHarness } from './harness';

jest.setTimeout(DRILL_TIMEOUT_MS);
const { drill } = drillHarness();

describe('dr drill failover from a frozen writer (profile ci)', () => {
  it('failover from a frozen writer fences the old region: no write acknowledged there afterwards', async () => {
    const { report } = await drill({ operation: 'failover', fault: 'freeze-writer' });
    expect(report.outcome).toBe('completed');
    expect(report.fencingConfirmed).toBe(true);
    expect(report.splitBrainWrites).toBe(0);
    expect(report.rtoSeconds).not.toBeNull();
  });
});
