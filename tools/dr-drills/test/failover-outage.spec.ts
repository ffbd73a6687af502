import { DRILL_TIMEOUT_MS, drillHarness } from './harness';

jest.setTimeout(DRILL_TIMEOUT_MS);
const { drill } = drillHarness();

describe('dr drill failover through an outage (profile ci)', () => {
  it.each(['region-loss', 'route53-control-plane'] as const)('failover with %s completes and traffic reaches the new region', async (fault) => {
    const { report } = await drill({ operation: 'failover', fault });
    expect(report.outcome).toBe('completed');
    expect(report.rtoSeconds).not.toBeNull();
    // Health checks may have moved the traffic before the step looks: done or already done.
    expect(['done', 'already-done']).toContain(report.steps.find((s) => s.name === 'verify-traffic')!.status);
  });
});
