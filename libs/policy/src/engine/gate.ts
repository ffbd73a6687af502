import { RULES } from '../rules';
import { evaluate } from './evaluate';
import { Stack } from './stack';
import { SUPPRESSIONS_METADATA_KEY } from './suppressions';
import type { Rule, TfJson } from './types';

/** One reason a synthesized stack may not be deployed. */
export interface Violation {
  /** The rule broken, or whose suppression is wrong. */
  readonly rule: string;
  /** The Checkov or cdk-nag rule it mirrors, or null. */
  readonly mirrors: string | null;
  /** The resource's address, `type.name`. */
  readonly resource: string;
  /** The construct path, when cdktf recorded it: where in the code to look. */
  readonly path?: string;
  /** What is wrong. */
  readonly message: string;
  /** How to make it right. */
  readonly fix: string;
}

/**
 * The policy at synth time, over one stack alone, as cdk-nag's Aspect checks every construct on
 * each synth: every resource rule over every resource, with the suppressions written beside the
 * constructs. A violation is an unsuppressed failure, or a suppression that is wrong: it names no
 * rule, or a rule that does not fail on its resource (stale).
 *
 * The rules that compare stacks (`kind: 'stacks'`) need every stack of the environment at hand,
 * which one stack's synth does not have: they run in the policy suite and `nx run policy:check`,
 * and so are suppressions naming them judged there.
 */
export function checkSynthesizedStack(name: string, json: TfJson, rules: readonly Rule[] = RULES): Violation[] {
  const stack = new Stack(name, json);
  const report = evaluate(
    rules.filter((rule) => rule.kind === 'resource'),
    [stack],
  );
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  const pathOf = (address: string) => {
    const path = stack.get(address)?.path;
    return path === undefined ? {} : { path };
  };
  const failures = report.failures.map(
    (f): Violation => ({
      rule: f.rule,
      mirrors: f.mirrors,
      resource: f.resource,
      ...pathOf(f.resource),
      message: f.reason ?? 'fails',
      fix: `${byId.get(f.rule)?.title ?? f.rule}; or, where this is accepted, suppress(construct, [{ id: '${f.rule}', reason: '...' }]) beside the construct, saying why`,
    }),
  );
  const wrongSuppressions = report.unmatchedSuppressions
    .filter((s) => byId.get(s.rule)?.kind !== 'stacks')
    .map((s): Violation => {
      const rule = byId.get(s.rule);
      return {
        rule: s.rule,
        mirrors: rule?.mirrors ?? null,
        resource: s.resource,
        ...pathOf(s.resource),
        message: rule ? `is suppressed here, but does not fail here (${s.reason})` : `a suppression names ${s.rule}, which is not a policy rule`,
        fix: `remove { id: '${s.rule}' } from the suppress() call of this construct (it is written to "//".${SUPPRESSIONS_METADATA_KEY})`,
      };
    });
  return [...failures, ...wrongSuppressions];
}

/** The violations of a stack as an error message: one entry per violation, the rule id first. */
export function renderViolations(stack: string, violations: readonly Violation[]): string {
  const lines = violations.flatMap((v) => [
    `  ${v.rule}${v.mirrors ? ` (${v.mirrors})` : ''}: ${v.resource}${v.path ? ` (${v.path})` : ''}`,
    `    ${v.message}`,
    `    fix: ${v.fix}`,
  ]);
  const count = `${violations.length} policy violation${violations.length === 1 ? '' : 's'}`;
  return [`${stack}: ${count}; nothing of this stack may be deployed until each is fixed or suppressed with a reason:`, ...lines].join('\n');
}
