import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { LockHeldError, OperationLock, OperationLockError, S3LockStore, parseRecord } from '../src';
import { fakeBucket, recordOf, s3Error } from './fake-s3';

const s3Mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'us-east-1' });
const target = { bucket: 'acme-tf-state', key: 'staging/locks/operations.json' };

const MIN = 60_000;
const T0 = Date.parse('2026-11-30T06:00:00.000Z');
const alice = { operator: 'arn:aws:sts::123456789012:assumed-role/ops/alice', host: 'laptop-a', pid: 4242 };
const bob = { operator: 'arn:aws:sts::123456789012:assumed-role/ops/bob', host: 'runner-b', pid: 777 };
const carol = { operator: 'carol', host: 'laptop-c', pid: 99 };

let clock: number;
let bucket: ReturnType<typeof fakeBucket>;
const lock = () => new OperationLock(new S3LockStore(s3, target), { now: () => clock });
const puts = () => s3Mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
const deletes = () => s3Mock.commandCalls(DeleteObjectCommand).map((call) => call.args[0].input);

beforeEach(() => {
  s3Mock.reset();
  clock = T0;
  bucket = fakeBucket(s3Mock, () => clock);
});

describe('acquire and release', () => {
  it('takes a free lock with a create-only write, recording who, what and since when', async () => {
    const handle = await lock().acquire({ operation: 'failover', holder: alice, staleAfterMs: 60 * MIN, expectedDurationMs: 15 * MIN });

    expect(puts()).toEqual([expect.objectContaining({ Bucket: 'acme-tf-state', Key: 'staging/locks/operations.json', IfNoneMatch: '*' })]);
    expect(bucket.record).toEqual({
      version: 1,
      operation: 'failover',
      operator: alice.operator,
      host: 'laptop-a',
      pid: 4242,
      startedAt: '2026-11-30T06:00:00.000Z',
      expectedDurationMs: 15 * MIN,
      id: handle.record.id,
    });
    expect(handle.location).toBe('s3://acme-tf-state/staging/locks/operations.json');
  });

  it('releases with a delete conditional on its own ETag, once', async () => {
    const handle = await lock().acquire({ operation: 'failover', holder: alice, staleAfterMs: 60 * MIN });
    const etag = bucket.object!.etag;

    await expect(handle.release()).resolves.toEqual({ outcome: 'released' });
    await expect(handle.release()).resolves.toEqual({ outcome: 'released' });

    expect(deletes()).toEqual([{ Bucket: 'acme-tf-state', Key: 'staging/locks/operations.json', IfMatch: etag }]);
    expect(bucket.object).toBeUndefined();
    expect(handle.removeCommand).toBe(`aws s3api delete-object --bucket acme-tf-state --key staging/locks/operations.json --if-match '${etag}'`);
  });

  it('can be taken again once released', async () => {
    await (await lock().acquire({ operation: 'switchover', holder: alice, staleAfterMs: 60 * MIN })).release();
    const second = await lock().acquire({ operation: 'deploy:primary', holder: bob, staleAfterMs: 60 * MIN });
    expect(bucket.record?.id).toBe(second.record.id);
  });
});

describe('a lock held by another run', () => {
  it('is refused with the holder, the operation, its age and when it could be broken', async () => {
    bucket.seed(recordOf(bob, 'deploy:primary', T0));
    clock = T0 + 12 * MIN;

    const error = await lock()
      .acquire({ operation: 'failover', holder: alice, staleAfterMs: 60 * MIN, breakHint: 'pass --break-stale-lock' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LockHeldError);
    const held = error as LockHeldError;
    expect(held.message).toBe(
      'Cannot start failover: the operation lock s3://acme-tf-state/staging/locks/operations.json is held by ' +
        'deploy:primary by arn:aws:sts::123456789012:assumed-role/ops/bob on runner-b (pid 777) since 2026-11-30T06:00:00.000Z (12 min ago). ' +
        'Wait for that run to finish. If it died, the lock can be broken once it is older than 1 h (in 48 min): then pass --break-stale-lock.',
    );
    expect(held.holder?.operator).toBe(bob.operator);
    expect(held.ageMs).toBe(12 * MIN);
    expect(held.stale).toBe(false);
    expect(bucket.record?.operator).toBe(bob.operator);
    expect(puts().filter((input) => input.IfMatch)).toEqual([]);
    expect(deletes()).toEqual([]);
  });

  it('loses a race at the conditional write (412) and names the run that won', async () => {
    // Nothing is held when alice starts; bob's write lands between her decision and hers.
    bucket.beforeNextPut(() => bucket.seed(recordOf(bob, 'switchover', T0)));

    const error = await lock().acquire({ operation: 'failover', holder: alice, staleAfterMs: 60 * MIN }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as LockHeldError).message).toMatch(/held by switchover by arn:aws:sts::123456789012:assumed-role\/ops\/bob on runner-b \(pid 777\)/);
    expect(puts()).toEqual([expect.objectContaining({ IfNoneMatch: '*' })]);
    expect(s3Mock.commandCalls(GetObjectCommand)).toHaveLength(1);
    expect(bucket.record?.operator).toBe(bob.operator);
  });

  it('tries the write again after 409 ConditionalRequestConflict', async () => {
    bucket.beforeNextPut(() => {
      throw s3Error('ConditionalRequestConflict', 409);
    });

    const handle = await lock().acquire({ operation: 'failover', holder: alice, staleAfterMs: 60 * MIN });

    expect(puts()).toHaveLength(2);
    expect(bucket.record?.id).toBe(handle.record.id);
  });

  it('gives up after a few conflicts in a row instead of looping', async () => {
    for (let i = 0; i < 10; i++) {
      bucket.beforeNextPut(() => {
        throw s3Error('ConditionalRequestConflict', 409);
      });
    }
    await expect(lock().acquire({ operation: 'failover', holder: alice, staleAfterMs: 60 * MIN })).rejects.toThrow(OperationLockError);
    expect(puts()).toHaveLength(4);
  });

  it('finds its own lock when a write landed but its answer was lost', async () => {
    // The SDK retries a put whose response never came; the retry finds the first one's object.
    bucket.beforeNextPut((input) => {
      bucket.seed(String(input.Body));
      throw s3Error('PreconditionFailed', 412);
    });

    const handle = await lock().acquire({ operation: 'failover', holder: alice, staleAfterMs: 60 * MIN });

    expect(bucket.record?.id).toBe(handle.record.id);
    await expect(handle.release()).resolves.toEqual({ outcome: 'released' });
    expect(bucket.object).toBeUndefined();
  });

  it('reads an unreadable lock as held, aged from its last write', async () => {
    bucket.seed('{"operation": "fail');
    clock = T0 + 5 * MIN;

    await expect(lock().acquire({ operation: 'failover', holder: alice, staleAfterMs: 60 * MIN })).rejects.toThrow(
      /held by an unreadable lock record last written \(5 min ago\)/,
    );
  });
});

describe('stale locks', () => {
  beforeEach(() => {
    bucket.seed(recordOf(bob, 'deploy:secondary', T0));
  });

  it('are not broken without the flag, and the message says how', async () => {
    clock = T0 + 61 * MIN;

    const error = (await lock()
      .acquire({ operation: 'failover', holder: alice, staleAfterMs: 60 * MIN, breakHint: 'pass --break-stale-lock' })
      .catch((e: unknown) => e)) as LockHeldError;

    expect(error).toBeInstanceOf(LockHeldError);
    expect(error.stale).toBe(true);
    expect(error.message).toMatch(/\(1 h 1 min ago\)\. It is older than 1 h, so the run that took it may have died: if no such run is still going, pass --break-stale-lock to take the lock over\.$/);
    expect(bucket.record?.operator).toBe(bob.operator);
    expect(puts().filter((input) => input.IfMatch)).toEqual([]);
  });

  it('are broken with the flag, by a write conditional on the ETag of the lock that was read', async () => {
    const staleEtag = bucket.object!.etag;
    clock = T0 + 61 * MIN;

    const handle = await lock().acquire({ operation: 'failover', holder: alice, staleAfterMs: 60 * MIN, breakStale: true });

    expect(handle.broke).toEqual({ holder: expect.objectContaining({ operator: bob.operator, operation: 'deploy:secondary' }), ageMs: 61 * MIN, reason: 'stale' });
    expect(puts().map((input) => input.IfMatch ?? input.IfNoneMatch)).toEqual(['*', staleEtag]);
    expect(bucket.record?.id).toBe(handle.record.id);
  });

  it('are not broken when younger than staleAfterMs, even with the flag', async () => {
    clock = T0 + 59 * MIN;

    await expect(lock().acquire({ operation: 'failover', holder: alice, staleAfterMs: 60 * MIN, breakStale: true })).rejects.toThrow(LockHeldError);
    expect(puts().filter((input) => input.IfMatch)).toEqual([]);
    expect(bucket.record?.operator).toBe(bob.operator);
  });

  it('broken by two runs at once: the one that loses the replace sees the winner', async () => {
    clock = T0 + 61 * MIN;
    // alice's create fails (412), she reads bob's stale lock; carol replaces it before alice's replace.
    bucket.beforeNextPut(() => undefined);
    bucket.beforeNextPut(() => bucket.seed(recordOf(carol, 'switchover', clock)));

    const error = await lock().acquire({ operation: 'failover', holder: alice, staleAfterMs: 60 * MIN, breakStale: true }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as LockHeldError).holder?.operator).toBe('carol');
    expect(bucket.record?.operator).toBe('carol');
  });
});

describe('release never removes another run\'s lock', () => {
  it('leaves the lock of the run that broke ours, and says who holds it', async () => {
    const mine = await lock().acquire({ operation: 'deploy:primary', holder: alice, staleAfterMs: 60 * MIN });
    const myEtag = bucket.object!.etag;
    clock = T0 + 61 * MIN;
    const theirs = await lock().acquire({ operation: 'failover', holder: bob, staleAfterMs: 60 * MIN, breakStale: true });

    const result = await mine.release();

    expect(result).toEqual({ outcome: 'taken-over', holder: expect.objectContaining({ id: theirs.record.id, operator: bob.operator }) });
    expect(deletes()).toEqual([expect.objectContaining({ IfMatch: myEtag })]);
    expect(parseRecord(bucket.object!.body)?.id).toBe(theirs.record.id);
  });

  it('reports a lock someone already removed as gone', async () => {
    const mine = await lock().acquire({ operation: 'deploy:primary', holder: alice, staleAfterMs: 60 * MIN });
    bucket.clear();
    await expect(mine.release()).resolves.toEqual({ outcome: 'gone' });
  });
});

describe('S3 failures', () => {
  it('say which permissions the caller needs when access is denied', async () => {
    s3Mock.on(PutObjectCommand).rejects(s3Error('AccessDenied', 403));

    const error = await lock().acquire({ operation: 'failover', holder: alice, staleAfterMs: 60 * MIN }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OperationLockError);
    expect(error).not.toBeInstanceOf(LockHeldError);
    expect((error as Error).message).toBe(
      'Cannot write the operation lock s3://acme-tf-state/staging/locks/operations.json: AccessDenied: AccessDenied. ' +
        'The caller needs s3:GetObject, s3:PutObject and s3:DeleteObject on that key (conditional deletes need s3:GetObject too).',
    );
  });

  it('pass other errors through with the lock named', async () => {
    s3Mock.on(PutObjectCommand).rejects(s3Error('NoSuchBucket', 404));
    await expect(lock().acquire({ operation: 'failover', holder: alice, staleAfterMs: 60 * MIN })).rejects.toThrow(
      /^Cannot write the operation lock s3:\/\/acme-tf-state\/staging\/locks\/operations\.json: NoSuchBucket/,
    );
  });
});
