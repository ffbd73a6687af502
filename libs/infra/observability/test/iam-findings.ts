/** An IAM policy statement as `aws_iam_policy_document` synthesizes it. */
export interface SynthesizedStatement {
  readonly sid?: string;
  readonly effect?: string;
  readonly actions?: readonly string[];
  readonly not_actions?: readonly string[];
  readonly resources?: readonly string[];
  readonly not_resources?: readonly string[];
}

/**
 * What is wrong with wildcards in a policy's Allow statements: any action with a `*` in it, any
 * NotAction or NotResource (both grant everything else), and `Resource: "*"` for an action outside
 * `allowedOnAnyResource` (the actions that have no resource type to scope to). A resource that
 * merely ends in a wildcard under a concrete ARN (a log group's streams) is scoped and passes.
 */
export function wildcardFindings(statements: readonly SynthesizedStatement[], allowedOnAnyResource: readonly string[]): string[] {
  const findings: string[] = [];
  for (const [index, statement] of statements.entries()) {
    if ((statement.effect ?? 'Allow') !== 'Allow') continue;
    const name = statement.sid ?? `statement ${index}`;
    if (statement.not_actions?.length) findings.push(`${name}: NotAction allows every other action`);
    if (statement.not_resources?.length) findings.push(`${name}: NotResource allows every other resource`);
    const actions = statement.actions ?? [];
    for (const action of actions) {
      if (action.includes('*')) findings.push(`${name}: wildcard action ${action}`);
    }
    if ((statement.resources ?? []).includes('*')) {
      for (const action of actions.filter((a) => !allowedOnAnyResource.includes(a))) {
        findings.push(`${name}: ${action} on Resource "*"`);
      }
    }
  }
  return findings;
}
