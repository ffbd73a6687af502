import { type LockRecord, describeHolder, formatDuration } from './record';

/** The lock could not be read or written; the message names the lock and what to fix. */
export class OperationLockError extends Error {
  override readonly name: string = 'OperationLockError';
}

export interface LockHeldDetails {
  /** Where the lock lives. */
  readonly location: string;
  /** Who holds it; undefined when the lock object cannot be read as a record. */
  readonly holder: LockRecord | undefined;
  /** How old the lock is. */
  readonly ageMs: number;
  /** The age past which the caller may break it. */
  readonly staleAfterMs: number;
  /** The operation that wanted the lock. */
  readonly wanted: string;
  /** What the operator does to break a stale lock, e.g. `pass --break-stale-lock`. */
  readonly breakHint: string;
}

function heldMessage(d: LockHeldDetails): string {
  const who = d.holder ? describeHolder(d.holder) : 'an unreadable lock record';
  const since = d.holder ? `since ${d.holder.startedAt}` : 'last written';
  const expected = d.holder?.expectedDurationMs !== undefined ? `, expected to take ${formatDuration(d.holder.expectedDurationMs)}` : '';
  const head = `Cannot start ${d.wanted}: the operation lock ${d.location} is held by ${who} ${since} (${formatDuration(d.ageMs)} ago${expected}).`;
  if (d.ageMs > d.staleAfterMs) {
    return (
      `${head} It is older than ${formatDuration(d.staleAfterMs)}, so the run that took it may have died: ` +
      `if no such run is still going, ${d.breakHint} to take the lock over.`
    );
  }
  return (
    `${head} Wait for that run to finish. If it died, the lock can be broken once it is older than ` +
    `${formatDuration(d.staleAfterMs)} (in ${formatDuration(d.staleAfterMs - d.ageMs)}): then ${d.breakHint}.`
  );
}

/** Someone else holds the lock: who, since when, and how to break it when it is stale. */
export class LockHeldError extends OperationLockError {
  override readonly name = 'LockHeldError';
  readonly location: string;
  readonly holder: LockRecord | undefined;
  readonly ageMs: number;
  readonly staleAfterMs: number;

  constructor(details: LockHeldDetails) {
    super(heldMessage(details));
    this.location = details.location;
    this.holder = details.holder;
    this.ageMs = details.ageMs;
    this.staleAfterMs = details.staleAfterMs;
  }

  /** True when the lock was old enough to break, but breaking was not asked for. */
  get stale(): boolean {
    return this.ageMs > this.staleAfterMs;
  }
}
