import { CreateRoleCommand, GetRoleCommand, GetRolePolicyCommand, type IAMClient, PutRolePolicyCommand, type Role, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { createHash } from 'node:crypto';
import { type PolicyDocument, asking, bucketArn, canonical, errorName, read } from './aws';
import type { StateBucket } from './bootstrap';
import type { StepResult } from './result';

/** The name of the role's one inline policy. */
export const REPLICATION_POLICY_NAME = 'state-replication';

const ROLE_NAME_MAX = 64;
const SUFFIX = '-replication';

/**
 * `<state bucket>-replication`. IAM role names are at most 64 characters (bucket names up to 63),
 * so a long bucket name is cut and a hash of the whole name keeps the role name unique to it.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
 */
export function replicationRoleName(bucket: string): string {
  const name = `${bucket}${SUFFIX}`;
  if (name.length <= ROLE_NAME_MAX) return name;
  const hash = createHash('sha256').update(bucket).digest('hex').slice(0, 8);
  return `${bucket.slice(0, ROLE_NAME_MAX - SUFFIX.length - hash.length - 1)}-${hash}${SUFFIX}`;
}

/**
 * Only S3 may assume the role. This is the trust policy of "Setting up permissions for live
 * replication", step 2; the page adds no condition to it.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html
 */
export function replicationTrustPolicy(): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
}

/** The KMS keys of both ends, when the state bucket encrypts with SSE-KMS. */
export interface ReplicationKeys {
  /** The key that encrypts the state bucket's objects. */
  readonly source: string;
  /** The key in the replica's region that S3 encrypts the replicas with. */
  readonly replica: string;
  /** Whether S3 Bucket Keys are on, which changes the KMS calls S3 makes for the replica. */
  readonly bucketKey: boolean;
}

/** KMS use only through S3 in that bucket's region, and only for that bucket and its objects. */
function keyUse(sid: string, actions: string[], key: string, target: StateBucket): Record<string, unknown> {
  const arn = bucketArn(target.bucket, target.region);
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: actions,
    Resource: key,
    Condition: {
      StringEquals: { 'kms:ViaService': `s3.${target.region}.amazonaws.com` },
      // With S3 Bucket Keys the encryption context is the bucket's ARN, not the object's.
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': [arn, `${arn}/*`] },
    },
  };
}

/**
 * The least the role needs, from the access policy of "Setting up permissions for live
 * replication" (step 2): read the replication configuration and list the state bucket (S3 needs
 * the list to see delete markers), read each object version for replication, and write replicas
 * and deletes (delete markers) to the replica bucket, nothing else and nowhere else. Tags are
 * replicated too, though the stacks' state objects carry none. With SSE-KMS: decrypt with the
 * state bucket's key and encrypt with the replica's, each only through S3 in its region for its
 * bucket; with S3 Bucket Keys, S3 also decrypts with the replica's key to check the Bucket Key.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html
 */
export function replicationPermissions(source: StateBucket, replica: StateBucket, keys?: ReplicationKeys): PolicyDocument {
  const sourceArn = bucketArn(source.bucket, source.region);
  const replicaArn = bucketArn(replica.bucket, replica.region);
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ReadReplicationConfiguration', Effect: 'Allow', Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'], Resource: sourceArn },
      {
        Sid: 'ReadStateVersions',
        Effect: 'Allow',
        Action: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
        Resource: `${sourceArn}/*`,
      },
      { Sid: 'WriteReplicas', Effect: 'Allow', Action: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], Resource: `${replicaArn}/*` },
      ...(keys
        ? [
            keyUse('DecryptState', ['kms:Decrypt'], keys.source, source),
            keyUse('EncryptReplicas', keys.bucketKey ? ['kms:Encrypt', 'kms:Decrypt'] : ['kms:Encrypt'], keys.replica, replica),
          ]
        : []),
    ],
  };
}

/**
 * IAM hands policy documents back URL-encoded (RFC 3986); the SDK for JavaScript passes them on
 * as they come. https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html
 */
export function parsePolicy(document: string): PolicyDocument {
  const text = document.trimStart().startsWith('{') ? document : decodeURIComponent(document);
  return JSON.parse(text) as PolicyDocument;
}

/** The role and what this run did to it. */
export interface ReplicationRole {
  readonly arn: string;
  readonly result: StepResult;
}

const ROLE_PERMISSIONS = ['iam:GetRole', 'iam:CreateRole', 'iam:UpdateAssumeRolePolicy'];

const alreadyExists = (error: unknown) => errorName(error) === 'EntityAlreadyExistsException' || errorName(error) === 'EntityAlreadyExists';

/** Creates the role unless it exists; an existing role gets its trust policy back if it drifted. */
export async function ensureReplicationRole(iam: IAMClient, name: string, source: StateBucket): Promise<ReplicationRole> {
  const trust = replicationTrustPolicy();
  const get = () => read(() => iam.send(new GetRoleCommand({ RoleName: name })), 'NoSuchEntityException', 'NoSuchEntity');
  const check = async (role: Role): Promise<ReplicationRole> => {
    const current = role.AssumeRolePolicyDocument ? parsePolicy(role.AssumeRolePolicyDocument) : {};
    if (canonical(current) === canonical(trust)) return { arn: role.Arn!, result: { setting: 'replication role', outcome: 'kept', detail: `${name} (assumed by S3 only)` } };
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: JSON.stringify(trust) }));
    return { arn: role.Arn!, result: { setting: 'replication role', outcome: 'changed', detail: `${name} (trust policy reset to S3 only)` } };
  };
  return asking(`role ${name}`, ROLE_PERMISSIONS, async () => {
    const found = await get();
    if (found?.Role) return check(found.Role);
    try {
      const created = await iam.send(
        new CreateRoleCommand({
          RoleName: name,
          AssumeRolePolicyDocument: JSON.stringify(trust),
          Description: `Replicates the Terraform state bucket ${source.bucket} to its replica`,
        }),
      );
      return { arn: created.Role!.Arn!, result: { setting: 'replication role', outcome: 'created', detail: `${name} (assumed by S3 only)` } };
    } catch (error) {
      if (!alreadyExists(error)) throw error;
      // Another run created it between the check and now: check it as found, once.
      const raced = await get();
      if (!raced?.Role) throw error;
      return check(raced.Role);
    }
  });
}

/** Puts the role's one inline policy unless it is already exactly the least-privilege document. */
export async function ensureReplicationPolicy(iam: IAMClient, roleName: string, wanted: PolicyDocument): Promise<StepResult> {
  return asking(`policy ${REPLICATION_POLICY_NAME} of role ${roleName}`, ['iam:GetRolePolicy', 'iam:PutRolePolicy'], async () => {
    const found = await read(() => iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: REPLICATION_POLICY_NAME })), 'NoSuchEntityException', 'NoSuchEntity');
    const current = found?.PolicyDocument ? parsePolicy(found.PolicyDocument) : undefined;
    const statements = ([] as unknown[]).concat(wanted.Statement ?? []).length;
    if (current && canonical(current) === canonical(wanted)) {
      return { setting: 'replication policy', outcome: 'kept', detail: `${REPLICATION_POLICY_NAME} (${statements} statements, the two buckets only)` };
    }
    await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: REPLICATION_POLICY_NAME, PolicyDocument: JSON.stringify(wanted) }));
    return {
      setting: 'replication policy',
      outcome: current ? 'changed' : 'created',
      detail: `${REPLICATION_POLICY_NAME} (${statements} statements, the two buckets only)${current ? ' (was different)' : ''}`,
    };
  });
}
