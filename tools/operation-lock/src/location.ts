import { S3Client } from '@aws-sdk/client-s3';
import type { Environment } from '@txn-dr/config';
import { boundedClientConfig, localStatePath, stackProject } from '@txn-dr/contracts';
import { join, resolve } from 'node:path';
import { FileLockStore } from './file-store';
import { OperationLock, type OperationLockOptions } from './lock';
import { S3LockStore } from './s3-store';

/** Where an environment's operation lock lives: beside its Terraform state, wherever that is. */
export type LockLocation =
  | { readonly kind: 's3'; readonly bucket: string; readonly region: string; readonly key: string }
  | { readonly kind: 'file'; readonly path: string };

/** Key of the lock in the state bucket: one lock per environment, under the environment's state prefix. */
export function lockKey(envName: string): string {
  return `${envName}/locks/operations.json`;
}

/**
 * The state bucket when one is configured; otherwise a file beside the global stack's local state
 * (the first state of the environment), found by the same rule as that state so that the two
 * never part. The name matches `*.tfstate.*`, which git ignores.
 */
export function lockLocation(env: Pick<Environment, 'name' | 'state'>, workspaceRoot: string): LockLocation {
  if (env.state.bucket) return { kind: 's3', bucket: env.state.bucket, region: env.state.region, key: lockKey(env.name) };
  // localStatePath is relative to the directory Terraform runs the stack in.
  const terraformDir = join(workspaceRoot, 'apps', stackProject('global'), 'cdktf.out', 'stacks', 'global');
  return { kind: 'file', path: `${resolve(terraformDir, localStatePath(env.name, 'global'))}.operations-lock.json` };
}

/**
 * Settings of the clients made here: the lock is taken at the start of a failover, when the state
 * bucket's region may be the one that is failing, so a call held to the operator tools' bounds
 * (OPERATOR_CALLS: no connection in 3 s or no answer in 10 s, 3 attempts) fails rather than
 * hanging the run.
 */
export const lockClientConfig = (region: string) => boundedClientConfig(region);

export interface OpenLockOptions extends OperationLockOptions {
  /** @default a client for the bucket's region, with lockClientConfig */
  readonly s3?: S3Client;
}

export function openOperationLock(location: LockLocation, options: OpenLockOptions = {}): OperationLock {
  const { s3, ...lockOptions } = options;
  const store =
    location.kind === 's3'
      ? new S3LockStore(s3 ?? new S3Client(lockClientConfig(location.region)), { bucket: location.bucket, key: location.key })
      : new FileLockStore(location.path);
  return new OperationLock(store, lockOptions);
}
