import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SavedPlanRefusedError, applySavedPlan, planRefusalIn, planTextFile, savePlan } from '../src';
import { OTHER_LOCKS_STDERR, OTHER_STATE_STDERR, PLAN_TEXT, STALE_PLAN_STDERR, fakeTerraform } from './terraform-fixtures';

let dir: string;
let planFile: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'saved-plan-'));
  planFile = join(dir, 'plan.tfplan');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('planTextFile', () => {
  it.each([
    ['/w/cdktf.out/stacks/primary/plan.tfplan', '/w/cdktf.out/stacks/primary/plan.txt'],
    ['/tmp/review/staging-primary.tfplan', '/tmp/review/staging-primary.txt'],
    ['/tmp/review/plan', '/tmp/review/plan.txt'],
    ['/tmp/review/plan.bin', '/tmp/review/plan.bin.txt'],
  ])('puts the text of %s at %s', (plan, text) => {
    expect(planTextFile(plan)).toBe(text);
  });
});

describe('savePlan', () => {
  it('plans into the file in the stack directory, echoing the plan, then writes its text beside it', async () => {
    const { terraform, calls } = fakeTerraform();

    const result = await savePlan({ stackDir: dir, planFile, terraform });

    expect(result).toEqual({ outcome: 'saved', textFile: join(dir, 'plan.txt'), changes: true });
    expect(calls).toEqual([
      { args: ['plan', '-input=false', '-detailed-exitcode', `-out=${planFile}`], options: { cwd: dir, echo: true } },
      { args: ['show', '-no-color', planFile], options: { cwd: dir, echo: false } },
    ]);
    expect(readFileSync(join(dir, 'plan.txt'), 'utf8')).toBe(PLAN_TEXT);
    expect(existsSync(planFile)).toBe(true);
  });

  it('says when the plan is empty (-detailed-exitcode 0)', async () => {
    const { terraform } = fakeTerraform({
      plan: (args) => {
        writeFileSync(args.find((arg) => arg.startsWith('-out='))!.slice(5), 'plan');
        return { status: 0 };
      },
      show: () => ({ stdout: 'No changes. Your infrastructure matches the configuration.\n' }),
    });
    await expect(savePlan({ stackDir: dir, planFile, terraform })).resolves.toMatchObject({ outcome: 'saved', changes: false });
  });

  it('removes the plan of an earlier run before planning, so a failed plan leaves nothing to apply', async () => {
    writeFileSync(planFile, 'an older plan');
    writeFileSync(join(dir, 'plan.txt'), 'its text');
    const { terraform } = fakeTerraform({
      plan: () => {
        // The plan file must already be gone when Terraform starts.
        expect(existsSync(planFile)).toBe(false);
        return { status: 1, stderr: 'Error: No valid credential sources found' };
      },
    });

    await expect(savePlan({ stackDir: dir, planFile, terraform })).resolves.toEqual({ outcome: 'failed', step: 'plan', status: 1, detail: '' });
    expect(existsSync(planFile)).toBe(false);
    expect(existsSync(join(dir, 'plan.txt'))).toBe(false);
  });

  it('discards the plan when its text cannot be shown, and says why', async () => {
    const { terraform } = fakeTerraform({ show: () => ({ status: 1, stderr: 'Error: Failed to read the given file as a state or plan file' }) });

    await expect(savePlan({ stackDir: dir, planFile, terraform })).resolves.toEqual({
      outcome: 'failed',
      step: 'show',
      status: 1,
      detail: 'Error: Failed to read the given file as a state or plan file',
    });
    expect(existsSync(planFile)).toBe(false);
  });
});

describe('applySavedPlan', () => {
  const input = () => ({ stackDir: dir, planFile, shownAs: 'apps/stack-primary/cdktf.out/stacks/primary/plan.tfplan', label: 'stack-primary in staging', replan: 'nx run stack-primary:plan' });

  it('applies exactly the plan file, echoing Terraform, with no prompt and no other planning option', async () => {
    const { terraform, calls } = fakeTerraform();

    await expect(applySavedPlan({ ...input(), terraform })).resolves.toBe(0);
    expect(calls).toEqual([{ args: ['apply', '-input=false', planFile], options: { cwd: dir, echo: true } }]);
  });

  it('refuses a stale plan, as Terraform 1.11 prints it, saying that nothing was applied and to plan again', async () => {
    const { terraform } = fakeTerraform({ apply: () => ({ status: 1, stderr: STALE_PLAN_STDERR }) });

    const refused = applySavedPlan({ ...input(), terraform });

    await expect(refused).rejects.toBeInstanceOf(SavedPlanRefusedError);
    await expect(refused).rejects.toMatchObject({
      reason: 'stale',
      message:
        'Terraform refused the saved plan apps/stack-primary/cdktf.out/stacks/primary/plan.tfplan and applied nothing: the plan is stale. ' +
        'The state of stack-primary in staging changed after the plan was made (another apply, an import or a state command wrote it), ' +
        'so the plan no longer describes what applying it would do. Make a new plan (nx run stack-primary:plan), have it reviewed, and apply that one.',
    });
  });

  it.each([
    ['other-state', OTHER_STATE_STDERR, /it was made against another state than stack-primary in staging's/],
    ['other-dependencies', OTHER_LOCKS_STDERR, /it was made with other provider versions than this directory's \.terraform\.lock\.hcl selects/],
  ])('refuses a plan Terraform will not apply (%s)', async (reason, stderr, message) => {
    const { terraform } = fakeTerraform({ apply: () => ({ status: 1, stderr }) });
    await expect(applySavedPlan({ ...input(), terraform })).rejects.toMatchObject({ reason, message: expect.stringMatching(message) });
  });

  it('passes any other failure on as its exit status: part of the plan may have been applied', async () => {
    const { terraform } = fakeTerraform({ apply: () => ({ status: 1, stderr: 'Error: creating RDS Cluster (txdr-staging-primary-aurora): InvalidParameterCombination' }) });
    await expect(applySavedPlan({ ...input(), terraform })).resolves.toBe(1);
  });
});

describe('planRefusalIn', () => {
  it.each([
    [STALE_PLAN_STDERR, 'stale'],
    ['Error: Saved plan is stale\n', 'stale'],
    [OTHER_STATE_STDERR, 'other-state'],
    [OTHER_LOCKS_STDERR, 'other-dependencies'],
    ['Error: Error acquiring the state lock\n', undefined],
    ['', undefined],
  ])('reads %j as %s', (output, reason) => {
    expect(planRefusalIn(output)).toBe(reason);
  });
});
