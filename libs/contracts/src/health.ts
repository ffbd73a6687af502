import type { DrRole } from '@txn-dr/config';
import { parameterPrefix } from './parameters';

/**
 * The health-check Lambda's contract with the infrastructure that deploys it and the alarms and
 * dashboard that read what it publishes. Both sides import these names, so a renamed metric or
 * variable is a compile error instead of an alarm that watches nothing.
 */

/** Handler of the function inside the zip: `index.js`, export `handler`. */
export const HEALTH_CHECK_HANDLER = 'index.handler';

/** Lambda runtime the bundle is built for (Node.js 20 is past its Lambda deprecation). */
export const HEALTH_CHECK_RUNTIME = 'nodejs22.x';

/** The Node.js major version of HEALTH_CHECK_RUNTIME, which the bundle targets. */
export const HEALTH_CHECK_NODE_MAJOR = 22;

/** Metrics the Lambda publishes, all in the namespace from `healthMetricNamespace`. */
export const HEALTH_METRICS = {
  /**
   * 1 when the region's cluster is available, a member of the global cluster and in sync; 0 when
   * it is not, or when the check could not tell. Published every minute by each region.
   */
  databaseHealth: 'DatabaseHealth',
  /** 1 while the region's cluster is the global cluster's writer, 0 while it is a reader. Absent when unknown. */
  databaseIsWriter: 'DatabaseIsWriter',
} as const;

/** Dimension names of every health metric. */
export const HEALTH_DIMENSIONS = {
  /** The configured DR role (`primary` or `secondary`): stable across failovers, unlike writer/reader. */
  role: 'Role',
  /** The AWS region the check ran in. */
  region: 'Region',
} as const;

/**
 * Namespace of the health metrics of one environment (`<project>-<env>/DisasterRecovery`). One
 * namespace per environment keeps two environments in one account apart, and lets each function's
 * IAM policy allow PutMetricData to its own namespace only.
 */
export function healthMetricNamespace(namePrefix: string): string {
  return `${namePrefix}/DisasterRecovery`;
}

/** The dimensions of a region's health metrics, by dimension name. */
export function healthDimensions(role: DrRole, region: string): Record<string, string> {
  return { [HEALTH_DIMENSIONS.role]: role, [HEALTH_DIMENSIONS.region]: region };
}

/**
 * Environment variables the infrastructure sets on the function. The region comes from Lambda's
 * own `AWS_REGION`.
 */
export const HEALTH_ENV = {
  /** Identifier of this region's Aurora cluster. */
  clusterIdentifier: 'DR_CLUSTER_IDENTIFIER',
  /** Identifier of the Aurora global cluster both regions belong to. */
  globalClusterIdentifier: 'DR_GLOBAL_CLUSTER_IDENTIFIER',
  /** `primary` or `secondary`. */
  role: 'DR_ROLE',
  /** `<project>-<env>`, shown in alert subjects. */
  environment: 'DR_ENVIRONMENT',
  /** Namespace of the metrics, from healthMetricNamespace. */
  metricNamespace: 'DR_METRIC_NAMESPACE',
  /** ARN of this region's alert topic. */
  alertTopicArn: 'DR_ALERT_TOPIC_ARN',
  /** Name of the SSM parameter holding the last reported state. */
  stateParameter: 'DR_STATE_PARAMETER',
  /** ARN of the KMS key the state parameter is encrypted with. */
  stateKeyArn: 'DR_STATE_KEY_ARN',
  /** Time limit of each AWS call, in milliseconds. Optional. */
  callTimeoutMs: 'DR_CALL_TIMEOUT_MS',
} as const;
export type HealthEnvKey = keyof typeof HEALTH_ENV;

/** Value of the state parameter before the first check has reported anything. */
export const HEALTH_STATE_INITIAL = 'unknown';

/** SSM parameter with the last state the region's check reported: `/dr/<env>/<role>/health/last-state`. */
export function healthStateParameterName(envName: string, role: DrRole): string {
  return `${parameterPrefix(envName, role)}/health/last-state`;
}
