import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTemporaryFolders, temporaryFolder, tinyApp } from '../test/fixtures/tiny-stack';
import { enforcePolicy } from './run-stack-app';
import { suppress } from './suppress';

const stackFile = (outdir: string) => join(outdir, 'stacks', 'tiny', 'cdk.tf.json');
const lines = (violations: readonly { rule: string; resource: string }[]) => violations.map((v) => `${v.rule} ${v.resource}`).sort();

afterAll(removeTemporaryFolders);

/** Runs the fixture app as `nx run <stack>:synth` runs a stack app, with only PATH and `vars` set. */
function runRefusedApp(vars: Record<string, string> = {}) {
  const outdir = join(temporaryFolder(), 'cdktf.out');
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: join(__dirname, '..', 'test', 'fixtures', 'refused-app'),
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', CHECKPOINT_DISABLE: '1', CDKTF_OUTDIR: outdir, ...vars },
  });
  return { run, outdir };
}

/** Writes an environment file outside the workspace; returns its path. */
function environmentFile(content: unknown): string {
  const file = join(temporaryFolder(), 'environment.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

describe('the policy at synth time', () => {
  it('refuses a stack that breaks a rule, with the rule id, resource and construct in the message, and removes its JSON', () => {
    const { app, outdir } = tinyApp();
    app.synth();
    expect(existsSync(stackFile(outdir))).toBe(true);
    const [refused, ...others] = enforcePolicy(outdir);
    expect(others).toEqual([]);
    expect(refused!.stack).toBe('tiny');
    expect(lines(refused!.violations)).toEqual([
      'logs-kms aws_cloudwatch_log_group.logs',
      'logs-retention aws_cloudwatch_log_group.logs',
      'ssm-secure-string aws_ssm_parameter.other',
      'ssm-secure-string aws_ssm_parameter.pointer',
    ]);
    expect(refused!.message).toMatch(/^tiny: 4 policy violations; nothing of this stack may be deployed/);
    expect(refused!.message).toContain('  ssm-secure-string (CKV2_AWS_34): aws_ssm_parameter.pointer (tiny/pointer)\n    type is String\n    fix: SSM parameters are SecureString');
    // Nothing that broke the policy is left to plan; the manifest stays to say what is missing.
    expect(existsSync(stackFile(outdir))).toBe(false);
    expect(existsSync(join(outdir, 'manifest.json'))).toBe(true);
  });

  it('lets a suppression beside the construct silence exactly that rule on exactly that resource', () => {
    const { app, stack, outdir } = tinyApp();
    suppress(stack.pointer, [{ id: 'ssm-secure-string', reason: 'an endpoint name, read at start; not a secret' }]);
    suppress(stack.logs, [{ id: 'logs-retention', reason: 'kept as long as the account policy says' }]);
    app.synth();
    const [refused] = enforcePolicy(outdir);
    // The other parameter still fails the same rule, and the log group still fails the rule not named.
    expect(lines(refused!.violations)).toEqual(['logs-kms aws_cloudwatch_log_group.logs', 'ssm-secure-string aws_ssm_parameter.other']);
  });

  it('passes a stack whose every failure is suppressed with a reason, and keeps its JSON', () => {
    const { app, stack, outdir } = tinyApp();
    for (const parameter of [stack.pointer, stack.other]) suppress(parameter, [{ id: 'ssm-secure-string', reason: 'a name, read at start; not a secret' }]);
    suppress(stack.logs, [
      { id: 'logs-retention', reason: 'kept as long as the account policy says' },
      { id: 'logs-kms', reason: 'holds nothing but test output here' },
    ]);
    app.synth();
    expect(enforcePolicy(outdir)).toEqual([]);
    expect(existsSync(stackFile(outdir))).toBe(true);
  });

  it('refuses a suppression that no longer matches a failure', () => {
    const { app, stack, outdir } = tinyApp();
    stack.pointer.type = 'SecureString';
    suppress(stack.pointer, [{ id: 'ssm-secure-string', reason: 'an endpoint name, read at start; not a secret' }]);
    app.synth();
    const [refused] = enforcePolicy(outdir);
    expect(refused!.message).toMatch(/ssm-secure-string \(CKV2_AWS_34\): aws_ssm_parameter\.pointer \(tiny\/pointer\)\n {4}is suppressed here, but does not fail here/);
  });

  it('makes the stack app exit 1 listing the violations, before anything can be deployed', () => {
    const { run, outdir } = runRefusedApp();
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('tiny: 4 policy violations');
    for (const rule of ['ssm-secure-string', 'logs-kms', 'logs-retention']) expect(run.stderr).toMatch(new RegExp(`^  ${rule} \\(`, 'm'));
    expect(run.stderr).toMatch(/policy: synth refused\./);
    expect(existsSync(stackFile(outdir))).toBe(false);
  });
});

describe('the environment file named by TXN_DR_CONFIG', () => {
  it('is the environment the app synthesizes', () => {
    const { run } = runRefusedApp({ TXN_DR_CONFIG: environmentFile({ name: 'scratch' }) });
    // The warning names the zone derived from the file's name; the policy then judges what was written.
    expect(run.stderr).toMatch(/^warning: dns\.zoneName is the placeholder dr-scratch\.example\.com: /m);
    expect(run.stderr).toContain('tiny: 4 policy violations');
  });

  it('stops the app before anything is written when invalid, listing every problem with the file named', () => {
    const file = environmentFile({ name: 'scratch', database: { instanceClas: 'db.r6g.large' }, regions: { secondary: { vpcCidr: '10.0.0.0/16' } }, objectives: { rtoSeconds: 150 } });
    const { run, outdir } = runRefusedApp({ TXN_DR_CONFIG: file });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `Invalid environment (${file}):\n` +
        '  - regions.secondary.vpcCidr: 10.0.0.0/16 overlaps regions.primary.vpcCidr 10.0.0.0/16 (the two VPCs are peered, which needs disjoint blocks)\n' +
        '  - database.instanceClas: is not a field of database; did you mean database.instanceClass?\n' +
        '  - objectives.rtoSeconds: the worst-case RTO budget is 225 s (detection 30 + max(fencing 45 + promotion 60 + routing 30 + dns 60, capacity 120)), over the 150 s objective\n',
    );
    expect(existsSync(outdir)).toBe(false);
  });

  it('is named in the error when it cannot be read, relative to the folder the app runs in', () => {
    const { run, outdir } = runRefusedApp({ TXN_DR_CONFIG: 'envs/missing.json' });
    expect(run.status).toBe(1);
    const appDir = join(__dirname, '..', 'test', 'fixtures', 'refused-app');
    expect(run.stderr).toBe(
      `Invalid environment (${join(appDir, 'envs', 'missing.json')}):\n` +
        `  - (file): cannot be read (ENOENT: no such file or directory); envs/missing.json was resolved from the current directory, ${appDir}\n`,
    );
    expect(existsSync(outdir)).toBe(false);
  });
});
