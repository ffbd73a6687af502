import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { defineEnvironment } from '@txn-dr/config';
import { IMPAIRED_CALLS, NORMAL_CALLS, createAwsClients } from '../../src/aws/clients';
import { AwsWorld } from '../../src/aws/world';
import { OperatorError } from '../../src/errors';
import { resolveTargets } from '../../src/targets';
import type { DatabaseState } from '../../src/world';
import { FakeAws, type FakeAwsOptions, FakeClock } from '../fake-aws';
import { type Harness, harness } from '../harness';

/** The model is as unkind as AWS: retries cost time, credentials fail, Route 53's API fails with us-east-1, things take time. */

const targets = resolveTargets(defineEnvironment({ name: 'dev' }));
let clock: FakeClock;
let fake: FakeAws;

function model(options: FakeAwsOptions = {}) {
  clock = new FakeClock();
  fake = new FakeAws(targets, clock, options).install();
}
const world = (impaired?: 'primary') => new AwsWorld(targets, createAwsClients(targets, impaired ? { impaired } : {}), { http: fake.http, clock, ...(impaired ? { impaired } : {}) });
afterEach(() => fake?.restore());

async function until(done: (db: DatabaseState) => boolean, w: AwsWorld) {
  for (let i = 0; i < 500; i++) {
    const db = await w.readDatabase();
    if (done(db)) return db;
    clock.t += 5_000;
  }
  throw new Error('never done');
}

describe('throttling, with the SDK retrying', () => {
  it('costs the backoff of each throttled attempt, and the call succeeds when an attempt gets through', async () => {
    model({ callMs: 100 });
    fake.throttle('DescribeAutoScalingGroups', 2);
    const started = clock.t;
    expect(await world().readCapacity('primary')).toMatchObject({ reachable: true, desired: 2 });
    // Three attempts of DescribeAutoScalingGroups, 500 ms and 1 s of backoff, then DescribeTargetGroups and DescribeTargetHealth.
    expect(clock.t - started).toBe(3 * 100 + 500 + 1_000 + 2 * 100);
  });

  it('fails with the protocol\'s name once every attempt was throttled: an outage by definition', async () => {
    model();
    fake.throttle('DescribeAutoScalingGroups', NORMAL_CALLS.maxAttempts);
    expect(await world().readCapacity('primary')).toEqual(expect.objectContaining({ reachable: false, impaired: true, error: 'Throttling: Rate exceeded' }));
    fake.throttle('GetMetricStatistics', NORMAL_CALLS.maxAttempts);
    expect((await world().readDatabase()).lagUnknown).toMatchObject({ reason: 'unreadable', error: 'CloudWatch in us-east-2: ThrottlingException: Rate exceeded' });
  });
});

describe('a region that does not answer', () => {
  it('costs every attempt its request timeout, with the timeouts the client was built with', async () => {
    model();
    fake.impair('primary');
    let started = clock.t;
    expect(await world().readCapacity('primary')).toMatchObject({ reachable: false, impaired: true, error: expect.stringMatching(/^TimeoutError/) });
    expect(clock.t - started).toBeGreaterThanOrEqual(NORMAL_CALLS.maxAttempts * NORMAL_CALLS.requestTimeoutMs);
    started = clock.t;
    await world('primary').readCapacity('primary');
    expect(clock.t - started).toBeLessThan(NORMAL_CALLS.maxAttempts * NORMAL_CALLS.requestTimeoutMs);
    expect(clock.t - started).toBeGreaterThanOrEqual(IMPAIRED_CALLS.maxAttempts * IMPAIRED_CALLS.requestTimeoutMs);
  });
});

describe('credentials and permissions', () => {
  it('missing: every call fails before it is sent, as the operator\'s problem', async () => {
    model();
    fake.credentials = 'missing';
    await expect(world().readDatabase()).rejects.toThrow(OperatorError);
    await expect(world().readCapacity('secondary')).rejects.toThrow(/^no AWS credentials found: set AWS_PROFILE or run `aws sso login`/);
    await expect(world().readTraffic()).rejects.toThrow(/^no AWS credentials found/);
  });

  it('expiring at a moment of the run: calls after it are refused by AWS', async () => {
    model();
    fake.credentialsExpireAt = clock.t + 60_000;
    expect(await world().readCapacity('secondary')).toMatchObject({ reachable: true });
    clock.t += 60_000;
    await expect(world().readCapacity('secondary')).rejects.toThrow(/^the AWS credentials have expired: .* \(ExpiredToken: The security token included in the request is expired\)$/);
    // CloudWatch's JSON protocol names it ExpiredTokenException: same problem, same message.
    await expect(world().readDatabase()).rejects.toThrow(/^the AWS credentials have expired/);
  });

  it('a denied action: AccessDenied naming it, whatever the service', async () => {
    model();
    fake.deny('autoscaling:UpdateAutoScalingGroup');
    await expect(world().setCapacity('secondary', { min: 2, desired: 2, max: 4 })).rejects.toThrow(
      /^AccessDenied on autoscaling:UpdateAutoScalingGroup in us-east-2: the operator role needs autoscaling:UpdateAutoScalingGroup/,
    );
    expect(fake.regions.secondary.asg.desired).toBe(1);
  });
});

describe("Route 53's control plane failing with us-east-1", () => {
  it('makes its API time out while DNS answers and health checks go on', async () => {
    model();
    fake.impair('primary', { route53: true });
    const traffic = await world('primary').readTraffic();
    expect(traffic).toMatchObject({ reachable: false, impaired: true, error: expect.stringMatching(/^TimeoutError/) });
    await expect(world('primary').setWeights({ primary: 0, secondary: 100 })).rejects.toMatchObject({ name: 'TimeoutError' });

    // The data plane: once us-east-2 takes writes, its health check passes and resolvers follow after the TTL.
    const leaving = world('primary');
    await leaving.failoverDatabase('secondary');
    await until((db) => db.writer === 'secondary' && !db.operation, leaving);
    clock.t += 60_000;
    expect(await leaving.checkHealth()).toMatchObject({ ok: true, region: 'us-east-2', role: 'writer' });
    // No record changed: the weights are as they were.
    expect(fake.count('ChangeResourceRecordSets')).toBe(0);
    expect([fake.regions.primary.weight, fake.regions.secondary.weight]).toEqual([100, 0]);

    fake.recover('primary');
    expect(await world().readTraffic()).toMatchObject({ reachable: true });
  });

  it('is a separate choice: us-east-1 alone leaves Route 53 answering', async () => {
    model();
    fake.impair('primary');
    expect(await world('primary').readTraffic()).toMatchObject({ reachable: true });
  });

  it('makes dr status incomplete, not a failure: exit 5', async () => {
    const h: Harness = harness();
    try {
      h.fake.impair('primary', { route53: true });
      expect(await h.run(['status'])).toBe(5);
      expect(h.lastOutput()).toMatch(/- Route 53 \(app\.dr-dev\.example\.com\) did not answer: TimeoutError/);
    } finally {
      h.dispose();
    }
  });
});

describe('traffic follows the writable health checks', () => {
  it('moves only once the new writer takes writes, and resolvers keep the old answer for the TTL', async () => {
    model({ detectionMs: 90_000 });
    const w = world();
    await w.switchoverDatabase('secondary');
    const moved = await until((db) => db.writer === 'secondary' && !db.operation, w);
    expect(moved.writer).toBe('secondary');
    // Detection (the check's interval x threshold) and then the 60 s TTL: the old region answers, as a reader.
    expect(await w.checkHealth()).toMatchObject({ region: 'us-east-1', role: 'reader' });
    clock.t += 90_000;
    expect(await w.checkHealth()).toMatchObject({ region: 'us-east-1' });
    clock.t += 60_000;
    expect(await w.checkHealth()).toMatchObject({ ok: true, region: 'us-east-2', role: 'writer' });
  });

  it('shows the checkers as Route 53 reports them: the standby, a reader, fails the writable check', async () => {
    model();
    const traffic = await world().readTraffic();
    expect(traffic.records.primary).toMatchObject({ health: 'healthy', checkersHealthy: 16 });
    expect(traffic.records.secondary).toMatchObject({ health: 'unhealthy', checkersHealthy: 0 });
  });
});

describe('instances', () => {
  it('boot before they serve, and scaled in, terminate for a while before they are gone', async () => {
    model({ bootMs: 40_000, terminateMs: 20_000 });
    const w = world();
    await w.setCapacity('secondary', { min: 2, desired: 2, max: 4 });
    expect(await w.readCapacity('secondary')).toMatchObject({ inService: 1, healthyTargets: 1, instances: 2 });
    clock.t += 40_000;
    expect(await w.readCapacity('secondary')).toMatchObject({ inService: 2, healthyTargets: 2 });

    await w.setCapacity('primary', { min: 0, desired: 0, max: 0 });
    expect(await w.readCapacity('primary')).toMatchObject({ desired: 0, inService: 0, healthyTargets: 0, instances: 2 });
    expect(fake.regions.primary.asg.instances.map((i) => i.lifecycle)).toEqual(['Terminating', 'Terminating']);
    clock.t += 20_000;
    expect(await w.readCapacity('primary')).toMatchObject({ instances: 0 });
  });
});

describe('AuroraGlobalDBRPOLag datapoints', () => {
  it('come one per minute, stamped with its start, readable a while after it ends, in no particular order', async () => {
    model({ metricDelayMs: 30_000 });
    const cloudWatch = new CloudWatchClient({ region: 'us-east-2' });
    const end = clock.t;
    const result = await cloudWatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/RDS',
        MetricName: 'AuroraGlobalDBRPOLag',
        Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'txdr-dev-secondary-aurora' }],
        StartTime: new Date(end - 5 * 60_000),
        EndTime: new Date(end),
        Period: 60,
        Statistics: ['Maximum'],
      }),
    );
    const times = (result.Datapoints ?? []).map((d) => d.Timestamp!.getTime());
    expect(times.every((t) => t % 60_000 === 0)).toBe(true);
    expect(Math.max(...times) + 60_000 + 30_000).toBeLessThanOrEqual(clock.t);
    expect(times).not.toEqual([...times].sort((a, b) => a - b));
    // The primary, the writer, has none.
    const primary = await new CloudWatchClient({ region: 'us-east-1' }).send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/RDS',
        MetricName: 'AuroraGlobalDBRPOLag',
        Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'txdr-dev-primary-aurora' }],
        StartTime: new Date(end - 5 * 60_000),
        EndTime: new Date(end),
        Period: 60,
        Statistics: ['Maximum'],
      }),
    );
    expect(primary.Datapoints).toEqual([]);
  });
});
