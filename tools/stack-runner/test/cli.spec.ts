import { DescribeGlobalClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type Environment, type EnvironmentOverrides, defineEnvironment, loadEnvironment } from '@txn-dr/config';
import { mockClient } from 'aws-sdk-client-mock';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, PreflightError, type RunnerDeps, runStackRunner } from '../src';
import { ACCOUNT, globalCluster, notFound, rdsError } from './rds-fixtures';

const rdsClients: Record<string, RDSClient> = { 'us-east-1': new RDSClient({ region: 'us-east-1' }), 'us-east-2': new RDSClient({ region: 'us-east-2' }) };
const primaryRds = mockClient(rdsClients['us-east-1']!);
const secondaryRds = mockClient(rdsClients['us-east-2']!);
const stsClient = new STSClient({ region: 'us-east-1' });
const sts = mockClient(stsClient);
const CALLER = `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/alice`;

const MIN = 60_000;
const T0 = Date.parse('2026-11-30T06:00:00.000Z');

let root: string;
let out: string[];
let err: string[];
let cdktfCalls: { action: string; args: readonly string[]; lock: unknown }[];
let cdktfStatus: number;
let preflight: jest.Mock;
let init: jest.Mock;
let stsRegions: string[];
let clock: number;

/**
 * A deployable staging environment: its account and a zone someone can own. Built as dev and
 * renamed, so that these tests of the runner do not depend on staging's other config rules.
 */
function stagingWith(overrides: Partial<EnvironmentOverrides> = {}): Environment {
  return { ...defineEnvironment({ name: 'dev', accountId: ACCOUNT, dns: { zoneName: 'dr.payments.acme.io' }, ...overrides }), name: 'staging' };
}

const lockPath = () => join(root, 'apps', 'stack-global', 'terraform.staging.tfstate.operations-lock.json');
const readLock = () => (existsSync(lockPath()) ? JSON.parse(readFileSync(lockPath(), 'utf8')) : undefined);

function deps(stack: 'global' | 'primary' | 'secondary', extra: Partial<RunnerDeps> & { environment?: Environment } = {}): RunnerDeps {
  const cwd = join(root, 'apps', `stack-${stack}`);
  mkdirSync(join(cwd, 'cdktf.out', 'stacks', stack), { recursive: true });
  const environment = extra.environment ?? stagingWith();
  return {
    cwd,
    workspaceRoot: root,
    environmentsDir: join(root, 'libs', 'config', 'environments'),
    vars: {},
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    preflight,
    init,
    loadEnvironment: () => environment,
    sts: (region) => {
      stsRegions.push(region);
      return stsClient;
    },
    rds: (region) => rdsClients[region]!,
    cdktf: (action, args) => {
      cdktfCalls.push({ action, args, lock: readLock() });
      return cdktfStatus;
    },
    lock: { now: () => clock },
    ...extra,
  };
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'stack-runner-'));
  mkdirSync(join(root, 'libs', 'config', 'environments'), { recursive: true });
  writeFileSync(join(root, 'libs', 'config', 'environments', 'staging.json'), '{}\n');
  out = [];
  err = [];
  cdktfCalls = [];
  cdktfStatus = 0;
  preflight = jest.fn();
  init = jest.fn();
  stsRegions = [];
  clock = T0;
  primaryRds.reset();
  secondaryRds.reset();
  sts.reset();
  primaryRds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster('us-east-1')] });
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: CALLER, UserId: 'AROA:alice' });
});

const ZONE_LINE = (project: string) =>
  `${project}: Hosted zone dr.payments.acme.io: stack-global creates it; delegate it once, by setting the NS records of dr.payments.acme.io at its registrar (or parent zone) to stack-global's zoneNameServers output.`;
const ACCOUNT_LINE = (project: string) => `${project}: AWS account ${ACCOUNT} is staging's (${CALLER}).`;
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('deploy of a regional stack', () => {
  it('takes the lock, checks activeRegion, then runs cdktf deploy under the lock and releases it', async () => {
    const code = await runStackRunner(['deploy', '--operator', 'alice'], deps('primary'));

    expect(code).toBe(0);
    expect(preflight).toHaveBeenCalledTimes(1);
    expect(init).toHaveBeenCalledWith(join(root, 'apps', 'stack-primary', 'cdktf.out', 'stacks', 'primary'));
    expect(cdktfCalls).toEqual([{ action: 'deploy', args: [], lock: expect.objectContaining({ operation: 'deploy:primary', operator: 'alice', startedAt: '2026-11-30T06:00:00.000Z' }) }]);
    expect(out).toEqual([
      ZONE_LINE('stack-primary'),
      ACCOUNT_LINE('stack-primary'),
      expect.stringMatching(/^stack-primary: Config activeRegion us-east-1 agrees with the live global writer in us-east-1/),
    ]);
    expect(err).toEqual([
      `stack-primary: Took the operation lock ${lockPath()} for deploy:primary as alice.`,
      `stack-primary: Released the operation lock ${lockPath()}.`,
    ]);
    expect(existsSync(lockPath())).toBe(false);
  });

  it('auto-approves in CI only', async () => {
    await runStackRunner(['deploy', '--operator', 'ci'], deps('secondary', { vars: { CI: 'true' } }));
    expect(cdktfCalls.map((call) => call.args)).toEqual([['--auto-approve']]);
  });

  it('refuses before any plan when config and the live writer disagree, and releases the lock', async () => {
    primaryRds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster('us-east-2')] });

    const code = await runStackRunner(['deploy', '--operator', 'alice'], deps('primary'));

    expect(code).toBe(EXIT.refused);
    expect(cdktfCalls).toEqual([]);
    expect(err.join('\n')).toContain('Fix: set "activeRegion": "us-east-2" in libs/config/environments/staging.json, then deploy again.');
    expect(existsSync(lockPath())).toBe(false);
  });

  it.each([
    ['the flag', ['--allow-active-region-mismatch'], {}],
    ['the variable', [], { ALLOW_ACTIVE_REGION_MISMATCH: 'true' }],
  ])('deploys a deliberate mismatch with %s', async (_how, flags, vars) => {
    primaryRds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster('us-east-2')] });

    const code = await runStackRunner(['deploy', '--operator', 'alice', ...flags], deps('secondary', { vars }));

    expect(code).toBe(0);
    expect(cdktfCalls).toHaveLength(1);
    expect(out.at(-1)).toMatch(/^stack-secondary: WARNING: config activeRegion us-east-1 disagrees/);
  });

  it('goes on for a first deploy, and says so', async () => {
    primaryRds.on(DescribeGlobalClustersCommand).rejects(notFound());

    await expect(runStackRunner(['deploy', '--operator', 'alice'], deps('primary'))).resolves.toBe(0);

    expect(out.at(-1)).toBe('stack-primary: Global cluster txdr-staging-global does not exist yet (asked in us-east-1): a first deploy, with no live writer to compare activeRegion us-east-1 with.');
    expect(cdktfCalls).toHaveLength(1);
  });

  it('stops on refused credentials with exit 1 and what to fix, without planning', async () => {
    primaryRds.on(DescribeGlobalClustersCommand).rejects(rdsError('ExpiredToken', 403, 'The security token included in the request is expired'));

    const code = await runStackRunner(['deploy', '--operator', 'alice'], deps('primary'));

    expect(code).toBe(EXIT.failed);
    expect(cdktfCalls).toEqual([]);
    expect(err).toContain(
      'stack-primary: Cannot read the global cluster txdr-staging-global in us-east-1 (ExpiredToken: The security token included in the request is expired). ' +
        'Refresh the AWS credentials (for example `aws sso login`, or new keys for the profile in use) and run again.',
    );
    expect(existsSync(lockPath())).toBe(false);
  });

  it('passes a failed apply\'s exit status on and still releases the lock', async () => {
    cdktfStatus = 1;
    await expect(runStackRunner(['deploy', '--operator', 'alice'], deps('primary'))).resolves.toBe(1);
    expect(existsSync(lockPath())).toBe(false);
  });

  it('releases the lock when running cdktf throws', async () => {
    const failing = deps('primary', {
      cdktf: () => {
        throw new Error('spawn ENOMEM');
      },
    });
    await expect(runStackRunner(['deploy', '--operator', 'alice'], failing)).rejects.toThrow('spawn ENOMEM');
    expect(existsSync(lockPath())).toBe(false);
  });
});

describe('the operation lock', () => {
  const seedLock = (operation: string, startedAt: number) => {
    mkdirSync(join(root, 'apps', 'stack-global'), { recursive: true });
    writeFileSync(
      lockPath(),
      JSON.stringify({ version: 1, operation, operator: 'arn:aws:sts::123456789012:assumed-role/dr-operator/bob', host: 'laptop-b', pid: 31, startedAt: new Date(startedAt).toISOString(), id: 'bob-1' }),
    );
  };

  it('refuses a deploy while another operation holds it, before asking RDS or planning', async () => {
    seedLock('failover', T0 - 4 * MIN);

    const code = await runStackRunner(['deploy', '--operator', 'alice'], deps('primary'));

    expect(code).toBe(EXIT.refused);
    expect(err).toEqual([
      `stack-primary: Cannot start deploy:primary: the operation lock ${lockPath()} is held by failover by arn:aws:sts::123456789012:assumed-role/dr-operator/bob on laptop-b (pid 31) ` +
        'since 2026-11-30T05:56:00.000Z (4 min ago). Wait for that run to finish. If it died, the lock can be broken once it is older than 2 h (in 1 h 56 min): ' +
        'then run the deploy again with --break-stale-lock (or BREAK_STALE_OPERATION_LOCK=true).',
    ]);
    expect(primaryRds.calls()).toHaveLength(0);
    expect(cdktfCalls).toEqual([]);
    expect(readLock().operator).toMatch(/bob$/);
  });

  it('breaks a stale lock only with --break-stale-lock', async () => {
    seedLock('deploy:secondary', T0 - 3 * 60 * MIN);

    await expect(runStackRunner(['deploy', '--operator', 'alice'], deps('primary'))).resolves.toBe(EXIT.refused);
    expect(cdktfCalls).toEqual([]);

    await expect(runStackRunner(['deploy', '--operator', 'alice', '--break-stale-lock'], deps('primary'))).resolves.toBe(0);
    expect(cdktfCalls[0]!.lock).toMatchObject({ operation: 'deploy:primary', operator: 'alice' });
    expect(err).toContain(
      `stack-primary: Broke the operation lock ${lockPath()} (stale; deploy:secondary by arn:aws:sts::123456789012:assumed-role/dr-operator/bob on laptop-b (pid 31), 3 h old) and took it for deploy:primary.`,
    );
  });

  it('is taken by the global stack too, which has no activeRegion to check', async () => {
    await expect(runStackRunner(['deploy', '--operator', 'alice'], deps('global'))).resolves.toBe(0);

    expect(cdktfCalls[0]!.lock).toMatchObject({ operation: 'deploy:global' });
    expect(primaryRds.calls()).toHaveLength(0);
    expect(secondaryRds.calls()).toHaveLength(0);
  });
});

describe('the account and the zone', () => {
  it('refuses credentials of another account before init, the lock or a plan, naming both accounts (exit 3)', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '999999999999', Arn: 'arn:aws:sts::999999999999:assumed-role/deploy/alice' });

    const code = await runStackRunner(['deploy', '--operator', 'alice'], deps('primary'));

    expect(code).toBe(EXIT.refused);
    expect(err).toEqual([
      'stack-primary: Refusing to run: these credentials are for AWS account 999999999999 (arn:aws:sts::999999999999:assumed-role/deploy/alice), ' +
        `but staging lives in account ${ACCOUNT} (accountId in libs/config/environments/staging.json). ` +
        `Use credentials for ${ACCOUNT} (for example another AWS_PROFILE), or correct accountId if it is the config that is wrong.`,
    ]);
    expect(init).not.toHaveBeenCalled();
    expect(cdktfCalls).toEqual([]);
    expect(primaryRds.calls()).toHaveLength(0);
    expect(existsSync(lockPath())).toBe(false);
  });

  it('refuses a diff with another account\'s credentials too', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '999999999999', Arn: 'arn:aws:sts::999999999999:user/bob' });
    await expect(runStackRunner(['diff'], deps('secondary'))).resolves.toBe(EXIT.refused);
    expect(cdktfCalls).toEqual([]);
  });

  it.each([
    ['global', 'us-east-1'],
    ['primary', 'us-east-1'],
    ['secondary', 'us-east-2'],
  ] as const)('asks STS for the %s stack in %s, its own region', async (stack, region) => {
    await expect(runStackRunner(['diff'], deps(stack))).resolves.toBe(0);
    expect(stsRegions).toEqual([region]);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
  });

  it('stops when STS cannot say whose the credentials are (exit 1)', async () => {
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredToken' }));
    await expect(runStackRunner(['deploy', '--operator', 'alice'], deps('global'))).resolves.toBe(EXIT.failed);
    expect(err).toEqual([expect.stringMatching(/^stack-global: Cannot tell which AWS account these credentials belong to: STS GetCallerIdentity failed \(ExpiredToken: .*Refresh the AWS credentials/)]);
    expect(cdktfCalls).toEqual([]);
  });

  it('refuses to deploy the placeholder zone before asking anything of AWS (exit 1)', async () => {
    const code = await runStackRunner(['deploy', '--operator', 'alice'], deps('global', { environment: stagingWith({ dns: {} }) }));

    expect(code).toBe(EXIT.failed);
    expect(err).toEqual([
      'stack-global: Refusing to deploy: dns.zoneName is not set for staging, so it is the placeholder dr-dev.example.com, which nobody can own. ' +
        'Set dns.zoneName in libs/config/environments/staging.json to a domain you own (or a subdomain of one, such as dr.payments.your-company.com), then deploy again; ' +
        'to put the records in a public hosted zone that exists already, also set dns.existingZoneId to its id.',
    ]);
    expect(preflight).not.toHaveBeenCalled();
    expect(sts.calls()).toHaveLength(0);
    expect(cdktfCalls).toEqual([]);
  });

  it('refuses a reserved zone in every stack, existing zone or not', async () => {
    const environment = stagingWith({ dns: { zoneName: 'dr.acme.test', existingZoneId: 'Z0123456789ABCDEFGHIJ' } });
    await expect(runStackRunner(['deploy', '--operator', 'alice'], deps('secondary', { environment }))).resolves.toBe(EXIT.failed);
    expect(err).toEqual([expect.stringMatching(/^stack-secondary: Refusing to deploy: dr\.acme\.test is under test, which is reserved/)]);
    expect(cdktfCalls).toEqual([]);
  });

  it('plans the placeholder zone: a diff deploys nothing', async () => {
    await expect(runStackRunner(['diff'], deps('global', { environment: stagingWith({ dns: {} }) }))).resolves.toBe(0);
    expect(cdktfCalls.map((call) => call.action)).toEqual(['diff']);
  });

  it('deploys dev, which names no account, saying that its providers accept any', async () => {
    const environment = defineEnvironment({ name: 'dev', dns: { zoneName: 'dr.payments.acme.io' } });
    await expect(runStackRunner(['deploy', '--operator', 'alice'], deps('global', { environment }))).resolves.toBe(0);
    expect(out).toContain(`stack-global: AWS account ${ACCOUNT} (${CALLER}): dev names no accountId, so its providers accept any account; to lock them, set "accountId": "<the 12-digit id of dev's account>" in libs/config/environments/dev.json.`);
    expect(cdktfCalls).toHaveLength(1);
  });

  it('stops on an environment with no file, listing the known ones, before anything else', async () => {
    const environmentsDir = join(root, 'libs', 'config', 'environments');
    const d = deps('primary', {});
    const code = await runStackRunner(['deploy'], { ...d, loadEnvironment: () => loadEnvironment({ env: { ENVIRONMENT_SUFFIX: 'stagin' }, environmentsDir }) });

    expect(code).toBe(EXIT.failed);
    expect(err).toEqual([
      'stack-primary: Invalid environment (ENVIRONMENT_SUFFIX=stagin):\n' +
        `  - name (ENVIRONMENT_SUFFIX): stagin is not a known environment (no ${join(environmentsDir, 'stagin.json')}); the known ones are dev, staging. ` +
        'Set ENVIRONMENT_SUFFIX to one of them, or add stagin.json there to define stagin.',
    ]);
    expect(preflight).not.toHaveBeenCalled();
    expect(sts.calls()).toHaveLength(0);
  });
});

describe('diff and the rest', () => {
  it('plans without the lock or the activeRegion check', async () => {
    await expect(runStackRunner(['diff'], deps('primary'))).resolves.toBe(0);

    expect(cdktfCalls).toEqual([{ action: 'diff', args: [], lock: undefined }]);
    expect(primaryRds.calls()).toHaveLength(0);
    expect(err).toEqual([]);
  });

  it('stops on a failed preflight before taking the lock', async () => {
    preflight.mockImplementation(() => {
      throw new PreflightError('No AWS credentials found: set AWS_PROFILE.');
    });

    await expect(runStackRunner(['deploy'], deps('primary'))).resolves.toBe(EXIT.failed);
    expect(err).toEqual(['stack-primary: No AWS credentials found: set AWS_PROFILE.']);
    expect(cdktfCalls).toEqual([]);
  });

  it.each([[['deploy', '--allow-mismatch']], [['apply']], [[]]])('refuses %j as usage', async (argv) => {
    await expect(runStackRunner(argv, deps('primary'))).resolves.toBe(EXIT.usage);
    expect(err.at(-1)).toMatch(/^usage: stack-runner diff\|deploy/m);
    expect(preflight).not.toHaveBeenCalled();
  });

  it('says to synthesize first when there is no synthesized stack', async () => {
    const d = deps('primary');
    rmSync(join(d.cwd, 'cdktf.out'), { recursive: true });
    await expect(runStackRunner(['deploy'], d)).resolves.toBe(EXIT.failed);
    expect(err).toEqual([expect.stringMatching(/found 0; run `nx run stack-primary:synth` first\.$/)]);
  });
});
