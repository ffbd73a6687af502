import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { jsonLogger, type Logger } from '@txn-dr/function-runtime';
import { mysqlDatabase, type MasterDatabase } from './database';
import { RotationError, describeError } from './errors';
import { parseEvent, runStep, type StepOutcome } from './rotation';
import { SecretStore } from './secret-store';
import { readSettings, SettingsError, type RotationSettings } from './settings';

/** The AWS clients a rotation talks through; the handler passes a module-scope one, tests a mocked one. */
export interface RotationClients {
  readonly secrets: SecretsManagerClient;
}

export interface HandlerOptions {
  /** @default JSON lines on stdout/stderr */
  readonly log?: Logger;
  /** @default the master user's database over mysql2 */
  readonly database?: (settings: RotationSettings) => MasterDatabase;
  /** @default the system clock, for the step's duration */
  readonly now?: () => number;
}

/** What one invocation did: returned to Secrets Manager (which ignores it) and logged as one line. */
export interface StepResult {
  readonly step: string;
  readonly secretArn: string;
  readonly versionId: string;
  readonly outcome: StepOutcome;
}

/**
 * The Lambda handler over given clients and variables. The environment is read once per container;
 * a broken one fails every invocation, so that Secrets Manager records the rotation as failed. A
 * failed step throws: Secrets Manager invokes the function synchronously and retries the rotation.
 * Nothing logged or thrown holds a secret value.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-secrets-manager.html
 * (source: https://github.com/awsdocs/aws-lambda-developer-guide/blob/main/doc_source/with-secrets-manager.md)
 */
export function createHandler(
  clients: RotationClients,
  vars: Readonly<Record<string, string | undefined>>,
  options: HandlerOptions = {},
): (event: unknown) => Promise<StepResult> {
  const log = options.log ?? jsonLogger;
  const now = options.now ?? Date.now;
  let settings: RotationSettings | undefined;
  let problems: readonly string[] = [];
  try {
    settings = readSettings(vars);
  } catch (error) {
    problems = error instanceof SettingsError ? error.problems : [describeError(error)];
  }
  const deps = settings && {
    store: new SecretStore(clients.secrets, settings.callTimeoutMs),
    database: (options.database ?? mysqlDatabase)(settings),
    secretArn: settings.secretArn,
  };

  return async (raw) => {
    if (!deps) {
      log.error('rotation step not run: the function environment is invalid', { problems });
      throw new RotationError(`the function environment is invalid: ${problems.join('; ')}`);
    }
    const started = now();
    const about = describeEvent(raw);
    try {
      const event = parseEvent(raw);
      const outcome = await runStep(event, deps);
      const result: StepResult = { step: event.Step, secretArn: deps.secretArn, versionId: event.ClientRequestToken, outcome };
      log.info('rotation step', { ...result, durationMs: now() - started });
      return result;
    } catch (error) {
      const message = describeError(error);
      log.error('rotation step failed', { ...about, error: message, durationMs: now() - started });
      // A fresh error: the original may carry fields (a driver's SQL) that must not reach the runtime's log.
      throw error instanceof RotationError ? error : new RotationError(`${about.step ?? 'rotation'}: ${message}`);
    }
  };
}

/** The event's identifying fields, for the failure log line, whatever shape the event had. */
function describeEvent(raw: unknown): { step?: string; secretId?: string; versionId?: string } {
  const event = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { step: text(event.Step), secretId: text(event.SecretId), versionId: text(event.ClientRequestToken) };
}
