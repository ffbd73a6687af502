import { restoredInstanceId } from '../../src/aws/world';
import { checkClusterIdentifier, defaultRestoreTarget, parseRestoreTime } from '../../src/restore';
import { type Harness, harness } from '../harness';

let h: Harness;
afterEach(() => h.dispose());

// The model's clock starts at 2026-11-20T03:00:00Z; the window is the last 7 days up to 5 minutes ago.
const TIME = '2026-11-20T02:30:00.000Z';
const TARGET = 'txdr-dev-primary-aurora-pitr-20261120t023000';

/** A restore report: the harness types reports as DrReport, a restore's has its own shape. */
function restoreReport(h: Harness, index = 0): Record<string, unknown> {
  return h.reports()[index] as unknown as Record<string, unknown>;
}

describe('dr plan restore', () => {
  it("shows the writer's cluster, the window, the default target and what a run would do, changing nothing", async () => {
    h = harness();
    expect(await h.run(['plan', 'restore', '--to-time', '2026-11-20T02:30:00Z'])).toBe(0);
    const output = h.lastOutput();
    expect(output).toContain(`Plan: restore txdr-dev-primary-aurora (us-east-1) to ${TIME} into ${TARGET} for dev (nothing is changed)`);
    expect(output).toMatch(/restore-window .*restorable 2026-11-13T03:00:\d\d\.\d+Z \.\. 2026-11-20T02:5\d/);
    expect(output).toMatch(/restore-cluster \*/);
    expect(output).toContain('create-instance');
    expect(output).not.toContain('would refuse');
    expect(h.fake.writes()).toEqual([]);
  });
});

describe('dr restore', () => {
  it('restores into a new cluster with the source settings, creates its instance, waits, and reports the endpoint and next steps', async () => {
    h = harness();
    expect(await h.run(['restore', '--to-time', TIME])).toBe(0);
    // One confirmation, for the cluster and its instance together.
    expect(h.questions).toEqual([expect.stringContaining(`Restore txdr-dev-primary-aurora to ${TIME} into a new cluster ${TARGET} with one db.r6g.large instance in us-east-1?`)]);
    // The restore, then the instance; the live clusters are never changed.
    expect(h.fake.writes()).toEqual(['RestoreDBClusterToPointInTime us-east-1', 'CreateDBInstance us-east-1']);
    expect(h.fake.global.writer).toBe('primary');
    const restore = h.fake.calls.find((c) => c.command === 'RestoreDBClusterToPointInTime')!;
    expect(restore.input).toMatchObject({
      SourceDBClusterIdentifier: 'txdr-dev-primary-aurora',
      DBClusterIdentifier: TARGET,
      RestoreToTime: new Date(TIME),
      DBSubnetGroupName: 'txdr-dev-primary-aurora-subnets',
      VpcSecurityGroupIds: ['sg-primary0123456789abcdef'],
      KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/primary-0000-0000-0000-000000000000',
    });
    expect(h.fake.calls.find((c) => c.command === 'CreateDBInstance')!.input).toEqual({
      DBInstanceIdentifier: `${TARGET}-1`,
      DBClusterIdentifier: TARGET,
      DBInstanceClass: 'db.r6g.large',
      Engine: 'aurora-mysql',
    });
    expect(h.fake.dbInstances.get(`${TARGET}-1`)!.status).toBe('available');

    const output = h.lastOutput();
    expect(output).toMatch(/\[2\/3\] .* restore-cluster/);
    expect(output).toContain(`${TARGET} creating, restored to ${TIME}`);
    expect(output).toContain(`${TARGET}-1 creating`);
    expect(output).toContain(`endpoint: ${TARGET}.cluster-c0ffee123456.us-east-1.rds.amazonaws.com:3306`);
    expect(output).toContain(`data: as of ${TIME}`);
    expect(output).toMatch(/Copy rows back .* apply them to the live writer txdr-dev-primary-aurora/);
    expect(output).toMatch(/Cut over .* standalone, not part of txdr-dev-global/);

    const report = restoreReport(h);
    expect(report).toMatchObject({
      operation: 'restore',
      environment: 'dev',
      outcome: 'completed',
      source: { role: 'primary', region: 'us-east-1', cluster: 'txdr-dev-primary-aurora' },
      target: { cluster: TARGET, instance: `${TARGET}-1`, instanceClass: 'db.r6g.large', status: 'available', port: 3306 },
      restoreTime: TIME,
    });
    const steps = (report.recovery as { steps: { id: string; status: string; seconds: number }[] }).steps;
    expect(steps.map((s) => [s.id, s.status])).toEqual([
      ['restore-window', 'passed'],
      ['restore-cluster', 'done'],
      ['create-instance', 'done'],
    ]);
    // The waits follow the model's 15 minutes of restore and 8 of instance creation.
    expect(steps[1]!.seconds).toBeGreaterThanOrEqual(15 * 60);
    expect(steps[2]!.seconds).toBeGreaterThanOrEqual(8 * 60);
  });

  it('refuses a time outside the restorable window, naming both bounds, and creates nothing', async () => {
    h = harness();
    const tooEarly = new Date(h.fake.restorableWindow().earliest - 3_600_000).toISOString();
    expect(await h.run(['restore', '--to-time', tooEarly, '--yes'])).toBe(3);
    // The window moves with the clock: the bounds named are the ones read during the check.
    const { earliest, latest } = h.fake.restorableWindow();
    const output = h.lastOutput();
    const named = /the earliest restorable time is (\S+) and the latest (\S+)/.exec(output)!;
    expect(output).toContain(`${tooEarly} is outside the restorable window of txdr-dev-primary-aurora`);
    expect(Date.parse(named[1]!)).toBeGreaterThan(Date.parse(tooEarly));
    expect(Math.abs(Date.parse(named[1]!) - earliest)).toBeLessThan(5_000);
    expect(Math.abs(Date.parse(named[2]!) - latest)).toBeLessThan(5_000);
    expect(restoreReport(h)).toMatchObject({ outcome: 'refused', window: { earliest: named[1], latest: named[2] } });
    expect(h.fake.writes()).toEqual([]);

    // Later than LatestRestorableTime (the last few minutes are not restorable yet) refuses too.
    const tooLate = new Date(h.clock.t - 60_000).toISOString();
    expect(await h.run(['restore', '--to-time', tooLate, '--yes'])).toBe(3);
    expect(h.lastOutput()).toContain(`${tooLate} is outside the restorable window`);
    expect(h.fake.writes()).toEqual([]);
  });

  it('resumes a restore under way on a rerun without a second restore call, and a rerun once done changes nothing', async () => {
    h = harness();
    const controller = new AbortController();
    h.fake.onCall = (call) => {
      if (call.command === 'RestoreDBClusterToPointInTime') controller.abort();
    };
    expect(await h.run(['restore', '--to-time', TIME, '--yes'], { signal: controller.signal })).toBe(130);
    h.fake.onCall = undefined;
    expect(h.fake.otherClusters.get(TARGET)!.status).toBe('creating');
    expect(h.lastOutput()).toContain(`resume with: ENVIRONMENT_SUFFIX=dev npx dr restore --to-time ${TIME} --target-cluster ${TARGET}`);

    expect(await h.run(['restore', '--to-time', TIME, '--yes'])).toBe(0);
    expect(h.lastOutput()).toContain('restore-window: already done');
    expect(h.lastOutput()).toContain(`the restore into ${TARGET} is already under way (creating)`);
    expect(h.fake.count('RestoreDBClusterToPointInTime')).toBe(1);
    expect(h.fake.count('CreateDBInstance')).toBe(1);

    expect(await h.run(['restore', '--to-time', TIME, '--yes'])).toBe(0);
    expect(h.fake.writes()).toEqual(['RestoreDBClusterToPointInTime us-east-1', 'CreateDBInstance us-east-1']);
    expect(restoreReport(h, 2).recovery).toMatchObject({ steps: [{ status: 'already-done' }, { status: 'already-done' }, { status: 'already-done' }] });
  });

  it('refuses a target name another cluster already has, and names RDS\'s answer when the name is taken under it', async () => {
    h = harness();
    h.fake.takeClusterName('primary', 'scratch');
    expect(await h.run(['restore', '--to-time', TIME, '--target-cluster', 'scratch', '--yes'])).toBe(3);
    expect(h.lastOutput()).toContain(`a cluster named scratch already exists in us-east-1 and is not a restore of txdr-dev-primary-aurora to ${TIME}: name another with --target-cluster`);
    expect(h.fake.writes()).toEqual([]);

    // Taken between the check and the call: RDS answers DBClusterAlreadyExistsFault, and the run stops on it.
    h.fake.onCall = (call) => {
      if (call.command === 'RestoreDBClusterToPointInTime') h.fake.takeClusterName('primary', 'late');
    };
    expect(await h.run(['restore', '--to-time', TIME, '--target-cluster', 'late', '--yes'])).toBe(1);
    expect(h.lastOutput()).toMatch(/FAILED .*DBClusterAlreadyExistsFault/);
    expect(h.fake.count('CreateDBInstance')).toBe(0);
  });

  it("classifies a missing permission as the operator's to fix, not an outage", async () => {
    h = harness();
    h.fake.deny('rds:RestoreDBClusterToPointInTime');
    expect(await h.run(['restore', '--to-time', TIME, '--yes'])).toBe(1);
    expect(h.lastOutput()).toMatch(/FAILED .*AccessDenied on rds:RestoreDBClusterToPointInTime in us-east-1: the operator role needs rds:RestoreDBClusterToPointInTime/);
    expect(h.fake.writes()).toEqual(['RestoreDBClusterToPointInTime us-east-1']);
    expect(h.fake.otherClusters.size).toBe(0);

    h.dispose();
    h = harness();
    h.fake.deny('rds:DescribeDBClusters');
    expect(await h.run(['plan', 'restore', '--to-time', TIME])).toBe(1);
    expect(h.err.join('\n')).toContain("This is the operator's AWS access or configuration to fix, not an outage");
    expect(h.err.join('\n')).toContain('rds:DescribeDBClusters');
  });

  it('refuses a time without a zone and a target that is not an RDS identifier as usage errors', async () => {
    h = harness();
    expect(await h.run(['restore', '--to-time', '2026-11-20 02:30', '--yes'])).toBe(2);
    expect(h.err.join('\n')).toContain('is not an ISO-8601 time with a zone');
    expect(await h.run(['restore', '--to-time', TIME, '--target-cluster', '9-bad--name', '--yes'])).toBe(2);
    expect(h.err.join('\n')).toContain('is not a valid RDS cluster identifier');
    expect(await h.run(['restore', '--yes'])).toBe(2);
    expect(h.fake.writes()).toEqual([]);
  });
});

describe('restore names and times', () => {
  it('derives a valid identifier of at most 63 characters from any source name', () => {
    expect(defaultRestoreTarget('txdr-dev-primary-aurora', TIME)).toBe(TARGET);
    const long = defaultRestoreTarget(`a${'-b'.repeat(40)}`, TIME);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(() => checkClusterIdentifier(long)).not.toThrow();
    expect(long.endsWith('-pitr-20261120t023000')).toBe(true);
    expect(restoredInstanceId('x'.repeat(63))).toHaveLength(63);
  });

  it('reads offsets as instants in UTC', () => {
    expect(parseRestoreTime('2026-11-20T04:30:00+02:00')).toBe(TIME);
    expect(() => parseRestoreTime('2026-11-20T02:30:00')).toThrow(/with a zone/);
  });
});
