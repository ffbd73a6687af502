/** One setting of a bucket, role, key or replication, as found and as left. */
export interface StepResult {
  readonly setting: string;
  /** `created`/`changed`: this run wrote it; `kept`: it was already as required. */
  readonly outcome: 'created' | 'changed' | 'kept';
  readonly detail: string;
}

/** A setting that this tool cannot bring into place; the message says why and what to do. */
export class BootstrapError extends Error {
  override readonly name = 'BootstrapError';
}
