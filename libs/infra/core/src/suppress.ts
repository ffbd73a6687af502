import { RULES, SUPPRESSIONS_METADATA_KEY, suppressionProblems, type PolicySuppression } from '@txn-dr/policy';
import type { TerraformResource } from 'cdktf';

const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((rule) => rule.id));

/** What each resource has been given so far: later calls add to it rather than replace it. */
const written = new WeakMap<TerraformResource, PolicySuppression[]>();

/** Thrown by `suppress` for an id that names no rule or a reason that is not one. */
export class SuppressionError extends Error {
  override readonly name = 'SuppressionError';
}

/**
 * Accepts a deviation from a policy rule on one resource, with the reason, written where the
 * resource is made, as cdk-nag's `NagSuppressions.addResourceSuppressions(construct, [{ id, reason }])`:
 * the synthesized JSON carries it in the resource's `//` block, so it follows the resource through
 * a rename, and the policy (at synth and in the suite) reads it there. It silences exactly the
 * rules named, on exactly this resource; one that no longer matches a failure fails the synth.
 * Throws at once for an id that names no rule, a reason under 10 characters, or a second reason
 * for a rule already suppressed on the resource.
 */
export function suppress(resource: TerraformResource, suppressions: readonly PolicySuppression[]): void {
  const problems = suppressionProblems(suppressions, RULE_IDS);
  if (problems.length > 0) throw new SuppressionError(`${resource.node.path}: ${problems.join('; ')}`);
  const all = [...(written.get(resource) ?? [])];
  for (const { id, reason } of suppressions) {
    const earlier = all.find((s) => s.id === id);
    if (earlier === undefined) all.push({ id, reason });
    else if (earlier.reason !== reason) throw new SuppressionError(`${resource.node.path}: ${id} is already suppressed here, because ${earlier.reason}`);
  }
  written.set(resource, all);
  // cdktf merges overrides of `//` with the construct metadata it writes there (path, uniqueId).
  resource.addOverride(`//.${SUPPRESSIONS_METADATA_KEY}`, all);
}
