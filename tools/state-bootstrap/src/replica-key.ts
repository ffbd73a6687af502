import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, EnableKeyRotationCommand, GetKeyRotationStatusCommand, type KMSClient } from '@aws-sdk/client-kms';
import { asking, errorName, read } from './aws';
import { BootstrapError, type StepResult } from './result';

/**
 * The alias of the replica's key, named after the replica bucket. Alias names allow letters,
 * digits, `/`, `_` and `-` but no dots, which a bucket name may hold.
 * https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html
 */
export const replicaKeyAlias = (replicaBucket: string): string => `alias/${replicaBucket.replace(/\./g, '-')}`;

/** The key S3 uses when a bucket's default is SSE-KMS with no key named (the AWS managed key). */
const AWS_MANAGED_S3_KEY = 'alias/aws/s3';

const KEY_PERMISSIONS = ['kms:DescribeKey', 'kms:CreateKey', 'kms:CreateAlias', 'kms:GetKeyRotationStatus', 'kms:EnableKeyRotation'];

/**
 * The ARN of the key that encrypts the state bucket's objects, as the replication role's policy
 * must name it: the bucket's default may name a key id, a key ARN or an alias, or no key at all.
 */
export async function sourceKeyArn(kms: KMSClient, keyId: string | undefined, bucket: string): Promise<string> {
  const name = keyId ?? AWS_MANAGED_S3_KEY;
  const found = await asking(`key ${name} of bucket ${bucket}`, ['kms:DescribeKey'], () => read(() => kms.send(new DescribeKeyCommand({ KeyId: name })), 'NotFoundException'));
  const arn = found?.KeyMetadata?.Arn;
  if (!arn) throw new BootstrapError(`bucket ${bucket} encrypts with KMS key ${name}, which KMS does not find in the bucket's region: repair the bucket's default encryption first`);
  return arn;
}

/** The replica's key and what this run did to it. */
export interface ReplicaKey {
  readonly arn: string;
  readonly result: StepResult;
}

/**
 * A customer managed key in the replica's region, found by its alias, with automatic rotation on.
 * Its key policy is the default one, which lets the account's IAM policies grant its use: the
 * replication role's policy is what allows S3 to encrypt replicas with it.
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 */
export async function ensureReplicaKey(kms: KMSClient, replica: { readonly bucket: string; readonly region: string }, source: string): Promise<ReplicaKey> {
  const alias = replicaKeyAlias(replica.bucket);
  return asking(`key ${alias} (${replica.region})`, KEY_PERMISSIONS, async () => {
    const found = await read(() => kms.send(new DescribeKeyCommand({ KeyId: alias })), 'NotFoundException');
    if (found?.KeyMetadata) {
      const { Arn, KeyId, KeyState } = found.KeyMetadata;
      if (KeyState !== 'Enabled') {
        throw new BootstrapError(`key ${alias} (${KeyId}) in ${replica.region} is ${KeyState}: S3 cannot encrypt replicas with it; enable it, or cancel its deletion`);
      }
      const { KeyRotationEnabled } = await kms.send(new GetKeyRotationStatusCommand({ KeyId }));
      if (KeyRotationEnabled) return { arn: Arn!, result: { setting: 'replica key', outcome: 'kept', detail: `${alias} (rotation on)` } };
      await kms.send(new EnableKeyRotationCommand({ KeyId }));
      return { arn: Arn!, result: { setting: 'replica key', outcome: 'changed', detail: `${alias} (rotation turned on)` } };
    }

    const created = await kms.send(
      new CreateKeyCommand({ Description: `Terraform state replica ${replica.bucket}, replicated from ${source}`, KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' }),
    );
    const { Arn, KeyId } = created.KeyMetadata!;
    try {
      await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KeyId }));
    } catch (error) {
      if (errorName(error) !== 'AlreadyExistsException') throw error;
      // Another run named its own key in the meantime: that key is the replica's, this one is spare.
      throw new BootstrapError(`another run created ${alias} at the same time; re-run to use it, and schedule deletion of the spare key ${KeyId} in ${replica.region}`);
    }
    await kms.send(new EnableKeyRotationCommand({ KeyId }));
    return { arn: Arn!, result: { setting: 'replica key', outcome: 'created', detail: `${alias} (${KeyId}, rotation on)` } };
  });
}
