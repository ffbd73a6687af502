import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { describeError, jsonLogger, type Logger } from '@txn-dr/function-runtime';
import { alertContent, publishAlert } from './alert';
import { healthDatapoints, publishMetrics } from './metrics';
import { observeCluster, type Observation } from './observe';
import type { HealthCheckSettings } from './settings';
import { alertReason, currentState, readPreviousState, saveState, stateValue, type AlertReason } from './state';

/** The AWS clients a check talks through; the handler passes module-scope ones, tests pass mocks. */
export interface HealthCheckClients {
  readonly rds: RDSClient;
  readonly cloudWatch: CloudWatchClient;
  readonly sns: SNSClient;
  readonly ssm: SSMClient;
}

export interface HealthCheckOptions {
  /** @default the system clock */
  readonly now?: () => Date;
  /** @default JSON lines on stdout/stderr */
  readonly log?: Logger;
}

/** What one check did: returned to the caller and logged as one line. */
export interface HealthCheckResult {
  /** The stored state value, e.g. `healthy/writer` or `check-failed`. */
  readonly state: string;
  /** The DatabaseHealth value published (or attempted). */
  readonly databaseHealth: 0 | 1;
  /** The previous state, undefined when it could not be read. */
  readonly previousState?: string;
  readonly metricsPublished: boolean;
  /** `none` when the state did not change; `failed` leaves the state unsaved so the next check alerts again. */
  readonly alert: 'sent' | 'failed' | 'none';
  readonly alertReason?: AlertReason;
  readonly stateSaved: boolean;
  /** Every failed call, in words. Empty on a clean run. */
  readonly problems: readonly string[];
}

/**
 * One health check. Never throws: every AWS call has a time limit and its own failure path, and a
 * failed check still publishes DatabaseHealth = 0 and alerts on the change.
 */
export async function runHealthCheck(clients: HealthCheckClients, settings: HealthCheckSettings, options: HealthCheckOptions = {}): Promise<HealthCheckResult> {
  const log = options.log ?? jsonLogger;
  const checkedAt = (options.now ?? (() => new Date()))();
  const problems: string[] = [];
  try {
    const [observation, previous] = await Promise.all([observeCluster(clients.rds, settings), readPreviousState(clients.ssm, settings)]);
    if (observation.kind === 'failed') problems.push(`database check failed: ${observation.error}`);
    if (!previous.ok) problems.push(`previous state unreadable: ${previous.error}`);

    const metricsPublished = await tryPublishMetrics(clients, settings, observation, checkedAt, problems);
    const state = currentState(observation, metricsPublished);
    const value = stateValue(state);
    const previousValue = previous.ok ? previous.value : undefined;
    const reason = alertReason(previousValue, state);

    let alert: HealthCheckResult['alert'] = 'none';
    if (reason) {
      try {
        await publishAlert(clients.sns, settings, alertContent({ settings, state, previous: previousValue, reason, observation, problems, checkedAt }));
        alert = 'sent';
      } catch (error) {
        alert = 'failed';
        problems.push(`alert not sent: ${describeError(error)}`);
      }
    }

    // An alert that did not go out leaves the old state in place, so the next check sends it again.
    let stateSaved = false;
    if (alert !== 'failed' && previousValue !== value) {
      try {
        await saveState(clients.ssm, settings, value);
        stateSaved = true;
      } catch (error) {
        problems.push(`state not saved: ${describeError(error)}`);
      }
    }

    const result: HealthCheckResult = {
      state: value,
      databaseHealth: observation.kind === 'observed' && observation.healthy ? 1 : 0,
      ...(previousValue !== undefined ? { previousState: previousValue } : {}),
      metricsPublished,
      alert,
      ...(reason ? { alertReason: reason } : {}),
      stateSaved,
      problems,
    };
    const fields = { ...result, cluster: settings.clusterIdentifier, role: settings.role, observation };
    if (problems.length > 0) log.error('health check', fields);
    else log.info('health check', fields);
    return result;
  } catch (error) {
    // Only a defect in this code gets here (each call above handles its own failure); the metric
    // still goes out so the region reads unhealthy rather than silent.
    problems.push(`unexpected failure: ${describeError(error)}`);
    const failed: Observation = { kind: 'failed', error: describeError(error) };
    const metricsPublished = await tryPublishMetrics(clients, settings, failed, checkedAt, problems);
    const result: HealthCheckResult = { state: 'check-failed', databaseHealth: 0, metricsPublished, alert: 'none', stateSaved: false, problems };
    log.error('health check', { ...result, cluster: settings.clusterIdentifier, role: settings.role });
    return result;
  }
}

async function tryPublishMetrics(clients: HealthCheckClients, settings: HealthCheckSettings, observation: Observation, at: Date, problems: string[]): Promise<boolean> {
  try {
    await publishMetrics(clients.cloudWatch, settings, healthDatapoints(settings, observation, at));
    return true;
  } catch (error) {
    problems.push(`metrics not published: ${describeError(error)}`);
    return false;
  }
}
