import type { DrReport } from '../../src/report';
import type { StatusSnapshot } from '../../src/status';
import { type Harness, harness } from '../harness';

/** Errors are not outages: the operator's problems stop a command with the fix; only outages are outages. */

let h: Harness;
afterEach(() => h.dispose());

/** An error as the SDK raises it for an answer. */
const answered = (name: string, status: number, message: string) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, attempts: 1 } });
const everything = () => `${h.lastOutput()}\n${h.err.join('\n')}`;

describe('no AWS credentials', () => {
  beforeEach(() => {
    h = harness();
    h.fake.credentials = 'missing';
  });

  it('dr plan switchover stops with exit 1, names the fix, and says nothing of impaired regions or failovers', async () => {
    expect(await h.run(['plan', 'switchover'])).toBe(1);
    expect(h.err.join('\n')).toContain('no AWS credentials found: set AWS_PROFILE or run `aws sso login` (CredentialsProviderError: Could not load credentials from any providers)');
    expect(h.err.join('\n')).toContain('not an outage');
    // No table of unknowns, and no refusal that reads like an outage.
    expect(h.lastOutput()).toBe('');
    expect(everything()).not.toMatch(/dr failover|does not answer|impaired, run/);
    expect(h.fake.writes()).toEqual([]);
  });

  it('dr status and dr plan failover stop the same way', async () => {
    expect(await h.run(['status'])).toBe(1);
    expect(await h.run(['status', '--json'])).toBe(1);
    expect(await h.run(['plan', 'failover'])).toBe(1);
    expect(h.err.filter((line) => line.startsWith('no AWS credentials found'))).toHaveLength(3);
    expect(h.out).toEqual([]);
  });

  it('a switchover stops at its first step with the fix, refuses nothing, and suggests no failover', async () => {
    expect(await h.run(['switchover', '--yes'])).toBe(1);
    expect(h.lastOutput()).toContain('stopped at preconditions: no AWS credentials found: set AWS_PROFILE or run `aws sso login`');
    expect(everything()).not.toContain('dr failover');
    const [report] = h.reports() as DrReport[];
    expect(report).toMatchObject({ outcome: 'failed', resumeCommand: 'ENVIRONMENT_SUFFIX=dev npx dr switchover --to us-east-2' });
    expect(report!.suggestion).toBeUndefined();
    expect(h.fake.writes()).toEqual([]);
  });
});

describe('a permission the operator role lacks', () => {
  it('names the IAM action and the region, and stops with exit 1', async () => {
    h = harness();
    h.fake.deny('rds:DescribeGlobalClusters');
    expect(await h.run(['plan', 'switchover'])).toBe(1);
    expect(h.err.join('\n')).toMatch(/^AccessDenied on rds:DescribeGlobalClusters in us-east-1: the operator role needs rds:DescribeGlobalClusters/m);
    expect(everything()).not.toContain('dr failover');
  });

  it('stops the command rather than leaving the replication lag unknown', async () => {
    h = harness();
    h.fake.deny('cloudwatch:GetMetricStatistics');
    expect(await h.run(['status'])).toBe(1);
    expect(h.err.join('\n')).toMatch(/^AccessDeniedException on cloudwatch:GetMetricStatistics in us-east-2: the operator role needs cloudwatch:GetMetricStatistics/m);
  });
});

describe('credentials that expire during a run', () => {
  it('stop it at the next step with the fix and the resume command; refreshed, the rerun completes', async () => {
    h = harness();
    // The session ends once the standby has been scaled, as the promotion is about to be read.
    let scaled = false;
    h.fake.onCall = (call) => {
      if (call.command === 'UpdateAutoScalingGroup') scaled = true;
      if (scaled && call.command === 'DescribeGlobalClusters' && h.fake.credentials === 'valid') h.fake.credentials = 'expired';
    };
    expect(await h.run(['switchover', '--yes'])).toBe(1);
    const output = h.lastOutput();
    expect(output).toContain('stopped at promote-database: the AWS credentials have expired: refresh them');
    expect(output).toContain('resume with: ENVIRONMENT_SUFFIX=dev npx dr switchover --to us-east-2');
    expect(output).not.toContain('dr failover');
    expect(h.fake.count('SwitchoverGlobalCluster')).toBe(0);
    expect(h.fake.global.writer).toBe('primary');

    h.fake.onCall = undefined;
    h.fake.credentials = 'valid';
    expect(await h.run(['switchover', '--yes', '--to', 'us-east-2'])).toBe(0);
    expect(h.fake.global.writer).toBe('secondary');
    expect(h.fake.count('SwitchoverGlobalCluster')).toBe(1);
  });
});

describe('configuration that names what does not exist', () => {
  it('is the operator\'s to fix, with the environment to check', async () => {
    h = harness();
    h.fake.failNext('DescribeGlobalClusters', answered('GlobalClusterNotFoundFault', 404, 'GlobalCluster txdr-dev-global not found'), 2);
    expect(await h.run(['status'])).toBe(1);
    expect(h.err.join('\n')).toMatch(/^global cluster txdr-dev-global does not exist \(rds:DescribeGlobalClusters in us-east-1\): check ENVIRONMENT_SUFFIX \(dev\)/m);
  });
});

describe('outages are still outages', () => {
  it('a region that does not answer: status and plan exit 5 (incomplete), and the switchover suggests a failover', async () => {
    h = harness();
    h.fake.impair('primary');
    expect(await h.run(['status', '--json'])).toBe(5);
    const status = JSON.parse(h.lastOutput()) as StatusSnapshot;
    expect(status.unread).toEqual(expect.arrayContaining([expect.stringMatching(/^txdr-dev-primary-aurora in us-east-1 did not answer: TimeoutError/)]));
    expect(await h.run(['status'])).toBe(5);
    expect(h.lastOutput()).toContain('Incomplete (exit 5): could not read');

    expect(await h.run(['plan', 'switchover'])).toBe(5);
    expect(h.lastOutput()).toContain('If us-east-1 is impaired, run `dr failover`');
  });

  it('throttling past the SDK\'s retries counts as impaired', async () => {
    h = harness();
    // Every attempt of the first DescribeDBClusters (the primary's) is throttled.
    h.fake.throttle('DescribeDBClusters', 3);
    expect(await h.run(['plan', 'switchover'])).toBe(5);
    expect(h.lastOutput()).toMatch(/us-east-1 does not answer for txdr-dev-primary-aurora: Throttling: Rate exceeded/);
    expect(h.lastOutput()).toContain('If us-east-1 is impaired, run `dr failover`');
  });

  it('a 5xx counts as impaired', async () => {
    h = harness();
    h.fake.failNext('DescribeAutoScalingGroups', answered('ServiceUnavailable', 503, 'Service Unavailable'));
    expect(await h.run(['status', '--json'])).toBe(5);
    expect((JSON.parse(h.lastOutput()) as StatusSnapshot).capacity.primary).toMatchObject({ reachable: false, impaired: true, error: 'ServiceUnavailable: Service Unavailable' });
  });

  it('an unexpected answer is unread, not impaired: no failover is suggested for it', async () => {
    h = harness();
    h.fake.failNext('DescribeDBClusters', answered('InvalidDBClusterStateFault', 400, 'odd'));
    expect(await h.run(['plan', 'switchover', '--json'])).toBe(5);
    const plan = JSON.parse(h.lastOutput()) as { steps: { id: string; problems?: string[]; suggestion?: string }[]; unread: string[] };
    const preconditions = plan.steps.find((s) => s.id === 'preconditions')!;
    expect(preconditions.problems).toContain('us-east-1 could not be read for txdr-dev-primary-aurora: InvalidDBClusterStateFault: odd');
    expect(preconditions.suggestion ?? '').not.toContain('dr failover');
    expect(plan.unread).toEqual(['txdr-dev-primary-aurora in us-east-1 could not be read: InvalidDBClusterStateFault: odd']);
  });
});
