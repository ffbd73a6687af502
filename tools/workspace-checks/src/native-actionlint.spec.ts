import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { configVariableProblems, declaredVariables, nativeActionlintProblems, variablesUsed } from './native-actionlint';
import { WORKFLOWS_DIR, workflowFiles } from './workflows';

const FIXTURES = join(__dirname, '..', 'fixtures', 'native-actionlint');

it('ci.yml lints the workflows with a checksum-verified actionlint release, in a job that waits for nothing', () => {
  expect(nativeActionlintProblems(join(WORKFLOWS_DIR, 'ci.yml'))).toEqual([]);
});

describe('the configuration variables of .github/actionlint.yaml', () => {
  const used = variablesUsed(workflowFiles());

  it('are read from the workflows (a reader that found none would pass vacuously)', () => {
    expect(used).toEqual(expect.arrayContaining(['AWS_DEPLOY_ROLE_ARN', 'TERRAFORM_STATE_BUCKET']));
  });

  it('are exactly those the workflows read', () => {
    expect(configVariableProblems(declaredVariables(), used)).toEqual([]);
  });

  it.each([
    [undefined, ['A'], ['config-variables is not set: actionlint accepts any vars.<name>']],
    [['A'], ['A', 'B'], ['vars.B is read but not declared']],
    [['A', 'OLD'], ['A'], ['OLD is declared but no workflow reads it']],
    [[], [], []],
  ])('declared %j, read %j: %j', (declared, read, expected) => {
    expect(configVariableProblems(declared, read)).toEqual(expected);
  });
});

const seeded: [file: string, expected: RegExp][] = [
  ['download-script.yml', /#actionlint: it runs a downloaded script instead of checking a release archive$/],
  ['no-checksum.yml', /#actionlint: the archive is not checked against a SHA-256/],
  ['unpacked-first.yml', /#actionlint: the archive is unpacked before its checksum is checked$/],
  ['waits-for-tests.yml', /#actionlint: it waits for test; the workflow check should answer first$/],
  ['docker-tag.yml', /#actionlint: docker:\/\/rhysd\/actionlint:1\.7\.12 is not pinned by digest/],
];

describe.each(seeded)('the seeded-bad %s', (name, expected) => {
  it('fails', () => {
    expect(nativeActionlintProblems(join(FIXTURES, name))).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });
});

it('fails a workflow with no actionlint job at all', () => {
  expect(nativeActionlintProblems(join(WORKFLOWS_DIR, 'rollout.yml'))).toEqual([expect.stringMatching(/rollout\.yml: no job runs the native actionlint$/)]);
});

it('has a case for every fixture file', () => {
  const fixtures = readdirSync(FIXTURES).filter((name) => name.endsWith('.yml'));
  expect(fixtures.sort()).toEqual(seeded.map(([name]) => name).sort());
});
