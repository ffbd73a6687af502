import { type DrRole, FENCE_WAIT_SECONDS } from '@txn-dr/config';
import type { Clock } from './clock';
import type { DrTargets } from './targets';
import type { DrWorld, ReplicationLag } from './world';

/** How often and how long each kind of wait polls. */
export interface WaitSettings {
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

export interface Waits {
  /** New instances in service and healthy in the target group: boot plus registration, minutes at worst. */
  readonly capacity: WaitSettings;
  /** The global database's writer moving: typically under a minute, "in the order of minutes" at worst. */
  readonly database: WaitSettings;
  /** A Route 53 change reaching every authoritative server: typically within 60 s. */
  readonly dnsChange: WaitSettings;
  /**
   * /health through the public name answering writer from the new region: the old region's health
   * check must fail (interval x threshold) and resolvers keep the old answer up to the 60 s alias TTL.
   */
  readonly health: WaitSettings;
  /** The old region's instances gone after its capacity is set to zero (failover fencing): bounded, best effort. */
  readonly fence: WaitSettings;
}

export const DEFAULT_WAITS: Waits = {
  capacity: { intervalMs: 10_000, timeoutMs: 10 * 60_000 },
  database: { intervalMs: 5_000, timeoutMs: 15 * 60_000 },
  dnsChange: { intervalMs: 5_000, timeoutMs: 5 * 60_000 },
  health: { intervalMs: 5_000, timeoutMs: 5 * 60_000 },
  fence: { intervalMs: 5_000, timeoutMs: FENCE_WAIT_SECONDS * 1000 },
};

/** What a run learns that belongs in its report. */
export interface RunFacts {
  /** The secondary's replication lag last seen before a failover promoted it: the data-loss window. */
  lagBeforeFailover?: ReplicationLag;
}

export interface StepContext {
  readonly world: DrWorld;
  readonly targets: DrTargets;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** The region traffic and writes move away from. */
  readonly from: DrRole;
  /** The region they move to. */
  readonly to: DrRole;
  readonly waits: Waits;
  readonly facts: RunFacts;
  /** A line of progress during a wait; repeated lines are shown once. */
  progress(message: string): void;
}

/** The outcome of checking preconditions: sentences saying what is wrong, and what to do instead. */
export interface CheckResult {
  readonly problems: readonly string[];
  readonly suggestion?: string;
}

/**
 * One idempotent step of an operation. The engine observes the real state first and acts only when
 * `isDone` says the state is not already there, so a rerun after a crash or Ctrl-C resumes.
 * `O` is what `observe` reads, `A` what `act` hands to `wait` (a change id).
 */
export interface Step<O = unknown, A = unknown> {
  readonly id: string;
  readonly title: string;
  /** Changes what users feel or what is hard to undo: asks for confirmation unless --yes. */
  readonly destructive: boolean;
  /**
   * A failure is recorded as deferred and the run goes on: the clean-up of a region that does not
   * answer during a failover must not hold the recovery back.
   */
  readonly bestEffort?: boolean;
  observe(ctx: StepContext): Promise<O>;
  /** The current and target values, in words, for the plan, the progress and the report. */
  describe(observed: O, ctx: StepContext): { current: string; target: string };
  isDone(observed: O, ctx: StepContext): boolean;
  /** A check step: refuses the run when a precondition does not hold. */
  check?(observed: O, ctx: StepContext): CheckResult;
  /** Hints that do not stop the run. */
  warnings?(observed: O, ctx: StepContext): string[];
  /** The question asked before a destructive act. */
  confirmation?(observed: O, ctx: StepContext): string;
  act?(ctx: StepContext, observed: O): Promise<A>;
  /** Waits until the change has taken effect. */
  wait?(ctx: StepContext, acted: A | undefined): Promise<void>;
}
