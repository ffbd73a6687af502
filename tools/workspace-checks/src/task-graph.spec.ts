import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT, affectedBy, nxAnswers, taskGraph, type TaskGraph } from './nx';

/** The stack projects, in deploy order. */
const STACKS = ['stack-global', 'stack-primary', 'stack-secondary'] as const;
type Stack = (typeof STACKS)[number];
const isStack = (project: string): project is Stack => (STACKS as readonly string[]).includes(project);
const deployTasks = (graph: TaskGraph) => Object.keys(graph).filter((task) => task.endsWith(':deploy')).sort();

/**
 * What a change makes affected, one row per change: the stacks among the affected projects.
 * Stacks depend on their upstream stack (implicitDependencies), so whatever affects a stack also
 * affects every stack after it.
 */
const AFFECTED: [changedFile: string, stacks: Stack[]][] = [
  ['libs/config/src/schema.ts', ['stack-global', 'stack-primary', 'stack-secondary']],
  ['libs/config/environments/production.json', ['stack-global', 'stack-primary', 'stack-secondary']],
  ['libs/contracts/src/stacks.ts', ['stack-global', 'stack-primary', 'stack-secondary']],
  ['libs/infra/core/src/backend.ts', ['stack-global', 'stack-primary', 'stack-secondary']],
  ['libs/infra/regional/src/regional-stack.ts', ['stack-primary', 'stack-secondary']],
  ['libs/infra/edge/src/index.ts', ['stack-global', 'stack-primary', 'stack-secondary']],
  ['libs/infra/network/src/network.ts', ['stack-primary', 'stack-secondary']],
  ['libs/infra/compute/src/user-data/user-data.sh', ['stack-primary', 'stack-secondary']],
  ['libs/infra/observability/src/regional-observability.ts', ['stack-primary', 'stack-secondary']],
  ['apps/transaction-api/src/app.ts', ['stack-primary', 'stack-secondary']],
  ['apps/health-check/src/handler.ts', ['stack-primary', 'stack-secondary']],
  ['apps/stack-global/src/global-stack.ts', ['stack-global', 'stack-primary', 'stack-secondary']],
  ['apps/stack-primary/src/main.ts', ['stack-primary', 'stack-secondary']],
  ['apps/stack-secondary/src/main.ts', ['stack-secondary']],
  // Deploy tooling changes how stacks are applied, not what they contain.
  ['tools/operation-lock/src/lock.ts', []],
  ['tools/stack-runner/src/active-region.ts', []],
  ['.github/workflows/deploy.yml', []],
  ['.github/dependabot.yml', []],
  ['.github/actionlint.yaml', []],
];


/** The runs whose task graphs the checks below read (`*:deploy` is `nx run-many -t deploy`). */
const RUNS = ['*:deploy', 'stack-secondary:rollout', 'stack-secondary:plan', 'stack-primary:apply', 'policy:test', 'dr:test', 'dr-drills:test', 'dr-drills:drills'];

const answers = nxAnswers({ files: [...AFFECTED.map(([file]) => file), 'apps/stack-secondary/src/main.ts', 'apps/transaction-api/src/app.ts'], runs: RUNS });
const cases = answers.affected;
const graphOf = (run: string): TaskGraph => answers.graphs[run]!;

describe('deploying', () => {
  const graph = graphOf('*:deploy');

  it('orders stacks global -> primary -> secondary, each after its own synth', () => {
    expect(graph['stack-global:deploy']).toEqual(['stack-global:synth']);
    expect(graph['stack-primary:deploy']?.sort()).toEqual(['stack-global:deploy', 'stack-primary:synth']);
    expect(graph['stack-secondary:deploy']?.sort()).toEqual(['stack-primary:deploy', 'stack-secondary:synth']);
  });

  it('rolls one regional stack out alone, after a fresh synth of that stack only', () => {
    const rollout = graphOf('stack-secondary:rollout');
    const stackTasks = Object.keys(rollout).filter((task) => STACKS.some((stack) => task.startsWith(`${stack}:`)));
    expect(stackTasks.sort()).toEqual(['stack-secondary:rollout', 'stack-secondary:synth']);
    expect(rollout['stack-secondary:rollout']).toEqual(['stack-secondary:synth']);
  });
});

describe('reviewed plans', () => {
  it('plans one stack after a fresh synth of that stack only: a later stack is planned once the one before is applied', () => {
    const plan = graphOf('stack-secondary:plan');
    const stackTasks = Object.keys(plan).filter((task) => STACKS.some((stack) => task.startsWith(`${stack}:`)));
    expect(stackTasks.sort()).toEqual(['stack-secondary:plan', 'stack-secondary:synth']);
    expect(plan['stack-secondary:plan']).toEqual(['stack-secondary:synth']);
  });

  it('applies the saved plan alone: no synth, which would not be what was reviewed', () => {
    expect(graphOf('stack-primary:apply')).toEqual({ 'stack-primary:apply': [] });
  });
});

describe('the policy suite', () => {
  it('synthesizes every environment itself, from fresh builds of what the stacks ship: its test waits for those builds, not for the synth targets', () => {
    const waits = graphOf('policy:test')['policy:test'];
    expect(waits).toEqual(expect.arrayContaining(['transaction-api:build', 'health-check:build', 'secret-rotation:build']));
    expect(waits!.filter((task) => task.endsWith(':synth'))).toEqual([]);
  });

  it('is affected by a change to any stack alone', () => {
    expect(cases['apps/stack-secondary/src/main.ts']!.affected).toContain('policy');
  });
});

describe('the local DR drill', () => {
  it.each(['dr:test', 'dr-drills:drills'])('runs against a fresh service bundle: %s waits for transaction-api:build', (run) => {
    expect(graphOf(run)[run]).toEqual(expect.arrayContaining(['transaction-api:build']));
  });

  it('runs the drills as part of the test target, scheduled first: dr-drills:test is their run alone', () => {
    // Nx starts first the tasks that others wait for; a test target nothing waits for would
    // start the longest task of the suite last.
    expect(graphOf('dr-drills:test')['dr-drills:test']).toEqual(['dr-drills:drills']);
  });

  it('is affected by a change to the service it runs', () => {
    expect(cases['apps/transaction-api/src/app.ts']!.affected).toEqual(expect.arrayContaining(['dr', 'dr-drills']));
  });
});

describe.each(AFFECTED)('a change to %s', (file, stacks) => {
  const { affected, deploy } = cases[file]!;

  it(`affects ${stacks.length > 0 ? stacks.join(', ') : 'no stack'}`, () => {
    expect(affected.filter(isStack)).toEqual(stacks);
  });

  it('deploys them through `nx affected -t deploy` after their upstream stacks, in order', () => {
    // The affected stacks and every stack before the last of them: an unchanged upstream stack
    // is applied first (a no-op), never skipped.
    const deployed = STACKS.slice(0, Math.max(-1, ...stacks.map((stack) => STACKS.indexOf(stack))) + 1);
    expect(deployTasks(deploy)).toEqual(deployed.map((stack) => `${stack}:deploy`));
    deployed.forEach((stack, i) => {
      const upstream = i === 0 ? [] : [`${STACKS[i - 1]}:deploy`];
      expect(deploy[`${stack}:deploy`]?.sort()).toEqual([...upstream, `${stack}:synth`].sort());
    });
  });
});

it.each(['.github/workflows/deploy.yml', '.github/dependabot.yml', '.github/actionlint.yaml'])(
  'runs the workflow checks when only %s changes, so pull requests check it too',
  (file) => {
    expect(cases[file]!.affected).toContain('workspace-checks');
    expect(cases[file]!.affected.filter(isStack)).toEqual([]);
  },
);

describe('the API answers are the CLI answers', () => {
  // One affected row and one run through the commands an operator types; everything above asks
  // Nx's API, which is faster, and this keeps it honest.
  const file = 'apps/stack-primary/src/main.ts';

  it('for `nx show projects --affected`', () => {
    expect(affectedBy(file)).toEqual(cases[file]!.affected);
  });

  it('for `nx affected -t deploy`', () => {
    const cli = taskGraph('affected', '-t', 'deploy', `--files=${file}`);
    const sorted = (graph: TaskGraph) => Object.fromEntries(Object.entries(graph).map(([task, deps]) => [task, [...deps].sort()]).sort());
    expect(sorted(cli)).toEqual(sorted(cases[file]!.deploy));
  });

  it('for `nx run`', () => {
    expect(taskGraph('run', 'stack-secondary:rollout')).toEqual(graphOf('stack-secondary:rollout'));
  });
});

describe('the test cache', () => {
  // Test helpers live outside src, so that the synth cache does not see them; a project's tests
  // that import another project's helpers (@txn-dr/infra-core/testing) must still see them.
  const nxJson = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'nx.json'), 'utf8')) as {
    namedInputs: Record<string, string[]>;
    targetDefaults: Record<string, { inputs?: string[] }>;
  };

  it('re-runs a project\'s tests when a test helper of a project it depends on changes', () => {
    expect(nxJson.targetDefaults['test']?.inputs).toEqual(expect.arrayContaining(['default', '^production', '^testHelpers']));
    expect(nxJson.namedInputs['testHelpers']).toEqual(['{projectRoot}/test/**/*', '!{projectRoot}/test/**/*.spec.ts']);
  });
});
