import { AWS_AUTHORISATION_ERROR_CODES } from '@txn-dr/contracts';
import { BootstrapError } from './result';

interface AwsError {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}
export const errorName = (error: unknown): string | undefined => (error as AwsError).name ?? (error as AwsError).Code;
export const statusOf = (error: unknown): number | undefined => (error as AwsError).$metadata?.httpStatusCode;

/** Runs a Get*, returning undefined when AWS says the thing was never made (`absent` error names). */
export async function read<T>(get: () => Promise<T>, ...absent: string[]): Promise<T | undefined> {
  try {
    return await get();
  } catch (error) {
    if (absent.includes(errorName(error) ?? '')) return undefined;
    throw error;
  }
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Bucket ARNs carry neither region nor account, only the partition. */
export const bucketArn = (bucket: string, region: string): string => `arn:${partitionOf(region)}:s3:::${bucket}`;

/** JSON with object keys sorted, so a document AWS hands back re-ordered still compares equal. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface PolicyDocument {
  Version?: string;
  Statement?: Record<string, unknown>[] | Record<string, unknown>;
}

/**
 * Runs one step; a refusal of these credentials (AccessDenied and its kin) becomes a BootstrapError
 * that names what was refused and every permission the step needs, keeping AWS's own words. Other
 * errors pass through unchanged: they are not about permissions, and their own message is best.
 */
export async function asking<T>(what: string, permissions: readonly string[], run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const name = errorName(error);
    if (name === undefined || !AWS_AUTHORISATION_ERROR_CODES.has(name)) throw error;
    throw new BootstrapError(
      `${what}: refused (${name}). The credentials running state-bootstrap need ${permissions.join(', ')}. AWS said: ${(error as AwsError).message ?? '(no message)'}`,
    );
  }
}
