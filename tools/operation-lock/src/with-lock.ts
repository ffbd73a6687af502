import type { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import type { Environment } from '@txn-dr/config';
import { resolveHolder } from './holder';
import type { LockHandle } from './lock';
import { type LockLocation, lockClientConfig, lockLocation, openOperationLock } from './location';
import { describeHolder, formatDuration } from './record';

/** A lock older than this may be broken (with `breakStale`): longer than a DR run takes. Deploys pass their own, longer. */
export const DEFAULT_STALE_AFTER_MS = 60 * 60 * 1000;

export interface WithOperationLockOptions {
  /** The environment: its name and state settings say where the lock lives. */
  readonly env: Pick<Environment, 'name' | 'state'>;
  /** Workspace root, under which the lock file lives when there is no state bucket. */
  readonly workspaceRoot: string;
  /** Where the lock lives, instead of the environment's state bucket or local state (a local drill's world keeps its own). @default lockLocation(env, workspaceRoot) */
  readonly location?: LockLocation;
  /** What runs under the lock, e.g. `failover` or `deploy:primary`. */
  readonly operation: string;
  /** Recorded as the holder instead of the caller's ARN. @default the ARN from STS GetCallerIdentity */
  readonly operator?: string;
  /** Age past which a held lock may be broken, and then only with `breakStale`. @default DEFAULT_STALE_AFTER_MS */
  readonly staleAfterMs?: number;
  /** Recorded for whoever finds the lock held. @default not recorded */
  readonly expectedDurationMs?: number;
  /** Take over a lock older than `staleAfterMs`. @default false */
  readonly breakStale?: boolean;
  /** How the operator asks for `breakStale`, shown when the lock is held, e.g. 'pass --break-stale-lock'. */
  readonly breakHint?: string;
  /** Where taking, breaking and releasing the lock are reported. @default standard error */
  readonly log?: (message: string) => void;
  /** Clients to use instead of new ones (tests inject mocked clients). */
  readonly clients?: { readonly s3?: S3Client; readonly sts?: STSClient };
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Runs `fn` while holding the environment's operation lock, and releases the lock afterwards
 * whether `fn` returns or throws. Throws LockHeldError, without calling `fn`, when another run
 * holds it. A release that fails or finds the lock taken over is reported through `log`, never
 * thrown: it must not hide the outcome of the operation itself.
 */
export async function withOperationLock<T>(options: WithOperationLockOptions, fn: (lock: LockHandle) => Promise<T>): Promise<T> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const location = options.location ?? lockLocation(options.env, options.workspaceRoot);
  const sts = options.operator ? undefined : (options.clients?.sts ?? new STSClient(lockClientConfig(options.env.state.region)));
  const holder = await resolveHolder({ ...(options.operator ? { operator: options.operator } : {}), ...(sts ? { sts } : {}) });
  const lock = openOperationLock(location, {
    ...(options.clients?.s3 ? { s3: options.clients.s3 } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const handle = await lock.acquire({
    operation: options.operation,
    holder,
    staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
    ...(options.breakStale !== undefined ? { breakStale: options.breakStale } : {}),
    ...(options.expectedDurationMs !== undefined ? { expectedDurationMs: options.expectedDurationMs } : {}),
    ...(options.breakHint !== undefined ? { breakHint: options.breakHint } : {}),
  });
  if (handle.broke) {
    const was = handle.broke.holder ? describeHolder(handle.broke.holder) : 'an unreadable lock record';
    const why = handle.broke.reason === 'abandoned' ? 'abandoned: its process on this host is gone' : 'stale';
    log(`Broke the operation lock ${handle.location} (${why}; ${was}, ${formatDuration(handle.broke.ageMs)} old) and took it for ${options.operation}.`);
  } else {
    log(`Took the operation lock ${handle.location} for ${options.operation} as ${holder.operator}.`);
  }
  try {
    return await fn(handle);
  } finally {
    await releaseAndReport(handle, log);
  }
}

async function releaseAndReport(handle: LockHandle, log: (message: string) => void): Promise<void> {
  try {
    const result = await handle.release();
    if (result.outcome === 'released') log(`Released the operation lock ${handle.location}.`);
    else if (result.outcome === 'gone') log(`The operation lock ${handle.location} was already removed by someone else.`);
    else {
      const by = result.holder ? describeHolder(result.holder) : 'an unreadable lock record';
      log(
        `WARNING: the operation lock ${handle.location} was broken while ${handle.record.operation} ran and is now held by ${by}; ` +
          'it was left in place. Check that the two runs did not act on the same resources.',
      );
    }
  } catch (error) {
    log(
      `WARNING: could not release the operation lock ${handle.location}: ${(error as Error).message} ` +
        `Once no run needs it, remove it with: ${handle.removeCommand}`,
    );
  }
}
