/**
 * Metrics AWS services publish themselves, as the alarms and the dashboard read them. Our own
 * metrics (DatabaseHealth, DatabaseIsWriter) are in @txn-dr/contracts, shared with the Lambda.
 */
export const AWS_METRICS = {
  aurora: {
    namespace: 'AWS/RDS',
    /**
     * Milliseconds of data a failover would lose right now ("how far the secondary cluster is
     * behind the primary cluster for user transactions"; Aurora MySQL 3.04 and later), published
     * "only in secondary AWS Regions", per secondary cluster (dimension DBClusterIdentifier).
     * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
     * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
     */
    rpoLag: 'AuroraGlobalDBRPOLag',
    /** The older replication-lag metric (milliseconds), published the same way. */
    replicationLag: 'AuroraGlobalDBReplicationLag',
    clusterDimension: 'DBClusterIdentifier',
  },
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
  route53: {
    namespace: 'AWS/Route53',
    healthCheckStatus: 'HealthCheckStatus',
    healthCheckDimension: 'HealthCheckId',
    /**
     * Route 53 publishes health-check metrics in us-east-1 only ("Route 53 metrics are not
     * available if you select any other region"), so alarms on them live there and dashboards read
     * them there. HealthCheckStatus is 1 while the check is healthy, 0 while it is not.
     * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html
     */
    region: 'us-east-1',
  },
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
