import type { z } from 'zod';
import type { ConfigIssue } from './errors';

/** A field's place in an environment: keys, and list positions as numbers. */
export type FieldPath = readonly (string | number)[];

/** One problem with an environment, at the field to change, before it is written for a person. */
export interface FieldIssue {
  readonly path: FieldPath;
  readonly message: string;
}

/** `alerts.subscriptions[1].endpoint`: keys joined by dots, list positions in brackets. */
export function fieldPath(path: FieldPath): string {
  return path.reduce<string>((field, key) => (typeof key === 'number' ? `${field}[${key}]` : field ? `${field}.${key}` : key), '');
}

/**
 * Fields that existed once and were replaced: an environment file still setting one is told what
 * to write instead, rather than only that the key is unknown.
 */
const RETIRED_FIELDS: Record<string, string> = {
  'loadBalancer.certificateArn':
    'was replaced by loadBalancer.certificates.primary and loadBalancer.certificates.secondary: an ACM certificate serves only its own region, so each region needs its own (or none, and the stack requests one)',
};

type Schema = z.core.$ZodType;

/** The parts of a schema's definition that lead to the fields under it. */
interface Def {
  readonly type: string;
  readonly innerType?: Schema;
  readonly shape?: Record<string, Schema>;
  readonly element?: Schema;
  readonly valueType?: Schema;
  readonly options?: readonly Schema[];
}

const defOf = (schema: Schema) => schema._zod.def as unknown as Def;

/** Past `.optional()`, `.default()` and `.prefault()` to the schema they wrap. */
function unwrap(schema: Schema): Schema {
  const inner = defOf(schema).innerType;
  return inner ? unwrap(inner) : schema;
}

/** The schema of `key` under `schema`, or undefined when there is no such field. */
function childOf(schema: Schema, key: string | number): Schema | undefined {
  const def = defOf(unwrap(schema));
  if (def.type === 'object') return typeof key === 'string' ? def.shape?.[key] : undefined;
  if (def.type === 'array') return typeof key === 'number' ? def.element : undefined;
  if (def.type === 'record') return def.valueType;
  if (def.type === 'union') return def.options?.map((option) => childOf(option, key)).find((child) => child !== undefined);
  return undefined;
}

/** The fields an object at `path` may have, in the schema's order; empty when it has no fixed fields (a record, a value). */
export function fieldsAt(schema: Schema, path: FieldPath): string[] {
  const node = path.reduce<Schema | undefined>((current, key) => (current ? childOf(current, key) : undefined), schema);
  if (!node) return [];
  const def = defOf(unwrap(node));
  if (def.type === 'object') return Object.keys(def.shape ?? {});
  if (def.type === 'union') return [...new Set((def.options ?? []).flatMap((option) => fieldsAt(option, [])))];
  return [];
}

/** Edits (insertions, deletions, substitutions) from one word to the other, ignoring case. */
function editDistance(a: string, b: string): number {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[y.length]!;
}

/** The known field a misspelt key most likely meant: a few edits away, or the start of it. */
function likelyField(key: string, known: readonly string[]): string | undefined {
  const scored = known
    .map((field) => ({ field, distance: editDistance(key, field) }))
    .filter(({ field, distance }) => distance <= Math.max(1, Math.floor(field.length / 4)) || (key.length >= 3 && field.toLowerCase().startsWith(key.toLowerCase())))
    .sort((a, b) => a.distance - b.distance);
  return scored[0]?.field;
}

/** What to say of a key the schema does not know: what it became, what it probably meant, or what is allowed there. */
function unknownFieldMessage(schema: Schema, parent: FieldPath, key: string): string {
  const retired = RETIRED_FIELDS[fieldPath([...parent, key])];
  if (retired) return retired;
  const where = parent.length === 0 ? 'an environment' : fieldPath(parent);
  const known = fieldsAt(schema, parent);
  const likely = likelyField(key, known);
  if (likely) return `is not a field of ${where}; did you mean ${fieldPath([...parent, likely])}?`;
  return known.length > 0 ? `is not a field of ${where}, which has ${known.join(', ')}` : `is not a field of ${where}`;
}

/**
 * Every issue of a failed parse at its own field: an unknown key at its own path, not at its
 * parent's, and a missing field as `is required` (or what `required` says of it) rather than as a
 * wrong type. The parse must report inputs (`reportInput`) for a missing field to be told apart.
 */
export function schemaIssues(schema: Schema, error: z.ZodError, required: Readonly<Record<string, string>> = {}): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    const path = issue.path.map((key) => (typeof key === 'number' ? key : String(key)));
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: [...path, key], message: unknownFieldMessage(schema, path, key) }));
    if (issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined) return [{ path, message: required[fieldPath(path)] ?? 'is required' }];
    return [{ path, message: issue.message }];
  });
}

/**
 * Orders issues as the fields appear in the schema (an environment file written in that order
 * reads top to bottom), list entries by position, unknown keys after the known ones; issues at
 * one field keep the order they were found in: the schema's first, then the rules'.
 */
export function sortByField(schema: Schema, issues: readonly FieldIssue[]): FieldIssue[] {
  const compare = (a: FieldPath, b: FieldPath): number => {
    const common = Math.min(a.length, b.length);
    for (let i = 0; i < common; i++) {
      const [x, y] = [a[i]!, b[i]!];
      if (x === y) continue;
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      const known = fieldsAt(schema, a.slice(0, i));
      const rank = (key: string | number) => (typeof key === 'string' && known.includes(key) ? known.indexOf(key) : known.length);
      return rank(x) - rank(y) || String(x).localeCompare(String(y));
    }
    return a.length - b.length;
  };
  return [...issues].sort((a, b) => compare(a.path, b.path));
}

/**
 * The issues as ConfigError lists them: the dotted field, followed by where its value came from
 * when that was not the environment file (`name (ENVIRONMENT_SUFFIX)`).
 */
export function toConfigIssues(issues: readonly FieldIssue[], fieldSources: Readonly<Record<string, string>>): ConfigIssue[] {
  return issues.map(({ path, message }) => {
    const field = fieldPath(path) || '(root)';
    const source = fieldSources[field];
    return { field: source ? `${field} (${source})` : field, message };
  });
}
