import { defineEnvironment } from '@txn-dr/config';
import { type Harness, harness } from './harness';

let h: Harness;
afterEach(() => h.dispose());

const failedOverEnv = () => defineEnvironment({ name: 'dev', activeRegion: 'us-east-2' });

describe('dr failover with us-east-1 impaired', () => {
  beforeEach(() => {
    h = harness({ lagMs: 800 });
    h.fake.impair('primary');
  });

  it('promotes us-east-2 allowing data loss, goes on while us-east-1 times out, and reports the lag last seen', async () => {
    expect(await h.run(['failover', '--yes'])).toBe(0);
    expect(h.fake.global.writer).toBe('secondary');
    expect([h.fake.regions.primary.weight, h.fake.regions.secondary.weight]).toEqual([0, 100]);
    expect(h.fake.regions.secondary.asg).toMatchObject({ min: 2, desired: 2, max: 4 });

    const failover = h.fake.calls.find((c) => c.command === 'FailoverGlobalCluster')!;
    expect(failover).toMatchObject({
      region: 'us-east-2',
      input: { GlobalClusterIdentifier: 'txdr-dev-global', TargetDbClusterIdentifier: 'arn:aws:rds:us-east-2:123456789012:cluster:txdr-dev-secondary-aurora', AllowDataLoss: true },
    });
    expect(h.fake.count('SwitchoverGlobalCluster')).toBe(0);
    // Capacity is asked for first so instances boot while the database is promoted.
    expect(h.fake.writes()).toEqual([
      'UpdateAutoScalingGroup us-east-2',
      'FailoverGlobalCluster us-east-2',
      'ChangeResourceRecordSets us-east-1',
    ]);
    // us-east-1 stopped being asked once it had timed out: each try would cost the full timeout.
    const asked = h.fake.calls.filter((c) => c.region === 'us-east-1' && !['ChangeResourceRecordSets', 'ListHostedZonesByName', 'ListResourceRecordSets', 'GetHealthCheckStatus', 'GetChange'].includes(c.command));
    expect(asked.length).toBeLessThanOrEqual(3);

    const [report] = h.reports();
    expect(report).toMatchObject({
      operation: 'failover',
      outcome: 'completed',
      dataLossWindow: { replicationLagMs: 800, cluster: 'txdr-dev-secondary-aurora' },
      deferred: { steps: ['scale-down-old'], command: 'ENVIRONMENT_SUFFIX=dev npx dr failover --to us-east-2' },
      configChange: { to: 'us-east-2' },
    });
    const statuses = Object.fromEntries(report!.recovery.steps.map((s) => [s.id, s.status]));
    expect(statuses).toEqual({
      preconditions: 'passed',
      'request-capacity': 'done',
      'promote-database': 'done',
      'await-capacity': 'done',
      'move-traffic': 'done',
      // Route 53's health checks had already sent the public name to us-east-2 on their own;
      // with the database promoted, /health there reports the writer.
      'verify-health': 'already-done',
      'scale-down-old': 'deferred',
    });
    expect(report!.recovery.steps.find((s) => s.id === 'scale-down-old')!.error).toMatch(/^RegionSkipped: us-east-1 did not answer \d+ s ago/);

    const output = h.lastOutput();
    expect(output).toContain('data-loss window: replication lag last seen 0.8 s (txdr-dev-secondary-aurora,');
    expect(output).toContain('deferred until us-east-1 answers again: scale-down-old; then run: ENVIRONMENT_SUFFIX=dev npx dr failover --to us-east-2');
    expect(output).toContain('failover COMPLETED: us-east-1 -> us-east-2');
  });

  it('asks before failing over and names the data it may lose', async () => {
    expect(await h.run(['failover'])).toBe(0);
    expect(h.questions[0]).toBe('Fail txdr-dev-global over to txdr-dev-secondary-aurora in us-east-2, allowing the loss of writes not yet replicated (lag last seen 0.8 s)?');
  });

  it('is what a refused switchover suggests', async () => {
    expect(await h.run(['switchover', '--yes'])).toBe(3);
    const output = h.lastOutput();
    expect(output).toMatch(/us-east-1 does not answer for txdr-dev-primary-aurora: TimeoutError/);
    expect(output).toContain('If us-east-1 is impaired, run `dr failover`');
    expect(h.fake.writes()).toEqual([]);
  });

  it('resumes a failover interrupted while the database is promoted, without a second failover call', async () => {
    const controller = new AbortController();
    h.fake.onCall = (call) => {
      if (call.command === 'FailoverGlobalCluster') controller.abort();
    };
    expect(await h.run(['failover', '--yes'], { signal: controller.signal })).toBe(130);
    h.fake.onCall = undefined;
    expect(await h.run(['failover', '--yes', '--to', 'us-east-2'])).toBe(0);
    expect(h.fake.count('FailoverGlobalCluster')).toBe(1);
    expect(h.fake.global.writer).toBe('secondary');
    const [first, second] = h.reports();
    expect(first!.dataLossWindow!.replicationLagMs).toBe(800);
    // The resumed run saw the promotion under way and still knows the lag from before it.
    expect(second!.dataLossWindow!.replicationLagMs).toBe(800);
  });

  it('completes the deferred clean-up once us-east-1 answers again, then fails back', async () => {
    expect(await h.run(['failover', '--yes'])).toBe(0);
    // Before the region is back, a failback refuses: it is a planned, lossless switchover.
    expect(await h.run(['failback', '--yes'], { loadEnvironment: failedOverEnv })).toBe(3);
    expect(h.lastOutput()).toMatch(/us-east-1 does not answer/);

    h.fake.recover('primary');
    const before = h.fake.writes().length;
    expect(await h.run(['failover', '--yes', '--to', 'us-east-2'])).toBe(0);
    expect(h.fake.regions.primary.asg).toMatchObject({ min: 1, desired: 1, max: 4 });
    // The rerun changes only what was deferred.
    expect(h.fake.writes().slice(before)).toEqual(['UpdateAutoScalingGroup us-east-1']);
    expect(h.reports()[2]!.recovery.steps.find((s) => s.id === 'promote-database')!.status).toBe('already-done');

    expect(await h.run(['failback', '--yes'], { loadEnvironment: failedOverEnv })).toBe(0);
    expect(h.fake.global.writer).toBe('primary');
    expect([h.fake.regions.primary.weight, h.fake.regions.secondary.weight]).toEqual([100, 0]);
    expect(h.fake.regions.primary.asg).toMatchObject({ min: 2, desired: 2, max: 4 });
    expect(h.fake.regions.secondary.asg).toMatchObject({ min: 1, desired: 1, max: 4 });
    const failback = h.reports()[3]!;
    expect(failback).toMatchObject({
      operation: 'failback',
      outcome: 'completed',
      from: { region: 'us-east-2' },
      to: { region: 'us-east-1' },
      configChange: { from: 'us-east-2', to: 'us-east-1' },
    });
    expect(failback.dataLossWindow).toBeUndefined();
    expect(h.fake.calls.filter((c) => c.command === 'SwitchoverGlobalCluster').map((c) => c.input.TargetDbClusterIdentifier)).toEqual([
      'arn:aws:rds:us-east-1:123456789012:cluster:txdr-dev-primary-aurora',
    ]);
  });
});

describe('dr failback', () => {
  it('has nothing to do when us-east-1 is already the writer and takes the traffic', async () => {
    h = harness();
    expect(await h.run(['failback', '--yes'])).toBe(0);
    expect(h.fake.writes()).toEqual([]);
    expect(h.reports()[0]!.recovery.steps.map((s) => s.status)).toEqual(['already-done', 'already-done', 'already-done', 'already-done', 'already-done', 'already-done']);
    expect(h.reports()[0]!.configChange).toBeUndefined();
  });

  it('moves back only to the primary region', async () => {
    h = harness();
    expect(await h.run(['failback', '--to', 'us-east-2'])).toBe(2);
    expect(h.err.join('\n')).toContain('failback moves back to us-east-1; to go to us-east-2, run a switchover');
  });
});
