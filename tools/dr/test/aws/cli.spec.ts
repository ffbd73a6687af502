import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadEnvironment } from '@txn-dr/config';
import type { StatusSnapshot } from '../../src/status';
import { type Harness, harness } from '../harness';

let h: Harness;
afterEach(() => h.dispose());

describe('dr status', () => {
  it('prints the live picture of both regions and whether config agrees', async () => {
    h = harness();
    expect(await h.run(['status'])).toBe(0);
    const output = h.lastOutput();
    expect(output).toContain('Environment dev: app.dr-dev.example.com, observed 2026-11-20T03:00:');
    expect(output).toContain('Global cluster txdr-dev-global: writer us-east-1');
    expect(output).toMatch(/│ Aurora cluster +│ writer, available +│ reader, available +│/);
    expect(output).toMatch(/│ replication lag +│ - +│ 0\.4 s \(\d+ s old\) +│/);
    expect(output).toMatch(/│ ASG min\/desired\/max +│ 2\/2\/4 +│ 1\/1\/4 +│/);
    expect(output).toMatch(/│ in service \/ healthy targets +│ 2 \/ 2 +│ 1 \/ 1 +│/);
    expect(output).toMatch(/│ Route 53 weight +│ 100 +│ 0 +│/);
    // The checks probe the writable path: only the writer's passes.
    expect(output).toMatch(/│ Route 53 health check +│ healthy \(16\/16 checkers\) +│ unhealthy \(0\/16 checkers\) +│/);
    expect(output).toContain('Config activeRegion us-east-1: agrees: us-east-1 is the global writer and takes the traffic');
    expect(h.fake.writes()).toEqual([]);
  });

  it('prints the same as JSON', async () => {
    h = harness();
    expect(await h.run(['status', '--json'])).toBe(0);
    const status = JSON.parse(h.lastOutput()) as StatusSnapshot;
    expect(status.database).toMatchObject({ writer: 'primary', writerRegion: 'us-east-1', engineVersion: '8.0.mysql_aurora.3.10.4', lag: { role: 'secondary', milliseconds: 400 } });
    expect(status.capacity.secondary).toMatchObject({ min: 1, desired: 1, max: 4, inService: 1, healthyTargets: 1, autoScalingGroup: 'txdr-dev-secondary-asg' });
    expect(status.traffic).toMatchObject({ zoneId: '/hostedzone/ZPUBLIC', activeRegion: 'us-east-1', records: { primary: { weight: 100, health: 'healthy' }, secondary: { weight: 0 } } });
    expect(status.config).toEqual({ activeRegion: 'us-east-1', agrees: true, detail: 'agrees: us-east-1 is the global writer and takes the traffic' });
  });

  it('says when config disagrees with the live writer', async () => {
    h = harness();
    h.fake.global.writer = 'secondary';
    expect(await h.run(['status', '--json'])).toBe(0);
    expect((JSON.parse(h.lastOutput()) as StatusSnapshot).config).toMatchObject({
      agrees: false,
      detail: 'disagrees: the global writer is us-east-2 and the weights send traffic to us-east-1; config says us-east-1',
    });
  });

  it('shows a region that does not answer instead of failing', async () => {
    h = harness();
    h.fake.impair('primary');
    expect(await h.run(['status'])).toBe(5);
    const output = h.lastOutput();
    expect(output).toMatch(/│ Aurora cluster +│ does not answer: TimeoutError/);
    expect(output).toMatch(/│ Route 53 health check +│ unhealthy \(0\/16 checkers\)/);
    expect(output).toContain('Global cluster txdr-dev-global: writer us-east-1');
  });
});

describe('dr plan', () => {
  it('lists the steps with current and target values and changes nothing', async () => {
    h = harness();
    expect(await h.run(['plan', 'switchover'])).toBe(0);
    expect(h.fake.writes()).toEqual([]);
    const output = h.lastOutput();
    expect(output).toContain('Plan: switchover us-east-1 -> us-east-2 for dev (nothing is changed)');
    expect(output).toMatch(/│ 2 │ scale-standby +│ 1\/1\/4, 1 in service, 1 healthy +│ 2\/2\/4, 2 in service and healthy +│ to do │/);
    expect(output).toMatch(/│ 3 │ promote-database \* │ writer us-east-1 \(txdr-dev-primary-aurora\) +│ writer us-east-2 \(txdr-dev-secondary-aurora\) +│ to do │/);
    expect(output).toMatch(/│ 4 │ verify-traffic +│ HTTP 200, us-east-1 writer +│ HTTP 200, us-east-2 writer +│ to do │/);
    expect(output).toMatch(/│ 5 │ scale-down-old \* +│ 2\/2\/4, 2 in service, 2 healthy +│ 1\/1\/4 +│ to do │/);
  });

  it('shows what is already done, and what would block a run, as JSON', async () => {
    h = harness({ lagMs: 30_000 });
    h.fake.regions.secondary.asg.desired = 2;
    h.fake.regions.secondary.asg.min = 2;
    h.fake.regions.secondary.asg.instances.push({ id: 'i-extra', lifecycle: 'InService', readyAt: 0 });
    expect(await h.run(['plan', 'switchover', '--json'])).toBe(0);
    const plan = JSON.parse(h.lastOutput()) as { from: string; to: string; steps: { id: string; state: string; problems?: string[]; suggestion?: string }[] };
    expect(plan.from).toBe('us-east-1');
    expect(plan.steps.map((s) => [s.id, s.state])).toEqual([
      ['preconditions', 'blocked'],
      ['scale-standby', 'done'],
      ['promote-database', 'to do'],
      ['verify-traffic', 'to do'],
      ['scale-down-old', 'to do'],
    ]);
    expect(plan.steps[0]!.problems).toEqual(['the replication lag of txdr-dev-secondary-aurora is 30.0 s, over the 10 s a switchover accepts']);
    expect(plan.steps[0]!.suggestion).toMatch(/wait for the lag to fall/);
    expect(h.fake.writes()).toEqual([]);
  });

  it('plans a failover with the old region timing out', async () => {
    h = harness();
    h.fake.impair('primary');
    expect(await h.run(['plan', 'failover'])).toBe(5);
    const output = h.lastOutput();
    expect(output).toMatch(/│ 2 │ request-capacity +│ 1\/1\/4, 1 in service, 1 healthy +│ 2\/2\/4 +│ to do │/);
    expect(output).toMatch(/│ 3 │ fence-source \* +│ us-east-1 does not answer \((TimeoutError|RegionSkipped)/);
    expect(h.fake.writes()).toEqual([]);
  });

  it('rejects an unknown operation and a region outside the pair', async () => {
    h = harness();
    expect(await h.run(['plan', 'rollback'])).toBe(2);
    expect(h.err.join('\n')).toContain("error: command-argument value 'rollback' is invalid for argument 'operation'. Allowed choices are switchover, failover, failback, restore.");
    expect(await h.run(['plan', 'switchover', '--to', 'eu-west-1'])).toBe(2);
    expect(h.err.join('\n')).toContain('--to eu-west-1 is not a region of this pair (us-east-1, us-east-2)');
    expect(await h.run(['switchover', '--max-lag-seconds', 'soon'])).toBe(2);
    expect(h.err.join('\n')).toContain('not a positive number of seconds: soon');
    expect(h.fake.calls).toEqual([]);
  });
});

describe('dr budget', () => {
  it('prints the phases, the total against the objective and the reference design', async () => {
    h = harness();
    expect(await h.run(['budget'])).toBe(0);
    const output = h.lastOutput();
    expect(output).toMatch(/│ detection │ 30 +│ the active region's writable Route 53 check fails: 10 s interval x 3 failures/);
    expect(output).toMatch(/│ promotion │ 60 +│/);
    expect(output).toMatch(/│ routing +│ 30 +│ writable checks flip after the promotion: 10 s interval x 3; Route 53 then answers the weight-0 record/);
    expect(output).toMatch(/│ capacity +│ \(120\) +│ standby 1 -> 2 instances/);
    expect(output).toMatch(/│ dns +│ 60 +│ alias A records to the ALB: fixed 60 s TTL/);
    expect(output).toMatch(/│ fencing +│ 45 +│ the old region's capacity to zero, its instances gone within 45 s/);
    expect(output).toContain('total 225 s = detection 30 + max(fencing 45 + promotion 60 + routing 30 + dns 60, capacity 120): within the 300 s objective, 75 s to spare');
    expect(output).toContain('Reference design: traffic moves after ~90 s detection + 60 s TTL, but writes fail until someone promotes');
    expect(h.fake.calls).toEqual([]);
  });

  it('prints JSON', async () => {
    h = harness({ env: { healthCheck: { intervalSeconds: 10 } } });
    expect(await h.run(['budget', '--json'])).toBe(0);
    expect(JSON.parse(h.lastOutput())).toMatchObject({ environment: 'dev', budget: { totalSeconds: 225, objectiveSeconds: 300, marginSeconds: 75 } });
  });
});

describe('the program', () => {
  it('prints its version and the Node.js it runs on', async () => {
    h = harness();
    expect(await h.run(['--version'])).toBe(0);
    expect(h.lastOutput()).toBe(`dr 0.0.0 (Node.js ${process.version})`);
  });

  it('prints help', async () => {
    h = harness();
    expect(await h.run(['--help'])).toBe(0);
    expect(h.lastOutput()).toMatch(/Commands:\n {2}status \[options\]/);
  });

  it('stops with the config error when the environment is invalid', async () => {
    h = harness();
    const invalid = () => {
      throw new ConfigError('ENVIRONMENT_SUFFIX=Bad', [{ field: 'name (ENVIRONMENT_SUFFIX)', message: 'must be 1-12 lowercase letters' }]);
    };
    expect(await h.run(['status'], { loadEnvironment: invalid })).toBe(2);
    expect(h.err.join('\n')).toContain('Invalid environment (ENVIRONMENT_SUFFIX=Bad):\n  - name (ENVIRONMENT_SUFFIX): must be 1-12 lowercase letters');
  });
});

describe('--config', () => {
  /** Writes an environment file in a folder of its own; returns its path. */
  function environmentFile(content: unknown): string {
    const file = join(mkdtempSync(join(tmpdir(), 'dr-config-')), 'environment.json');
    writeFileSync(file, JSON.stringify(content));
    return file;
  }

  /** The loader main.ts gives, with no variable set: only --config can name a file. */
  const fromFile = (options: { configFile?: string }) => loadEnvironment({ env: {}, ...options });

  it.each([
    ['before the command', ['--config', 'envs/scratch.json', 'budget']],
    ['after the command', ['budget', '--config', 'envs/scratch.json']],
    ['as --config=<file>', ['budget', '--config=envs/scratch.json']],
  ])('is passed on to the environment loader %s, as given', async (_where, argv) => {
    h = harness();
    const asked: unknown[] = [];
    const env = fromFile({});
    expect(await h.run(argv, { loadEnvironment: (options) => (asked.push(options), env) })).toBe(0);
    expect(asked).toEqual([{ configFile: 'envs/scratch.json' }]);
  });

  it('is left out when not given, so that ENVIRONMENT_SUFFIX or TXN_DR_CONFIG decide', async () => {
    h = harness();
    const asked: unknown[] = [];
    const env = fromFile({});
    expect(await h.run(['budget'], { loadEnvironment: (options) => (asked.push(options), env) })).toBe(0);
    expect(asked).toEqual([{}]);
  });

  it('operates on the environment the file describes', async () => {
    h = harness();
    const file = environmentFile({ name: 'scratch', healthCheck: { failureThreshold: 2 } });
    expect(await h.run(['budget', '--json', '--config', file], { loadEnvironment: fromFile })).toBe(0);
    expect(JSON.parse(h.lastOutput())).toMatchObject({ environment: 'scratch', budget: { totalSeconds: 205 } });
  });

  it('stops with every problem of an invalid file, and the file named, before any AWS call', async () => {
    h = harness();
    const file = environmentFile({ name: 'scratch', database: { instanceClas: 'db.r6g.large' }, regions: { secondary: { region: 'us-east-1' } } });
    expect(await h.run(['status', '--config', file], { loadEnvironment: fromFile })).toBe(2);
    expect(h.err).toEqual([
      `Invalid environment (${file}):`,
      '  - regions.secondary.region: must differ from regions.primary.region (both are us-east-1)',
      '  - database.instanceClas: is not a field of database; did you mean database.instanceClass?',
    ]);
    expect(h.fake.calls).toEqual([]);
  });

  it('stops naming a file that is missing', async () => {
    h = harness();
    const missing = join(mkdtempSync(join(tmpdir(), 'dr-config-')), 'missing.json');
    expect(await h.run(['status', '--config', missing], { loadEnvironment: fromFile })).toBe(2);
    expect(h.err).toEqual([`Invalid environment (${missing}):`, '  - (file): cannot be read (ENOENT: no such file or directory)']);
  });

  it('reaches the loader from the command line, relative to the current directory', () => {
    const file = environmentFile({ name: 'scratch' });
    const run = spawnSync(process.execPath, [join(__dirname, '..', '..', 'bin', 'dr.cjs'), 'budget', '--json', '--config', 'environment.json'], {
      cwd: join(file, '..'),
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '' },
    });
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(JSON.parse(run.stdout)).toMatchObject({ environment: 'scratch' });
  });

  it('needs its file', async () => {
    h = harness();
    expect(await h.run(['status', '--config'])).toBe(2);
    expect(h.err[0]).toBe("error: option '--config <file>' argument missing");
  });

  it.each([
    ['--config', (file: string) => ({ argv: ['--config', file] })],
    ['TXN_DR_CONFIG', (file: string) => ({ argv: [], deps: { configFileVariable: file } })],
  ] as const)('is named again by the resume command and the report of a run whose environment came from %s', async (_how, given) => {
    h = harness();
    const file = environmentFile({ name: 'dev' });
    const { argv, deps } = given(file) as { argv: string[]; deps?: { configFileVariable: string } };
    expect(await h.run(['switchover', ...argv], { confirm: async () => false, ...deps })).toBe(4);
    // Not ENVIRONMENT_SUFFIX=dev, which would load the built-in dev, not this file.
    expect(h.lastOutput()).toContain(`resume with: npx dr --config ${file} switchover --to us-east-2`);
    expect(h.reports()[0]).toMatchObject({ resumeCommand: `npx dr --config ${file} switchover --to us-east-2` });
  });

  it('is in the help', async () => {
    h = harness();
    expect(await h.run(['--help'])).toBe(0);
    expect(h.lastOutput()).toMatch(/^ {2}--config <file> +the environment file to operate on, instead of\n/m);
  });
});
