import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import { DR_ROLES, type DrRole, type Environment, otherRole } from '@txn-dr/config';
import { Names } from '@txn-dr/contracts';
import { CustomerManagedKey, type PolicyStatement, ServiceRole, awsContext } from '@txn-dr/infra-core';
import { Construct } from 'constructs';
import { SecureBucket } from './secure-bucket';

/** Replication Time Control's guarantee, and the threshold of its replication metrics. */
export const REPLICATION_MINUTES = 15;

export interface ReplicatedBucketsProps {
  readonly env: Environment;
  readonly providers: Record<DrRole, AwsProvider>;
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
    const { env, providers } = props;
    const names = new Names(env);
    const { accountId } = awsContext(this, providers.primary);

    const keys = {} as Record<DrRole, CustomerManagedKey>;
    const buckets = {} as Record<DrRole, SecureBucket>;
    for (const role of DR_ROLES) {
      keys[role] = new CustomerManagedKey(this, `${role}-key`, {
        provider: providers[role],
        alias: names.regional(role, 'data-bucket'),
        description: `Data bucket of ${names.prefix} in ${env.regions[role].region}`,
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
    // Per region: read (decrypt) source objects and write (encrypt) replicas, only through S3 in
    // that region and only for objects of our buckets.
    const keyUse = (role: DrRole, sid: string, actions: string[]): PolicyStatement => ({
      sid: `${sid}${role === 'primary' ? 'Primary' : 'Secondary'}`,
      actions,
      resources: [keys[role].arn],
      condition: [
        { test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${env.regions[role].region}.amazonaws.com`] },
        { test: 'StringLike', variable: 'kms:EncryptionContext:aws:s3:arn', values: objectArns },
      ],
    });
    this.replicationRole = new ServiceRole(this, 'replication', {
      provider: providers.primary,
      name: `${names.prefix}-s3-replication`,
      description: 'Replicates the data buckets in both directions',
      service: 's3.amazonaws.com',
      trustConditions: [
        { test: 'StringEquals', variable: 'aws:SourceAccount', values: [accountId] },
        { test: 'ArnLike', variable: 'aws:SourceArn', values: bucketArns },
      ],
      statements: [
        { sid: 'ReadReplicationConfiguration', actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: bucketArns },
        {
          sid: 'ReadSourceVersions',
          actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
          resources: objectArns,
        },
        { sid: 'WriteReplicas', actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], resources: objectArns },
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
            id: `to-${env.regions[destination].region}`,
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
