import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LockHeldError, OperationLockError, lockKey, lockLocation, withOperationLock } from '../src';
import { fakeBucket, recordOf, s3Error } from './fake-s3';

const s3Mock = mockClient(S3Client);
const stsMock = mockClient(STSClient);
const clients = { s3: new S3Client({ region: 'us-east-1' }), sts: new STSClient({ region: 'us-east-1' }) };

const MIN = 60_000;
const T0 = Date.parse('2026-11-30T06:00:00.000Z');
const ARN = 'arn:aws:sts::123456789012:assumed-role/dr-operator/alice';
const staging = { name: 'staging', state: { bucket: 'acme-tf-state', region: 'us-east-1' } };

let clock: number;
let bucket: ReturnType<typeof fakeBucket>;
let log: string[];
const options = (extra: Partial<Parameters<typeof withOperationLock>[0]> = {}) => ({
  env: staging,
  workspaceRoot: '/repo',
  operation: 'failover',
  clients,
  now: () => clock,
  log: (message: string) => log.push(message),
  ...extra,
});

beforeEach(() => {
  s3Mock.reset();
  stsMock.reset();
  clock = T0;
  log = [];
  bucket = fakeBucket(s3Mock, () => clock);
  stsMock.on(GetCallerIdentityCommand).resolves({ Arn: ARN, Account: '123456789012', UserId: 'AROA:alice' });
});

describe('lockLocation', () => {
  it('is one object per environment in the state bucket', () => {
    expect(lockLocation(staging, '/repo')).toEqual({ kind: 's3', bucket: 'acme-tf-state', region: 'us-east-1', key: 'staging/locks/operations.json' });
    expect(lockKey('production')).toBe('production/locks/operations.json');
  });

  it('is a file beside the global stack\'s local state without a bucket', () => {
    expect(lockLocation({ name: 'dev', state: { region: 'us-east-1' } }, '/repo')).toEqual({
      kind: 'file',
      path: '/repo/apps/stack-global/terraform.dev.tfstate.operations-lock.json',
    });
  });
});

describe('withOperationLock', () => {
  it('holds the lock, as the STS caller, while the operation runs, and releases it after', async () => {
    const seen: unknown[] = [];
    const result = await withOperationLock(options({ expectedDurationMs: 15 * MIN }), async (lock) => {
      seen.push(bucket.record);
      expect(lock.record.operation).toBe('failover');
      return 'completed';
    });

    expect(result).toBe('completed');
    expect(seen).toEqual([expect.objectContaining({ operation: 'failover', operator: ARN, expectedDurationMs: 15 * MIN })]);
    expect(s3Mock.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ Bucket: 'acme-tf-state', Key: 'staging/locks/operations.json', IfNoneMatch: '*' });
    expect(bucket.object).toBeUndefined();
    expect(log).toEqual([
      `Took the operation lock s3://acme-tf-state/staging/locks/operations.json for failover as ${ARN}.`,
      'Released the operation lock s3://acme-tf-state/staging/locks/operations.json.',
    ]);
  });

  it('releases the lock when the operation throws, and passes the error on', async () => {
    await expect(
      withOperationLock(options(), async () => {
        throw new Error('promotion timed out');
      }),
    ).rejects.toThrow('promotion timed out');
    expect(s3Mock.commandCalls(DeleteObjectCommand)).toHaveLength(1);
    expect(bucket.object).toBeUndefined();
  });

  it('does not run the operation while another run holds the lock', async () => {
    bucket.seed(recordOf({ operator: 'arn:aws:sts::123456789012:assumed-role/ci/deploy', host: 'runner-1', pid: 31 }, 'deploy:primary', T0));
    clock = T0 + 2 * MIN;
    const fn = jest.fn(async () => 'ran');

    const error = await withOperationLock(options({ breakHint: 'pass --break-stale-lock' }), fn).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as Error).message).toMatch(/held by deploy:primary by arn:aws:sts::123456789012:assumed-role\/ci\/deploy on runner-1 \(pid 31\).*then pass --break-stale-lock\.$/);
    expect(fn).not.toHaveBeenCalled();
    expect(bucket.record?.operation).toBe('deploy:primary');
  });

  it('says when it broke a stale lock', async () => {
    bucket.seed(recordOf({ operator: 'bob', host: 'laptop-b', pid: 5 }, 'switchover', T0));
    clock = T0 + 90 * MIN;

    await withOperationLock(options({ breakStale: true }), async () => undefined);

    expect(log[0]).toBe(
      'Broke the operation lock s3://acme-tf-state/staging/locks/operations.json (stale; switchover by bob on laptop-b (pid 5), 1 h 30 min old) and took it for failover.',
    );
  });

  it('records a given operator name without asking STS', async () => {
    await withOperationLock(options({ operator: 'alice (incident 42)' }), async () => {
      expect(bucket.record?.operator).toBe('alice (incident 42)');
    });
    expect(stsMock.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
  });

  it('stops before touching the lock when STS cannot say who is calling', async () => {
    stsMock.on(GetCallerIdentityCommand).rejects(new STSServiceException({ name: 'ExpiredToken', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'The security token included in the request is expired' }));

    const error = await withOperationLock(options(), async () => 'ran').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OperationLockError);
    expect((error as Error).message).toBe(
      'Cannot tell who is taking the operation lock: STS GetCallerIdentity failed (ExpiredToken: The security token included in the request is expired). Fix the AWS credentials, or give an operator name.',
    );
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('reports a release that failed, with the command to remove the lock, and keeps the operation\'s result', async () => {
    s3Mock.on(DeleteObjectCommand).rejects(s3Error('InternalError', 500));

    await expect(withOperationLock(options(), async () => 'completed')).resolves.toBe('completed');

    expect(log[1]).toMatch(/^WARNING: could not release the operation lock s3:\/\/acme-tf-state\/staging\/locks\/operations\.json: Cannot delete .*InternalError/);
    expect(log[1]).toContain(`Once no run needs it, remove it with: aws s3api delete-object --bucket acme-tf-state --key staging/locks/operations.json --if-match '"etag-1"'`);
  });

  it('warns when the lock was broken while the operation ran, and leaves the new holder\'s lock', async () => {
    await withOperationLock(options(), async () => {
      bucket.seed(recordOf({ operator: 'bob', host: 'laptop-b', pid: 5 }, 'switchover', T0));
    });

    expect(log[1]).toMatch(/^WARNING: the operation lock .* was broken while failover ran and is now held by switchover by bob on laptop-b \(pid 5\); it was left in place\./);
    expect(bucket.record?.operator).toBe('bob');
  });

  describe('with local state', () => {
    let root: string;
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'operation-lock-root-'));
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('holds a file beside the global stack\'s state while the operation runs', async () => {
      const path = join(root, 'apps', 'stack-global', 'terraform.dev.tfstate.operations-lock.json');

      await withOperationLock(options({ env: { name: 'dev', state: { region: 'us-east-1' } }, workspaceRoot: root, operator: 'alice' }), async () => {
        expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ operation: 'failover', operator: 'alice' });
      });

      expect(existsSync(path)).toBe(false);
      expect(s3Mock.calls()).toHaveLength(0);
    });
  });
});
