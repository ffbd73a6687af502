import { ConfigError } from '../src/errors';

/** Runs `fn`, expecting a ConfigError; returns its issues as `field: message` lines. */
export function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.field}: ${i.message}`);
    throw error;
  }
  throw new Error('expected a ConfigError, got a valid environment');
}
