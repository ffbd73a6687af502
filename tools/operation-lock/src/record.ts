/** Who takes the lock. */
export interface LockHolder {
  /** The person or pipeline: the STS caller ARN, or a name given on the command line. */
  readonly operator: string;
  /** Host name of the machine the operation runs on. */
  readonly host: string;
  /** Process id on that host. */
  readonly pid: number;
}

/** What the lock object holds: who runs what since when, as JSON anyone can read with `aws s3 cp`. */
export interface LockRecord extends LockHolder {
  /** Format of the record, for a reader of a later version. */
  readonly version: 1;
  /** What runs under the lock, e.g. `failover` or `deploy:primary`. */
  readonly operation: string;
  /** ISO 8601 time the lock was taken, by the holder's clock. */
  readonly startedAt: string;
  /** How long the holder expects to take, when it said so. */
  readonly expectedDurationMs?: number;
  /**
   * Random per acquisition: tells two locks of the same holder apart, and makes every lock body, and
   * so its ETag, unique, which the conditional replace and delete rely on.
   */
  readonly id: string;
}

export function serializeRecord(record: LockRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

/** The record in a lock body, or undefined when the body is not one (truncated, or written by something else). */
export function parseRecord(body: string): LockRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  const valid =
    r.version === 1 &&
    typeof r.operation === 'string' &&
    typeof r.operator === 'string' &&
    typeof r.host === 'string' &&
    typeof r.pid === 'number' &&
    typeof r.startedAt === 'string' &&
    !Number.isNaN(Date.parse(r.startedAt)) &&
    typeof r.id === 'string' &&
    (r.expectedDurationMs === undefined || typeof r.expectedDurationMs === 'number');
  return valid ? (value as LockRecord) : undefined;
}

/** `failover by arn:aws:sts::123:assumed-role/ops/alice on host-a (pid 4242)` */
export function describeHolder(record: LockRecord): string {
  return `${record.operation} by ${record.operator} on ${record.host} (pid ${record.pid})`;
}

/** A duration for people: `45 s`, `12 min`, `2 h 5 min`. Negative (a holder's clock ahead of ours) reads as 0 s. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}
