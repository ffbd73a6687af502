import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { LockHeldError, OperationLockError } from './errors';
import { type LockHolder, type LockRecord, parseRecord, serializeRecord } from './record';
import type { LockStore, StoredLock } from './store';

/** Writes that lose to a concurrent writer are tried again this many times in all, then give up. */
const MAX_ATTEMPTS = 4;

export interface AcquireOptions {
  /** What runs under the lock, e.g. `failover` or `deploy:primary`. */
  readonly operation: string;
  readonly holder: LockHolder;
  /** Age past which a lock may be broken, and then only with `breakStale`. */
  readonly staleAfterMs: number;
  /** Take over a lock older than `staleAfterMs`. A younger lock is never broken. @default false */
  readonly breakStale?: boolean;
  /** Recorded in the lock for whoever finds it held. @default not recorded */
  readonly expectedDurationMs?: number;
  /** How the operator asks for `breakStale`, for the LockHeldError message. @default 'acquire again with breakStale' */
  readonly breakHint?: string;
}

export type ReleaseResult =
  | { readonly outcome: 'released' }
  /** Nothing to release: someone removed the lock already. */
  | { readonly outcome: 'gone' }
  /** Someone broke our lock and holds it now; theirs is left in place. */
  | { readonly outcome: 'taken-over'; readonly holder: LockRecord | undefined };

/** A lock we hold. */
export interface LockHandle {
  readonly record: LockRecord;
  readonly location: string;
  /**
   * The lock this acquisition took over, when it broke one: stale (older than allowed, broken on
   * request) or abandoned (its holder's process on this very host is gone).
   */
  readonly broke?: { readonly holder: LockRecord | undefined; readonly ageMs: number; readonly reason: 'stale' | 'abandoned' };
  /** The command that removes this lock by hand, should release fail. */
  readonly removeCommand: string;
  /** Removes the lock if it is still ours; never removes another holder's. Safe to call twice. */
  release(): Promise<ReleaseResult>;
}

export interface OperationLockOptions {
  /** @default Date.now */
  readonly now?: () => number;
  /** @default crypto.randomUUID */
  readonly newId?: () => string;
  /**
   * Whether a holder is certainly gone: its host is this one and its process no longer exists
   * (an operator's CLI killed mid-run). Such a lock is taken over without `breakStale`: nobody can
   * still be acting under it. A holder on another host is never judged from here.
   * @default same host name and `process.kill(pid, 0)` failing with ESRCH
   */
  readonly isAbandoned?: (holder: LockRecord) => boolean;
}

/** The default: the holder ran on this host, and its process is gone. */
export function abandonedOnThisHost(holder: LockRecord): boolean {
  if (holder.host !== hostname() || holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    // EPERM: it exists but is not ours to signal, so it is alive.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * One operation at a time: acquire writes the lock only where there is none, and breaks a lock
 * only when it is older than the caller's `staleAfterMs` and the caller asked to, by replacing
 * exactly the lock it read.
 */
export class OperationLock {
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly isAbandoned: (holder: LockRecord) => boolean;

  constructor(
    private readonly store: LockStore,
    options: OperationLockOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomUUID;
    this.isAbandoned = options.isAbandoned ?? abandonedOnThisHost;
  }

  get location(): string {
    return this.store.location;
  }

  /** Takes the lock, or throws LockHeldError naming who holds it and how to break it. */
  async acquire(options: AcquireOptions): Promise<LockHandle> {
    const record: LockRecord = {
      version: 1,
      operation: options.operation,
      operator: options.holder.operator,
      host: options.holder.host,
      pid: options.holder.pid,
      startedAt: new Date(this.now()).toISOString(),
      ...(options.expectedDurationMs !== undefined ? { expectedDurationMs: options.expectedDurationMs } : {}),
      id: this.newId(),
    };
    const body = serializeRecord(record);
    let lastHeld: LockHeldError | undefined;

    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const created = await this.store.create(body);
      if (created.outcome === 'created') return this.handle(record, created.tag);
      if (created.outcome === 'conflict') continue;

      const current = await this.store.read();
      if (!current) continue; // released between our write and our read
      const holder = parseRecord(current.body);
      // A write whose answer was lost, then retried by the SDK, finds our own lock: it is ours.
      if (holder?.id === record.id) return this.handle(record, current.tag);
      const ageMs = this.ageOf(holder, current);
      lastHeld = new LockHeldError({
        location: this.store.location,
        holder,
        ageMs,
        staleAfterMs: options.staleAfterMs,
        wanted: options.operation,
        breakHint: options.breakHint ?? 'acquire again with breakStale',
      });
      const abandoned = holder !== undefined && this.isAbandoned(holder);
      if (!abandoned && (!options.breakStale || ageMs <= options.staleAfterMs)) throw lastHeld;

      const replaced = await this.store.replace(body, current.tag);
      if (replaced.outcome === 'replaced') return this.handle(record, replaced.tag, { holder, ageMs, reason: abandoned ? 'abandoned' : 'stale' });
      // Changed since we read it: released, or broken by someone else first. Look again.
    }
    throw lastHeld ?? new OperationLockError(`Cannot take the operation lock ${this.store.location}: it changed under each of ${MAX_ATTEMPTS} attempts.`);
  }

  /** By the holder's own start time; a record that cannot be read ages from its last write. */
  private ageOf(holder: LockRecord | undefined, stored: StoredLock): number {
    const since = holder ? Date.parse(holder.startedAt) : stored.modifiedAt.getTime();
    return this.now() - since;
  }

  private handle(record: LockRecord, tag: string, broke?: LockHandle['broke']): LockHandle {
    let releasing: Promise<ReleaseResult> | undefined;
    return {
      record,
      location: this.store.location,
      ...(broke ? { broke } : {}),
      removeCommand: this.store.removeCommand(tag),
      release: () => {
        releasing ??= this.release(tag).catch((error: unknown) => {
          releasing = undefined; // let the caller try again
          throw error;
        });
        return releasing;
      },
    };
  }

  private async release(tag: string): Promise<ReleaseResult> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const removed = await this.store.remove(tag);
      if (removed.outcome === 'removed') return { outcome: 'released' };
      if (removed.outcome === 'gone') return { outcome: 'gone' };
      const current = await this.store.read();
      if (!current) return { outcome: 'gone' };
      if (current.tag !== tag) return { outcome: 'taken-over', holder: parseRecord(current.body) };
      // Still ours, yet the delete was refused: a concurrent request on the key got in the way.
    }
    throw new OperationLockError(`Cannot release the operation lock ${this.store.location}: the delete kept conflicting. Remove it with: ${this.store.removeCommand(tag)}`);
  }
}
