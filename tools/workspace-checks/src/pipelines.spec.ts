import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { STACK_NAMES } from '@txn-dr/contracts';
import { parse } from 'yaml';
import { WORKFLOWS_DIR, workflowFiles } from './workflows';

// What the pipelines promise, read from the workflow files: the linters check that they are valid
// workflows, these tests that they do what the README says.

interface Step {
  readonly name?: string;
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
    expect(awsJobs.map(([id]) => id).sort()).toEqual(['dr-drill.yml#drill', 'stack.yml#rollout']);
  });

  it.each(awsJobs)('%s assumes a role through OIDC, inside an environment, one run at a time, never cancelled', (_id, job) => {
    const step = job.steps!.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))!;
    expect(step.with?.['role-to-assume']).toMatch(/^\$\{\{ vars\.[A-Z_]+ \}\}$/);
    expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    expect(job.environment).toBe('${{ inputs.environment }}');
    expect(job.concurrency?.['cancel-in-progress']).toBe(false);
  });
});

describe('stack.yml: one stack in one environment', () => {
  const job = workflow('stack.yml').jobs['rollout']!;
  const steps = job.steps!;
  const index = (pattern: RegExp) => steps.findIndex((step) => pattern.test(step.run ?? ''));

  it('is a reusable workflow taking the stack and the environment', () => {
    expect(Object.keys(workflow('stack.yml').on)).toEqual(['workflow_call']);
    expect(Object.keys(workflow('stack.yml').on['workflow_call']!.inputs!).sort()).toEqual(['environment', 'stack']);
  });

  it('holds one concurrency group per stack and environment', () => {
    expect(job.concurrency?.group).toContain('${{ inputs.environment }}');
    expect(job.concurrency?.group).toContain('${{ inputs.stack }}');
  });

  it('writes the diff of this stack to the job summary before rolling it out', () => {
    const diff = index(/stack-runner\/src\/main\.ts diff/);
    const rollout = index(/npx nx run "\$PROJECT:rollout"/);
    expect(diff).toBeGreaterThanOrEqual(0);
    expect(steps[diff]!.run).toMatch(/>> "\$GITHUB_STEP_SUMMARY"/);
    expect(steps[diff]!.run).toMatch(/npx nx run "\$PROJECT:synth"[\s\S]*stack-runner/);
    expect(rollout).toBeGreaterThan(diff);
  });

  it('applies through rollout only: never the ordered deploy, never without a fresh synth', () => {
    expect(scriptOf(job)).not.toMatch(/:deploy\b|--exclude-task-dependencies|cdktf deploy/);
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

      it('rolls its stack out in its environment through stack.yml', () => {
        expect(job.uses).toBe('./.github/workflows/stack.yml');
        expect(job.with).toEqual({ stack, environment: env });
        expect(job.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
      });

      it('runs only when its stack is affected', () => {
        expect(job.if).toContain(`needs.affected.outputs.${stack} == 'true'`);
      });

      it('waits for the stacks before it, and for all of staging when in production', () => {
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
