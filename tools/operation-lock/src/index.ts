export { LockHeldError, OperationLockError, type LockHeldDetails } from './errors';
export { FileLockStore } from './file-store';
export { resolveHolder, type ResolveHolderOptions } from './holder';
export { OperationLock, abandonedOnThisHost, type AcquireOptions, type LockHandle, type OperationLockOptions, type ReleaseResult } from './lock';
export { lockClientConfig, lockKey, lockLocation, openOperationLock, type LockLocation, type OpenLockOptions } from './location';
export { describeHolder, formatDuration, parseRecord, serializeRecord, type LockHolder, type LockRecord } from './record';
export { S3LockStore, type S3LockTarget } from './s3-store';
export type { CreateResult, LockStore, RemoveResult, ReplaceResult, StoredLock } from './store';
export { DEFAULT_STALE_AFTER_MS, withOperationLock, type WithOperationLockOptions } from './with-lock';
