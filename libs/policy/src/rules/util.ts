import type { Stack } from '../engine/stack';
import type { Resource, ResourceRule, StacksRule } from '../engine/types';

/** Terraform JSON booleans may be synthesized as strings ("true"). */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

export function isFalse(value: unknown): boolean {
  return value === false || value === 'false';
}

export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
}

/** A nested block as a list, whether synthesized as one object or as an array of them. */
export function blocks(value: unknown): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  return [value]
    .flat()
    .filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v));
}

/** The first block of a nested block, or an empty object. */
export function block(value: unknown): Record<string, unknown> {
  return blocks(value)[0] ?? {};
}

export function strings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return [value].flat().map(String);
}

/** The resource a reference argument points at, if it is of one of the given types. */
export function referenced(stack: Stack, value: unknown, types: readonly string[]): Resource | undefined {
  const target = stack.resolve(value);
  return target && types.includes(target.type) ? target : undefined;
}

/** Companion resources that configure `target` through `argument` (S3's split bucket resources). */
export function companions(stack: Stack, target: Resource, type: string, argument = 'bucket'): Resource[] {
  return stack.referrers(target, type, argument);
}

/** Customer managed KMS keys (a replica is one too). */
export const KMS_KEY_TYPES = ['aws_kms_key', 'aws_kms_replica_key'] as const;

/** Identity so rule lists type-check as ResourceRule without repeating `kind`. */
export function resourceRule(rule: Omit<ResourceRule, 'kind'>): ResourceRule {
  return { kind: 'resource', ...rule };
}

/** Identity so rule lists type-check as StacksRule without repeating `kind`. */
export function stacksRule(rule: Omit<StacksRule, 'kind'>): StacksRule {
  return { kind: 'stacks', ...rule };
}
