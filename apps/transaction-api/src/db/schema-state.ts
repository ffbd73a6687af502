import type { Database } from './database';
import { checkSchema, migrate, type Migration, type MigrationLog, MIGRATIONS } from './migrations';

export interface SchemaStateOptions {
  readonly db: Database;
  readonly log: MigrationLog & { error(obj: object, msg: string): void };
  /** Pause between attempts while the schema is not current. @default 2000 */
  readonly retryMs?: number;
  readonly migrations?: readonly Migration[];
  /**
   * Only check the schema, never migrate: for a user that may not change the schema (the
   * service's own; the migrate step changes it), and for the health probes' database (the
   * region's own cluster). @default false
   */
  readonly checkOnly?: boolean;
}

/**
 * Whether the schema this build needs is in place, and the attempts to make it so (or, checking
 * only, to see it arrive). An instance starts serving even when the schema is not there yet
 * (database down, the migrate step not run, or a standby whose schema has not replicated): its
 * routes answer 503 until the schema is current, and it keeps looking, so that a database coming
 * back, a migrate step run or a standby being promoted needs no restart.
 */
export class SchemaState {
  private current = false;
  private attempt: Promise<boolean> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastProblem: string | undefined;

  constructor(private readonly options: SchemaStateOptions) {}

  get ready(): boolean {
    return this.current;
  }

  /** One attempt at a time; resolves to whether the schema is current. Never throws. */
  ensure(): Promise<boolean> {
    if (this.current) return Promise.resolve(true);
    this.attempt ??= this.tryOnce().finally(() => {
      this.attempt = undefined;
    });
    return this.attempt;
  }

  /** Keeps calling `ensure` until the schema is current or `stop` is called. */
  keepTrying(): void {
    if (this.current || this.stopped || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.ensure().then((ok) => {
        if (!ok) this.keepTrying();
      });
    }, this.options.retryMs ?? 2_000);
    // A pending retry must not keep a closing process alive.
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async tryOnce(): Promise<boolean> {
    const { log } = this.options;
    try {
      const migrations = this.options.migrations ?? MIGRATIONS;
      const outcome = await (this.options.checkOnly ? checkSchema(this.options.db, migrations) : migrate(this.options.db, log, migrations));
      if (outcome.state === 'current') {
        this.current = true;
        log.info({ applied: outcome.applied }, 'database schema is current');
        return true;
      }
      const { missing } = outcome;
      if (outcome.state === 'behind') {
        this.report(`schema without migrations ${missing.join(', ')}`, () =>
          log.warn({ missing }, 'database schema is behind this build; waiting for the migrate step (or replication) to bring it'),
        );
      } else {
        this.report(`read-only database without migrations ${missing.join(', ')}`, () =>
          log.warn({ missing }, 'database is read-only and its schema is behind this build; waiting for replication or promotion'),
        );
      }
    } catch (error) {
      this.report(error instanceof Error ? error.message : String(error), () => log.error({ err: error }, 'schema migration failed; will retry'));
    }
    return false;
  }

  /** Logs a problem once per change, not at every retry. */
  private report(problem: string, write: () => void): void {
    if (problem === this.lastProblem) return;
    this.lastProblem = problem;
    write();
  }
}
