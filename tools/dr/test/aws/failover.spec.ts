import { defineEnvironment } from '@txn-dr/config';
import { type Harness, harness } from '../harness';

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
    // The weights stay as Terraform set them: no call to Route 53's control plane, in us-east-1.
    expect([h.fake.regions.primary.weight, h.fake.regions.secondary.weight]).toEqual([100, 0]);
    expect(h.fake.count('ChangeResourceRecordSets')).toBe(0);
    expect(h.fake.regions.secondary.asg).toMatchObject({ min: 2, desired: 2, max: 4 });

    const failover = h.fake.calls.find((c) => c.command === 'FailoverGlobalCluster')!;
    expect(failover).toMatchObject({
      region: 'us-east-2',
      input: { GlobalClusterIdentifier: 'txdr-dev-global', TargetDbClusterIdentifier: 'arn:aws:rds:us-east-2:123456789012:cluster:txdr-dev-secondary-aurora', AllowDataLoss: true },
    });
    expect(h.fake.count('SwitchoverGlobalCluster')).toBe(0);
    // Capacity is asked for first so instances boot while the database is promoted. Fencing
    // us-east-1 is not even sent: it has just failed to answer, and is skipped for a while.
    expect(h.fake.writes()).toEqual(['UpdateAutoScalingGroup us-east-2', 'FailoverGlobalCluster us-east-2']);
    // us-east-1 stopped being asked once it had timed out (each try would cost the full timeout):
    // two reads in parallel when the direction is read, and again once 60 s have passed.
    const asked = h.fake.calls.filter((c) => c.region === 'us-east-1' && !['ChangeResourceRecordSets', 'ListHostedZonesByName', 'ListResourceRecordSets', 'GetHealthCheckStatus', 'GetChange'].includes(c.command));
    expect(asked.length).toBeLessThanOrEqual(4);

    const [report] = h.reports();
    expect(report).toMatchObject({
      operation: 'failover',
      outcome: 'completed',
      dataLossWindow: { replicationLagMs: 800, cluster: 'txdr-dev-secondary-aurora' },
      deferred: { steps: ['fence-source'], command: 'ENVIRONMENT_SUFFIX=dev npx dr failover --to us-east-2' },
      configChange: { to: 'us-east-2' },
    });
    const statuses = Object.fromEntries(report!.recovery.steps.map((s) => [s.id, s.status]));
    expect(statuses).toEqual({
      preconditions: 'passed',
      'request-capacity': 'done',
      // us-east-1 does not answer: it cannot be fenced now, and the failover goes on.
      'fence-source': 'deferred',
      'promote-database': 'done',
      'await-capacity': 'done',
      // Route 53's health checks move the public name to us-east-2 once it takes writes; resolvers
      // follow after the TTL.
      'verify-traffic': 'done',
    });
    expect(report!.recovery.steps.find((s) => s.id === 'fence-source')!.error).toMatch(/TimeoutError|RegionSkipped/);

    const output = h.lastOutput();
    expect(output).toContain('data-loss window: replication lag last seen 0.8 s (txdr-dev-secondary-aurora,');
    expect(output).toContain('deferred until us-east-1 answers again: fence-source; then run: ENVIRONMENT_SUFFIX=dev npx dr failover --to us-east-2');
    expect(output).toContain('failover COMPLETED: us-east-1 -> us-east-2');
  });

  it('asks before fencing and before failing over, and names the data it may lose', async () => {
    expect(await h.run(['failover'])).toBe(0);
    expect(h.questions[0]).toBe('Set txdr-dev-primary-asg in us-east-1 to 0/0/0, stopping every instance of the old region?');
    expect(h.questions[1]).toBe('Fail txdr-dev-global over to txdr-dev-secondary-aurora in us-east-2, allowing the loss of writes not yet replicated (lag last seen 0.8 s)?');
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
    // Fenced: us-east-1 keeps no instance until a failback brings it back as the standby.
    expect(h.fake.regions.primary.asg).toMatchObject({ min: 0, desired: 0, max: 0 });
    // The rerun changes only what was deferred.
    expect(h.fake.writes().slice(before)).toEqual(['UpdateAutoScalingGroup us-east-1']);
    expect(h.reports()[2]!.recovery.steps.find((s) => s.id === 'promote-database')!.status).toBe('already-done');

    // Aurora rebuilds the old primary before it rejoins as a connected secondary; its lag is published from then on.
    h.clock.t += 25 * 60_000;
    expect(await h.run(['failback', '--yes'], { loadEnvironment: failedOverEnv })).toBe(0);
    expect(h.fake.global.writer).toBe('primary');
    expect([h.fake.regions.primary.weight, h.fake.regions.secondary.weight]).toEqual([100, 0]);
    expect(h.fake.regions.primary.asg).toMatchObject({ min: 2, desired: 2, max: 4 });
    expect(h.fake.count('ChangeResourceRecordSets')).toBe(0);
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

describe('dr failover needs evidence that the source is impaired', () => {
  it('refuses while us-east-1 answers as the available writer and passes its health checks', async () => {
    h = harness({ lagMs: 800 });
    expect(await h.run(['failover', '--yes'])).toBe(3);
    expect(h.reports()[0]!.problems).toContainEqual(expect.stringContaining('us-east-1 answers and txdr-dev-primary-aurora is its available writer'));
    expect(h.reports()[0]!.problems).toContainEqual(expect.stringContaining('run again with --force'));
    expect(h.fake.writes()).toEqual([]);
  });

  it("takes Route 53's failing writable checks as evidence when the API still says available", async () => {
    h = harness({ lagMs: 800 });
    // The database hangs behind an API that answers: only the health checks see it.
    h.fake.regions.primary.healthy = false;
    expect(await h.run(['failover', '--yes'])).toBe(0);
    expect(h.fake.global.writer).toBe('secondary');
  });

  it('goes on with --force, the operator vouching for what the API does not show', async () => {
    h = harness({ lagMs: 800 });
    expect(await h.run(['failover', '--yes', '--force'])).toBe(0);
    expect(h.fake.global.writer).toBe('secondary');
    expect(h.reports()[0]!.resumeCommand ?? '').not.toContain('--to us-east-1');
  });
});

describe('dr failback after an unplanned failover', () => {
  it('refuses while Aurora rebuilds the old primary, naming the snapshot that holds the lost writes, then completes', async () => {
    h = harness({ lagMs: 800 });
    h.fake.impair('primary');
    expect(await h.run(['failover', '--yes'])).toBe(0);
    h.fake.recover('primary');

    expect(await h.run(['failback', '--yes'], { loadEnvironment: failedOverEnv })).toBe(3);
    const refused = h.reports().at(-1)!;
    expect(refused.outcome).toBe('refused');
    // (Its lag is unknown too: a cluster being rebuilt publishes none.)
    expect(refused.problems).toContainEqual(
      expect.stringMatching(
        /^txdr-dev-primary-aurora is pending-resync, not connected to the writer: after a failover Aurora rebuilds the old primary as a secondary, .* kept in snapshot rds:unplanned-global-failover-txdr-dev-primary-aurora-\S+ \(us-east-1, /,
      ),
    );
    expect(h.fake.count('SwitchoverGlobalCluster')).toBe(0);

    h.clock.t += 25 * 60_000;
    expect(await h.run(['failback', '--yes'], { loadEnvironment: failedOverEnv })).toBe(0);
    expect(h.fake.global.writer).toBe('primary');
  });
});

describe('dr failback', () => {
  it('has nothing to do when us-east-1 is already the writer and takes the traffic', async () => {
    h = harness();
    expect(await h.run(['failback', '--yes'])).toBe(0);
    expect(h.fake.writes()).toEqual([]);
    expect(h.reports()[0]!.recovery.steps.map((s) => s.status)).toEqual(['already-done', 'already-done', 'already-done', 'already-done', 'already-done']);
    expect(h.reports()[0]!.configChange).toBeUndefined();
  });

  it('moves back only to the primary region', async () => {
    h = harness();
    expect(await h.run(['failback', '--to', 'us-east-2'])).toBe(2);
    expect(h.err.join('\n')).toContain('failback moves back to us-east-1; to go to us-east-2, run a switchover');
  });
});
