import { DescribeGlobalClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { type Environment, defineEnvironment } from '@txn-dr/config';
import { mockClient } from 'aws-sdk-client-mock';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, PreflightError, type RunnerDeps, runStackRunner } from '../src';
import { globalCluster, notFound, rdsError } from './rds-fixtures';

const rdsClients: Record<string, RDSClient> = { 'us-east-1': new RDSClient({ region: 'us-east-1' }), 'us-east-2': new RDSClient({ region: 'us-east-2' }) };
const primaryRds = mockClient(rdsClients['us-east-1']!);
const secondaryRds = mockClient(rdsClients['us-east-2']!);

const MIN = 60_000;
const T0 = Date.parse('2026-11-30T06:00:00.000Z');

let root: string;
let out: string[];
let err: string[];
let cdktfCalls: { action: string; args: readonly string[]; lock: unknown }[];
let cdktfStatus: number;
let preflight: jest.Mock;
let clock: number;

const lockPath = () => join(root, 'apps', 'stack-global', 'terraform.staging.tfstate.operations-lock.json');
const readLock = () => (existsSync(lockPath()) ? JSON.parse(readFileSync(lockPath(), 'utf8')) : undefined);

function deps(stack: 'global' | 'primary' | 'secondary', extra: Partial<RunnerDeps> & { environment?: Environment } = {}): RunnerDeps {
  const cwd = join(root, 'apps', `stack-${stack}`);
  mkdirSync(join(cwd, 'cdktf.out', 'stacks', stack), { recursive: true });
  const environment = extra.environment ?? defineEnvironment({ name: 'staging' });
  return {
    cwd,
    workspaceRoot: root,
    environmentsDir: join(root, 'libs', 'config', 'environments'),
    vars: {},
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    preflight,
    loadEnvironment: () => environment,
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
  clock = T0;
  primaryRds.reset();
  secondaryRds.reset();
  primaryRds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [globalCluster('us-east-1')] });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('deploy of a regional stack', () => {
  it('takes the lock, checks activeRegion, then runs cdktf deploy under the lock and releases it', async () => {
    const code = await runStackRunner(['deploy', '--operator', 'alice'], deps('primary'));

    expect(code).toBe(0);
    expect(preflight).toHaveBeenCalledWith(join(root, 'apps', 'stack-primary', 'cdktf.out', 'stacks', 'primary'));
    expect(cdktfCalls).toEqual([{ action: 'deploy', args: [], lock: expect.objectContaining({ operation: 'deploy:primary', operator: 'alice', startedAt: '2026-11-30T06:00:00.000Z' }) }]);
    expect(out).toEqual([expect.stringMatching(/^stack-primary: Config activeRegion us-east-1 agrees with the live global writer in us-east-1/)]);
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
    expect(out).toEqual([expect.stringMatching(/^stack-secondary: WARNING: config activeRegion us-east-1 disagrees/)]);
  });

  it('goes on for a first deploy, and says so', async () => {
    primaryRds.on(DescribeGlobalClustersCommand).rejects(notFound());

    await expect(runStackRunner(['deploy', '--operator', 'alice'], deps('primary'))).resolves.toBe(0);

    expect(out).toEqual(['stack-primary: Global cluster txdr-staging-global does not exist yet (asked in us-east-1): a first deploy, with no live writer to compare activeRegion us-east-1 with.']);
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
