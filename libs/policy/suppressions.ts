import type { Suppression } from './src/engine/types';

/**
 * Accepted deviations from the policy rules: one rule, on one resource of one stack, with the
 * reason. A suppression that no longer matches a failure fails the suite: delete it then.
 * Each entry below names its resources literally; `inRegionalStacks` only repeats an entry for
 * the primary and secondary stacks, which synthesize the same addresses.
 */
function inRegionalStacks(rule: string, resources: readonly string[], reason: string): Suppression[] {
  return (['primary', 'secondary'] as const).flatMap((stack) => resources.map((resource) => ({ rule, stack, resource, reason })));
}

export const SUPPRESSIONS: readonly Suppression[] = [
  // Aurora global database: both regions must run the same engine version at all times (see
  // dr-engine-version-match), so minor upgrades are planned and rolled to every region together
  // rather than applied by RDS per instance in its own maintenance window.
  { rule: 'rds-auto-minor-version-upgrade', stack: 'primary', resource: 'aws_rds_cluster_instance.database_instance-1_95FDBD23', reason: 'Global database: engine versions must stay identical across regions; minor upgrades are planned and applied to both regions together' },
  { rule: 'rds-auto-minor-version-upgrade', stack: 'primary', resource: 'aws_rds_cluster_instance.database_instance-2_67AB9804', reason: 'Global database: engine versions must stay identical across regions; minor upgrades are planned and applied to both regions together' },
  { rule: 'rds-auto-minor-version-upgrade', stack: 'secondary', resource: 'aws_rds_cluster_instance.database_instance-1_95FDBD23', reason: 'Global database: engine versions must stay identical across regions; minor upgrades are planned and applied to both regions together' },

  // ALB access-log delivery writes only to buckets encrypted with SSE-S3 (AES256); SSE-KMS is not
  // supported for the log bucket. https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
  ...inRegionalStacks(
    's3-sse-kms',
    ['aws_s3_bucket.load-balancer_logs_bucket_BCCF62D5'],
    'ELB access-log delivery supports only SSE-S3 (AES256) on the destination bucket, not SSE-KMS',
  ),

  // Regional buckets that are deliberately not replicated.
  ...inRegionalStacks(
    's3-replication',
    ['aws_s3_bucket.artifact_bucket_9DDE361A'],
    'Regional by design: each regional stack uploads the same service bundle to its own bucket, so the standby never depends on the other region (replication would only duplicate the upload)',
  ),
  ...inRegionalStacks(
    's3-replication',
    ['aws_s3_bucket.load-balancer_logs_bucket_BCCF62D5'],
    "Access logs of this region's load balancer, kept 30 days for troubleshooting; they are not data the other region needs to take over",
  ),

  // Plain String parameters hold names, endpoints, a port and a secret's ARN: pointers, not
  // secrets (the one secret, the master password, lives in Secrets Manager under a CMK).
  ...inRegionalStacks(
    'ssm-secure-string',
    [
      'aws_ssm_parameter.artifact_bucket-parameter_0A2C3C7E',
      'aws_ssm_parameter.parameters_databaseName_0E20F587',
      'aws_ssm_parameter.parameters_globalWriterEndpoint_4AB04C8B',
      'aws_ssm_parameter.parameters_port_55B140FE',
      'aws_ssm_parameter.parameters_readerEndpoint_2F3890F4',
      'aws_ssm_parameter.parameters_secretArn_FBE4E017',
      'aws_ssm_parameter.parameters_writerEndpoint_D3F59E15',
    ],
    'Not a secret: a bucket name, database name, endpoint, port or secret ARN the instances read at start',
  ),
];
