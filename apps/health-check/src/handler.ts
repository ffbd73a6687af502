import { describeError, jsonLogger } from '@txn-dr/function-runtime';
import { runHealthCheck, type HealthCheckClients, type HealthCheckOptions, type HealthCheckResult } from './check';
import { readSettings, SettingsError, type HealthCheckSettings } from './settings';

/** A check that could not start because the function's environment is broken. */
export interface MisconfiguredResult {
  readonly state: 'misconfigured';
  readonly problems: readonly string[];
}

/**
 * The Lambda handler over given clients and variables. The environment is read once, when the
 * container starts; a broken one is logged on every invocation and publishes nothing, which the
 * DatabaseHealth alarm (missing data is breaching) turns into an alert.
 */
export function createHandler(
  clients: HealthCheckClients,
  vars: Readonly<Record<string, string | undefined>>,
  options: HealthCheckOptions = {},
): () => Promise<HealthCheckResult | MisconfiguredResult> {
  const log = options.log ?? jsonLogger;
  let settings: HealthCheckSettings | undefined;
  let problems: readonly string[] = [];
  try {
    settings = readSettings(vars);
  } catch (error) {
    problems = error instanceof SettingsError ? error.problems : [describeError(error)];
  }
  return async () => {
    if (!settings) {
      log.error('health check not run: the function environment is invalid', { problems });
      return { state: 'misconfigured', problems };
    }
    return runHealthCheck(clients, settings, options);
  };
}
