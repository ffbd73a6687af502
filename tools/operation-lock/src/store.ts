/** A lock body as stored, with the tag that a conditional replace or delete must name. */
export interface StoredLock {
  readonly body: string;
  /** S3's ETag of the object, or a hash of the file's content. */
  readonly tag: string;
  /** When the store last wrote it: S3's Last-Modified, or the file's mtime. */
  readonly modifiedAt: Date;
}

export type CreateResult =
  | { readonly outcome: 'created'; readonly tag: string }
  /** Someone holds the lock. */
  | { readonly outcome: 'exists' }
  /** A concurrent write to the same key got in the way; S3 says to try again. */
  | { readonly outcome: 'conflict' };

export type ReplaceResult = { readonly outcome: 'replaced'; readonly tag: string } | { readonly outcome: 'changed' };

export type RemoveResult =
  | { readonly outcome: 'removed' }
  /** The lock is no longer the one with that tag: someone else's now, left in place. */
  | { readonly outcome: 'changed' }
  | { readonly outcome: 'gone' };

/**
 * One lock object and the four conditional operations the lock is built from. Every write names
 * what it expects to find (nothing, or a tag), so that no writer overwrites or deletes a lock it
 * has not seen.
 */
export interface LockStore {
  /** Where the lock lives, for messages: `s3://bucket/key` or a file path. */
  readonly location: string;
  /** The command that removes the lock with that tag by hand, for messages. */
  removeCommand(tag: string): string;
  /** Writes the lock only if there is none. */
  create(body: string): Promise<CreateResult>;
  read(): Promise<StoredLock | undefined>;
  /** Overwrites the lock only if it is still the one with `tag`. */
  replace(body: string, tag: string): Promise<ReplaceResult>;
  /** Deletes the lock only if it is still the one with `tag`. */
  remove(tag: string): Promise<RemoveResult>;
}
