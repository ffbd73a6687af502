import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EnvironmentOverrides, defineEnvironment, loadEnvironment } from '../src/environment';
import { issuesOf } from './issues';

/** An ACM certificate in us-east-2, where the primary region is not. */
const CERTIFICATE_USE2 = 'arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012';

/**
 * A production environment wrong in every way there is at once: a misspelt key, values the schema
 * refuses (a type, a pattern, a bound, a protocol), and contradictions between fields that only
 * the cross-field rules see (an account and zone production needs, overlapping VPCs, capacity,
 * health-check timings, a certificate in the wrong region, a placeholder alert, crossed lock
 * bounds, and an RTO budget over its objective).
 */
const everythingWrong = {
  name: 'production',
  database: { instanceClas: 'db.r6g.large', backupRetentionDays: 0 },
  compute: { instanceType: 'micro', targetHealth: { intervalSeconds: 10, timeoutSeconds: 10 } },
  regions: { secondary: { vpcCidr: '10.0.128.0/17', natGateways: 'two' } },
  capacity: { active: { min: 3, desired: 2 } },
  objectives: { rtoSeconds: 150 },
  loadBalancer: { certificates: { primary: CERTIFICATE_USE2 } },
  alerts: { subscriptions: [{ protocol: 'email', endpoint: 'oncall@example.com' }, { protocol: 'sms', endpoint: '+15555550100' }] },
  backup: { vaultLock: { minRetentionDays: 90, maxRetentionDays: 30 } },
  tags: { tier: 5 },
} as unknown as EnvironmentOverrides;

/** Every issue of everythingWrong, in the order of the fields in the schema (and so in a file written in that order). */
const EVERY_ISSUE = [
  'accountId: is required for production: set it to the 12-digit id of the AWS account production deploys to, so that no provider can touch another',
  'tags.tier: Invalid input: expected string, received number',
  'regions.secondary.vpcCidr: 10.0.128.0/17 overlaps regions.primary.vpcCidr 10.0.0.0/16 (the two VPCs are peered, which needs disjoint blocks)',
  'regions.secondary.natGateways: Invalid input: expected number, received string',
  'capacity.active.min: min 3 is greater than desired 2',
  'compute.instanceType: must be an EC2 instance type such as t3.micro or m6i.2xlarge',
  'compute.targetHealth.timeoutSeconds: timeout 10s must be shorter than the interval 10s',
  'loadBalancer.certificates.primary: is a certificate in us-east-2, but regions.primary.region is us-east-1: a load balancer can use only an ACM certificate of its own region (request or import one in us-east-1)',
  'database.backupRetentionDays: Too small: expected number to be >=1',
  'database.instanceClas: is not a field of database; did you mean database.instanceClass?',
  'dns.zoneName: is not set, so it would be the example.com placeholder; production needs a domain you own: set dns.zoneName to it',
  'alerts.subscriptions[0].endpoint: oncall@example.com is under example.com, which is reserved for documentation and testing and reaches nobody: alerts of production must reach someone (only dev may use a placeholder)',
  'alerts.subscriptions[1].protocol: protocol must be one of email, https',
  'objectives.rtoSeconds: the worst-case RTO budget is 225 s (detection 30 + max(fencing 45 + promotion 60 + routing 30 + dns 60, capacity 110)), over the 150 s objective',
  'backup.vaultLock.minRetentionDays: 90 is greater than backup.vaultLock.maxRetentionDays 30',
];

/** The same object with its keys in reverse order, all the way down. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([key, child]) => [key, reversed(child)]));
}

describe('one run reports every problem', () => {
  it('of every kind, each at its own field, in the order of the fields', () => {
    expect(issuesOf(() => defineEnvironment(everythingWrong))).toEqual(EVERY_ISSUE);
  });

  it('in the same order however the input is written', () => {
    expect(issuesOf(() => defineEnvironment(reversed(everythingWrong) as EnvironmentOverrides))).toEqual(EVERY_ISSUE);
  });

  it('from an environment file too, with what the file may not set', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-every-'));
    const { name: _name, ...content } = everythingWrong;
    writeFileSync(join(dir, 'production.json'), JSON.stringify({ ...content, state: { bucket: 'elsewhere' } }));
    expect(issuesOf(() => loadEnvironment({ env: { ENVIRONMENT_SUFFIX: 'production' }, environmentsDir: dir }))).toEqual([
      ...EVERY_ISSUE,
      'state: is set from TERRAFORM_STATE_BUCKET(_REGION), not in the file',
    ]);
  });
});

type HiddenCase = [description: string, input: Omit<EnvironmentOverrides, 'name'>, issues: string[]];

/** Before, any schema issue (an unknown key anywhere, a wrong type) skipped every cross-field rule. */
const notHidden: HiddenCase[] = [
  [
    'an unknown key elsewhere does not hide overlapping VPCs',
    { logs: { retentionDay: 30 }, regions: { secondary: { vpcCidr: '10.0.0.0/16' } } } as never,
    [
      'regions.secondary.vpcCidr: 10.0.0.0/16 overlaps regions.primary.vpcCidr 10.0.0.0/16 (the two VPCs are peered, which needs disjoint blocks)',
      'logs.retentionDay: is not a field of logs; did you mean logs.retentionDays?',
    ],
  ],
  [
    'a wrong type elsewhere does not hide the RTO budget',
    { database: { deletionProtection: 'yes' }, objectives: { rtoSeconds: 150 } } as never,
    [
      'database.deletionProtection: Invalid input: expected boolean, received string',
      'objectives.rtoSeconds: the worst-case RTO budget is 225 s (detection 30 + max(fencing 45 + promotion 60 + routing 30 + dns 60, capacity 120)), over the 150 s objective',
    ],
  ],
  [
    'a bad instance type does not hide the RTO budget, which reads other compute fields',
    { compute: { instanceType: 't3' }, objectives: { rtoSeconds: 150 } },
    [
      'compute.instanceType: must be an EC2 instance type such as t3.micro or m6i.2xlarge',
      'objectives.rtoSeconds: the worst-case RTO budget is 225 s (detection 30 + max(fencing 45 + promotion 60 + routing 30 + dns 60, capacity 120)), over the 150 s objective',
    ],
  ],
  [
    'a malformed alert entry does not hide a placeholder in another',
    { alerts: { subscriptions: [{ protocol: 'email', endpoint: 'oncall' }, { protocol: 'email', endpoint: 'oncall@example.com' }] } },
    [
      'alerts.subscriptions[0].endpoint: must be an e-mail address',
      'alerts.subscriptions[1].endpoint: oncall@example.com is under example.com, which is reserved for documentation and testing and reaches nobody: alerts of pr42 must reach someone (only dev may use a placeholder)',
    ],
  ],
  [
    'an unknown key under backup does not hide crossed lock bounds',
    { backup: { copies: 2, vaultLock: { minRetentionDays: 90, maxRetentionDays: 30 } } } as never,
    // Unknown keys come after the fields the schema knows.
    [
      'backup.vaultLock.minRetentionDays: 90 is greater than backup.vaultLock.maxRetentionDays 30',
      'backup.copies: is not a field of backup, which has retentionDays, vaultLock',
    ],
  ],
];

describe('a malformed field hides no other problem', () => {
  it.each(notHidden)('%s', (_description, input, issues) => {
    expect(issuesOf(() => defineEnvironment({ name: 'pr42', ...input }))).toEqual(issues);
  });

  it('but a rule over a malformed field stays silent: the field is reported once, at itself', () => {
    expect(issuesOf(() => defineEnvironment({ name: 'dev', regions: { secondary: { vpcCidr: 'ten' } }, capacity: { active: { min: 'two' } } } as never))).toEqual([
      'regions.secondary.vpcCidr: must be an IPv4 CIDR block such as 10.0.0.0/16, with no host bits set',
      'regions.secondary.vpcCidr: must have a prefix between /16 and /23 (the VPC is split into 32 subnets, the smallest a /28)',
      'capacity.active.min: Invalid input: expected number, received string',
    ]);
  });
});

describe('an unknown key', () => {
  it.each([
    ['a misspelt field', { database: { instanceClas: 'db.r6g.large' } }, 'database.instanceClas: is not a field of database; did you mean database.instanceClass?'],
    ['a field in the wrong case', { dns: { zonename: 'dr.acme.io' } }, 'dns.zonename: is not a field of dns; did you mean dns.zoneName?'],
    ['the start of a field', { dns: { zone: 'dr.acme.io' } }, 'dns.zone: is not a field of dns; did you mean dns.zoneName?'],
    ['a field at the top', { objective: { rtoSeconds: 300 } }, 'objective: is not a field of an environment; did you mean objectives?'],
    ['a field nothing is like', { healthCheck: { probe: '/health' } }, 'healthCheck.probe: is not a field of healthCheck, which has intervalSeconds, failureThreshold'],
    ['a field two levels down', { compute: { targetHealth: { path: '/health' } } }, 'compute.targetHealth.path: is not a field of compute.targetHealth, which has intervalSeconds, timeoutSeconds, healthyThreshold, unhealthyThreshold'],
  ])('is named at its own path: %s', (_description, input, issue) => {
    expect(issuesOf(() => defineEnvironment({ name: 'dev', ...input } as never))).toEqual([issue]);
  });

  it('is reported one by one when there are several in one object', () => {
    expect(issuesOf(() => defineEnvironment({ name: 'dev', database: { engine: 'mysql', size: 'large' } } as never))).toEqual([
      'database.engine: is not a field of database; did you mean database.engineVersion?',
      'database.size: is not a field of database, which has engineVersion, instanceClass, databaseName, masterUsername, backupRetentionDays, deletionProtection, passwordVersion',
    ]);
  });
});

it('says that a missing field is required, not that it has the wrong type', () => {
  expect(issuesOf(() => defineEnvironment({ name: 'dev', backup: { vaultLock: { minRetentionDays: 7 } } } as never))).toEqual(['backup.vaultLock.maxRetentionDays: is required']);
});
