import type { DrRole } from '@txn-dr/config';
import type { AnswerBasis } from './answer';
import type { HealthView } from './health-check';

/** One weighted record, as GET /records shows it. */
export interface RecordView {
  readonly role: DrRole;
  readonly region: string;
  /** The weight the data plane answers with now (INSYNC changes applied). */
  readonly weight: number;
  /** Shorthand for `health.status === 'healthy'`. */
  readonly healthy: boolean;
  readonly health: HealthView;
}

/** The resolver's answer, held until `expiresAt`. */
export interface AnswerView {
  readonly role: DrRole;
  readonly region: string;
  readonly basis: AnswerBasis;
  readonly resolvedAt: string;
  readonly expiresAt: string;
  /** True once `expiresAt` has passed: the next request resolves again. */
  readonly expired: boolean;
}

export interface RecordsView {
  readonly records: Readonly<Record<DrRole, RecordView>>;
  /** The public listener's last answer; null before its first request. */
  readonly answer: AnswerView | null;
  /** Changes submitted and not yet INSYNC, oldest first. */
  readonly pendingChanges: readonly string[];
  readonly ttlMs: number;
}
