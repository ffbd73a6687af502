import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { hostname } from 'node:os';
import { OperationLockError } from './errors';
import type { LockHolder } from './record';

export interface ResolveHolderOptions {
  /** A name to record instead of the caller's ARN, e.g. from `--operator`. */
  readonly operator?: string;
  /** Asked for the caller's ARN when no operator is given. */
  readonly sts?: STSClient;
  /** @default os.hostname() */
  readonly host?: string;
  /** @default process.pid */
  readonly pid?: number;
}

/**
 * Who is about to hold the lock: the given operator name, or else the ARN of the credentials in use
 * (STS GetCallerIdentity needs no permission, so any working credentials can answer:
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
 */
export async function resolveHolder(options: ResolveHolderOptions): Promise<LockHolder> {
  const host = options.host ?? hostname();
  const pid = options.pid ?? process.pid;
  const given = options.operator?.trim();
  if (given) return { operator: given, host, pid };
  if (!options.sts) throw new OperationLockError('Cannot tell who is taking the operation lock: give an operator name or an STS client.');
  try {
    const identity = await options.sts.send(new GetCallerIdentityCommand({}));
    if (!identity.Arn) throw new Error('the answer has no Arn');
    return { operator: identity.Arn, host, pid };
  } catch (error) {
    throw new OperationLockError(
      `Cannot tell who is taking the operation lock: STS GetCallerIdentity failed (${(error as Error).name}: ${(error as Error).message}). ` +
        'Fix the AWS credentials, or give an operator name.',
      { cause: error },
    );
  }
}
