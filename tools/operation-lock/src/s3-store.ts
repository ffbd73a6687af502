import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { OperationLockError } from './errors';
import type { CreateResult, LockStore, RemoveResult, ReplaceResult, StoredLock } from './store';

/** The lock object in the state bucket. */
export interface S3LockTarget {
  readonly bucket: string;
  readonly key: string;
}

interface AwsError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}
const nameOf = (error: unknown): string | undefined => (error as AwsError)?.name;
const statusOf = (error: unknown): number | undefined => (error as AwsError)?.$metadata?.httpStatusCode;

// Conditional writes and deletes, https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html
// and https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-deletes.html: a condition that
// does not hold is 412 Precondition Failed; a concurrent write or delete of the same key that wins
// while ours is in flight is 409 (ConditionalRequestConflict for PutObject, after which S3 says to
// retry, https://sdk.amazonaws.com/kotlin/api/latest/s3/aws.sdk.kotlin.services.s3.model/-put-object-request/if-none-match.html).
const preconditionFailed = (error: unknown) => statusOf(error) === 412 || nameOf(error) === 'PreconditionFailed';
const conflict = (error: unknown) => statusOf(error) === 409 || nameOf(error) === 'ConditionalRequestConflict';
const notFound = (error: unknown) => statusOf(error) === 404 || nameOf(error) === 'NoSuchKey' || nameOf(error) === 'NotFound';
const denied = (error: unknown) => statusOf(error) === 403 || nameOf(error) === 'AccessDenied';

/**
 * The lock as one object beside the Terraform state, the mechanism Terraform's own S3 backend uses
 * for `use_lockfile` (https://developer.hashicorp.com/terraform/language/backend/s3#state-locking):
 * create with `If-None-Match: *`, replace and delete with `If-Match: <ETag>`. In a versioned bucket
 * (the state bucket is one) the conditions apply to the current version, so a delete marker counts
 * as no lock.
 */
export class S3LockStore implements LockStore {
  readonly location: string;

  constructor(
    private readonly s3: S3Client,
    private readonly target: S3LockTarget,
  ) {
    this.location = `s3://${target.bucket}/${target.key}`;
  }

  removeCommand(tag: string): string {
    return `aws s3api delete-object --bucket ${this.target.bucket} --key ${this.target.key} --if-match '${tag}'`;
  }

  async create(body: string): Promise<CreateResult> {
    try {
      const result = await this.s3.send(new PutObjectCommand({ ...this.object(), Body: body, ContentType: 'application/json', IfNoneMatch: '*' }));
      return { outcome: 'created', tag: await this.tagOf(result.ETag) };
    } catch (error) {
      if (preconditionFailed(error)) return { outcome: 'exists' };
      if (conflict(error)) return { outcome: 'conflict' };
      throw this.failure('write', error);
    }
  }

  async read(): Promise<StoredLock | undefined> {
    try {
      const result = await this.s3.send(new GetObjectCommand(this.object()));
      const body = (await result.Body?.transformToString('utf8')) ?? '';
      if (!result.ETag) throw new OperationLockError(`S3 returned the operation lock ${this.location} without an ETag`);
      return { body, tag: result.ETag, modifiedAt: result.LastModified ?? new Date(0) };
    } catch (error) {
      if (error instanceof OperationLockError) throw error;
      if (notFound(error)) return undefined;
      throw this.failure('read', error);
    }
  }

  async replace(body: string, tag: string): Promise<ReplaceResult> {
    try {
      const result = await this.s3.send(new PutObjectCommand({ ...this.object(), Body: body, ContentType: 'application/json', IfMatch: tag }));
      return { outcome: 'replaced', tag: await this.tagOf(result.ETag) };
    } catch (error) {
      // If-Match on a key that no longer exists is 404: changed as well, from our point of view.
      if (preconditionFailed(error) || conflict(error) || notFound(error)) return { outcome: 'changed' };
      throw this.failure('replace', error);
    }
  }

  async remove(tag: string): Promise<RemoveResult> {
    try {
      await this.s3.send(new DeleteObjectCommand({ ...this.object(), IfMatch: tag }));
      return { outcome: 'removed' };
    } catch (error) {
      if (notFound(error)) return { outcome: 'gone' };
      if (preconditionFailed(error) || conflict(error)) return { outcome: 'changed' };
      throw this.failure('delete', error);
    }
  }

  private object() {
    return { Bucket: this.target.bucket, Key: this.target.key };
  }

  /** PutObject always answers with the ETag; read it back should a response ever lack one. */
  private async tagOf(etag: string | undefined): Promise<string> {
    if (etag) return etag;
    const stored = await this.read();
    if (!stored) throw new OperationLockError(`the operation lock ${this.location} vanished right after it was written`);
    return stored.tag;
  }

  private failure(action: string, error: unknown): OperationLockError {
    const reason = `${nameOf(error) ?? 'Error'}: ${(error as AwsError)?.message ?? String(error)}`;
    const fix = denied(error)
      ? ' The caller needs s3:GetObject, s3:PutObject and s3:DeleteObject on that key (conditional deletes need s3:GetObject too).'
      : '';
    return new OperationLockError(`Cannot ${action} the operation lock ${this.location}: ${reason}.${fix}`, { cause: error });
  }
}
