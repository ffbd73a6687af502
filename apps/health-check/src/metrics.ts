import { PutMetricDataCommand, type CloudWatchClient, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { HEALTH_METRICS, healthDimensions } from '@txn-dr/contracts';
import { withTimeout } from '@txn-dr/function-runtime';
import type { Observation } from './observe';
import type { HealthCheckSettings } from './settings';

/**
 * The datapoints of one check: DatabaseHealth always (0 when the check failed, so that a region
 * whose check breaks looks unhealthy, never silent), DatabaseIsWriter when RDS named the role.
 * No lag: the RDS API offers none (see observe.ts); Aurora publishes its own.
 */
export function healthDatapoints(settings: HealthCheckSettings, observation: Observation, timestamp: Date): MetricDatum[] {
  const dimensions = Object.entries(healthDimensions(settings.role, settings.region)).map(([Name, Value]) => ({ Name, Value }));
  const datum = (MetricName: string, Value: number): MetricDatum => ({ MetricName, Dimensions: dimensions, Value, Unit: 'None', Timestamp: timestamp, StorageResolution: 60 });
  const healthy = observation.kind === 'observed' && observation.healthy;
  const data = [datum(HEALTH_METRICS.databaseHealth, healthy ? 1 : 0)];
  if (observation.kind === 'observed' && observation.role) data.push(datum(HEALTH_METRICS.databaseIsWriter, observation.role === 'writer' ? 1 : 0));
  return data;
}

/** Every datapoint in one PutMetricData call. */
export async function publishMetrics(cloudWatch: CloudWatchClient, settings: HealthCheckSettings, data: MetricDatum[]): Promise<void> {
  await withTimeout('CloudWatch PutMetricData', settings.callTimeoutMs, (abortSignal) =>
    cloudWatch.send(new PutMetricDataCommand({ Namespace: settings.metricNamespace, MetricData: data }), { abortSignal }),
  );
}
