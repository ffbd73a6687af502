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

/** The state bucket to create or check. */
export interface StateBucket {
  readonly bucket: string;
  readonly region: string;
}

/** One setting of the bucket, as found and as left. */
export interface StepResult {
  readonly setting: string;
  /** `created`/`changed`: this run wrote it; `kept`: it was already as required. */
  readonly outcome: 'created' | 'changed' | 'kept';
  readonly detail: string;
}

/** A bucket that this tool cannot make into a state bucket; the message says why and what to do. */
export class BootstrapError extends Error {
  override readonly name = 'BootstrapError';
}

/** The statement that refuses every request not made over TLS. */
export const TLS_ONLY_SID = 'DenyInsecureTransport';

interface AwsError {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}
const errorName = (error: unknown): string | undefined => (error as AwsError).name ?? (error as AwsError).Code;
const statusOf = (error: unknown): number | undefined => (error as AwsError).$metadata?.httpStatusCode;

/** Runs a Get*, returning undefined when S3 says the setting was never made (`absent` error names). */
async function read<T>(get: () => Promise<T>, ...absent: string[]): Promise<T | undefined> {
  try {
    return await get();
  } catch (error) {
    if (absent.includes(errorName(error) ?? '')) return undefined;
    throw error;
  }
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function tlsOnlyStatement({ bucket, region }: StateBucket): Record<string, unknown> {
  const arn = `arn:${partitionOf(region)}:s3:::${bucket}`;
  return {
    Sid: TLS_ONLY_SID,
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [arn, `${arn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/** Creates the bucket unless it exists; refuses one that belongs to someone else or another region. */
async function ensureBucket(s3: S3Client, target: StateBucket): Promise<StepResult> {
  try {
    const head = await s3.send(new HeadBucketCommand({ Bucket: target.bucket }));
    if (head.BucketRegion && head.BucketRegion !== target.region) {
      throw new BootstrapError(
        `bucket ${target.bucket} is in ${head.BucketRegion}, not ${target.region}: set TERRAFORM_STATE_BUCKET_REGION=${head.BucketRegion} (or --region) to use it`,
      );
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
      throw new BootstrapError(`bucket ${target.bucket} exists in another region than ${target.region}: set TERRAFORM_STATE_BUCKET_REGION to its region`);
    }
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
      throw new BootstrapError(`bucket name ${target.bucket} is taken by another AWS account (bucket names are global): choose another TERRAFORM_STATE_BUCKET`);
    }
    throw error;
  }
}

/** ACLs off: the bucket owner owns every object, so no ACL can share a state file. */
async function ensureOwnership(s3: S3Client, { bucket }: StateBucket): Promise<StepResult> {
  const current = await read(() => s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket })), 'OwnershipControlsNotFoundError');
  const rules = current?.OwnershipControls?.Rules ?? [];
  if (rules.length === 1 && rules[0]!.ObjectOwnership === 'BucketOwnerEnforced') {
    return { setting: 'object ownership', outcome: 'kept', detail: 'BucketOwnerEnforced (ACLs disabled)' };
  }
  await s3.send(new PutBucketOwnershipControlsCommand({ Bucket: bucket, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }));
  return { setting: 'object ownership', outcome: 'changed', detail: `BucketOwnerEnforced (ACLs disabled; was ${rules[0]?.ObjectOwnership ?? 'not set'})` };
}

const ALL_BLOCKED = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

async function ensurePublicAccessBlock(s3: S3Client, { bucket }: StateBucket): Promise<StepResult> {
  const current = await read(() => s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })), 'NoSuchPublicAccessBlockConfiguration');
  const config = current?.PublicAccessBlockConfiguration ?? {};
  const open = Object.keys(ALL_BLOCKED).filter((key) => config[key as keyof typeof ALL_BLOCKED] !== true);
  if (open.length === 0) return { setting: 'public access block', outcome: 'kept', detail: 'all four blocks on' };
  await s3.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: ALL_BLOCKED }));
  return { setting: 'public access block', outcome: 'changed', detail: `all four blocks on (was off: ${open.join(', ')})` };
}

/** Every state write keeps the previous version: a bad apply or a deleted state can be rolled back. */
async function ensureVersioning(s3: S3Client, { bucket }: StateBucket): Promise<StepResult> {
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

/** JSON with object keys sorted, so a policy S3 hands back re-ordered still compares equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

interface PolicyDocument {
  Version?: string;
  Statement?: Record<string, unknown>[] | Record<string, unknown>;
}

/** Adds or repairs the TLS-only statement, keeping every other statement of an existing policy. */
async function ensureTlsOnlyPolicy(s3: S3Client, target: StateBucket): Promise<StepResult> {
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

/** Each step in order; the public access block comes before the policy so nothing is ever open. */
const STEPS = [ensureBucket, ensureOwnership, ensurePublicAccessBlock, ensureVersioning, ensureEncryption, ensureTlsOnlyPolicy];

/**
 * Creates the state bucket if it is missing and brings every setting a state bucket needs into
 * place, reading each first and writing only what differs, so a re-run changes nothing.
 * `onStep` hears each step as it completes, so that a failure can say what was already done.
 */
export async function bootstrapStateBucket(s3: S3Client, target: StateBucket, onStep: (result: StepResult) => void = () => undefined): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of STEPS) {
    const result = await step(s3, target);
    results.push(result);
    onStep(result);
  }
  return results;
}
