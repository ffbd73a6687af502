import {
  BucketAlreadyExists,
  CreateBucketCommand,
  HeadBucketCommand,
  NotFound,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { BootstrapError, type StepResult, TLS_ONLY_SID, bootstrapStateBucket, tlsOnlyStatement } from '../src/bootstrap';
import { type FakeBucket, NEW_BUCKET, WRITES, accessDenied, installFakeS3, s3Error } from './fake-aws';

const s3Mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'us-east-1' });
const target = { bucket: 'acme-tf-state', region: 'us-east-1' };

const writes = () => WRITES.s3.flatMap((command) => s3Mock.commandCalls(command as never)).length;

/** The state bucket in an in-memory S3; undefined settings were never made. */
function fakeS3(initial?: FakeBucket): { bucket: () => FakeBucket | undefined } {
  const world = installFakeS3(s3Mock, initial ? { [target.bucket]: initial } : {});
  return { bucket: () => world.bucket(target.bucket) };
}

const outcomes = (results: StepResult[]) => Object.fromEntries(results.map((r) => [r.setting, r.outcome]));
const ALL_KEPT = { bucket: 'kept', 'object ownership': 'kept', 'public access block': 'kept', versioning: 'kept', 'default encryption': 'kept', 'bucket policy': 'kept' };

beforeEach(() => s3Mock.reset());

describe('a missing bucket', () => {
  it('is created, then versioned and made TLS-only (S3 already blocks public access, disables ACLs and encrypts new buckets)', async () => {
    const fake = fakeS3();
    const results = await bootstrapStateBucket(s3, target);
    expect(outcomes(results)).toEqual({ ...ALL_KEPT, bucket: 'created', versioning: 'changed', 'bucket policy': 'changed' });
    expect(s3Mock.commandCalls(CreateBucketCommand)[0]!.args[0].input).toEqual({ Bucket: 'acme-tf-state' });
    expect(fake.bucket()).toMatchObject({ ...NEW_BUCKET, versioning: 'Enabled' });
    expect(JSON.parse(fake.bucket()!.policy!)).toEqual({ Version: '2012-10-17', Statement: [tlsOnlyStatement(target)] });
  });

  it('is created in the region asked for (a location constraint outside us-east-1)', async () => {
    const fake = fakeS3();
    await bootstrapStateBucket(new S3Client({ region: 'eu-west-1' }), { bucket: 'acme-tf-state', region: 'eu-west-1' });
    expect(s3Mock.commandCalls(CreateBucketCommand)[0]!.args[0].input).toEqual({
      Bucket: 'acme-tf-state',
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    });
    expect(fake.bucket()!.region).toBe('eu-west-1');
  });
});

describe('re-running', () => {
  it('changes nothing once the bucket is in place', async () => {
    fakeS3();
    await bootstrapStateBucket(s3, target);
    const before = writes();
    const results = await bootstrapStateBucket(s3, target);
    expect(outcomes(results)).toEqual(ALL_KEPT);
    expect(writes()).toBe(before);
  });

  it('hears each step as it completes', async () => {
    fakeS3();
    const heard: string[] = [];
    await bootstrapStateBucket(s3, target, (result) => heard.push(result.setting));
    expect(heard).toEqual(Object.keys(ALL_KEPT));
  });
});

describe('a bucket that already exists, owned by you', () => {
  it('is used as it is when S3 finds it', async () => {
    fakeS3({ region: 'us-east-1', ...NEW_BUCKET, versioning: 'Enabled' });
    const results = await bootstrapStateBucket(s3, target);
    expect(results[0]).toEqual({ setting: 'bucket', outcome: 'kept', detail: 'exists in us-east-1' });
    expect(s3Mock.commandCalls(CreateBucketCommand)).toHaveLength(0);
  });

  it('is used when another run created it between the check and the create (BucketAlreadyOwnedByYou)', async () => {
    fakeS3({ region: 'us-east-1', ...NEW_BUCKET });
    s3Mock.on(HeadBucketCommand).rejects(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }));
    const results = await bootstrapStateBucket(s3, target);
    expect(s3Mock.commandCalls(CreateBucketCommand)).toHaveLength(1);
    expect(outcomes(results)).toEqual({ ...ALL_KEPT, versioning: 'changed', 'bucket policy': 'changed' });
  });

  it('has every missing setting put in place (a bucket made before S3 changed its defaults)', async () => {
    const fake = fakeS3({ region: 'us-east-1', ownership: 'ObjectWriter', publicAccessBlock: { BlockPublicAcls: true }, versioning: 'Suspended' });
    const results = await bootstrapStateBucket(s3, target);
    expect(outcomes(results)).toEqual({ bucket: 'kept', 'object ownership': 'changed', 'public access block': 'changed', versioning: 'changed', 'default encryption': 'changed', 'bucket policy': 'changed' });
    expect(results.find((r) => r.setting === 'public access block')!.detail).toBe('all four blocks on (was off: IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets)');
    expect(results.find((r) => r.setting === 'versioning')!.detail).toBe('Enabled (was Suspended)');
    expect(fake.bucket()).toMatchObject({ ...NEW_BUCKET, versioning: 'Enabled' });
  });

  it('keeps a KMS default encryption rather than downgrading it', async () => {
    fakeS3({ region: 'us-east-1', ...NEW_BUCKET, encryption: 'aws:kms' });
    const results = await bootstrapStateBucket(s3, target);
    expect(results.find((r) => r.setting === 'default encryption')).toMatchObject({ outcome: 'kept', detail: expect.stringMatching(/^aws:kms/) });
    expect(s3Mock.commandCalls(PutBucketEncryptionCommand)).toHaveLength(0);
  });

  it('keeps the other statements of its policy and repairs a weakened TLS-only statement', async () => {
    const other = { Sid: 'AllowAudit', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:role/audit' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-tf-state/*' };
    const weakened = { ...tlsOnlyStatement(target), Resource: 'arn:aws:s3:::acme-tf-state' };
    const fake = fakeS3({ region: 'us-east-1', ...NEW_BUCKET, versioning: 'Enabled', policy: JSON.stringify({ Version: '2012-10-17', Statement: [weakened, other] }) });
    const results = await bootstrapStateBucket(s3, target);
    expect(results.find((r) => r.setting === 'bucket policy')).toEqual({ setting: 'bucket policy', outcome: 'changed', detail: `${TLS_ONLY_SID} (TLS only) repaired, 1 other statement(s) kept` });
    expect(JSON.parse(fake.bucket()!.policy!).Statement).toEqual([other, tlsOnlyStatement(target)]);
  });

  it('counts a TLS-only statement that S3 hands back with its keys re-ordered as in place', async () => {
    const { Condition, Resource, Action, Principal, Effect, Sid } = tlsOnlyStatement(target);
    fakeS3({ region: 'us-east-1', ...NEW_BUCKET, versioning: 'Enabled', policy: JSON.stringify({ Statement: [{ Condition, Resource, Action, Principal, Effect, Sid }], Version: '2012-10-17' }) });
    expect(outcomes(await bootstrapStateBucket(s3, target))).toEqual(ALL_KEPT);
  });
});

describe('a bucket that cannot be the state bucket', () => {
  it.each<[string, () => void, RegExp]>([
    [
      'a name taken by another account',
      () => s3Mock.on(CreateBucketCommand).rejects(new BucketAlreadyExists({ message: 'taken', $metadata: { httpStatusCode: 409 } })),
      /bucket name acme-tf-state is taken by another AWS account/,
    ],
    ['a bucket these credentials cannot reach', () => s3Mock.on(HeadBucketCommand).rejects(s3Error('Forbidden', 403)), /exists but these credentials cannot reach it \(403\)/],
    ['a bucket in another region', () => s3Mock.on(HeadBucketCommand).resolves({ BucketRegion: 'eu-central-1' }), /is in eu-central-1, not us-east-1: set TERRAFORM_STATE_BUCKET_REGION=eu-central-1/],
    ['a bucket in another region (redirect)', () => s3Mock.on(HeadBucketCommand).rejects(s3Error('PermanentRedirect', 301)), /exists in another region than us-east-1/],
  ])('stops with a clear message: %s', async (_case, arrange, message) => {
    fakeS3();
    arrange();
    await expect(bootstrapStateBucket(s3, target)).rejects.toThrow(BootstrapError);
    await expect(bootstrapStateBucket(s3, target)).rejects.toThrow(message);
    expect(s3Mock.commandCalls(PutBucketVersioningCommand)).toHaveLength(0);
  });

  it('names the bucket and the permissions of a step these credentials may not take, after reporting the steps already done', async () => {
    fakeS3({ region: 'us-east-1', ...NEW_BUCKET });
    s3Mock.on(PutBucketVersioningCommand).rejects(accessDenied('s3', 's3:PutBucketVersioning'));
    const heard: string[] = [];
    const run = bootstrapStateBucket(s3, target, (result) => heard.push(result.setting));
    await expect(run).rejects.toThrow(BootstrapError);
    await expect(run).rejects.toThrow(
      /^bucket acme-tf-state \(us-east-1\): refused \(AccessDenied\)\. The credentials running state-bootstrap need s3:GetBucketVersioning, s3:PutBucketVersioning\. AWS said: .*not authorized to perform: s3:PutBucketVersioning/,
    );
    expect(heard).toEqual(['bucket', 'object ownership', 'public access block']);
  });

  it('passes any other AWS error through as AWS gave it', async () => {
    fakeS3({ region: 'us-east-1', ...NEW_BUCKET });
    s3Mock.on(PutBucketVersioningCommand).rejects(s3Error('InternalError', 500));
    await expect(bootstrapStateBucket(s3, target)).rejects.toMatchObject({ name: 'InternalError' });
  });
});

describe('the TLS-only statement', () => {
  it.each([
    ['us-east-1', 'arn:aws:s3:::b'],
    ['cn-north-1', 'arn:aws-cn:s3:::b'],
    ['us-gov-west-1', 'arn:aws-us-gov:s3:::b'],
  ])('denies every non-TLS request to the bucket and its objects in %s', (region, arn) => {
    expect(tlsOnlyStatement({ bucket: 'b', region })).toEqual({
      Sid: TLS_ONLY_SID,
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [arn, `${arn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });
});
