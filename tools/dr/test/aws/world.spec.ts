import { defineEnvironment } from '@txn-dr/config';
import { createAwsClients } from '../../src/aws/clients';
import { AwsWorld } from '../../src/aws/world';
import { resolveTargets } from '../../src/targets';
import { FakeAws, FakeClock } from '../fake-aws';

const targets = resolveTargets(defineEnvironment({ name: 'dev' }));
let fake: FakeAws;
let world: AwsWorld;
let clock: FakeClock;

beforeEach(() => {
  clock = new FakeClock();
  fake = new FakeAws(targets, clock).install();
  world = new AwsWorld(targets, createAwsClients(targets), { http: fake.http, clock });
});
afterEach(() => fake.restore());

describe('AwsWorld', () => {
  it('finds every resource by the names config gives', async () => {
    await world.readDatabase();
    await world.readCapacity('secondary');
    await world.readTraffic();
    const inputs = fake.calls.map((c) => [c.command, c.region, c.input]);
    expect(inputs).toEqual(
      expect.arrayContaining([
        ['DescribeGlobalClusters', 'us-east-1', { GlobalClusterIdentifier: 'txdr-dev-global' }],
        ['DescribeDBClusters', 'us-east-2', { DBClusterIdentifier: 'txdr-dev-secondary-aurora' }],
        ['DescribeAutoScalingGroups', 'us-east-2', { AutoScalingGroupNames: ['txdr-dev-secondary-asg'] }],
        ['DescribeTargetGroups', 'us-east-2', { Names: ['txdr-dev-sec-tg'] }],
        ['ListHostedZonesByName', 'us-east-1', { DNSName: 'dr-dev.example.com', MaxItems: 10 }],
      ]),
    );
  });

  it('reads the latest AuroraGlobalDBRPOLag of the secondary in its own region', async () => {
    fake.lagMs = 1234;
    const db = await world.readDatabase();
    expect(db.lag).toMatchObject({ role: 'secondary', milliseconds: 1234 });
    expect(Date.parse(db.lag!.at) % 60_000).toBe(0);
    expect(db.lag!.ageMs).toBeLessThanOrEqual(120_000);
    const lagCall = fake.calls.find((c) => c.command === 'GetMetricStatistics')!;
    expect(lagCall.region).toBe('us-east-2');
    expect(lagCall.input).toMatchObject({ Namespace: 'AWS/RDS', MetricName: 'AuroraGlobalDBRPOLag', Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'txdr-dev-secondary-aurora' }], Period: 60 });
  });

  it('asks the other region for the global cluster when one times out, and that one first next time', async () => {
    fake.impair('primary');
    const db = await world.readDatabase();
    expect(db).toMatchObject({ reachable: true, writer: 'primary', clusters: { primary: { reachable: false, error: expect.stringMatching(/^TimeoutError/) }, secondary: { reachable: true, status: 'available' } } });
    fake.calls.length = 0;
    await world.readDatabase();
    expect(fake.calls.filter((c) => c.command === 'DescribeGlobalClusters').map((c) => c.region)).toEqual(['us-east-2']);
  });

  it('stops asking the region a failover leaves for a minute after it failed to answer', async () => {
    const leaving = new AwsWorld(targets, createAwsClients(targets, { impaired: 'primary' }), { http: fake.http, clock, impaired: 'primary' });
    fake.impair('primary');
    expect(await leaving.readCapacity('primary')).toMatchObject({ reachable: false, error: expect.stringMatching(/^TimeoutError/) });
    const asked = () => fake.calls.filter((c) => c.region === 'us-east-1').length;
    const before = asked();
    expect(await leaving.readCapacity('primary')).toMatchObject({ reachable: false, error: expect.stringMatching(/^RegionSkipped: us-east-1 did not answer \d+ s ago/) });
    await expect(leaving.setCapacity('primary', { min: 1, desired: 1, max: 4 })).rejects.toThrow(/did not answer/);
    expect(asked()).toBe(before);
    clock.t += 60_000;
    fake.recover('primary');
    expect(await leaving.readCapacity('primary')).toMatchObject({ reachable: true, desired: 2 });
  });

  it('keeps asking a region that answers, even with an error', async () => {
    const leaving = new AwsWorld(targets, createAwsClients(targets, { impaired: 'primary' }), { http: fake.http, clock, impaired: 'primary' });
    fake.failNext('DescribeAutoScalingGroups', Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }));
    expect(await leaving.readCapacity('primary')).toMatchObject({ reachable: false, error: 'Throttling: Rate exceeded' });
    expect(await leaving.readCapacity('primary')).toMatchObject({ reachable: true });
  });

  it('reports the database unreachable, with both errors, when neither region answers', async () => {
    fake.impair('primary');
    fake.impair('secondary');
    const db = await world.readDatabase();
    expect(db.reachable).toBe(false);
    expect(db.error).toMatch(/^us-east-1: TimeoutError: .*; us-east-2: TimeoutError: /);
  });

  it('changes only the weights of the two weighted records, keeping alias target and health check', async () => {
    const { changeId } = await world.setWeights({ primary: 0, secondary: 100 });
    const change = fake.calls.find((c) => c.command === 'ChangeResourceRecordSets')!.input as { ChangeBatch: { Changes: { Action: string; ResourceRecordSet: Record<string, unknown> }[] } };
    expect(change.ChangeBatch.Changes).toEqual([
      {
        Action: 'UPSERT',
        ResourceRecordSet: expect.objectContaining({ Name: 'app.dr-dev.example.com.', Type: 'A', SetIdentifier: 'primary', Weight: 0, HealthCheckId: 'hc-primary-0000-0000-000000000000', AliasTarget: expect.objectContaining({ EvaluateTargetHealth: true }) }),
      },
      { Action: 'UPSERT', ResourceRecordSet: expect.objectContaining({ SetIdentifier: 'secondary', Weight: 100, Type: 'A' }) },
    ]);
    expect(await world.trafficChangeInSync(changeId)).toBe(false);
    expect(await world.trafficChangeInSync(changeId)).toBe(true);
  });

  it('refuses to set weights when a weighted record is missing', async () => {
    const sets = fake as unknown as { recordSets: () => unknown[] };
    const original = sets.recordSets.bind(fake);
    sets.recordSets = () => (original() as { SetIdentifier?: string; Type: string }[]).filter((r) => !(r.Type === 'A' && r.SetIdentifier === 'secondary'));
    await expect(world.setWeights({ primary: 0, secondary: 100 })).rejects.toThrow('no weighted record app.dr-dev.example.com with SetIdentifier secondary in zone dr-dev.example.com');
    expect(fake.count('ChangeResourceRecordSets')).toBe(0);
  });

  it('reads /health through the public name, over HTTPS', async () => {
    expect(await world.checkHealth()).toEqual({ url: 'https://app.dr-dev.example.com/health', ok: true, httpStatus: 200, region: 'us-east-1', role: 'writer' });
    const broken = new AwsWorld(targets, createAwsClients(targets), { http: async () => ({ status: 502, body: '<html>Bad Gateway</html>' }), clock });
    expect(await broken.checkHealth()).toEqual({ url: 'https://app.dr-dev.example.com/health', ok: false, httpStatus: 502, error: 'the body is not JSON' });
  });

  it('asks HTTPS whenever the environment serves it, whoever made the certificate, and plain HTTP only when config turns HTTPS off', () => {
    const brought = resolveTargets(defineEnvironment({ name: 'dev', loadBalancer: { certificates: { primary: 'arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012' } } }));
    expect(brought.healthUrl).toBe('https://app.dr-dev.example.com/health');
    expect(resolveTargets(defineEnvironment({ name: 'dev', loadBalancer: { https: false } })).healthUrl).toBe('http://app.dr-dev.example.com/health');
  });
});

describe('Route 53 health-check state', () => {
  it('is healthy when more than 18% of the checkers report success', async () => {
    fake.regions.primary.healthyCheckers = 3;
    fake.regions.secondary.healthyCheckers = 2;
    const traffic = await world.readTraffic();
    expect(traffic.records.primary).toMatchObject({ health: 'healthy', checkersHealthy: 3, checkers: 16 });
    expect(traffic.records.secondary).toMatchObject({ health: 'unhealthy', checkersHealthy: 2, checkers: 16 });
  });
});
