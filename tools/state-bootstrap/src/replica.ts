import { GetBucketEncryptionCommand, PutBucketEncryptionCommand, type S3Client, type ServerSideEncryption } from '@aws-sdk/client-s3';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import { asking, read } from './aws';
import { BUCKET_STEPS, type ManagedBucket, type StateBucket, runBucketStep } from './bootstrap';
import { ensureReplicaKey, sourceKeyArn } from './replica-key';
import { ensureReplication } from './replication';
import { type ReplicationKeys, ensureReplicationPolicy, ensureReplicationRole, replicationPermissions, replicationRoleName } from './replication-role';
import { BootstrapError, type StepResult } from './result';

/** The state bucket and its replica in the other region. */
export interface StateReplica {
  readonly source: StateBucket;
  readonly replica: StateBucket;
}

/** A client per service and region; KMS is asked only when the state bucket uses SSE-KMS. */
export interface ReplicaClients {
  /** S3 in the state bucket's region. */
  readonly sourceS3: S3Client;
  /** S3 in the replica's region. */
  readonly replicaS3: S3Client;
  readonly iam: IAMClient;
  readonly sourceKms: KMSClient;
  readonly replicaKms: KMSClient;
}

const BUCKET_NAME_MAX = 63;

/**
 * The replica lives in whichever region of the environment's pair the state bucket is not in:
 * the standby (secondary) for a state bucket in the primary region, and the other way round. A
 * state bucket in neither region replicates to the standby.
 */
export function replicaRegion(stateRegion: string, regions: { readonly primary: string; readonly secondary: string }): string {
  return stateRegion === regions.secondary ? regions.primary : regions.secondary;
}

/** `<state bucket>-<replica region>`: deterministic, so every run and every operator finds the same replica. */
export function replicaBucketName(bucket: string, region: string): string {
  const name = `${bucket}-${region}`;
  if (name.length > BUCKET_NAME_MAX) {
    throw new BootstrapError(`the replica's default name ${name} is longer than ${BUCKET_NAME_MAX} characters: name the replica with --replica-bucket`);
  }
  return name;
}

/** The replica's default encryption, mirroring the state bucket's. */
export type ReplicaEncryption =
  | { readonly algorithm: 'AES256' }
  | { readonly algorithm: 'aws:kms' | 'aws:kms:dsse'; readonly keyArn: string; readonly bucketKey: boolean };

interface SourceEncryption {
  readonly algorithm: string;
  readonly keyId?: string;
  readonly bucketKey: boolean;
}

async function sourceEncryption(s3: S3Client, source: StateBucket): Promise<SourceEncryption> {
  const found = await asking(`bucket ${source.bucket} (${source.region})`, ['s3:GetEncryptionConfiguration'], () =>
    read(() => s3.send(new GetBucketEncryptionCommand({ Bucket: source.bucket })), 'ServerSideEncryptionConfigurationNotFoundError'),
  );
  const rule = found?.ServerSideEncryptionConfiguration?.Rules?.[0];
  // Every bucket has SSE-S3 at least since January 2023, stated or not.
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-encryption-faq.html
  return {
    algorithm: rule?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? 'AES256',
    keyId: rule?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID,
    bucketKey: rule?.BucketKeyEnabled === true,
  };
}

const describe = (encryption: { algorithm?: string; keyArn?: string }) =>
  encryption.algorithm === 'AES256' ? 'SSE-S3 (AES256)' : `${encryption.algorithm ?? 'not set'}${encryption.keyArn ? ` with ${encryption.keyArn}` : ''}`;

/**
 * The replica's default encryption, like the state bucket's: SSE-S3 for SSE-S3, SSE-KMS (or
 * DSSE-KMS) with the replica region's own key for SSE-KMS, since a KMS key serves only its own
 * region. A replica already on KMS while the state bucket is on SSE-S3 is kept: never downgraded.
 */
export async function ensureReplicaEncryption(s3: S3Client, replica: StateBucket, wanted: ReplicaEncryption): Promise<StepResult> {
  const found = await read(() => s3.send(new GetBucketEncryptionCommand({ Bucket: replica.bucket })), 'ServerSideEncryptionConfigurationNotFoundError');
  const rule = found?.ServerSideEncryptionConfiguration?.Rules?.[0];
  const current = { algorithm: rule?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm, keyArn: rule?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID };
  if (wanted.algorithm === 'AES256') {
    if (current.algorithm === 'AES256') return { setting: 'default encryption', outcome: 'kept', detail: 'SSE-S3 (AES256), as the state bucket' };
    if (current.algorithm?.startsWith('aws:kms')) return { setting: 'default encryption', outcome: 'kept', detail: `${current.algorithm} (kept; stronger than required)` };
  } else if (current.algorithm === wanted.algorithm && current.keyArn === wanted.keyArn && (rule?.BucketKeyEnabled === true) === wanted.bucketKey) {
    return { setting: 'default encryption', outcome: 'kept', detail: `${describe(wanted)}, as the state bucket with its own key` };
  }
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: replica.bucket,
      ServerSideEncryptionConfiguration: {
        Rules: [
          wanted.algorithm === 'AES256'
            ? { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }
            : { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: wanted.algorithm as ServerSideEncryption, KMSMasterKeyID: wanted.keyArn }, BucketKeyEnabled: wanted.bucketKey },
        ],
      },
    }),
  );
  return { setting: 'default encryption', outcome: 'changed', detail: `${describe(wanted)} (was ${describe(current)})` };
}

/**
 * Makes the state survive the loss of its region: a replica bucket in the other region with the
 * state bucket's settings (versioned, encrypted alike, private, TLS only), a role that lets S3
 * replicate between the two and nothing else, and the replication configuration on the state
 * bucket. Run after `bootstrapStateBucket` (replication needs versioning on the state bucket).
 * Each setting is read first and written only when it differs, so a re-run changes nothing.
 */
export async function bootstrapStateReplica(clients: ReplicaClients, { source, replica }: StateReplica, onStep: (result: StepResult) => void = () => undefined): Promise<StepResult[]> {
  const results: StepResult[] = [];
  const note = (result: StepResult, prefix = '') => {
    const named = { ...result, setting: `${prefix}${result.setting}` };
    results.push(named);
    onStep(named);
  };
  const target: ManagedBucket = { ...replica, kind: 'replica' };
  for (const step of [BUCKET_STEPS.bucket, BUCKET_STEPS.ownership, BUCKET_STEPS.publicAccessBlock, BUCKET_STEPS.versioning]) {
    note(await runBucketStep(step, clients.replicaS3, target), 'replica ');
  }

  const encryption = await sourceEncryption(clients.sourceS3, source);
  let keys: ReplicationKeys | undefined;
  let wanted: ReplicaEncryption = { algorithm: 'AES256' };
  if (encryption.algorithm === 'aws:kms' || encryption.algorithm === 'aws:kms:dsse') {
    const sourceKey = await sourceKeyArn(clients.sourceKms, encryption.keyId, source.bucket);
    const replicaKey = await ensureReplicaKey(clients.replicaKms, replica, source.bucket);
    note(replicaKey.result);
    keys = { source: sourceKey, replica: replicaKey.arn, bucketKey: encryption.bucketKey };
    wanted = { algorithm: encryption.algorithm, keyArn: replicaKey.arn, bucketKey: encryption.bucketKey };
  }
  note(await runBucketStep({ run: (s3, bucket) => ensureReplicaEncryption(s3, bucket, wanted), permissions: BUCKET_STEPS.encryption.permissions }, clients.replicaS3, target), 'replica ');
  note(await runBucketStep(BUCKET_STEPS.tlsOnlyPolicy, clients.replicaS3, target), 'replica ');

  const roleName = replicationRoleName(source.bucket);
  const role = await ensureReplicationRole(clients.iam, roleName, source);
  note(role.result);
  note(await ensureReplicationPolicy(clients.iam, roleName, replicationPermissions(source, replica, keys)));
  note(await ensureReplication(clients.sourceS3, source, { roleArn: role.arn, replica, ...(keys ? { replicaKeyArn: keys.replica } : {}) }));
  return results;
}
