import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import { DR_ROLES, type DrRole, otherRole } from '@txn-dr/config';
import type { Names } from '@txn-dr/contracts';
import { CustomerManagedKey, type PolicyStatement, ServiceRole, awsContext } from '@txn-dr/infra-core';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { SecureBucket } from './secure-bucket';

/** Replication Time Control's guarantee, and the threshold of its replication metrics. */
export const REPLICATION_MINUTES = 15;

export interface ReplicatedBucketsProps {
  /** The environment's deterministic names: the buckets, their keys and the replication role. */
  readonly names: Names;
  /** The provider of each role's region: each bucket and its key live there; the role is made through the primary's. */
  readonly providers: Readonly<Record<DrRole, AwsProvider>>;
  /** AWS region code of each role (each provider's region): the keys are used through S3 there only. */
  readonly regions: Readonly<Record<DrRole, string>>;
}

/** Every contradiction in the props, named; throws at synth. */
function validate(props: ReplicatedBucketsProps): void {
  const problems: string[] = [];
  if (props.regions.primary === props.regions.secondary) {
    problems.push(`regions: primary and secondary are both ${props.regions.primary}; the buckets replicate from one region to another`);
  }
  for (const role of DR_ROLES) {
    const region = props.providers[role].region;
    if (region !== undefined && !Token.isUnresolved(region) && region !== props.regions[role]) {
      problems.push(`providers.${role}: is for ${region}, but regions.${role} is ${props.regions[role]}`);
    }
  }
  if (problems.length > 0) throw new Error(`ReplicatedBuckets: ${problems.join('; ')}`);
}

/**
 * A data bucket in each region, each replicating to the other: every object version, delete
 * markers, and changes made to replicas (so an object edited in the standby after a failover
 * flows back), with Replication Time Control (99.99% within 15 minutes) and its metrics.
 * Each bucket has its own regional key; replicas are re-encrypted with the destination's key.
 */
export class ReplicatedBuckets extends Construct {
  readonly buckets: Record<DrRole, SecureBucket>;
  readonly keys: Record<DrRole, CustomerManagedKey>;
  readonly replicationRole: ServiceRole;

  constructor(scope: Construct, id: string, props: ReplicatedBucketsProps) {
    super(scope, id);
    validate(props);
    const { names, providers, regions } = props;
    const { accountId } = awsContext(this, providers.primary);

    const keys = {} as Record<DrRole, CustomerManagedKey>;
    const buckets = {} as Record<DrRole, SecureBucket>;
    for (const role of DR_ROLES) {
      keys[role] = new CustomerManagedKey(this, `${role}-key`, {
        provider: providers[role],
        alias: names.regional(role, 'data-bucket'),
        description: `Data bucket of ${names.prefix} in ${regions[role]}`,
      });
      buckets[role] = new SecureBucket(this, `${role}-bucket`, {
        provider: providers[role],
        // The account id makes the name globally unique yet deterministic.
        name: `${names.regional(role, 'data')}-${accountId}`,
        kmsKeyArn: keys[role].arn,
      });
    }
    this.keys = keys;
    this.buckets = buckets;

    const bucketArns = DR_ROLES.map((role) => buckets[role].arn);
    const objectArns = bucketArns.map((arn) => `${arn}/*`);
    // Each key encrypts its own bucket only (default encryption, and the replicas written into
    // it), so each key is usable only under its own bucket's encryption contexts, and only
    // through S3 in its region. Both buckets use an S3 Bucket Key, which makes the context the
    // bucket ARN rather than the object ARN (replicas keep the source object's Bucket Key
    // setting); an object written with the Bucket Key turned off for that request has its object
    // ARN as the context, so both forms are allowed.
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html#bk-replication
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html#bucket-key-changes
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context
    const keyUse = (role: DrRole, sid: string, actions: string[]): PolicyStatement => ({
      sid: `${sid}${role === 'primary' ? 'Primary' : 'Secondary'}`,
      actions,
      resources: [keys[role].arn],
      condition: [
        { test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${regions[role]}.amazonaws.com`] },
        { test: 'StringLike', variable: 'kms:EncryptionContext:aws:s3:arn', values: [buckets[role].arn, `${buckets[role].arn}/*`] },
      ],
    });
    this.replicationRole = new ServiceRole(this, 'replication', {
      provider: providers.primary,
      name: `${names.prefix}-s3-replication`,
      description: 'Replicates the data buckets in both directions',
      service: 's3.amazonaws.com',
      // No confused-deputy conditions: the trust policy AWS documents for replication names the
      // S3 service principal alone, and AWS documents neither aws:SourceArn nor aws:SourceAccount
      // in S3's request to assume this role. A condition on a key absent from the request does
      // not match, so such a condition could refuse S3 the role and stop every replication.
      // https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html
      // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
      trustConditions: [],
      statements: [
        { sid: 'ReadReplicationConfiguration', actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: bucketArns },
        {
          sid: 'ReadSourceVersions',
          actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
          resources: objectArns,
        },
        { sid: 'WriteReplicas', actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], resources: objectArns },
        // Decrypt also covers S3's check of a destination Bucket Key, which calls kms:Decrypt on
        // the key that encrypts the replica (same page, "S3 Bucket Keys and replication").
        ...DR_ROLES.map((role) => keyUse(role, 'DecryptSource', ['kms:Decrypt'])),
        ...DR_ROLES.map((role) => keyUse(role, 'EncryptReplica', ['kms:Encrypt', 'kms:GenerateDataKey'])),
      ],
    });

    for (const role of DR_ROLES) {
      const destination = otherRole(role);
      new S3BucketReplicationConfigurationA(this, `${role}-to-${destination}`, {
        provider: providers[role],
        bucket: buckets[role].bucket.id,
        role: this.replicationRole.arn,
        rule: [
          {
            id: `to-${regions[destination]}`,
            status: 'Enabled',
            priority: 1,
            filter: { prefix: '' },
            deleteMarkerReplication: { status: 'Enabled' },
            sourceSelectionCriteria: {
              // Both directions replicate, so edits to a replica must flow back too.
              replicaModifications: { status: 'Enabled' },
              sseKmsEncryptedObjects: { status: 'Enabled' },
            },
            destination: {
              bucket: buckets[destination].arn,
              storageClass: 'STANDARD',
              encryptionConfiguration: { replicaKmsKeyId: keys[destination].arn },
              replicationTime: { status: 'Enabled', time: { minutes: REPLICATION_MINUTES } },
              metrics: { status: 'Enabled', eventThreshold: { minutes: REPLICATION_MINUTES } },
            },
          },
        ],
        // Replication needs versioning on both ends first.
        dependsOn: [buckets[role].versioning, buckets[destination].versioning],
      });
    }
  }
}
