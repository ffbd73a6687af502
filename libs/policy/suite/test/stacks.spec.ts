import { DEPLOYED_ENVIRONMENTS, knownEnvironments, loadEnvironment } from '@txn-dr/config';
import { RULES, evaluate } from '@txn-dr/policy';
import { synthRuns, synthesizedStacks } from './synthesized';

const ENVIRONMENTS = knownEnvironments();

it('checks every environment there is: dev and each one the pipelines deploy', () => {
  expect(ENVIRONMENTS).toEqual(expect.arrayContaining(['dev', ...DEPLOYED_ENVIRONMENTS]));
  expect([...new Set(synthRuns().map((run) => run.environment))].sort()).toEqual([...ENVIRONMENTS].sort());
});

describe.each(ENVIRONMENTS)('the stacks of %s', (environment) => {
  const synthesized = synthesizedStacks(environment);

  it('synthesize, each passing the policy at synth time', () => {
    const runs = synthRuns().filter((run) => run.environment === environment);
    expect(runs.map((run) => run.stack)).toEqual(['global', 'primary', 'secondary']);
    for (const run of runs) expect(`${run.stack}: exit ${run.status}\n${run.stderr}`).toBe(`${run.stack}: exit 0\n${run.stderr}`);
  });

  it('lock every AWS provider to the environment\'s account where it names one (a plan in another account is refused)', () => {
    const { accountId } = loadEnvironment({ env: { ENVIRONMENT_SUFFIX: environment } });
    for (const stack of synthesized()) {
      const providers = (stack.json.provider?.['aws'] ?? []) as { alias?: string; allowed_account_ids?: string[] }[];
      expect(providers.length).toBeGreaterThanOrEqual(2);
      for (const provider of providers) {
        expect([stack.name, provider.alias, provider.allowed_account_ids]).toEqual([stack.name, provider.alias, accountId === undefined ? undefined : [accountId]]);
      }
    }
    if (DEPLOYED_ENVIRONMENTS.includes(environment as (typeof DEPLOYED_ENVIRONMENTS)[number])) expect(accountId).toMatch(/^\d{12}$/);
  });

  it('pass every rule, those comparing the stacks included, or carry a reasoned suppression', () => {
    const report = evaluate(RULES, synthesized());
    expect(report.failures.map((f) => `${f.rule} (${f.mirrors ?? 'own'}) ${f.stack} ${f.resource}: ${f.reason}`)).toEqual([]);
  });

  it('have no stale suppression (each matches a failure)', () => {
    const report = evaluate(RULES, synthesized());
    expect(report.unmatchedSuppressions.map((s) => `${s.rule} ${s.stack} ${s.resource} (${s.path ?? 'no path'})`)).toEqual([]);
  });

  it('carry every suppression beside the construct it excuses, with a reason', () => {
    const suppressions = synthesized().flatMap((stack) => stack.suppressions());
    expect(suppressions.length).toBeGreaterThan(0);
    for (const s of suppressions) {
      expect(s.path).toMatch(new RegExp(`^${s.stack}/`));
      expect(s.reason.length).toBeGreaterThan(20);
    }
  });
});

describe('the rules', () => {
  const synthesized = synthesizedStacks('dev');

  it('each have something to check in some stack, or they check nothing real', () => {
    const report = evaluate(RULES, synthesized());
    const applied = new Set(report.findings.filter((f) => f.result !== 'N/A').map((f) => f.rule));
    // Rules for resources the stacks do not contain (yet): they still fail their seeded-bad fixtures.
    const notApplicable = RULES.map((r) => r.id).filter((id) => !applied.has(id));
    expect(notApplicable.sort()).toEqual(NOT_IN_STACKS);
  });
});

/** Rules with nothing to check in the current stacks; update when the stacks gain such resources. */
const NOT_IN_STACKS: string[] = [];
