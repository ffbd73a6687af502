import { defineEnvironment } from '@txn-dr/config';
import { createAwsClients } from '../../src/aws/clients';
import { AwsWorld, LAG_STALE_AFTER_MS } from '../../src/aws/world';
import type { StatusSnapshot } from '../../src/status';
import { resolveTargets } from '../../src/targets';
import { FakeAws, FakeClock } from '../fake-aws';
import { type Harness, harness } from '../harness';

/** Fresh lag only: AuroraGlobalDBRPOLag is published per minute, and a datapoint that stopped coming is not the lag now. */

type Plan = { steps: { id: string; state: string; current: string; problems?: string[]; suggestion?: string }[]; unread: string[] };

let h: Harness;
afterEach(() => h.dispose());

async function plan(argv: string[]): Promise<{ code: number; preconditions: Plan['steps'][number]; plan: Plan }> {
  const code = await h.run(['plan', ...argv, '--json']);
  const parsed = JSON.parse(h.lastOutput()) as Plan;
  return { code, plan: parsed, preconditions: parsed.steps.find((s) => s.id === 'preconditions')! };
}

describe('the switchover and the replication lag', () => {
  it('passes a fresh datapoint, and shows its age', async () => {
    h = harness();
    const { code, preconditions } = await plan(['switchover']);
    expect(code).toBe(0);
    expect(preconditions.state).toBe('to do');
    expect(preconditions.current).toMatch(/lag 0\.4 s \(\d+ s old\)/);
  });

  it('refuses a datapoint ten minutes old, giving its age, and suggests no failover while us-east-1 answers', async () => {
    h = harness();
    h.fake.stopMetrics();
    h.clock.t += 9 * 60_000;
    expect(await h.run(['switchover', '--yes'])).toBe(3);
    const output = h.lastOutput();
    expect(output).toMatch(
      /the replication lag of txdr-dev-secondary-aurora is unknown: the latest AuroraGlobalDBRPOLag datapoint \(0\.4 s at 2026-11-20T02:59:00\.000Z\) is (9|10) min \d+ s old, older than twice the metric's 1-minute period/,
    );
    expect(output).toContain('us-east-1 answers: check that AuroraGlobalDBRPOLag (namespace AWS/RDS, DBClusterIdentifier txdr-dev-secondary-aurora) is published');
    expect(output).not.toContain('dr failover');
    expect(h.fake.writes()).toEqual([]);
  });

  it('refuses when there is no datapoint at all', async () => {
    h = harness();
    h.fake.dropMetrics();
    const { code, preconditions } = await plan(['switchover']);
    // CloudWatch answered: what it said is the picture, so the plan is complete.
    expect(code).toBe(0);
    expect(preconditions.state).toBe('blocked');
    expect(preconditions.problems).toContain('the replication lag of txdr-dev-secondary-aurora is unknown: no AuroraGlobalDBRPOLag datapoint in the last 10 minutes');
  });

  it('passes again once the metric is published again', async () => {
    h = harness();
    h.fake.stopMetrics();
    h.clock.t += 5 * 60_000;
    expect((await plan(['switchover'])).preconditions.state).toBe('blocked');
    h.fake.resumeMetrics();
    h.clock.t += 2.5 * 60_000;
    expect((await plan(['switchover'])).preconditions.state).toBe('to do');
  });

  it('cannot read the lag when CloudWatch is throttled past the retries: refused, and the plan is incomplete', async () => {
    h = harness();
    h.fake.throttle('GetMetricStatistics', 3);
    const { code, preconditions, plan: parsed } = await plan(['switchover']);
    expect(code).toBe(5);
    expect(preconditions.problems).toContain('the replication lag of txdr-dev-secondary-aurora is unknown: CloudWatch in us-east-2: ThrottlingException: Rate exceeded');
    expect(parsed.unread).toEqual(['replication lag: CloudWatch in us-east-2: ThrottlingException: Rate exceeded']);
  });
});

describe('dr status and the replication lag', () => {
  it('shows the age of a fresh datapoint, and a stale one as unknown with its age', async () => {
    h = harness();
    expect(await h.run(['status'])).toBe(0);
    expect(h.lastOutput()).toMatch(/│ replication lag +│ - +│ 0\.4 s \(\d+ s old\) +│/);
    h.fake.stopMetrics();
    h.clock.t += 4 * 60_000;
    expect(await h.run(['status'])).toBe(0);
    expect(h.lastOutput()).toMatch(/│ replication lag +│ - +│ unknown: stale, last 0\.4 s \(\d+ min \d+ s old\) +│/);
    expect(await h.run(['status', '--json'])).toBe(0);
    const status = JSON.parse(h.lastOutput()) as StatusSnapshot;
    expect(status.database.lag).toBeUndefined();
    expect(status.database.lagUnknown).toMatchObject({ role: 'secondary', reason: 'stale', last: { milliseconds: 400, at: '2026-11-20T02:59:00.000Z' } });
    expect(status.database.lagUnknown!.last!.ageMs).toBeGreaterThan(LAG_STALE_AFTER_MS);
  });
});

describe('AwsWorld: where freshness ends', () => {
  const targets = resolveTargets(defineEnvironment({ name: 'dev' }));

  it('trusts a datapoint up to twice the period after the end of its minute, and not after', async () => {
    const clock = new FakeClock();
    const fake = new FakeAws(targets, clock).install();
    try {
      const world = new AwsWorld(targets, createAwsClients(targets), { http: fake.http, clock });
      fake.stopMetrics();
      // The minute under way when publishing stopped is the last one: let it be published.
      clock.t += 60_000;
      const before = await world.readDatabase();
      const ended = Date.parse(before.lag!.at) + 60_000;
      // The reads before the metric's (the global cluster and both clusters) take a little virtual time.
      clock.t = ended + LAG_STALE_AFTER_MS - 5_000;
      const fresh = await world.readDatabase();
      expect(fresh.lag?.ageMs).toBeLessThanOrEqual(LAG_STALE_AFTER_MS);
      clock.t = ended + LAG_STALE_AFTER_MS + 1_000;
      const stale = await world.readDatabase();
      expect(stale.lag).toBeUndefined();
      expect(stale.lagUnknown).toMatchObject({ reason: 'stale', last: { at: before.lag!.at } });
      expect(stale.lagUnknown!.last!.ageMs).toBeGreaterThan(LAG_STALE_AFTER_MS);
    } finally {
      fake.restore();
    }
  });
});

describe('a failover with the lag gone stale', () => {
  it('keeps the last datapoint seen as its data-loss window, with its time', async () => {
    h = harness({ lagMs: 800 });
    h.fake.impair('primary');
    h.fake.stopMetrics();
    h.clock.t += 5 * 60_000;
    expect(await h.run(['failover', '--yes', '--to', 'us-east-2'])).toBe(0);
    expect(h.reports()[0]!.dataLossWindow).toMatchObject({ replicationLagMs: 800, observedAt: '2026-11-20T02:59:00.000Z', cluster: 'txdr-dev-secondary-aurora' });
  });
});
