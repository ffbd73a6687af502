import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capacityFor } from './capacity';
import { activeRole, defineEnvironment, environmentWarnings, loadEnvironment, otherRole } from './environment';
import type { DeepPartial } from './merge';
import type { EnvironmentInput } from './schema';
import { issuesOf } from '../test/issues';

const emptyDir = mkdtempSync(join(tmpdir(), 'env-empty-'));

/** ACM certificate ARNs in three regions. */
const CERTIFICATE_USE1 = 'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020100';
const CERTIFICATE_USE2 = 'arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012';
const CERTIFICATE_USW2 = 'arn:aws:acm:us-west-2:123456789012:certificate/abcdefab-cdef-abcd-efab-cdefabcdefab';

/** Endpoints someone reads, at a domain that is not reserved. */
const ONCALL = { protocol: 'email', endpoint: 'oncall@payments.acme.io' } as const;
const PAGER = { protocol: 'https', endpoint: 'https://events.pager.acme.io/integration/sns' } as const;

describe('the default environment', () => {
  const env = loadEnvironment({ env: {}, environmentsDir: emptyDir });

  it('reproduces the reference design', () => {
    expect(env.name).toBe('dev');
    expect(env.regions.primary).toMatchObject({ region: 'us-east-1', databaseInstances: 2 });
    expect(env.regions.secondary).toMatchObject({ region: 'us-east-2', databaseInstances: 1 });
    expect(capacityFor(env, 'primary')).toEqual({ min: 2, desired: 2, max: 4 });
    expect(capacityFor(env, 'secondary')).toEqual({ min: 1, desired: 1, max: 4 });
    expect(env.compute.instanceType).toBe('t3.micro');
    expect(env.database.backupRetentionDays).toBe(7);
    expect(env.healthCheck).toEqual({ intervalSeconds: 10, failureThreshold: 3 });
    expect(env.alerts.subscriptions).toEqual([]);
    expect(env.objectives).toEqual({ rtoSeconds: 300, rpoSeconds: 60 });
  });

  it('moves the active capacity with activeRegion', () => {
    const failedOver = defineEnvironment({ name: 'dev', activeRegion: 'us-east-2' });
    expect(capacityFor(failedOver, 'secondary')).toEqual({ min: 2, desired: 2, max: 4 });
    expect(capacityFor(failedOver, 'primary')).toEqual({ min: 1, desired: 1, max: 4 });
  });

  it('is active in the primary region and derives the zone from the suffix', () => {
    expect(env.activeRegion).toBe('us-east-1');
    expect(activeRole(env)).toBe('primary');
    expect(otherRole('primary')).toBe('secondary');
    expect(env.dns.zoneName).toBe('dr-dev.example.com');
  });

  it('uses a supported Aurora MySQL 3.10 (LTS) engine, not the retired 3.04', () => {
    expect(env.database.engineVersion).toMatch(/^8\.0\.mysql_aurora\.3\.10\.\d+$/);
  });

  it('keeps local state unless a state bucket is given', () => {
    expect(env.state).toEqual({ region: 'us-east-1' });
  });

  it('warns only that its zone is the example.com placeholder', () => {
    expect(environmentWarnings(env)).toEqual([expect.stringMatching(/^dns\.zoneName is the placeholder dr-dev\.example\.com: synth works, a deploy is refused/)]);
  });
});

describe('loadEnvironment', () => {
  it('takes the suffix and state bucket from the process environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-'));
    writeFileSync(join(dir, 'pr42.json'), JSON.stringify({ alerts: { subscriptions: [ONCALL] } }));
    const env = loadEnvironment({
      env: { ENVIRONMENT_SUFFIX: 'pr42', TERRAFORM_STATE_BUCKET: 'acme-tf-state', TERRAFORM_STATE_BUCKET_REGION: 'us-west-2' },
      environmentsDir: dir,
    });
    expect(env.name).toBe('pr42');
    expect(env.state).toEqual({ bucket: 'acme-tf-state', region: 'us-west-2' });
  });

  it('overlays environments/<suffix>.json on the defaults, field by field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-'));
    writeFileSync(
      join(dir, 'staging.json'),
      JSON.stringify({
        accountId: '111111111111',
        dns: { zoneName: 'dr.payments.acme.io' },
        activeRegion: 'us-east-2',
        capacity: { standby: { desired: 2 } },
        alerts: { subscriptions: [ONCALL] },
      }),
    );
    const env = loadEnvironment({ env: { ENVIRONMENT_SUFFIX: 'staging' }, environmentsDir: dir });
    expect(env.activeRegion).toBe('us-east-2');
    expect(activeRole(env)).toBe('secondary');
    expect(env.capacity.standby).toEqual({ min: 1, desired: 2, max: 4 });
    expect(env.capacity.active).toEqual({ min: 2, desired: 2, max: 4 });
    expect(env.regions.secondary.vpcCidr).toBe('10.1.0.0/16');
    expect(env.alerts.subscriptions).toEqual([ONCALL]);
  });

  it('names the file when it is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-'));
    writeFileSync(join(dir, 'broken.json'), '{ "activeRegion": ');
    expect(() => loadEnvironment({ env: { ENVIRONMENT_SUFFIX: 'broken' }, environmentsDir: dir })).toThrow(/broken\.json[\s\S]*not valid JSON/);
  });

  it('refuses a file that tries to set the name or the state backend', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-'));
    writeFileSync(join(dir, 'sneaky.json'), JSON.stringify({ state: { bucket: 'elsewhere' } }));
    expect(issuesOf(() => loadEnvironment({ env: { ENVIRONMENT_SUFFIX: 'sneaky' }, environmentsDir: dir }))).toEqual([
      expect.stringMatching(/^state: is set from TERRAFORM_STATE_BUCKET/),
    ]);
  });

  it('rejects unknown fields, so a typo in a file is not silently ignored', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-'));
    writeFileSync(join(dir, 'typo.json'), JSON.stringify({ healthCheck: { intervalSecs: 10 } }));
    expect(issuesOf(() => loadEnvironment({ env: { ENVIRONMENT_SUFFIX: 'typo' }, environmentsDir: dir }))).toEqual([
      'healthCheck.intervalSecs: is not a field of healthCheck; did you mean healthCheck.intervalSeconds?',
    ]);
  });
});

type Case = [description: string, input: DeepPartial<EnvironmentInput> & { name?: string }, field: string, message: RegExp];

const badInputs: Case[] = [
  ['the same region twice', { regions: { secondary: { region: 'us-east-1' } } }, 'regions.secondary.region', /must differ.*us-east-1/],
  ['overlapping VPC CIDRs', { regions: { secondary: { vpcCidr: '10.0.128.0/17' } } }, 'regions.secondary.vpcCidr', /overlaps regions\.primary\.vpcCidr 10\.0\.0\.0\/16/],
  ['identical VPC CIDRs', { regions: { primary: { vpcCidr: '10.1.0.0/16' } } }, 'regions.secondary.vpcCidr', /overlaps/],
  ['a primary VPC inside the secondary', { regions: { primary: { vpcCidr: '10.1.16.0/20' } } }, 'regions.secondary.vpcCidr', /overlaps regions\.primary\.vpcCidr 10\.1\.16\.0\/20 \(the two VPCs are peered/],
  ['a CIDR with host bits set', { regions: { primary: { vpcCidr: '10.0.0.1/16' } } }, 'regions.primary.vpcCidr', /no host bits/],
  ['a VPC CIDR that is too large', { regions: { primary: { vpcCidr: '10.0.0.0/8' } } }, 'regions.primary.vpcCidr', /\/16 and \/23/],
  ['a VPC CIDR too small to split', { regions: { primary: { vpcCidr: '10.0.0.0/24' } } }, 'regions.primary.vpcCidr', /\/16 and \/23/],
  ['min greater than desired', { capacity: { active: { min: 3, desired: 2, max: 4 } } }, 'capacity.active.min', /min 3 is greater than desired 2/],
  ['desired greater than max', { capacity: { standby: { min: 1, desired: 5, max: 4 } } }, 'capacity.standby.desired', /desired 5 is greater than max 4/],
  ['a cold standby', { capacity: { standby: { min: 0, desired: 0, max: 4 } } }, 'capacity.standby.min', /at least 1/],
  ['an empty suffix', { name: '' }, 'name (ENVIRONMENT_SUFFIX)', /lowercase letters/],
  ['an upper-case suffix', { name: 'Prod' }, 'name (ENVIRONMENT_SUFFIX)', /lowercase letters/],
  ['a suffix with an underscore', { name: 'my_env' }, 'name (ENVIRONMENT_SUFFIX)', /lowercase letters/],
  ['a suffix ending in a hyphen', { name: 'dev-' }, 'name (ENVIRONMENT_SUFFIX)', /not ending with a hyphen/],
  ['a suffix longer than 12 characters', { name: 'averylongsuffix' }, 'name (ENVIRONMENT_SUFFIX)', /1-12/],
  ['an unknown instance type format', { compute: { instanceType: 'micro' } }, 'compute.instanceType', /EC2 instance type/],
  ['an instance type without a size', { compute: { instanceType: 't3' } }, 'compute.instanceType', /EC2 instance type/],
  ['an RDS class without the db. prefix', { database: { instanceClass: 'r6g.large' } }, 'database.instanceClass', /RDS instance class/],
  ['a health-check interval of 20 s', { healthCheck: { intervalSeconds: 20 as never } }, 'healthCheck.intervalSeconds', /10 or 30/],
  ['a failure threshold of 0', { healthCheck: { failureThreshold: 0 } }, 'healthCheck.failureThreshold', />=1/],
  ['a failure threshold of 11', { healthCheck: { failureThreshold: 11 } }, 'healthCheck.failureThreshold', /<=10/],
  ['a backup retention of 0 days', { database: { backupRetentionDays: 0 } }, 'database.backupRetentionDays', />=1/],
  ['a backup retention of 36 days', { database: { backupRetentionDays: 36 } }, 'database.backupRetentionDays', /<=35/],
  ['an active region outside the pair', { activeRegion: 'eu-west-1' }, 'activeRegion', /us-east-1 or us-east-2/],
  ['a malformed region', { regions: { primary: { region: 'virginia' } } }, 'regions.primary.region', /AWS region code/],
  ['an Aurora MySQL 2 engine', { database: { engineVersion: '5.7.mysql_aurora.2.12.5' } }, 'database.engineVersion', /Aurora MySQL 3/],
  ['a non-CloudWatch log retention', { logs: { retentionDays: 10 } }, 'logs.retentionDays', /CloudWatch Logs periods/],
  ['more NAT gateways than zones', { regions: { primary: { natGateways: 3 } } }, 'regions.primary.natGateways', /at most one per zone/],
  ['a target timeout not shorter than its interval', { compute: { targetHealth: { intervalSeconds: 10, timeoutSeconds: 10 } } }, 'compute.targetHealth.timeoutSeconds', /shorter than the interval/],
  ['a failure threshold that breaks the RTO budget', { healthCheck: { failureThreshold: 10 } }, 'objectives.rtoSeconds', /worst-case RTO budget is 365 s \(detection 100 \+ max\(fencing 45 \+ promotion 60 \+ routing 100 \+ dns 60, capacity 120\)\), over the 300 s objective/],
  ['an objective tighter than the budget', { objectives: { rtoSeconds: 150 } }, 'objectives.rtoSeconds', /budget is 225 s .*over the 150 s objective/],
  ['a slow target health check that breaks the RTO budget', { compute: { targetHealth: { intervalSeconds: 60, healthyThreshold: 4 } } }, 'objectives.rtoSeconds', /budget is 360 s/],
  ['a certificate that is not an ACM ARN', { loadBalancer: { certificates: { primary: 'arn:aws:iam::123456789012:server-certificate/x' } } }, 'loadBalancer.certificates.primary', /ACM certificate ARN/],
  ['a primary certificate in the secondary\'s region', { loadBalancer: { certificates: { primary: CERTIFICATE_USE2 } } }, 'loadBalancer.certificates.primary', /is a certificate in us-east-2, but regions\.primary\.region is us-east-1: a load balancer can use only an ACM certificate of its own region/],
  ['a secondary certificate in another region', { loadBalancer: { certificates: { secondary: CERTIFICATE_USW2 } } }, 'loadBalancer.certificates.secondary', /in us-west-2, but regions\.secondary\.region is us-east-2/],
  ['a certificate that stays behind when its region moves', { regions: { primary: { region: 'us-west-2' } }, loadBalancer: { certificates: { primary: CERTIFICATE_USE1 } } }, 'loadBalancer.certificates.primary', /in us-east-1, but regions\.primary\.region is us-west-2/],
  ['a certificate for a load balancer that serves no HTTPS', { loadBalancer: { https: false, certificates: { secondary: CERTIFICATE_USE2 } } }, 'loadBalancer.certificates.secondary', /loadBalancer\.https is false/],
  ['an unknown field beside the certificates', { loadBalancer: { certificates: { tertiary: CERTIFICATE_USE1 } } as never }, 'loadBalancer.certificates.tertiary', /^[^:]+: is not a field of loadBalancer\.certificates, which has primary, secondary$/],
  ['the single certificate of old, which served one region only', { loadBalancer: { certificateArn: CERTIFICATE_USE1 } as never }, 'loadBalancer.certificateArn', /replaced by loadBalancer\.certificates\.primary and loadBalancer\.certificates\.secondary: an ACM certificate serves only its own region/],
];

describe('invalid environments stop with a message naming the field', () => {
  it.each(badInputs)('%s', (_description, input, field, message) => {
    const issues = issuesOf(() => defineEnvironment({ name: 'dev', ...input } as never, 'test'));
    const issue = issues.find((line) => line.startsWith(`${field}: `));
    expect(issue).toBeDefined();
    expect(issue).toMatch(message);
  });

  it('reports every problem at once, not just the first', () => {
    const issues = issuesOf(() =>
      defineEnvironment({ name: 'dev', regions: { secondary: { region: 'us-east-1' } }, healthCheck: { failureThreshold: 12 } }),
    );
    expect(issues).toHaveLength(2);
  });

  it('reports a bad health-check input at its field, not again as an RTO budget', () => {
    expect(issuesOf(() => defineEnvironment({ name: 'dev', healthCheck: { failureThreshold: 12 } }))).toEqual([
      expect.stringMatching(/^healthCheck\.failureThreshold: /),
    ]);
  });

  it('refuses 30 s Route 53 checks under the 5-minute objective (they count twice), and accepts them under a looser one', () => {
    expect(issuesOf(() => defineEnvironment({ name: 'dev', healthCheck: { intervalSeconds: 30 } }))).toEqual([
      expect.stringMatching(/^objectives\.rtoSeconds: the worst-case RTO budget is 345 s/),
    ]);
    expect(defineEnvironment({ name: 'dev', healthCheck: { intervalSeconds: 30 }, objectives: { rtoSeconds: 345 } }).healthCheck.intervalSeconds).toBe(30);
  });

  it('accepts a budget that fits a looser objective', () => {
    expect(defineEnvironment({ name: 'dev', healthCheck: { failureThreshold: 10 }, objectives: { rtoSeconds: 365 } }).objectives.rtoSeconds).toBe(365);
  });

  it('reads the suffix from ENVIRONMENT_SUFFIX and says so', () => {
    expect(() => loadEnvironment({ env: { ENVIRONMENT_SUFFIX: 'Bad Suffix' }, environmentsDir: emptyDir })).toThrow(
      /Invalid environment \(ENVIRONMENT_SUFFIX=Bad Suffix\):\n {2}- name \(ENVIRONMENT_SUFFIX\): must be 1-12/,
    );
  });

  it('names TERRAFORM_STATE_BUCKET when the bucket name is malformed', () => {
    expect(issuesOf(() => loadEnvironment({ env: { TERRAFORM_STATE_BUCKET: 'Not_A_Bucket' }, environmentsDir: emptyDir }))).toEqual([
      expect.stringMatching(/^state\.bucket \(TERRAFORM_STATE_BUCKET\): must be an S3 bucket name/),
    ]);
  });
});

type AlertCase = [description: string, name: string, subscriptions: unknown, field: string, message: RegExp];

/** `pr42`: a scratch environment, neither dev nor one the pipelines deploy. */
const badAlerts: AlertCase[] = [
  ['an address that is not one', 'dev', [{ protocol: 'email', endpoint: 'oncall' }], 'alerts.subscriptions[0].endpoint', /must be an e-mail address/],
  ['an empty address', 'dev', [ONCALL, { protocol: 'email', endpoint: '' }], 'alerts.subscriptions[1].endpoint', /must be an e-mail address/],
  ['an https endpoint over plain http', 'dev', [{ protocol: 'https', endpoint: 'http://events.pager.acme.io/sns' }], 'alerts.subscriptions[0].endpoint', /https:\/\/ URL/],
  ['an https endpoint on an IP address', 'dev', [{ protocol: 'https', endpoint: 'https://203.0.113.10/sns' }], 'alerts.subscriptions[0].endpoint', /https:\/\/ URL on a DNS name/],
  ['an https endpoint carrying a password', 'dev', [{ protocol: 'https', endpoint: 'https://sns:hunter2@events.pager.acme.io/sns' }], 'alerts.subscriptions[0].endpoint', /user name or password/],
  ['a protocol other than email or https', 'dev', [{ protocol: 'sms', endpoint: '+15555550100' }], 'alerts.subscriptions[0].protocol', /one of email, https/],
  ['an entry with an unknown field', 'dev', [{ ...ONCALL, filter: 'x' }], 'alerts.subscriptions[0].filter', /is not a field of alerts\.subscriptions\[0\], which has protocol, endpoint/],
  ['the same endpoint twice', 'dev', [ONCALL, PAGER, { protocol: 'email', endpoint: 'OnCall@payments.acme.io' }], 'alerts.subscriptions[2]', /repeats alerts\.subscriptions\[0\] \(email OnCall@payments\.acme\.io\)/],
  ['an example.com address outside dev', 'pr42', [ONCALL, { protocol: 'email', endpoint: 'oncall@example.com' }], 'alerts.subscriptions[1].endpoint', /oncall@example\.com is under example\.com, which is reserved .* reaches nobody: alerts of pr42 must reach someone \(only dev may use a placeholder\)/],
  ['an example.org address outside dev', 'pr42', [{ protocol: 'email', endpoint: 'oncall@example.org' }], 'alerts.subscriptions[0].endpoint', /under example\.org/],
  ['an address under example.net outside dev', 'pr42', [{ protocol: 'email', endpoint: 'oncall@mail.example.net' }], 'alerts.subscriptions[0].endpoint', /under example\.net/],
  ['an address at a .invalid name outside dev', 'pr42', [{ protocol: 'email', endpoint: 'oncall@acme.invalid' }], 'alerts.subscriptions[0].endpoint', /under \.invalid/],
  ['an https endpoint on a .invalid name outside dev', 'pr42', [ONCALL, { protocol: 'https', endpoint: 'https://hooks.pager.invalid/sns' }], 'alerts.subscriptions[1].endpoint', /under \.invalid/],
  ['an https endpoint on example.com outside dev', 'pr42', [{ protocol: 'https', endpoint: 'https://events.example.com/sns' }], 'alerts.subscriptions[0].endpoint', /under example\.com/],
  ['an address at a .test name outside dev', 'pr42', [{ protocol: 'email', endpoint: 'oncall@acme.test' }], 'alerts.subscriptions[0].endpoint', /under \.test/],
  ['the test@ mailbox outside dev', 'pr42', [{ protocol: 'email', endpoint: 'test@payments.acme.io' }], 'alerts.subscriptions[0].endpoint', /test@ mailbox/],
  ['the TEST+x@ mailbox outside dev', 'pr42', [{ protocol: 'email', endpoint: 'TEST+dr@payments.acme.io' }], 'alerts.subscriptions[0].endpoint', /test@ mailbox/],
  ['no endpoint in staging', 'staging', [], 'alerts.subscriptions', /is empty, so every alarm of staging would reach nobody/],
  ['no endpoint in production', 'production', [], 'alerts.subscriptions', /is empty, so every alarm of production would reach nobody/],
  ['a placeholder in production', 'production', [{ protocol: 'email', endpoint: 'oncall@example.com' }], 'alerts.subscriptions[0].endpoint', /alerts of production must reach someone/],
  ['the single e-mail field of old', 'dev', undefined, 'alerts.email', /is not a field of alerts, which has subscriptions/],
];

describe('alert subscriptions', () => {
  it.each(badAlerts)('refuses %s, at its own path', (_description, name, subscriptions, field, message) => {
    const alerts = subscriptions === undefined ? { email: 'oncall@payments.acme.io' } : { subscriptions };
    const issues = issuesOf(() => defineEnvironment({ name, alerts } as never, 'test'));
    const issue = issues.find((line) => line.startsWith(`${field}: `));
    expect(issue).toBeDefined();
    expect(issue).toMatch(message);
  });

  it('reports each placeholder at its own entry, and nothing about the good ones', () => {
    const subscriptions = [{ protocol: 'email', endpoint: 'oncall@example.com' }, ONCALL, { protocol: 'https', endpoint: 'https://hooks.pager.invalid/sns' }] as const;
    expect(issuesOf(() => defineEnvironment({ name: 'pr42', alerts: { subscriptions: [...subscriptions] } }))).toEqual([
      expect.stringMatching(/^alerts\.subscriptions\[0\]\.endpoint: oncall@example\.com is under example\.com/),
      expect.stringMatching(/^alerts\.subscriptions\[2\]\.endpoint: https:\/\/hooks\.pager\.invalid\/sns is under \.invalid/),
    ]);
  });

  it.each([
    ['placeholders in dev, where alerts go nowhere on purpose', 'dev', [{ protocol: 'email', endpoint: 'test@example.com' }, { protocol: 'https', endpoint: 'https://hooks.example.org/sns' }]],
    ['no endpoint in dev', 'dev', []],
    ['no endpoint in a scratch environment the pipelines do not deploy', 'pr42', []],
    ['an e-mail address and an https endpoint outside dev', 'pr42', [ONCALL, PAGER]],
    ['a mailbox that only starts with "test"', 'pr42', [{ protocol: 'email', endpoint: 'test.lead@payments.acme.io' }]],
    ['the same address by e-mail and an https endpoint on its domain', 'pr42', [ONCALL, { protocol: 'https', endpoint: 'https://payments.acme.io/oncall@payments.acme.io' }]],
  ] as const)('accepts %s', (_description, name, subscriptions) => {
    const env = defineEnvironment({ name, alerts: { subscriptions: [...subscriptions] } });
    expect(env.alerts.subscriptions).toEqual(subscriptions);
  });

  it('accepts staging and production once they name who is alerted (with the account and zone they also need)', () => {
    for (const name of ['staging', 'production']) {
      const env = defineEnvironment({ name, accountId: '123456789012', dns: { zoneName: `dr-${name}.payments.acme.io` }, alerts: { subscriptions: [ONCALL, PAGER] } });
      expect(env.alerts.subscriptions).toEqual([ONCALL, PAGER]);
    }
  });
});

describe('HTTPS', () => {
  const deployable = (name: string) => ({ name, accountId: '123456789012', dns: { zoneName: `dr-${name}.payments.acme.io` }, alerts: { subscriptions: [ONCALL] } });

  it('is on by default everywhere, dev included, with no certificate given (each region requests its own)', () => {
    for (const name of ['dev', 'pr42', 'staging', 'production']) {
      expect(defineEnvironment(deployable(name)).loadBalancer).toEqual({ https: true, certificates: {}, deletionProtection: true });
    }
  });

  it.each(['staging', 'production'])('is refused off in %s, naming the field', (name) => {
    expect(issuesOf(() => defineEnvironment({ ...deployable(name), loadBalancer: { https: false } }))).toEqual([
      `loadBalancer.https: must not be false in ${name}: ${name} serves HTTPS only (port 80 only redirects to it)`,
    ]);
  });

  it('may be turned off outside staging and production', () => {
    expect(defineEnvironment({ name: 'dev', loadBalancer: { https: false } }).loadBalancer.https).toBe(false);
    expect(defineEnvironment({ ...deployable('pr42'), loadBalancer: { https: false } }).loadBalancer.https).toBe(false);
  });

  it('takes a certificate per region, each in its own region, and leaves the other to ACM', () => {
    const env = defineEnvironment({ ...deployable('production'), loadBalancer: { certificates: { primary: CERTIFICATE_USE1, secondary: CERTIFICATE_USE2 } } });
    expect(env.loadBalancer.certificates).toEqual({ primary: CERTIFICATE_USE1, secondary: CERTIFICATE_USE2 });
    expect(defineEnvironment({ name: 'dev', loadBalancer: { certificates: { secondary: CERTIFICATE_USE2 } } }).loadBalancer.certificates).toEqual({ secondary: CERTIFICATE_USE2 });
  });

  it('follows a region that moves: the certificate must move with it', () => {
    const env = defineEnvironment({ name: 'dev', regions: { secondary: { region: 'us-west-2' } }, loadBalancer: { certificates: { secondary: CERTIFICATE_USW2 } } });
    expect(env.loadBalancer.certificates.secondary).toBe(CERTIFICATE_USW2);
  });

  it('reports both misplaced certificates at once', () => {
    expect(issuesOf(() => defineEnvironment({ name: 'dev', loadBalancer: { certificates: { primary: CERTIFICATE_USE2, secondary: CERTIFICATE_USE1 } } }))).toEqual([
      expect.stringMatching(/^loadBalancer\.certificates\.primary: is a certificate in us-east-2/),
      expect.stringMatching(/^loadBalancer\.certificates\.secondary: is a certificate in us-east-1/),
    ]);
  });

  it('names the retired field and any unknown one beside it separately', () => {
    expect(issuesOf(() => defineEnvironment({ name: 'dev', loadBalancer: { certificateArn: CERTIFICATE_USE1, certificate: 'x' } as never }))).toEqual([
      'loadBalancer.certificate: is not a field of loadBalancer; did you mean loadBalancer.certificates?',
      expect.stringMatching(/^loadBalancer\.certificateArn: was replaced by loadBalancer\.certificates\.primary/),
    ]);
  });
});

describe('risky but legal input is a warning', () => {
  it('warns when deletion protection is off', () => {
    const env = defineEnvironment({ name: 'dev', dns: { zoneName: 'dr.payments.acme.io' }, database: { deletionProtection: false }, loadBalancer: { deletionProtection: false } });
    expect(environmentWarnings(env)).toHaveLength(2);
  });
});
