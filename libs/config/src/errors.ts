/** One thing wrong with an environment, located by its dotted field path. */
export interface ConfigIssue {
  readonly field: string;
  readonly message: string;
}

/** Thrown when an environment cannot work; names every offending field. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(`Invalid environment (${source}):\n${issues.map((i) => `  - ${i.field}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
