import {
  GetBucketReplicationCommand,
  ListObjectsV2Command,
  PutBucketReplicationCommand,
  type ReplicationConfiguration,
  type ReplicationRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import { asking, bucketArn, read } from './aws';
import type { StateBucket } from './bootstrap';
import { BootstrapError, type StepResult } from './result';

/** The one rule of the state bucket's replication configuration, which this tool owns. */
export const REPLICATION_RULE_ID = 'terraform-state-to-replica';

/** Replication Time Control's guarantee, and the threshold of its replication metrics. */
export const REPLICATION_MINUTES = 15;

export interface ReplicationTarget {
  /** The role S3 assumes to replicate. */
  readonly roleArn: string;
  readonly replica: StateBucket;
  /** The replica's key, when the state bucket encrypts with SSE-KMS. */
  readonly replicaKeyArn?: string;
}

/**
 * Every object of the state bucket to the replica, one way.
 *
 * - `Filter: { Prefix: '' }`: every key. A rule with a Filter is the current (V2) schema, the
 *   only one in which delete markers can be replicated.
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-what-is-isnot-replicated.html
 * - Delete markers replicated: Terraform releases its lock by deleting the `.tflock` object
 *   without a version id, which leaves a delete marker; replicated, the lock is gone in the
 *   replica too (`unlockWithFile` in Terraform's internal/backend/remote-state/s3/client.go).
 *   A delete of one version is never replicated (page above).
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/delete-marker-replication.html
 * - Replication Time Control, with its metrics: 99.99% of objects within 15 minutes, most in
 *   seconds, and CloudWatch metrics of what is still pending, which is what an operator needs to
 *   know before trusting the replica in an outage. It is cheap here: its fee is per GB replicated
 *   and state files are kilobytes, and the metrics cost what a few CloudWatch custom metrics
 *   cost. https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-time-control.html
 *   Delete markers are outside its 15-minute SLA (delete-marker-replication above), so a released
 *   lock may reach the replica later than the state written before it.
 * - SSE-KMS objects only when the state bucket uses SSE-KMS, re-encrypted with the replica's key
 *   (S3 skips KMS-encrypted objects unless told to).
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html
 * - No replica modification sync and no rule back: the replica is written only by replication
 *   until an outage, and what is written to it then is copied back by hand (README).
 */
export function replicationConfiguration({ roleArn, replica, replicaKeyArn }: ReplicationTarget): ReplicationConfiguration {
  return {
    Role: roleArn,
    Rules: [
      {
        ID: REPLICATION_RULE_ID,
        Priority: 1,
        Status: 'Enabled',
        Filter: { Prefix: '' },
        DeleteMarkerReplication: { Status: 'Enabled' },
        ...(replicaKeyArn ? { SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } } } : {}),
        Destination: {
          Bucket: bucketArn(replica.bucket, replica.region),
          ReplicationTime: { Status: 'Enabled', Time: { Minutes: REPLICATION_MINUTES } },
          Metrics: { Status: 'Enabled', EventThreshold: { Minutes: REPLICATION_MINUTES } },
          ...(replicaKeyArn ? { EncryptionConfiguration: { ReplicaKmsKeyID: replicaKeyArn } } : {}),
        },
      },
    ],
  };
}

/**
 * What matters of a configuration, in words, so that two can be compared whatever defaults S3
 * adds when it hands one back, and a change can say what it changed.
 */
function summary(config: ReplicationConfiguration | undefined): Record<string, string> {
  const rule: ReplicationRule | undefined = config?.Rules?.[0];
  const filter = rule?.Filter;
  const everything = (filter?.Prefix ?? rule?.Prefix ?? '') === '' && !filter?.Tag && !filter?.And && !filter?.Not;
  const destination = rule?.Destination;
  return {
    role: config?.Role ?? 'none',
    rule: rule?.Status ?? 'none',
    objects: !rule ? 'none' : everything ? 'all' : 'some',
    'delete markers': rule?.DeleteMarkerReplication?.Status ?? 'Disabled',
    destination: destination?.Bucket ?? 'none',
    'replication time control': destination?.ReplicationTime?.Status === 'Enabled' ? `${destination.ReplicationTime.Time?.Minutes} min` : 'Disabled',
    metrics: destination?.Metrics?.Status === 'Enabled' ? `${destination.Metrics.EventThreshold?.Minutes} min` : 'Disabled',
    'SSE-KMS objects': rule?.SourceSelectionCriteria?.SseKmsEncryptedObjects?.Status ?? 'Disabled',
    'replica key': destination?.EncryptionConfiguration?.ReplicaKmsKeyID ?? 'none',
  };
}

/** Each difference between the configuration found and the one wanted, as `what: found -> wanted`. */
export function replicationDrift(current: ReplicationConfiguration | undefined, wanted: ReplicationConfiguration): string[] {
  const found = summary(current);
  return Object.entries(summary(wanted))
    .filter(([key, value]) => found[key] !== value)
    .map(([key, value]) => `${key}: ${found[key]} -> ${value}`);
}

const REPLICATION_PERMISSIONS = ['s3:GetReplicationConfiguration', 's3:PutReplicationConfiguration', 'iam:PassRole (on the replication role)', 's3:ListBucket'];

/**
 * Puts the replication configuration on the state bucket unless it is already as wanted. A
 * configuration with rules of someone else's is refused, not overwritten: the bucket has one
 * configuration, and replacing it would silently stop their replication.
 * Passing the role needs iam:PassRole besides s3:PutReplicationConfiguration (step 1 of
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html).
 */
export async function ensureReplication(s3: S3Client, source: StateBucket, target: ReplicationTarget): Promise<StepResult> {
  const wanted = replicationConfiguration(target);
  return asking(`replication of bucket ${source.bucket} (${source.region})`, REPLICATION_PERMISSIONS, async () => {
    const found = await read(() => s3.send(new GetBucketReplicationCommand({ Bucket: source.bucket })), 'ReplicationConfigurationNotFoundError');
    const current = found?.ReplicationConfiguration;
    const foreign = (current?.Rules ?? []).filter((rule) => rule.ID !== REPLICATION_RULE_ID);
    if (foreign.length > 0) {
      throw new BootstrapError(
        `bucket ${source.bucket} already has replication rules of its own (${foreign.map((rule) => rule.ID ?? '(no id)').join(', ')}): ` +
          `this tool writes the state bucket's whole replication configuration, so remove those rules (or the configuration) and re-run`,
      );
    }
    const drift = replicationDrift(current, wanted);
    const what = `to ${target.replica.bucket} (${target.replica.region}), delete markers too, RTC ${REPLICATION_MINUTES} min`;
    if (current && drift.length === 0) return { setting: 'replication', outcome: 'kept', detail: what };

    await s3.send(new PutBucketReplicationCommand({ Bucket: source.bucket, ReplicationConfiguration: wanted }));
    if (current) return { setting: 'replication', outcome: 'changed', detail: `${what} (was ${drift.join('; ')})` };
    // Live replication copies only what is written from now on.
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-what-is-isnot-replicated.html
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: source.bucket, MaxKeys: 1000 }));
    const before = listed.KeyCount ?? 0;
    const older = before === 0 ? '' : `; ${before}${listed.IsTruncated ? '+' : ''} object(s) already in the bucket are not replicated until written again (see the README)`;
    return { setting: 'replication', outcome: 'created', detail: `${what}${older}` };
  });
}
