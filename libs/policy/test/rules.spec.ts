import { evaluate } from '../src/engine/evaluate';
import { RULES } from '../src/rules';
import { fixtureStacks } from './fixture-stacks';
import { FIXTURES } from './fixtures';

const describeFindings = (rows: readonly { resource: string; result: string; reason?: string }[]) =>
  rows.map((f) => `${f.result} ${f.resource}${f.reason ? `: ${f.reason}` : ''}`).join('\n') || '(no findings)';

describe('every rule has a seeded-bad and a good fixture', () => {
  it('has fixtures for every rule, and none for a rule that does not exist', () => {
    const ids = RULES.map((r) => r.id).sort();
    expect(Object.keys(FIXTURES).sort()).toEqual(ids);
  });
});

describe.each(RULES.map((rule) => [rule.id, rule] as const))('%s', (id, rule) => {
  const fixture = FIXTURES[id];
  const run = (which: 'good' | 'bad') => evaluate([rule], fixtureStacks(fixture![which])).findings;

  it('fails on its seeded-bad fixture', () => {
    expect(fixture).toBeDefined();
    const findings = run('bad');
    if (!findings.some((f) => f.result === 'FAIL')) throw new Error(`${id} did not fail on its bad fixture:\n${describeFindings(findings)}`);
  });

  it('passes on its good fixture', () => {
    expect(fixture).toBeDefined();
    const findings = run('good');
    const failed = findings.filter((f) => f.result === 'FAIL');
    if (failed.length > 0) throw new Error(`${id} failed on its good fixture:\n${describeFindings(failed)}`);
    if (!findings.some((f) => f.result === 'PASS')) throw new Error(`${id} never applied to its good fixture:\n${describeFindings(findings)}`);
  });
});
