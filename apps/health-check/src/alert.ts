import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { withTimeout } from '@txn-dr/function-runtime';
import type { Observation } from './observe';
import type { HealthCheckSettings } from './settings';
import { stateValue, type AlertReason, type HealthState } from './state';

export interface AlertContent {
  readonly subject: string;
  readonly message: string;
}

const HEADLINE: Record<HealthState['health'], string> = {
  healthy: 'database healthy',
  unhealthy: 'database UNHEALTHY',
  'check-failed': 'health check FAILED',
};

/** SNS e-mail subjects: at most 100 printable ASCII characters, no line breaks. */
function subjectLine(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, ' ').slice(0, 100);
}

/** A subject an operator can triage from, and a body with what the check saw. */
export function alertContent(input: {
  settings: HealthCheckSettings;
  state: HealthState;
  previous: string | undefined;
  reason: AlertReason;
  observation: Observation;
  problems: readonly string[];
  checkedAt: Date;
}): AlertContent {
  const { settings, state, observation } = input;
  const role = state.role ? ` (${state.role})` : '';
  const subject = subjectLine(`${settings.environment} ${settings.region} (${settings.role}): ${HEADLINE[state.health]}${role}`);
  const was = input.reason === 'changed' ? `${input.previous} -> ${stateValue(state)}` : `${stateValue(state)} (previous state ${input.previous ?? 'unreadable'})`;
  const lines = [
    `Health of the ${settings.role} region ${settings.region}: ${was}`,
    `Environment: ${settings.environment}`,
    `Cluster: ${settings.clusterIdentifier}` + (observation.kind === 'observed' && observation.clusterStatus ? ` (status ${observation.clusterStatus})` : ''),
    `Global cluster: ${settings.globalClusterIdentifier}` +
      (observation.kind === 'observed' && observation.failover ? ` (switchover or failover ${observation.failover})` : ''),
  ];
  if (observation.kind === 'observed' && observation.reasons.length > 0) lines.push(`Why unhealthy: ${observation.reasons.join('; ')}`);
  if (input.problems.length > 0) lines.push(`Check problems: ${input.problems.join('; ')}`);
  lines.push(`Checked at: ${input.checkedAt.toISOString()}`);
  return { subject, message: lines.join('\n') };
}

export async function publishAlert(sns: SNSClient, settings: HealthCheckSettings, content: AlertContent): Promise<void> {
  await withTimeout('SNS Publish', settings.callTimeoutMs, (abortSignal) =>
    sns.send(new PublishCommand({ TopicArn: settings.alertTopicArn, Subject: content.subject, Message: content.message }), { abortSignal }),
  );
}
