import type { PolicySuppression } from './types';

/**
 * Where a resource carries its suppressions in the synthesized JSON: beside cdktf's own metadata
 * in the resource's `//` block, `"//": { "policySuppressions": [{ "id": ..., "reason": ... }] }`.
 * Terraform ignores a `//` property of any block body, so the record costs nothing at plan time:
 * https://developer.hashicorp.com/terraform/language/syntax/json#comment-properties
 * It is written by `suppress()` in libs/infra/core, beside the construct it excuses, so it follows
 * the resource through a rename, as cdk-nag's `NagSuppressions.addResourceSuppressions` does.
 */
export const SUPPRESSIONS_METADATA_KEY = 'policySuppressions';

/** The shortest reason accepted (cdk-nag's rule): a word or two is not a reason. */
export const MIN_REASON_LENGTH = 10;

/** Thrown for a `//` block whose suppressions are not a list of `{ id, reason }`. */
export class MalformedSuppressionError extends Error {
  override readonly name = 'MalformedSuppressionError';
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The suppressions in a resource's `//` block (none when it has no block or no list). */
export function readSuppressions(metadata: unknown, address: string): PolicySuppression[] {
  if (!isRecord(metadata) || metadata[SUPPRESSIONS_METADATA_KEY] === undefined) return [];
  const list = metadata[SUPPRESSIONS_METADATA_KEY];
  if (!Array.isArray(list)) throw new MalformedSuppressionError(`${address}: "//".${SUPPRESSIONS_METADATA_KEY} is not a list`);
  return list.map((entry, index) => {
    if (!isRecord(entry) || typeof entry.id !== 'string' || typeof entry.reason !== 'string') {
      throw new MalformedSuppressionError(`${address}: "//".${SUPPRESSIONS_METADATA_KEY}[${index}] is not { id, reason }`);
    }
    return { id: entry.id, reason: entry.reason };
  });
}

/**
 * What is wrong with suppressions about to be written: an id that names no rule, a reason shorter
 * than MIN_REASON_LENGTH. Empty when they may be written.
 */
export function suppressionProblems(suppressions: readonly PolicySuppression[], ruleIds: ReadonlySet<string>): string[] {
  return suppressions.flatMap(({ id, reason }) => [
    ...(ruleIds.has(id) ? [] : [`${id} is not a policy rule (the rules are listed in libs/policy/README.md)`]),
    ...(reason.trim().length >= MIN_REASON_LENGTH ? [] : [`the suppression of ${id} needs a reason of ${MIN_REASON_LENGTH} characters or more: say why the rule does not fit here`]),
  ]);
}
