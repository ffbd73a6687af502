import { isPureInterpolation } from './references';
import type { Stack } from './stack';

export interface Principal {
  /** `AWS`, `Service`, `Federated`, or `*` for the bare wildcard principal. */
  readonly type: string;
  readonly identifiers: readonly string[];
}

export interface Condition {
  readonly test: string;
  readonly variable: string;
  readonly values: readonly string[];
}

/** One statement, in one shape whatever it was written as. */
export interface Statement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  readonly principals: readonly Principal[];
  readonly notPrincipals: readonly Principal[];
  readonly conditions: readonly Condition[];
}

export type PolicyResult = { readonly ok: true; readonly statements: readonly Statement[] } | { readonly ok: false; readonly reason: string };

const list = (value: unknown): string[] => (value === undefined || value === null ? [] : [value].flat().map(String));
const record = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/** A statement of a `data.aws_iam_policy_document` (Terraform's snake_case blocks). */
function fromDataStatement(raw: Record<string, unknown>): Statement {
  const principals = (key: string): Principal[] =>
    [raw[key] ?? []].flat().map((p) => ({ type: String(record(p).type), identifiers: list(record(p).identifiers) }));
  const sid = raw.sid === undefined ? undefined : String(raw.sid);
  return {
    ...(sid === undefined ? {} : { sid }),
    effect: raw.effect === 'Deny' ? 'Deny' : 'Allow',
    actions: list(raw.actions),
    notActions: list(raw.not_actions),
    resources: list(raw.resources),
    notResources: list(raw.not_resources),
    principals: principals('principals'),
    notPrincipals: principals('not_principals'),
    conditions: [raw.condition ?? []].flat().map((c) => ({ test: String(record(c).test), variable: String(record(c).variable), values: list(record(c).values) })),
  };
}

/** `"*"` or `{ "AWS": [...], "Service": "..." }`, as in an IAM JSON policy. */
function jsonPrincipals(value: unknown): Principal[] {
  if (value === undefined) return [];
  if (value === '*') return [{ type: '*', identifiers: ['*'] }];
  return Object.entries(record(value)).map(([type, identifiers]) => ({ type, identifiers: list(identifiers) }));
}

/** A statement of an IAM JSON policy document. */
function fromJsonStatement(raw: Record<string, unknown>): Statement {
  const sid = raw.Sid === undefined ? undefined : String(raw.Sid);
  const conditions: Condition[] = [];
  for (const [test, variables] of Object.entries(record(raw.Condition))) {
    for (const [variable, values] of Object.entries(record(variables))) conditions.push({ test, variable, values: list(values) });
  }
  return {
    ...(sid === undefined ? {} : { sid }),
    effect: raw.Effect === 'Deny' ? 'Deny' : 'Allow',
    actions: list(raw.Action),
    notActions: list(raw.NotAction),
    resources: list(raw.Resource),
    notResources: list(raw.NotResource),
    principals: jsonPrincipals(raw.Principal),
    notPrincipals: jsonPrincipals(raw.NotPrincipal),
    conditions,
  };
}

function fromJsonDocument(document: unknown): PolicyResult {
  const statements = [record(document).Statement ?? []].flat();
  if (statements.length === 0) return { ok: false, reason: 'policy document has no Statement' };
  return { ok: true, statements: statements.map((s) => fromJsonStatement(record(s))) };
}

/**
 * The statements of a policy argument, whatever it holds: a reference to a
 * `data.aws_iam_policy_document` (with its `source_policy_documents` merged in), a literal JSON
 * string (what `JSON.stringify` or `Fn.jsonencode` of a literal gives) or an object.
 */
export function policyStatements(value: unknown, stack: Stack, seen = new Set<string>()): PolicyResult {
  if (value === undefined || value === null || value === '') return { ok: false, reason: 'no policy' };
  if (typeof value === 'object') return fromJsonDocument(value);
  if (typeof value !== 'string') return { ok: false, reason: `policy is a ${typeof value}` };
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) {
    try {
      return fromJsonDocument(JSON.parse(trimmed));
    } catch {
      return { ok: false, reason: 'policy is not valid JSON' };
    }
  }
  const target = isPureInterpolation(trimmed) ? stack.resolve(trimmed) : undefined;
  if (!target || target.type !== 'aws_iam_policy_document' || target.mode !== 'data') {
    return { ok: false, reason: `cannot read policy ${trimmed.slice(0, 80)}` };
  }
  if (seen.has(target.address)) return { ok: false, reason: `policy ${target.address} includes itself` };
  seen.add(target.address);
  const statements: Statement[] = [];
  for (const source of list(target.body.source_policy_documents).concat(list(target.body.override_policy_documents))) {
    const included = policyStatements(source, stack, seen);
    if (!included.ok) return included;
    statements.push(...included.statements);
  }
  statements.push(...[target.body.statement ?? []].flat().map((s) => fromDataStatement(record(s))));
  if (statements.length === 0) return { ok: false, reason: `${target.address} has no statement` };
  return { ok: true, statements };
}

/** True if any principal of a statement is everyone (`"*"` or `{"AWS": "*"}`). */
export function hasWildcardPrincipal(statement: Statement): boolean {
  return statement.principals.some((p) => (p.type === '*' || p.type === 'AWS') && p.identifiers.includes('*'));
}
