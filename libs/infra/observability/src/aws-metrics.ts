import { AURORA_GLOBAL_METRICS, ROUTE53_HEALTH_CHECK_METRICS, ROUTE53_METRICS_REGION } from '@txn-dr/contracts';

/**
 * Metrics AWS services publish themselves, as the alarms and the dashboard read them. Those that
 * other projects read too (Aurora's lag, Route 53's health checks) are spelt in @txn-dr/contracts,
 * as are our own metrics (DatabaseHealth, DatabaseIsWriter), shared with the Lambda.
 */
export const AWS_METRICS = {
  /** Aurora global database lag: see AURORA_GLOBAL_METRICS. */
  aurora: AURORA_GLOBAL_METRICS,
  alb: {
    namespace: 'AWS/ApplicationELB',
    requests: 'RequestCount',
    targetResponseTime: 'TargetResponseTime',
    elb5xx: 'HTTPCode_ELB_5XX_Count',
    target5xx: 'HTTPCode_Target_5XX_Count',
    healthyHosts: 'HealthyHostCount',
    unhealthyHosts: 'UnHealthyHostCount',
    loadBalancerDimension: 'LoadBalancer',
    targetGroupDimension: 'TargetGroup',
  },
  lambda: {
    namespace: 'AWS/Lambda',
    errors: 'Errors',
    throttles: 'Throttles',
    functionDimension: 'FunctionName',
  },
  /** Route 53 health checks, published in ROUTE53_METRICS_REGION only: alarms on them live there and dashboards read them there. */
  route53: { ...ROUTE53_HEALTH_CHECK_METRICS, region: ROUTE53_METRICS_REGION },
  sqs: {
    namespace: 'AWS/SQS',
    visibleMessages: 'ApproximateNumberOfMessagesVisible',
    queueDimension: 'QueueName',
  },
} as const;

/**
 * The largest `AuroraGlobalDBRPOLag` (milliseconds) of one cluster, as a Metrics Insights query.
 * `FROM "AWS/RDS"` without SCHEMA matches the metric whatever its dimensions, and the WHERE clause
 * keeps the series of this cluster, so the query reads the lag whichever dimension set Aurora files
 * it under (AWS's Aurora labs find the global-database metrics in the console's SourceRegion group).
 * A plain metric alarm matches one exact set of dimensions and, on any other, sees no data: with
 * missing data not breaching, it would stay OK forever.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html
 * https://awsauroralabsmy.com/global/cw/
 */
export function rpoLagQuery(clusterIdentifier: string): string {
  const { namespace, rpoLag, clusterDimension } = AWS_METRICS.aurora;
  return `SELECT MAX(${rpoLag}) FROM "${namespace}" WHERE ${clusterDimension} = '${clusterIdentifier}'`;
}
