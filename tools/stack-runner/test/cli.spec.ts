import { DescribeGlobalClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ENVIRONMENT_DIGEST_FILE, type Environment, type EnvironmentOverrides, defineEnvironment, environmentDigest, loadEnvironment } from '@txn-dr/config';
import { mockClient } from 'aws-sdk-client-mock';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, PreflightError, type RunnerDeps, type TerraformRunner, runStackRunner } from '../src';
import { ACCOUNT, globalCluster, notFound, rdsError } from './rds-fixtures';
import { PLAN_TEXT, STALE_PLAN_STDERR, type TerraformCall, fakeTerraform } from './terraform-fixtures';

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
let terraform: TerraformRunner;
let terraformCalls: (TerraformCall & { lock: unknown })[];
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
  // As the stack app writes it: synthesized from this very environment.
  writeFileSync(join(cwd, 'cdktf.out', ENVIRONMENT_DIGEST_FILE), `${environmentDigest(environment)}\n`);
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
    terraform,
    // Without --operator the lock names the caller, asked of the same (mocked) STS.
    lock: { now: () => clock, clients: { sts: stsClient } },
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
  terraformCalls = [];
  terraform = fakeTerraform({}, (call) => terraformCalls.push({ ...call, lock: readLock() })).terraform;
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

/** The arguments and variables a case runs the runner with. */
type Given = [argv: string[], vars: NodeJS.ProcessEnv];

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

/** Another run's lock, as a DR operation or a deploy elsewhere leaves it while it runs. */
const seedLock = (operation: string, startedAt: number) => {
  mkdirSync(join(root, 'apps', 'stack-global'), { recursive: true });
  writeFileSync(
    lockPath(),
    JSON.stringify({ version: 1, operation, operator: 'arn:aws:sts::123456789012:assumed-role/dr-operator/bob', host: 'laptop-b', pid: 31, startedAt: new Date(startedAt).toISOString(), id: 'bob-1' }),
  );
};

describe('the operation lock', () => {

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

  it.each([
    ['deploy', ''],
    ['plan', ''],
    ['apply', ', then plan and review again'],
  ])('refuses to %s a synth made from other settings than the environment loaded now, before any AWS call', async (action, then) => {
    const d = deps('primary');
    // apply looks for its saved plan first: there is one, made from the stale synth.
    writeFileSync(join(d.cwd, 'cdktf.out', 'stacks', 'primary', 'plan.tfplan'), '');
    const code = await runStackRunner([action], { ...d, loadEnvironment: () => stagingWith({ healthCheck: { failureThreshold: 2 } }) });
    expect(code).toBe(EXIT.failed);
    expect(err).toEqual([
      `stack-primary: Refusing to ${action}: the synthesized stack was made from other settings than staging's as loaded now (an environment file changed since, and the synth may have been replayed from the Nx cache); ` +
        `synthesize it again with \`nx run stack-primary:synth --skip-nx-cache\`${then}.`,
    ]);
    expect(preflight).not.toHaveBeenCalled();
    expect(sts.calls()).toHaveLength(0);
    expect(cdktfCalls).toEqual([]);
  });

  it('refuses a synth that does not say which environment it was made from', async () => {
    const d = deps('primary');
    rmSync(join(d.cwd, 'cdktf.out', ENVIRONMENT_DIGEST_FILE));
    expect(await runStackRunner(['deploy'], d)).toBe(EXIT.failed);
    expect(err[0]).toMatch(/^stack-primary: Refusing to deploy: the synthesized stack does not say which environment it was made from \(no environment\.sha256\)/);
    expect(cdktfCalls).toEqual([]);
  });

  it('stops on an environment with no file, listing the known ones, before anything else', async () => {
    const environmentsDir = join(root, 'libs', 'config', 'environments');
    const d = deps('primary', {});
    const code = await runStackRunner(['deploy'], { ...d, loadEnvironment: () => loadEnvironment({ env: { ENVIRONMENT_SUFFIX: 'stagin' }, environmentsDir }) });

    expect(code).toBe(EXIT.failed);
    expect(err).toEqual([
      'stack-primary: Invalid environment (ENVIRONMENT_SUFFIX=stagin):\n' +
        `  - name (ENVIRONMENT_SUFFIX): stagin is not a known environment (no ${join(environmentsDir, 'stagin.json')}); the known ones are dev, staging. ` +
        'Set ENVIRONMENT_SUFFIX to one of them, add stagin.json there to define stagin, or name a file of your own in TXN_DR_CONFIG.',
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

  it.each([[['deploy', '--allow-mismatch']], [['destroy']], [['deploy', 'plan.tfplan']], [['apply', 'a.tfplan', 'b.tfplan']], [[]]])('refuses %j as usage', async (argv) => {
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

describe('plan', () => {
  const stackDir = (stack: string) => join(root, 'apps', `stack-${stack}`, 'cdktf.out', 'stacks', stack);

  it('checks like a deploy, holds the lock for the writer check only, then saves the plan and its text in the stack', async () => {
    const code = await runStackRunner(['plan', '--operator', 'alice'], deps('primary'));

    expect(code).toBe(0);
    expect(preflight).toHaveBeenCalledTimes(1);
    expect(init).toHaveBeenCalledWith(stackDir('primary'));
    const planFile = join(stackDir('primary'), 'plan.tfplan');
    // Terraform plans after the lock is released: a failover need not wait for a read-only plan.
    expect(terraformCalls).toEqual([
      { args: ['plan', '-input=false', '-detailed-exitcode', `-out=${planFile}`], options: { cwd: stackDir('primary'), echo: true }, lock: undefined },
      { args: ['show', '-no-color', planFile], options: { cwd: stackDir('primary'), echo: false }, lock: undefined },
    ]);
    expect(readFileSync(join(stackDir('primary'), 'plan.txt'), 'utf8')).toBe(PLAN_TEXT);
    expect(err).toEqual([
      `stack-primary: Took the operation lock ${lockPath()} for plan:primary as alice.`,
      `stack-primary: Released the operation lock ${lockPath()}.`,
    ]);
    expect(out).toEqual([
      ZONE_LINE('stack-primary'),
      ACCOUNT_LINE('stack-primary'),
      expect.stringMatching(/^stack-primary: Config activeRegion us-east-1 agrees with the live global writer in us-east-1/),
      'stack-primary: Saved the plan of stack-primary in staging to apps/stack-primary/cdktf.out/stacks/primary/plan.tfplan, ' +
        'and its text to apps/stack-primary/cdktf.out/stacks/primary/plan.txt: it has changes. ' +
        'Once it is reviewed, apply exactly this plan with `nx run stack-primary:apply`.',
    ]);
    expect(cdktfCalls).toEqual([]);
  });

  it('asks RDS for the writer while holding the lock', async () => {
    let lockDuringCheck: unknown;
    primaryRds.on(DescribeGlobalClustersCommand).callsFake(() => {
      lockDuringCheck = readLock();
      return { GlobalClusters: [globalCluster('us-east-1')] };
    });
    await expect(runStackRunner(['plan', '--operator', 'alice'], deps('secondary'))).resolves.toBe(0);
    expect(lockDuringCheck).toMatchObject({ operation: 'plan:secondary', operator: 'alice', expectedDurationMs: 60_000 });
  });

  it('refuses to plan while a DR operation holds the lock (exit 3), without planning', async () => {
    seedLock('switchover', T0 - MIN);
    await expect(runStackRunner(['plan'], deps('primary'))).resolves.toBe(EXIT.refused);
    expect(err.join('\n')).toMatch(/Cannot start plan:primary: the operation lock .* is held by switchover by arn:aws:sts::123456789012:assumed-role\/dr-operator\/bob/);
    expect(terraformCalls).toEqual([]);
  });

  it('refuses to plan a config that disagrees with the live writer (exit 3)', async () => {
    primaryRds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster('us-east-2')] });
    await expect(runStackRunner(['plan'], deps('primary'))).resolves.toBe(EXIT.refused);
    expect(err.join('\n')).toContain('Fix: set "activeRegion": "us-east-2" in libs/config/environments/staging.json');
    expect(terraformCalls).toEqual([]);
    expect(existsSync(lockPath())).toBe(false);
  });

  it('refuses the placeholder zone, as a deploy does, and leaves no older plan behind', async () => {
    const d = deps('global', { environment: stagingWith({ dns: {} }) });
    writeFileSync(join(stackDir('global'), 'plan.tfplan'), 'yesterday\'s plan');
    writeFileSync(join(stackDir('global'), 'plan.txt'), 'its text');

    await expect(runStackRunner(['plan'], d)).resolves.toBe(EXIT.failed);

    expect(err).toEqual([expect.stringMatching(/^stack-global: Refusing to deploy: dns\.zoneName is not set for staging/)]);
    expect(terraformCalls).toEqual([]);
    expect(existsSync(join(stackDir('global'), 'plan.tfplan'))).toBe(false);
    expect(existsSync(join(stackDir('global'), 'plan.txt'))).toBe(false);
  });

  it('plans the global stack with a brief lock and no writer check', async () => {
    await expect(runStackRunner(['plan'], deps('global'))).resolves.toBe(0);
    expect(primaryRds.calls()).toHaveLength(0);
    expect(terraformCalls.map((call) => call.args[0])).toEqual(['plan', 'show']);
  });

  it.each([
    ['a path given, relative to the stack project', (): Given => [['plan', 'review/staging.tfplan'], {}], 'apps/stack-primary/review/staging.tfplan'],
    ['an absolute path given', (): Given => [['plan', join(root, 'plans', 'primary.tfplan')], {}], 'plans/primary.tfplan'],
    ['STACK_PLAN_FILE', (): Given => [['plan'], { STACK_PLAN_FILE: 'plans/p.tfplan' }], 'apps/stack-primary/plans/p.tfplan'],
  ])('writes the plan to %s, its text beside it', async (_how, given, where) => {
    const [argv, vars] = given();
    const planFile = join(root, where);
    mkdirSync(join(planFile, '..'), { recursive: true });

    await expect(runStackRunner([...argv], deps('primary', { vars }))).resolves.toBe(0);

    expect(terraformCalls[0]!.args).toContain(`-out=${planFile}`);
    expect(existsSync(planFile)).toBe(true);
    expect(readFileSync(planFile.replace(/\.tfplan$/, '.txt'), 'utf8')).toBe(PLAN_TEXT);
    expect(out.at(-1)).toContain(`apply exactly this plan with \`nx run stack-primary:apply ${planFile}\``);
  });

  it('says so when the plan is empty', async () => {
    terraform = fakeTerraform(
      {
        plan: (args) => {
          writeFileSync(args.find((arg) => arg.startsWith('-out='))!.slice(5), 'plan');
          return { status: 0 };
        },
      },
      (call) => terraformCalls.push({ ...call, lock: readLock() }),
    ).terraform;
    await expect(runStackRunner(['plan'], deps('secondary'))).resolves.toBe(0);
    expect(out.at(-1)).toMatch(/: no changes\. Once it is reviewed/);
  });

  it('passes a failed plan\'s exit status on and leaves no plan to apply', async () => {
    const planFile = join(stackDir('primary'), 'plan.tfplan');
    const d = deps('primary');
    writeFileSync(planFile, 'yesterday\'s plan');
    terraform = fakeTerraform({ plan: () => ({ status: 1, stderr: 'Error: reading Route 53 Hosted Zone: AccessDenied' }) }).terraform;

    await expect(runStackRunner(['plan'], { ...d, terraform })).resolves.toBe(1);

    expect(err.at(-1)).toBe('stack-primary: terraform plan failed (exit 1); no plan was saved.');
    expect(existsSync(planFile)).toBe(false);
  });
});

describe('apply', () => {
  const stackDir = (stack: string) => join(root, 'apps', `stack-${stack}`, 'cdktf.out', 'stacks', stack);
  /** The stack directory as the plan left it (or as the pipeline downloads it). */
  function planned(stack: 'global' | 'primary' | 'secondary', extra: Partial<RunnerDeps> & { environment?: Environment } = {}): RunnerDeps {
    const d = deps(stack, extra);
    writeFileSync(join(stackDir(stack), 'plan.tfplan'), 'PK a saved plan');
    return d;
  }

  it('takes the lock, checks account and writer again, and applies exactly the saved plan under the lock', async () => {
    const code = await runStackRunner(['apply', '--operator', 'alice'], planned('primary'));

    expect(code).toBe(0);
    expect(preflight).toHaveBeenCalledTimes(1);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
    expect(primaryRds.commandCalls(DescribeGlobalClustersCommand)).toHaveLength(1);
    // A fresh job has no .terraform: init installs the providers the plan's lock file names.
    expect(init).toHaveBeenCalledWith(stackDir('primary'));
    expect(terraformCalls).toEqual([
      {
        args: ['apply', '-input=false', join(stackDir('primary'), 'plan.tfplan')],
        options: { cwd: stackDir('primary'), echo: true },
        lock: expect.objectContaining({ operation: 'apply:primary', operator: 'alice', expectedDurationMs: 45 * MIN }),
      },
    ]);
    expect(err).toEqual([
      `stack-primary: Took the operation lock ${lockPath()} for apply:primary as alice.`,
      `stack-primary: Released the operation lock ${lockPath()}.`,
    ]);
    expect(cdktfCalls).toEqual([]);
    expect(existsSync(lockPath())).toBe(false);
  });

  it('turns a stale plan into exit 4 and what to do, and releases the lock', async () => {
    terraform = fakeTerraform({ apply: () => ({ status: 1, stderr: STALE_PLAN_STDERR }) }, (call) => terraformCalls.push({ ...call, lock: readLock() })).terraform;

    const code = await runStackRunner(['apply', '--operator', 'alice'], planned('secondary'));

    expect(code).toBe(EXIT.stalePlan);
    expect(EXIT.stalePlan).toBe(4);
    expect(terraformCalls).toHaveLength(1);
    expect(err).toContain(
      'stack-secondary: Terraform refused the saved plan apps/stack-secondary/cdktf.out/stacks/secondary/plan.tfplan and applied nothing: the plan is stale. ' +
        'The state of stack-secondary in staging changed after the plan was made (another apply, an import or a state command wrote it), ' +
        'so the plan no longer describes what applying it would do. Make a new plan (nx run stack-secondary:plan), have it reviewed, and apply that one.',
    );
    expect(existsSync(lockPath())).toBe(false);
  });

  it('passes any other failed apply\'s exit status on and releases the lock', async () => {
    terraform = fakeTerraform({ apply: () => ({ status: 1, stderr: 'Error: creating Auto Scaling Group: ValidationError' }) }).terraform;
    await expect(runStackRunner(['apply'], planned('primary'))).resolves.toBe(1);
    expect(existsSync(lockPath())).toBe(false);
  });

  it('refuses when the live writer moved since the plan (exit 3), without applying', async () => {
    primaryRds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster('us-east-2')] });
    await expect(runStackRunner(['apply'], planned('primary'))).resolves.toBe(EXIT.refused);
    expect(terraformCalls).toEqual([]);
    expect(existsSync(lockPath())).toBe(false);
  });

  it('refuses another account\'s credentials (exit 3), before init or the lock', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '999999999999', Arn: 'arn:aws:sts::999999999999:user/bob' });
    await expect(runStackRunner(['apply'], planned('global'))).resolves.toBe(EXIT.refused);
    expect(init).not.toHaveBeenCalled();
    expect(terraformCalls).toEqual([]);
  });

  it('refuses while another operation holds the lock (exit 3)', async () => {
    seedLock('failover', T0 - MIN);
    const d = planned('global');
    await expect(runStackRunner(['apply'], d)).resolves.toBe(EXIT.refused);
    expect(terraformCalls).toEqual([]);
  });

  it.each([
    ['as an argument', (file: string): Given => [['apply', file], {}]],
    ['in STACK_PLAN_FILE', (file: string): Given => [['apply'], { STACK_PLAN_FILE: file }]],
  ])('applies the plan file named %s', async (_how, given) => {
    const file = join(root, 'downloads', 'primary.tfplan');
    mkdirSync(join(root, 'downloads'));
    writeFileSync(file, 'PK a saved plan');
    const [argv, vars] = given(file);
    await expect(runStackRunner([...argv], deps('primary', { vars }))).resolves.toBe(0);
    expect(terraformCalls.map((call) => call.args)).toEqual([['apply', '-input=false', file]]);
  });

  it('names a plan file outside the workspace in full', async () => {
    const outside = join(tmpdir(), 'not-in-the-workspace.tfplan');
    await expect(runStackRunner(['apply', outside], deps('primary'))).resolves.toBe(EXIT.failed);
    expect(err).toEqual([expect.stringMatching(new RegExp(`^stack-primary: no saved plan at ${outside}: `))]);
  });

  it('stops before anything else when there is no plan to apply', async () => {
    await expect(runStackRunner(['apply'], deps('primary'))).resolves.toBe(EXIT.failed);
    expect(err).toEqual(['stack-primary: no saved plan at apps/stack-primary/cdktf.out/stacks/primary/plan.tfplan: make one with `nx run stack-primary:plan`, have it reviewed, then apply it.']);
    expect(preflight).not.toHaveBeenCalled();
    expect(sts.calls()).toHaveLength(0);
  });

  it('says where the plan\'s directory comes from when there is no synthesized stack', async () => {
    const d = deps('primary');
    rmSync(join(d.cwd, 'cdktf.out'), { recursive: true });
    await expect(runStackRunner(['apply'], d)).resolves.toBe(EXIT.failed);
    expect(err).toEqual([expect.stringMatching(/found 0; apply runs in the directory its plan was made in: run `nx run stack-primary:plan` first \(in a pipeline, download the plan's artifact there\)\.$/)]);
  });
});
