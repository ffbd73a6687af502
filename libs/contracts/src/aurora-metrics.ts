/**
 * The replication-lag metrics Aurora publishes for a global database, as the regional alarms and
 * the dashboard read them, the policy rules recognise them in synthesized alarms, and the operator
 * CLI reads them before a switchover. One spelling for all of them, so a renamed metric is a
 * compile error rather than an alarm that watches nothing.
 */
export const AURORA_GLOBAL_METRICS = {
  namespace: 'AWS/RDS',
  /**
   * Milliseconds of data a failover would lose right now ("how far the secondary cluster is
   * behind the primary cluster for user transactions"; Aurora MySQL 3.04 and later), published
   * "only in secondary AWS Regions", per secondary cluster (dimension DBClusterIdentifier), every
   * minute.
   * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html
   * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
   */
  rpoLag: 'AuroraGlobalDBRPOLag',
  /** The older replication-lag metric (milliseconds), published the same way. */
  replicationLag: 'AuroraGlobalDBReplicationLag',
  /** The dimension both metrics are filed under, one series per secondary cluster. */
  clusterDimension: 'DBClusterIdentifier',
} as const;

/** Both lag metrics, the newer first: an alarm on either watches the lag. */
export const AURORA_LAG_METRIC_NAMES: readonly string[] = [AURORA_GLOBAL_METRICS.rpoLag, AURORA_GLOBAL_METRICS.replicationLag];
