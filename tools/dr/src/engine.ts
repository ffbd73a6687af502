import { isAbortError, throwIfAborted } from './clock';
import type { Step, StepContext } from './steps';

export type StepStatus =
  /** Acted and waited in this run. */
  | 'done'
  /** The state was already there: a previous run did it, or nothing was needed. */
  | 'already-done'
  /** A check step whose preconditions held. */
  | 'passed'
  | 'refused'
  | 'declined'
  | 'failed'
  | 'interrupted'
  /** A best-effort step that failed; the run went on without it. */
  | 'deferred'
  | 'not-run';

export interface StepRecord {
  readonly id: string;
  readonly title: string;
  status: StepStatus;
  /** Current value when the step started, in words. */
  before?: string;
  /** Value after the step. */
  after?: string;
  target?: string;
  startedAt?: string;
  /** Time the step took, without the time spent waiting for the operator's confirmation. */
  seconds?: number;
  error?: string;
}

export type Outcome = 'completed' | 'refused' | 'declined' | 'failed' | 'interrupted';

export interface RunResult {
  readonly outcome: Outcome;
  readonly steps: readonly StepRecord[];
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Wall-clock time of the run. */
  readonly totalSeconds: number;
  /** Part of the total spent waiting for the operator to confirm. */
  readonly confirmationSeconds: number;
  readonly problems?: readonly string[];
  readonly suggestion?: string;
  readonly warnings: readonly string[];
}

/** What the engine reports as it goes, for the progress display. */
export type RunEvent =
  | { readonly kind: 'step'; readonly index: number; readonly total: number; readonly step: Step; readonly current: string; readonly target: string; readonly elapsedMs: number }
  | { readonly kind: 'already-done'; readonly index: number; readonly total: number; readonly step: Step; readonly current: string; readonly elapsedMs: number }
  | { readonly kind: 'progress'; readonly index: number; readonly message: string; readonly elapsedMs: number }
  | { readonly kind: 'warning'; readonly message: string }
  | { readonly kind: 'finished'; readonly index: number; readonly record: StepRecord; readonly elapsedMs: number };

export interface EngineOptions {
  /** Asks the operator; resolves true to go on. */
  readonly confirm: (question: string) => Promise<boolean>;
  /** Skip confirmations (--yes). */
  readonly yes: boolean;
  readonly onEvent?: (event: RunEvent) => void;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.name && !['Error', 'WaitTimeoutError'].includes(error.name) ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}

/**
 * Runs steps in order. Each is observed first and acted on only when it is not already done; a
 * check that fails refuses the run, a failed step stops it (unless best-effort), and Ctrl-C (the
 * context's signal) stops it between or inside waits. Nothing is retried here: a rerun is the retry.
 */
export async function runSteps(steps: readonly Step[], ctx: Omit<StepContext, 'progress'>, options: EngineOptions): Promise<RunResult> {
  const { clock } = ctx;
  const started = clock.now();
  const elapsed = () => clock.now() - started;
  const records: StepRecord[] = steps.map((s) => ({ id: s.id, title: s.title, status: 'not-run' }));
  const warnings: string[] = [];
  let confirmationMs = 0;
  let outcome: Outcome = 'completed';
  let problems: readonly string[] | undefined;
  let suggestion: string | undefined;

  for (let index = 0; index < steps.length; index++) {
    const step = steps[index]!;
    const record = records[index]!;
    let lastProgress = '';
    const stepCtx: StepContext = {
      ...ctx,
      progress: (message) => {
        if (message === lastProgress) return;
        lastProgress = message;
        options.onEvent?.({ kind: 'progress', index, message, elapsedMs: elapsed() });
      },
    };
    const stepStart = clock.now();
    let confirmingMs = 0;
    const finish = (status: StepStatus) => {
      record.status = status;
      record.seconds = Math.max(0, clock.now() - stepStart - confirmingMs) / 1000;
      options.onEvent?.({ kind: 'finished', index, record, elapsedMs: elapsed() });
    };
    try {
      throwIfAborted(ctx.signal);
      record.startedAt = new Date(stepStart).toISOString();
      const observed = await step.observe(stepCtx);
      const { current, target } = step.describe(observed, stepCtx);
      record.before = current;
      record.target = target;
      if (step.isDone(observed, stepCtx)) {
        record.after = current;
        options.onEvent?.({ kind: 'already-done', index, total: steps.length, step, current, elapsedMs: stepStart - started });
        finish('already-done');
        continue;
      }
      options.onEvent?.({ kind: 'step', index, total: steps.length, step, current, target, elapsedMs: stepStart - started });
      for (const warning of step.warnings?.(observed, stepCtx) ?? []) {
        warnings.push(warning);
        options.onEvent?.({ kind: 'warning', message: warning });
      }
      if (step.check) {
        const result = step.check(observed, stepCtx);
        if (result.problems.length > 0) {
          problems = result.problems;
          suggestion = result.suggestion;
          record.error = result.problems.map((p) => p.replace(/\.$/, '')).join('; ');
          outcome = 'refused';
          finish('refused');
          break;
        }
        record.after = 'all hold';
        finish('passed');
        continue;
      }
      if (step.destructive && step.act && !options.yes) {
        const asked = clock.now();
        const question = step.confirmation?.(observed, stepCtx) ?? `${step.title}?`;
        const go = await options.confirm(question);
        confirmingMs = clock.now() - asked;
        confirmationMs += confirmingMs;
        if (!go) {
          record.error = 'not confirmed';
          outcome = 'declined';
          finish('declined');
          break;
        }
      }
      // Ctrl-C while the step was being read or confirmed: stop before changing anything.
      throwIfAborted(ctx.signal);
      const acted = step.act ? await step.act(stepCtx, observed) : undefined;
      if (step.wait) await step.wait(stepCtx, acted);
      try {
        record.after = step.describe(await step.observe(stepCtx), stepCtx).current;
      } catch {
        record.after = target;
      }
      finish('done');
    } catch (error) {
      record.error = errorText(error);
      if (isAbortError(error)) {
        outcome = 'interrupted';
        finish('interrupted');
        break;
      }
      if (step.bestEffort) {
        finish('deferred');
        continue;
      }
      outcome = 'failed';
      finish('failed');
      break;
    }
  }

  return {
    outcome,
    steps: records,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(clock.now()).toISOString(),
    totalSeconds: elapsed() / 1000,
    confirmationSeconds: confirmationMs / 1000,
    ...(problems ? { problems } : {}),
    ...(suggestion ? { suggestion } : {}),
    warnings,
  };
}

export interface PlanRow {
  readonly id: string;
  readonly title: string;
  readonly destructive: boolean;
  readonly current: string;
  readonly target: string;
  /** done: already in the target state; to do: the run would act; blocked: a precondition fails; unknown: could not be read. */
  readonly state: 'done' | 'to do' | 'blocked' | 'unknown';
  readonly problems?: readonly string[];
  readonly suggestion?: string;
}

/** Observes every step and says what a run would do; changes nothing. */
export async function planSteps(steps: readonly Step[], ctx: Omit<StepContext, 'progress'>): Promise<PlanRow[]> {
  const rows: PlanRow[] = [];
  const stepCtx: StepContext = { ...ctx, progress: () => undefined };
  for (const step of steps) {
    const base = { id: step.id, title: step.title, destructive: step.destructive };
    try {
      const observed = await step.observe(stepCtx);
      const { current, target } = step.describe(observed, stepCtx);
      if (step.isDone(observed, stepCtx)) {
        rows.push({ ...base, current, target, state: 'done' });
        continue;
      }
      const check = step.check?.(observed, stepCtx);
      if (check && check.problems.length > 0) {
        rows.push({ ...base, current, target, state: 'blocked', problems: check.problems, ...(check.suggestion ? { suggestion: check.suggestion } : {}) });
      } else {
        rows.push({ ...base, current, target, state: 'to do' });
      }
    } catch (error) {
      rows.push({ ...base, current: `cannot be read: ${errorText(error)}`, target: '', state: 'unknown' });
    }
  }
  return rows;
}
