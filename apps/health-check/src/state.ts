import { GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { HEALTH_STATE_INITIAL } from '@txn-dr/contracts';
import { describeError, withTimeout } from '@txn-dr/function-runtime';
import type { MemberRole, Observation } from './observe';
import type { HealthCheckSettings } from './settings';

/*
 * Where "the previous state" lives. Module memory is lost on every cold start, so the last state
 * this region reported is kept in an SSM parameter that the stack creates (and then leaves to the
 * function). Chosen over the alternatives because:
 * - the previous DatabaseHealth datapoint (GetMetricData) is eventually consistent, so a datapoint
 *   written a minute ago may not be readable yet, and GetMetricData cannot be scoped to a resource
 *   in IAM (Resource "*");
 * - the DatabaseHealth alarm's state lags the check by two periods and follows its own rules, so
 *   it cannot say what the last check saw;
 * - one parameter, read and written once a minute, is scoped in IAM to its own ARN, and with
 *   reserved concurrency 1 no two checks of a region read and write it at the same time.
 */

export type Health = 'healthy' | 'unhealthy' | 'check-failed';

/** What a check concluded: the value compared with the previous one to decide on an alert. */
export interface HealthState {
  readonly health: Health;
  /** Writer or reader, when RDS said so; a change of role (a switchover) is a change of state too. */
  readonly role?: MemberRole;
}

/** The stored form: `healthy/writer`, `unhealthy/reader`, `unhealthy`, `check-failed`. */
export function stateValue(state: HealthState): string {
  return state.role ? `${state.health}/${state.role}` : state.health;
}

/**
 * The state of this check. A database that RDS reports unhealthy is `unhealthy` whatever else
 * failed; a check that could not ask RDS, or could not publish its metric (so the alarms are
 * blind), is `check-failed`.
 */
export function currentState(observation: Observation, metricsPublished: boolean): HealthState {
  if (observation.kind === 'failed') return { health: 'check-failed' };
  const role = observation.role ? { role: observation.role } : {};
  if (!observation.healthy) return { health: 'unhealthy', ...role };
  if (!metricsPublished) return { health: 'check-failed' };
  return { health: 'healthy', ...role };
}

/** Why an alert goes out, or undefined when it does not. */
export type AlertReason = 'changed' | 'first-report' | 'previous-unknown';

/**
 * Alert on a change only. When the previous state is the initial one, or could not be read, alert
 * only for a state that is not healthy: a possible duplicate alert is better than a missed one, and
 * a healthy region that starts up should not page anyone.
 */
export function alertReason(previous: string | undefined, current: HealthState): AlertReason | undefined {
  const value = stateValue(current);
  if (previous === undefined) return current.health === 'healthy' ? undefined : 'previous-unknown';
  if (previous === HEALTH_STATE_INITIAL) return current.health === 'healthy' ? undefined : 'first-report';
  return previous === value ? undefined : 'changed';
}

export type PreviousState = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly error: string };

/** The last state this region reported; a missing parameter reads as the initial state. */
export async function readPreviousState(ssm: SSMClient, settings: HealthCheckSettings): Promise<PreviousState> {
  try {
    const output = await withTimeout('SSM GetParameter', settings.callTimeoutMs, (abortSignal) =>
      ssm.send(new GetParameterCommand({ Name: settings.stateParameter, WithDecryption: true }), { abortSignal }),
    );
    return { ok: true, value: output.Parameter?.Value ?? HEALTH_STATE_INITIAL };
  } catch (error) {
    if (error instanceof Error && error.name === 'ParameterNotFound') return { ok: true, value: HEALTH_STATE_INITIAL };
    return { ok: false, error: describeError(error) };
  }
}

/** Records the state; the key is named on every write so an overwrite keeps the stack's key. */
export async function saveState(ssm: SSMClient, settings: HealthCheckSettings, value: string): Promise<void> {
  await withTimeout('SSM PutParameter', settings.callTimeoutMs, (abortSignal) =>
    ssm.send(
      new PutParameterCommand({ Name: settings.stateParameter, Value: value, Type: 'SecureString', KeyId: settings.stateKeyArn, Overwrite: true }),
      { abortSignal },
    ),
  );
}
