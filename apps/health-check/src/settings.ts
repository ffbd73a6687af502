import type { DrRole } from '@txn-dr/config';
import { HEALTH_ENV } from '@txn-dr/contracts';

/** What one region's check needs to know, read from the function's environment. */
export interface HealthCheckSettings {
  readonly clusterIdentifier: string;
  readonly globalClusterIdentifier: string;
  readonly role: DrRole;
  /** The region the function runs in (Lambda's AWS_REGION). */
  readonly region: string;
  /** `<project>-<env>`, for alert subjects. */
  readonly environment: string;
  readonly metricNamespace: string;
  readonly alertTopicArn: string;
  readonly stateParameter: string;
  /** KMS key of the state parameter, passed on every write so an overwrite never falls back to aws/ssm. */
  readonly stateKeyArn: string;
  /** Time limit of each AWS call. */
  readonly callTimeoutMs: number;
}

/** The default limit per AWS call: six calls, three of them in parallel, stay well inside the function timeout. */
export const DEFAULT_CALL_TIMEOUT_MS = 5_000;

// Values, not the config package's DR_ROLES: importing that would bundle zod into the function.
const ROLES: readonly DrRole[] = ['primary', 'secondary'];

/** The environment names every problem at once, so a broken deployment is fixed in one go. */
export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid health-check environment: ${problems.join('; ')}`);
    this.name = 'SettingsError';
  }
}

/** Reads and checks the settings; throws SettingsError naming every missing or bad variable. */
export function readSettings(vars: Readonly<Record<string, string | undefined>>): HealthCheckSettings {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = vars[name]?.trim();
    if (!value) problems.push(`${name} is not set`);
    return value ?? '';
  };

  const role = required(HEALTH_ENV.role);
  if (role && !ROLES.includes(role as DrRole)) problems.push(`${HEALTH_ENV.role} must be ${ROLES.join(' or ')}, got ${role}`);
  const metricNamespace = required(HEALTH_ENV.metricNamespace);
  if (metricNamespace.startsWith('AWS/')) problems.push(`${HEALTH_ENV.metricNamespace} must not start with AWS/ (reserved for AWS services)`);

  let callTimeoutMs = DEFAULT_CALL_TIMEOUT_MS;
  const rawTimeout = vars[HEALTH_ENV.callTimeoutMs]?.trim();
  if (rawTimeout) {
    callTimeoutMs = Number(rawTimeout);
    if (!Number.isInteger(callTimeoutMs) || callTimeoutMs < 100 || callTimeoutMs > 60_000) {
      problems.push(`${HEALTH_ENV.callTimeoutMs} must be a whole number of milliseconds between 100 and 60000, got ${rawTimeout}`);
    }
  }

  const settings: HealthCheckSettings = {
    clusterIdentifier: required(HEALTH_ENV.clusterIdentifier),
    globalClusterIdentifier: required(HEALTH_ENV.globalClusterIdentifier),
    role: role as DrRole,
    region: required('AWS_REGION'),
    environment: required(HEALTH_ENV.environment),
    metricNamespace,
    alertTopicArn: required(HEALTH_ENV.alertTopicArn),
    stateParameter: required(HEALTH_ENV.stateParameter),
    stateKeyArn: required(HEALTH_ENV.stateKeyArn),
    callTimeoutMs,
  };
  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
}
