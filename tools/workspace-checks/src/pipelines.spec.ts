import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { STACK_NAMES } from '@txn-dr/contracts';
import { parse } from 'yaml';
import { WORKFLOWS_DIR, workflowFiles } from './workflows';

// What the pipelines promise, read from the workflow files: the linters check that they are valid
// workflows, these tests that they do what the README says.

interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
}
interface Job {
  readonly needs?: string | string[];
  readonly if?: string;
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
  readonly environment?: string | { name: string };
  readonly concurrency?: { group: string; 'cancel-in-progress': boolean };
  readonly permissions?: Record<string, string>;
  readonly outputs?: Record<string, string>;
  readonly steps?: Step[];
}
interface Workflow {
  readonly on: Record<string, { inputs?: Record<string, { options?: string[] }>; branches?: string[] } | null>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const text = (name: string): string => readFileSync(join(WORKFLOWS_DIR, name), 'utf8');
const workflow = (name: string): Workflow => parse(text(name)) as Workflow;
const names = workflowFiles().map((file) => basename(file));
const allJobs = names.flatMap((name) => Object.entries(workflow(name).jobs).map(([id, job]) => [`${name}#${id}`, job] as const));
const scriptOf = (job: Job): string => (job.steps ?? []).map((step) => step.run ?? '').join('\n');
const needsOf = (job: Job): string[] => (job.needs === undefined ? [] : ([] as string[]).concat(job.needs));

describe('credentials', () => {
  it.each(names)('%s holds and reads no long-lived AWS keys', (name) => {
    expect(text(name)).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|secrets\.AWS/i);
  });

  it.each(names)('%s grants only read access to the repository by default', (name) => {
    expect(workflow(name).permissions).toEqual({ contents: 'read' });
  });

  const awsJobs = allJobs.filter(([, job]) => job.steps?.some((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@')));

  it('finds the jobs that reach AWS', () => {
    expect(awsJobs.map(([id]) => id).sort()).toEqual(['dr-drill.yml#drill', 'stack.yml#apply', 'stack.yml#plan']);
  });

  it.each(awsJobs)('%s assumes a role through OIDC, inside an environment, one run at a time, never cancelled', (_id, job) => {
    const step = job.steps!.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))!;
    expect(step.with?.['role-to-assume']).toMatch(/^\$\{\{ vars\.[A-Z_]+ \}\}$/);
    expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    // The environment (or, for a plan, its reviewer-free twin) scopes the role the job may assume.
    expect(job.environment).toMatch(/^\$\{\{ inputs\.environment \}\}(-plan)?$/);
    expect(job.concurrency?.['cancel-in-progress']).toBe(false);
  });
});

describe('stack.yml: one stack in one environment, planned, approved, then applied as planned', () => {
  const { on, jobs } = workflow('stack.yml');
  const plan = jobs['plan']!;
  const apply = jobs['apply']!;
  const stepUsing = (job: Job, action: string): Step | undefined => job.steps!.find((step) => step.uses?.startsWith(`${action}@`));
  const indexOf = (job: Job, found: (step: Step) => boolean) => job.steps!.findIndex(found);

  it('is a reusable workflow taking the stack and the environment', () => {
    expect(Object.keys(on)).toEqual(['workflow_call']);
    expect(Object.keys(on['workflow_call']!.inputs!).sort()).toEqual(['environment', 'stack']);
  });

  it('has a plan job and an apply job that waits for it', () => {
    expect(Object.keys(jobs).sort()).toEqual(['apply', 'plan']);
    expect(needsOf(plan)).toEqual([]);
    expect(needsOf(apply)).toEqual(['plan']);
  });

  it('plans in the reviewer-free plan twin of the environment and applies in the environment itself, whose reviewers approve', () => {
    expect(plan.environment).toBe('${{ inputs.environment }}-plan');
    expect(apply.environment).toBe('${{ inputs.environment }}');
    expect(stepUsing(plan, 'aws-actions/configure-aws-credentials')?.with?.['role-to-assume']).toBe('${{ vars.AWS_PLAN_ROLE_ARN }}');
    expect(stepUsing(apply, 'aws-actions/configure-aws-credentials')?.with?.['role-to-assume']).toBe('${{ vars.AWS_DEPLOY_ROLE_ARN }}');
  });

  it('holds one concurrency group per stack and environment for both, so a plan does not overlap another run\'s apply', () => {
    expect(plan.concurrency).toEqual(apply.concurrency);
    expect(plan.concurrency?.group).toContain('${{ inputs.environment }}');
    expect(plan.concurrency?.group).toContain('${{ inputs.stack }}');
  });

  it('plans through the Nx target (a fresh synth of this stack, the checks, the saved plan and its text)', () => {
    expect(scriptOf(plan)).toMatch(/npx nx run "\$PROJECT:plan"/);
    expect(scriptOf(plan)).not.toMatch(/:deploy\b|:rollout\b|:apply\b|cdktf deploy|terraform apply/);
  });

  it('writes the plan text to the job summary, where the reviewers read it', () => {
    const summary = plan.steps!.find((step) => /plan\.txt/.test(step.run ?? '') && /GITHUB_STEP_SUMMARY/.test(step.run ?? ''));
    expect(summary).toBeDefined();
    expect(indexOf(plan, (step) => step === summary)).toBeGreaterThan(indexOf(plan, (step) => /npx nx run "\$PROJECT:plan"/.test(step.run ?? '')));
  });

  it('uploads the plan, its text and the synthesized stack with its lock file, but not the providers', () => {
    const upload = stepUsing(plan, 'actions/upload-artifact')!;
    expect(upload.with).toMatchObject({
      name: '${{ steps.where.outputs.artifact }}',
      'include-hidden-files': true,
      'if-no-files-found': 'error',
    });
    expect(String(upload.with!['path']).trim().split('\n')).toEqual(['${{ steps.where.outputs.dir }}/', '!${{ steps.where.outputs.dir }}/.terraform/']);
    // The folder is the stack's synthesized directory, where the plan target writes plan.tfplan and plan.txt.
    expect(scriptOf(plan)).toMatch(/dir="\$root\/cdktf\.out\/stacks\/\$STACK"/);
    expect(scriptOf(plan)).toMatch(/test -f "\$dir\/plan\.tfplan" && test -f "\$dir\/plan\.txt"/);
    expect(plan.outputs).toMatchObject({ artifact: '${{ steps.where.outputs.artifact }}', dir: '${{ steps.where.outputs.dir }}' });
  });

  it('names the artifact by environment, stack, run and attempt, so no two plans share a name', () => {
    expect(scriptOf(plan)).toMatch(/artifact=plan-\$ENVIRONMENT_SUFFIX-\$PROJECT-\$GITHUB_RUN_ID-\$ATTEMPT/);
  });

  it('downloads exactly the plan job\'s artifact into the same directory, then applies it and nothing else', () => {
    const download = stepUsing(apply, 'actions/download-artifact')!;
    expect(download.with).toEqual({ name: '${{ needs.plan.outputs.artifact }}', path: '${{ needs.plan.outputs.dir }}' });
    const applyStep = indexOf(apply, (step) => /npx nx run "\$PROJECT:apply"/.test(step.run ?? ''));
    expect(applyStep).toBeGreaterThan(indexOf(apply, (step) => step === download));
    // No synth, plan or deploy in the apply job: what it applies is what the reviewers read.
    expect(scriptOf(apply)).not.toMatch(/:synth\b|:plan\b|:deploy\b|:rollout\b|:diff\b|cdktf|terraform (plan|apply)/);
  });

  it('applies with the Terraform that made the plan', () => {
    const version = (job: Job) => stepUsing(job, 'hashicorp/setup-terraform')?.with?.['terraform_version'];
    expect(version(plan)).toBeDefined();
    expect(version(apply)).toBe(version(plan));
  });

  it('refuses an apply whose state bucket is not the one the plan was made with', () => {
    expect(plan.outputs?.['state-bucket']).toBe('${{ vars.TERRAFORM_STATE_BUCKET }}');
    expect(scriptOf(apply)).toMatch(/if \[ "\$TERRAFORM_STATE_BUCKET" != "\$PLANNED_BUCKET" \]; then/);
  });

  it('says in the summary what a stale plan means and what to do', () => {
    const outcome = apply.steps!.find((step) => step.name === 'Outcome (job summary)')!;
    expect(outcome.run).toMatch(/grep -q 'Terraform refused the saved plan'/);
    expect(outcome.run).toMatch(/Re-run \*\*all jobs\*\*/);
    expect(outcome.if).toBe('always()');
  });
});

describe('deploy.yml: the affected stacks of main, in order, staging then production', () => {
  const { on, jobs } = workflow('deploy.yml');
  const environments = ['staging', 'production'];
  const closure = (id: string): Set<string> => new Set(needsOf(jobs[id]!).flatMap((need) => [need, ...closure(need)]));

  it('runs on pushes to main', () => {
    expect(on).toEqual({ push: { branches: ['main'] } });
  });

  it('tells every stack job whether its stack is affected', () => {
    expect(Object.keys(jobs['affected']!.outputs!).sort()).toEqual([...STACK_NAMES].sort());
    expect(scriptOf(jobs['affected']!)).toMatch(/nx show projects --affected --with-target deploy/);
  });

  it('has one job per stack and environment, and no other', () => {
    expect(Object.keys(jobs).sort()).toEqual(['affected', ...environments.flatMap((env) => STACK_NAMES.map((stack) => `${env}-${stack}`))].sort());
  });

  describe.each(environments.flatMap((env) => STACK_NAMES.map((stack, position) => [`${env}-${stack}`, env, stack, position] as const)))(
    '%s',
    (id, env, stack, position) => {
      const job = jobs[id]!;

      it('plans and applies its stack in its environment through stack.yml (a plan/apply pair)', () => {
        expect(job.uses).toBe('./.github/workflows/stack.yml');
        expect(job.with).toEqual({ stack, environment: env });
        expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
      });

      it('runs only when its stack is affected', () => {
        expect(job.if).toContain(`needs.affected.outputs.${stack} == 'true'`);
      });

      it('waits for the stacks before it (planned after they are applied), and for all of staging when in production', () => {
        const before = STACK_NAMES.slice(0, position).map((s) => `${env}-${s}`);
        const staging = env === 'production' ? STACK_NAMES.map((s) => `staging-${s}`) : [];
        expect([...closure(id)]).toEqual(expect.arrayContaining([...before, ...staging, 'affected']));
        const later = STACK_NAMES.slice(position + 1).map((s) => `${env}-${s}`);
        expect([...closure(id)].filter((need) => later.includes(need))).toEqual([]);
      });

      if (position > 0 || env === 'production') {
        it('still runs after a skipped (unaffected) stack, but not after a failed one', () => {
          expect(job.if).toMatch(/^\$\{\{ !failure\(\) && !cancelled\(\) && /);
        });
      }
    },
  );
});

describe('rollout.yml: one stack by hand', () => {
  const { on, jobs } = workflow('rollout.yml');

  it('offers every stack and both environments', () => {
    expect(on['workflow_dispatch']!.inputs!['stack']!.options).toEqual([...STACK_NAMES]);
    expect(on['workflow_dispatch']!.inputs!['environment']!.options).toEqual(['staging', 'production']);
  });

  it('goes through stack.yml like the pipeline', () => {
    expect(Object.values(jobs)).toEqual([
      expect.objectContaining({ uses: './.github/workflows/stack.yml', with: { stack: '${{ inputs.stack }}', environment: '${{ inputs.environment }}' } }),
    ]);
  });
});

describe('dr-drill.yml', () => {
  const { on, jobs } = workflow('dr-drill.yml');
  const script = scriptOf(jobs['drill']!);
  const commands = [...script.matchAll(/npx dr ([a-z -]+?)\s*(?:$|[|>])/gm)].map((match) => match[1]!.trim());

  it('is started by hand, never against production', () => {
    expect(Object.keys(on)).toEqual(['workflow_dispatch']);
    const options = on['workflow_dispatch']!.inputs!['environment']!.options!;
    expect(options.length).toBeGreaterThan(0);
    expect(options).not.toContain('production');
  });

  it('uses only the commands of the DR CLI', () => {
    const known = ['status', 'status --json', 'plan switchover', 'switchover --yes', 'failback --yes', 'budget'];
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.filter((command) => !known.includes(command))).toEqual([]);
  });

  it('reports status, plans the switchover, switches over, then fails back', () => {
    const order = ['status', 'plan switchover', 'switchover --yes', 'failback --yes'].map((command) => commands.indexOf(command));
    expect(order.every((position) => position >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(commands.at(-1)).toMatch(/^status/);
  });
});

describe('ci.yml', () => {
  const job = workflow('ci.yml').jobs['check']!;
  const script = scriptOf(job);

  it('installs the system packages the tests need', () => {
    expect(script).toMatch(/apt-get install .*mariadb-server.*shellcheck/);
  });

  it('checks only affected projects on pull requests and everything on main', () => {
    expect(script).toMatch(/npx nx affected -t lint typecheck test build synth --base="\$base" --head=HEAD/);
    expect(script).toMatch(/npx nx run-many -t lint typecheck test build synth/);
  });

  it('uploads the synthesized stacks of the affected projects', () => {
    expect(script).toMatch(/nx show projects --affected --with-target synth/);
    const upload = job.steps!.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with?.['path']).toBe('${{ steps.synth.outputs.paths }}');
    expect(script).toMatch(/echo "\$root\/cdktf\.out"/);
  });
});
