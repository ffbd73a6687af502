import type { Mode } from './types';

/** A Terraform reference found inside an interpolation, e.g. `${aws_kms_key.data.arn}`. */
export interface Reference {
  readonly mode: Mode;
  readonly type: string;
  readonly name: string;
  /** Address in the stack's index: `type.name`, `data.type.name` or `ephemeral.type.name`. */
  readonly address: string;
  /** The attribute read, if any (`arn`, `id`, `json`, `outputs`, ...). */
  readonly attribute?: string;
}

/** The bodies of every `${ ... }` interpolation in a string, nested braces included. */
export function interpolations(value: string): string[] {
  const bodies: string[] = [];
  let index = value.indexOf('${');
  while (index !== -1) {
    let depth = 1;
    let end = index + 2;
    let quoted = false;
    for (; end < value.length && depth > 0; end++) {
      const c = value[end];
      if (c === '\\') end++;
      else if (c === '"') quoted = !quoted;
      else if (!quoted && c === '{') depth++;
      else if (!quoted && c === '}') depth--;
    }
    bodies.push(value.slice(index + 2, end - 1));
    index = value.indexOf('${', end);
  }
  return bodies;
}

// `data.aws_x.name.attr`, `ephemeral.aws_x.name.attr` or `aws_x.name.attr` (an optional [index]
// after the name), not preceded by another identifier character or a dot.
const REFERENCE = /(?<![\w.-])(?:(data|ephemeral)\.)?([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z0-9_-]+)(?:\[[^\]]*\])?(?:\.([A-Za-z0-9_]+))?/g;

/** Every reference to a resource, data source or ephemeral resource in a string value. */
export function referencesIn(value: string): Reference[] {
  const found: Reference[] = [];
  for (const body of interpolations(value)) {
    // String literals inside the expression are not references.
    const code = body.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    for (const match of code.matchAll(REFERENCE)) {
      const [, prefix, type, name, attribute] = match as unknown as [string, string | undefined, string, string, string | undefined];
      const mode: Mode = prefix === 'data' ? 'data' : prefix === 'ephemeral' ? 'ephemeral' : 'resource';
      const address = mode === 'resource' ? `${type}.${name}` : `${mode}.${type}.${name}`;
      found.push(attribute === undefined ? { mode, type, name, address } : { mode, type, name, address, attribute });
    }
  }
  return found;
}

/** Every reference anywhere in a JSON value (strings inside objects and arrays included). */
export function referencesDeep(value: unknown): Reference[] {
  if (typeof value === 'string') return referencesIn(value);
  if (Array.isArray(value)) return value.flatMap(referencesDeep);
  if (value && typeof value === 'object') return Object.values(value).flatMap(referencesDeep);
  return [];
}

/** True if a string is nothing but one interpolation (its value comes entirely from elsewhere). */
export function isPureInterpolation(value: string): boolean {
  return value.startsWith('${') && value.endsWith('}') && interpolations(value).length === 1 && `\${${interpolations(value)[0]}}` === value;
}
