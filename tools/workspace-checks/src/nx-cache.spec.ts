import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isCiWorkflow, jobsRestoringNxCache, nxCacheProblems, readWorkflow, runsNxTasks } from './nx-cache';
import { workflowFiles } from './workflows';

const FIXTURES = join(__dirname, '..', 'fixtures', 'nx-cache');
const workflows = workflowFiles().map((file) => [basename(file), file, readWorkflow(file)] as const);
const ci = workflows.filter(([, , workflow]) => isCiWorkflow(workflow));

describe('the CI workflows (those run on pull requests)', () => {
  it('are found, and run Nx tasks', () => {
    expect(ci.map(([name]) => name)).toEqual(['ci.yml']);
    expect(ci.flatMap(([, , workflow]) => Object.values(workflow.jobs ?? {})).some(runsNxTasks)).toBe(true);
  });

  it.each(ci)('%s restores the Nx cache before Nx runs and saves it after, keyed on the OS, Node.js, the lockfile hash and the commit', (_name, file, workflow) => {
    expect(nxCacheProblems(file, workflow)).toEqual([]);
    expect(jobsRestoringNxCache(workflow)).toEqual(Object.entries(workflow.jobs ?? {}).filter(([, job]) => runsNxTasks(job)).map(([id]) => id));
  });
});

it('restores no Nx cache where stacks are planned and applied: a plan is made from a fresh synth', () => {
  const deploys = workflows.filter(([, , workflow]) => !isCiWorkflow(workflow));
  expect(deploys.map(([name]) => name)).toEqual(expect.arrayContaining(['deploy.yml', 'stack.yml']));
  expect(deploys.flatMap(([name, , workflow]) => jobsRestoringNxCache(workflow).map((job) => `${name}#${job}`))).toEqual([]);
});

it.each([
  ['pull_request', true],
  [['push', 'pull_request'], true],
  [{ pull_request: null, push: { branches: ['main'] } }, true],
  [{ push: { branches: ['main'] } }, false],
  ['workflow_dispatch', false],
])('on: %j is a CI workflow: %s', (on, expected) => {
  expect(isCiWorkflow({ on })).toBe(expected);
});

const seeded: [file: string, expected: RegExp | 'clean'][] = [
  ['single-step.yml', 'clean'],
  ['default-cache-dir.yml', /#check: NX_CACHE_DIRECTORY is not set: Nx 23 keeps its cache under ~\/\.nx\/<workspace id>/],
  ['key-without-lockfile.yml', /#check: the key ".*" leaves out the lockfile hash: entries of another lockfile would be restored$/],
  ['restore-keys-any-lockfile.yml', /#check: restore key "nx-\$\{\{ runner\.os \}\}-" falls back to entries of another lockfile$/],
  ['key-without-commit.yml', /#check: the key ".*" leaves out the commit: one key per lockfile is saved once and never updated$/],
  ['database-left-out.yml', /#check: the cache's database \(\.nx\/workspace-data\/\*\.db\) is not restored with \.nx\/cache/],
  ['restored-after-nx.yml', /#check: the Nx cache is restored after Nx has run \(step 5, Nx at step 4\)$/],
  ['never-saved.yml', /#check: the Nx cache is restored but never saved/],
  ['saved-before-nx.yml', /#check: the Nx cache is saved before the last Nx step \(step 5\)$/],
];

describe.each(seeded)('the seeded %s', (name, expected) => {
  const file = join(FIXTURES, name);

  it(expected === 'clean' ? 'passes' : 'fails', () => {
    const problems = nxCacheProblems(file);
    if (expected === 'clean') expect(problems).toEqual([]);
    else expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });
});

it('has a case for every fixture file', () => {
  const fixtures = readdirSync(FIXTURES).filter((name) => name.endsWith('.yml'));
  expect(fixtures.sort()).toEqual(seeded.map(([name]) => name).sort());
});
