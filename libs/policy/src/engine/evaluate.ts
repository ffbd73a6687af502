import type { Stack } from './stack';
import type { Finding, Outcome, Report, Rule, StackFinding, Suppression } from './types';

const STATUS = { pass: 'PASS', fail: 'FAIL', 'n/a': 'N/A' } as const;

/** Raw outcomes of every rule over every stack, before suppressions. */
export function runRules(rules: readonly Rule[], stacks: readonly Stack[]): { rule: Rule; finding: StackFinding }[] {
  const results: { rule: Rule; finding: StackFinding }[] = [];
  for (const rule of rules) {
    if (rule.kind === 'stacks') {
      for (const finding of rule.check(stacks)) results.push({ rule, finding });
      continue;
    }
    for (const stack of stacks) {
      for (const type of rule.resourceTypes) {
        for (const resource of stack.byType(type)) {
          let outcome: Outcome;
          try {
            outcome = rule.check(resource, stack);
          } catch (error) {
            outcome = { status: 'fail', reason: `rule threw: ${(error as Error).message}` };
          }
          results.push({ rule, finding: { stack: stack.name, resource: resource.address, outcome } });
        }
      }
    }
  }
  return results;
}

const matches = (s: Suppression, rule: string, stack: string, resource: string): boolean =>
  s.rule === rule && s.stack === stack && s.resource === resource;

/**
 * Every rule over every stack, with the suppressions written on the stacks' resources applied: a
 * failure that a suppression of its resource names is SUPPRESSED; a suppression that names no
 * failure (a rule that passes there, does not apply there, or does not exist) is stale and makes
 * the report fail.
 */
export function evaluate(rules: readonly Rule[], stacks: readonly Stack[]): Report {
  const suppressions = stacks.flatMap((stack) => stack.suppressions());
  const used = new Set<Suppression>();
  const findings: Finding[] = runRules(rules, stacks).map(({ rule, finding }) => {
    const base = { rule: rule.id, mirrors: rule.mirrors, severity: rule.severity, stack: finding.stack, resource: finding.resource };
    const { outcome } = finding;
    if (outcome.status === 'fail') {
      const suppression = suppressions.find((s) => matches(s, rule.id, finding.stack, finding.resource));
      if (suppression) {
        used.add(suppression);
        return { ...base, result: 'SUPPRESSED', reason: outcome.reason, suppressedBecause: suppression.reason };
      }
      return { ...base, result: 'FAIL', reason: outcome.reason };
    }
    if (outcome.status === 'n/a' && outcome.reason !== undefined) return { ...base, result: 'N/A', reason: outcome.reason };
    return { ...base, result: STATUS[outcome.status] };
  });
  const failures = findings.filter((f) => f.result === 'FAIL');
  const unmatchedSuppressions = suppressions.filter((s) => !used.has(s));
  return { findings, failures, unmatchedSuppressions, ok: failures.length === 0 && unmatchedSuppressions.length === 0 };
}
