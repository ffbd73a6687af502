import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { type LockHolder, type LockRecord, serializeRecord } from '../src';

export const s3Error = (name: string, status: number) => new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });

interface StoredObject {
  body: string;
  etag: string;
  lastModified: Date;
}

/** What a put is about to do, for a test to let another writer in first. */
export type PutHook = (input: { IfNoneMatch?: string; IfMatch?: string; Body?: unknown }) => void;

/**
 * One key of an S3 bucket behind the SDK's own mock, with S3's conditional semantics: a create-only
 * put (`IfNoneMatch: '*'`) over an object is 412, an `IfMatch` put or delete with another ETag is
 * 412 and on a missing key 404.
 */
export function fakeBucket(mock: AwsClientStub<S3Client>, now: () => number) {
  let object: StoredObject | undefined;
  let version = 0;
  const hooks: PutHook[] = [];
  const store = (body: string): string => {
    object = { body, etag: `"etag-${++version}"`, lastModified: new Date(now()) };
    return object.etag;
  };

  mock.on(PutObjectCommand).callsFake(async (input) => {
    hooks.shift()?.(input);
    if (input.IfNoneMatch === '*' && object) throw s3Error('PreconditionFailed', 412);
    if (input.IfMatch !== undefined) {
      if (!object) throw s3Error('NoSuchKey', 404);
      if (object.etag !== input.IfMatch) throw s3Error('PreconditionFailed', 412);
    }
    return { ETag: store(String(input.Body)) };
  });
  mock.on(GetObjectCommand).callsFake(async () => {
    if (!object) throw s3Error('NoSuchKey', 404);
    const { body } = object;
    return { Body: { transformToString: async () => body }, ETag: object.etag, LastModified: object.lastModified };
  });
  mock.on(DeleteObjectCommand).callsFake(async (input) => {
    if (input.IfMatch !== undefined) {
      if (!object) throw s3Error('NoSuchKey', 404);
      if (object.etag !== input.IfMatch) throw s3Error('PreconditionFailed', 412);
    }
    object = undefined;
    return {};
  });

  return {
    /** The object as S3 holds it now. */
    get object(): StoredObject | undefined {
      return object;
    },
    /** The record in the object now, parsed. */
    get record(): LockRecord | undefined {
      return object ? (JSON.parse(object.body) as LockRecord) : undefined;
    },
    /** Another writer's lock, written directly. */
    seed(body: string): string {
      return store(body);
    },
    clear(): void {
      object = undefined;
    },
    /** Runs `hook` just before S3 judges the next put. */
    beforeNextPut(hook: PutHook): void {
      hooks.push(hook);
    },
  };
}

/** Another holder's lock record, as its own run would have written it. */
export function recordOf(holder: LockHolder, operation: string, startedAt: number, id = `${holder.host}-${startedAt}`): string {
  return serializeRecord({ version: 1, operation, ...holder, startedAt: new Date(startedAt).toISOString(), id });
}
