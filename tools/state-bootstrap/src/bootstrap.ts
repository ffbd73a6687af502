import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { TLS_ONLY_SID, type TlsOnlyPolicyStatement, tlsOnlyPolicyStatement } from '@txn-dr/contracts';
import { type PolicyDocument, asking, bucketArn, canonical, errorName, read, statusOf } from './aws';
import { BootstrapError, type StepResult } from './result';

export { BootstrapError, type StepResult } from './result';

/** The state bucket to create or check. */
export interface StateBucket {
  readonly bucket: string;
  readonly region: string;
}

/**
 * A bucket this tool manages: the state bucket, or its replica in the other region. The kind only
 * changes what an error message tells the operator to do.
 * @default kind 'state'
 */
export interface ManagedBucket extends StateBucket {
  readonly kind?: 'state' | 'replica';
}

/** Sid of the statement that refuses every request not made over TLS. */
export { TLS_ONLY_SID };

/** The TLS-only statement of a bucket: every S3 action on the bucket and its objects. */
export function tlsOnlyStatement({ bucket, region }: StateBucket): TlsOnlyPolicyStatement {
  const arn = bucketArn(bucket, region);
  return tlsOnlyPolicyStatement({ actions: ['s3:*'], resources: [arn, `${arn}/*`] });
}

/** How to point the tool at another bucket or region, in the words of the bucket's kind. */
function fixes(target: ManagedBucket, region?: string) {
  return target.kind === 'replica'
    ? { rename: 'name another replica with --replica-bucket', moveTo: `the replica must be in ${target.region}: name another with --replica-bucket` }
    : { rename: 'choose another TERRAFORM_STATE_BUCKET', moveTo: `set TERRAFORM_STATE_BUCKET_REGION=${region ?? '<its region>'} (or --region) to use it` };
}

/** Creates the bucket unless it exists; refuses one that belongs to someone else or another region. */
export async function ensureBucket(s3: S3Client, target: ManagedBucket): Promise<StepResult> {
  try {
    const head = await s3.send(new HeadBucketCommand({ Bucket: target.bucket }));
    if (head.BucketRegion && head.BucketRegion !== target.region) {
      throw new BootstrapError(`bucket ${target.bucket} is in ${head.BucketRegion}, not ${target.region}: ${fixes(target, head.BucketRegion).moveTo}`);
    }
    return { setting: 'bucket', outcome: 'kept', detail: `exists in ${target.region}` };
  } catch (error) {
    if (error instanceof BootstrapError) throw error;
    const status = statusOf(error);
    if (status === 403) {
      throw new BootstrapError(
        `bucket ${target.bucket} exists but these credentials cannot reach it (403): it belongs to another account, or the role lacks s3:ListBucket on it`,
      );
    }
    if (status === 301) {
      throw new BootstrapError(`bucket ${target.bucket} exists in another region than ${target.region}: ${fixes(target).moveTo}`);
    }
    if (status === 400) throw new BootstrapError(`${target.bucket} is not a valid S3 bucket name (400): ${fixes(target).rename}`);
    if (status !== 404 && errorName(error) !== 'NotFound') throw error;
  }
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: target.bucket,
        // us-east-1 is the one region that must not be named as a location constraint.
        ...(target.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: target.region as BucketLocationConstraint } }),
      }),
    );
    return { setting: 'bucket', outcome: 'created', detail: `in ${target.region}` };
  } catch (error) {
    // Another run created it between the check and now: that is the bucket we wanted.
    if (errorName(error) === 'BucketAlreadyOwnedByYou') return { setting: 'bucket', outcome: 'kept', detail: `exists in ${target.region}` };
    if (errorName(error) === 'BucketAlreadyExists') {
      throw new BootstrapError(`bucket name ${target.bucket} is taken by another AWS account (bucket names are global): ${fixes(target).rename}`);
    }
    throw error;
  }
}

/** ACLs off: the bucket owner owns every object, so no ACL can share a state file. */
export async function ensureOwnership(s3: S3Client, { bucket }: StateBucket): Promise<StepResult> {
  const current = await read(() => s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket })), 'OwnershipControlsNotFoundError');
  const rules = current?.OwnershipControls?.Rules ?? [];
  if (rules.length === 1 && rules[0]!.ObjectOwnership === 'BucketOwnerEnforced') {
    return { setting: 'object ownership', outcome: 'kept', detail: 'BucketOwnerEnforced (ACLs disabled)' };
  }
  await s3.send(new PutBucketOwnershipControlsCommand({ Bucket: bucket, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }));
  return { setting: 'object ownership', outcome: 'changed', detail: `BucketOwnerEnforced (ACLs disabled; was ${rules[0]?.ObjectOwnership ?? 'not set'})` };
}

const ALL_BLOCKED = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

export async function ensurePublicAccessBlock(s3: S3Client, { bucket }: StateBucket): Promise<StepResult> {
  const current = await read(() => s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })), 'NoSuchPublicAccessBlockConfiguration');
  const config = current?.PublicAccessBlockConfiguration ?? {};
  const open = Object.keys(ALL_BLOCKED).filter((key) => config[key as keyof typeof ALL_BLOCKED] !== true);
  if (open.length === 0) return { setting: 'public access block', outcome: 'kept', detail: 'all four blocks on' };
  await s3.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: ALL_BLOCKED }));
  return { setting: 'public access block', outcome: 'changed', detail: `all four blocks on (was off: ${open.join(', ')})` };
}

/** Every state write keeps the previous version: a bad apply or a deleted state can be rolled back. */
export async function ensureVersioning(s3: S3Client, { bucket }: StateBucket): Promise<StepResult> {
  const { Status } = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
  if (Status === 'Enabled') return { setting: 'versioning', outcome: 'kept', detail: 'Enabled' };
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  return { setting: 'versioning', outcome: 'changed', detail: `Enabled (was ${Status ?? 'never enabled'})` };
}

/**
 * Default encryption SSE-S3 (AES256). The stacks' S3 backend sets `encrypt = true` without a KMS
 * key, so Terraform writes every state object with an explicit AES256 header, which overrides any
 * bucket default: a KMS default would not reach the state files, and a customer key would need a
 * key policy for every deploy role before the first deploy. A bucket already encrypted with KMS
 * is kept as it is, never downgraded.
 */
async function ensureEncryption(s3: S3Client, { bucket }: StateBucket): Promise<StepResult> {
  const current = await read(() => s3.send(new GetBucketEncryptionCommand({ Bucket: bucket })), 'ServerSideEncryptionConfigurationNotFoundError');
  const algorithm = current?.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
  if (algorithm === 'AES256') return { setting: 'default encryption', outcome: 'kept', detail: 'SSE-S3 (AES256)' };
  if (algorithm?.startsWith('aws:kms')) return { setting: 'default encryption', outcome: 'kept', detail: `${algorithm} (kept; stronger than required)` };
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: bucket,
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    }),
  );
  return { setting: 'default encryption', outcome: 'changed', detail: `SSE-S3 (AES256) (was ${algorithm ?? 'not set'})` };
}

/** Adds or repairs the TLS-only statement, keeping every other statement of an existing policy. */
export async function ensureTlsOnlyPolicy(s3: S3Client, target: StateBucket): Promise<StepResult> {
  const current = await read(() => s3.send(new GetBucketPolicyCommand({ Bucket: target.bucket })), 'NoSuchBucketPolicy');
  const policy: PolicyDocument = current?.Policy ? (JSON.parse(current.Policy) as PolicyDocument) : {};
  const statements = policy.Statement === undefined ? [] : ([] as Record<string, unknown>[]).concat(policy.Statement);
  const wanted = tlsOnlyStatement(target);
  const existing = statements.find((statement) => statement['Sid'] === TLS_ONLY_SID);
  if (existing && canonical(existing) === canonical(wanted)) {
    return { setting: 'bucket policy', outcome: 'kept', detail: `${TLS_ONLY_SID} (TLS only)` };
  }
  const others = statements.filter((statement) => statement['Sid'] !== TLS_ONLY_SID);
  await s3.send(
    new PutBucketPolicyCommand({ Bucket: target.bucket, Policy: JSON.stringify({ Version: policy.Version ?? '2012-10-17', Statement: [...others, wanted] }) }),
  );
  const kept = others.length > 0 ? `, ${others.length} other statement(s) kept` : '';
  return { setting: 'bucket policy', outcome: 'changed', detail: `${TLS_ONLY_SID} (TLS only) ${existing ? 'repaired' : 'added'}${kept}` };
}

/** A step on one bucket, with the IAM actions of the calls it makes (for a refusal's message). */
export interface BucketStep {
  readonly run: (s3: S3Client, target: ManagedBucket) => Promise<StepResult>;
  readonly permissions: readonly string[];
}

// IAM action names differ from the API names: HeadBucket is s3:ListBucket, GetBucketEncryption is
// s3:GetEncryptionConfiguration. https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
export const BUCKET_STEPS = {
  bucket: { run: ensureBucket, permissions: ['s3:ListBucket', 's3:CreateBucket'] },
  ownership: { run: ensureOwnership, permissions: ['s3:GetBucketOwnershipControls', 's3:PutBucketOwnershipControls'] },
  publicAccessBlock: { run: ensurePublicAccessBlock, permissions: ['s3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock'] },
  versioning: { run: ensureVersioning, permissions: ['s3:GetBucketVersioning', 's3:PutBucketVersioning'] },
  encryption: { run: ensureEncryption, permissions: ['s3:GetEncryptionConfiguration', 's3:PutEncryptionConfiguration'] },
  tlsOnlyPolicy: { run: ensureTlsOnlyPolicy, permissions: ['s3:GetBucketPolicy', 's3:PutBucketPolicy'] },
} satisfies Record<string, BucketStep>;

/** Runs one bucket step, turning a refusal into a message that names the bucket and the permissions. */
export function runBucketStep(step: BucketStep, s3: S3Client, target: ManagedBucket): Promise<StepResult> {
  return asking(`bucket ${target.bucket} (${target.region})`, step.permissions, () => step.run(s3, target));
}

/** Each step in order; the public access block comes before the policy so nothing is ever open. */
const STEPS: readonly BucketStep[] = [
  BUCKET_STEPS.bucket,
  BUCKET_STEPS.ownership,
  BUCKET_STEPS.publicAccessBlock,
  BUCKET_STEPS.versioning,
  BUCKET_STEPS.encryption,
  BUCKET_STEPS.tlsOnlyPolicy,
];

/**
 * Creates the state bucket if it is missing and brings every setting a state bucket needs into
 * place, reading each first and writing only what differs, so a re-run changes nothing.
 * `onStep` hears each step as it completes, so that a failure can say what was already done.
 */
export async function bootstrapStateBucket(s3: S3Client, target: StateBucket, onStep: (result: StepResult) => void = () => undefined): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of STEPS) {
    const result = await runBucketStep(step, s3, target);
    results.push(result);
    onStep(result);
  }
  return results;
}
