import { CreateRoleCommand, GetRoleCommand, IAMClient, NoSuchEntityException, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateKeyCommand, DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  BucketAlreadyExists,
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  HeadBucketCommand,
  NotFound,
  PutBucketReplicationCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { BootstrapError, type StepResult, bootstrapStateBucket, tlsOnlyStatement } from '../src/bootstrap';
import { type FakeBucket, type FakeKey, type FakeRole, NEW_BUCKET, WRITES, accessDenied, installFakeIam, installFakeKms, installFakeS3, keyArn, roleArn } from './fake-aws';
import { bootstrapStateReplica, replicaBucketName, replicaRegion } from '../src/replica';
import { replicaKeyAlias } from '../src/replica-key';
import { REPLICATION_RULE_ID, replicationConfiguration, replicationDrift } from '../src/replication';
import { REPLICATION_POLICY_NAME, parsePolicy, replicationPermissions, replicationRoleName, replicationTrustPolicy } from '../src/replication-role';

const s3Mock = mockClient(S3Client);
const iamMock = mockClient(IAMClient);
const kmsMock = mockClient(KMSClient);

const source = { bucket: 'acme-tf-state', region: 'us-east-1' };
const replica = { bucket: 'acme-tf-state-us-east-2', region: 'us-east-2' };
const ROLE = 'acme-tf-state-replication';
const clients = {
  sourceS3: new S3Client({ region: 'us-east-1' }),
  replicaS3: new S3Client({ region: 'us-east-2' }),
  iam: new IAMClient({ region: 'us-east-1' }),
  sourceKms: new KMSClient({ region: 'us-east-1' }),
  replicaKms: new KMSClient({ region: 'us-east-2' }),
};
/** The state bucket as bootstrapStateBucket leaves it, and a key in its region. */
const STATE_BUCKET: FakeBucket = { ...NEW_BUCKET, region: 'us-east-1', versioning: 'Enabled', policy: JSON.stringify({ Version: '2012-10-17', Statement: [tlsOnlyStatement(source)] }) };
const STATE_KEY: FakeKey = { id: 'state-key', region: 'us-east-1', aliases: ['alias/state'] };
const ON_KMS: Partial<FakeBucket> = { encryption: 'aws:kms', kmsKeyId: 'alias/state' };

const writes = () =>
  [...WRITES.s3.map((command) => s3Mock.commandCalls(command as never)), ...WRITES.iam.map((command) => iamMock.commandCalls(command as never)), ...WRITES.kms.map((command) => kmsMock.commandCalls(command as never))].flat()
    .length;
const outcomes = (results: StepResult[]) => Object.fromEntries(results.map((r) => [r.setting, r.outcome]));
const ALL_KEPT = {
  'replica bucket': 'kept',
  'replica object ownership': 'kept',
  'replica public access block': 'kept',
  'replica versioning': 'kept',
  'replica default encryption': 'kept',
  'replica bucket policy': 'kept',
  'replication role': 'kept',
  'replication policy': 'kept',
  replication: 'kept',
};

/** The three services in memory: the state bucket (with `state` over it), other buckets, roles and keys. */
function world(options: { state?: Partial<FakeBucket>; buckets?: Record<string, FakeBucket>; roles?: Record<string, FakeRole>; keys?: FakeKey[] } = {}) {
  const s3 = installFakeS3(s3Mock, { [source.bucket]: { ...STATE_BUCKET, ...options.state }, ...options.buckets });
  const iam = installFakeIam(iamMock, options.roles);
  const kms = installFakeKms(kmsMock, options.keys ?? [STATE_KEY]);
  return { s3, iam, kms };
}

beforeEach(() => {
  s3Mock.reset();
  iamMock.reset();
  kmsMock.reset();
});

describe('a state bucket without a replica', () => {
  it('gets a replica in the other region, a role for S3 alone and a replication configuration', async () => {
    const { s3, iam } = world();
    const results = await bootstrapStateReplica(clients, { source, replica });

    expect(outcomes(results)).toEqual({
      ...ALL_KEPT,
      'replica bucket': 'created',
      'replica versioning': 'changed',
      'replica bucket policy': 'changed',
      'replication role': 'created',
      'replication policy': 'created',
      replication: 'created',
    });
    // Created through the replica region's client, with its location constraint.
    expect(s3Mock.commandCalls(CreateBucketCommand)[0]!.args[0].input).toEqual({ Bucket: replica.bucket, CreateBucketConfiguration: { LocationConstraint: 'us-east-2' } });
    expect(s3.createdThrough(replica.bucket)).toBe('us-east-2');
    expect(s3.bucket(replica.bucket)).toMatchObject({ ...NEW_BUCKET, region: 'us-east-2', versioning: 'Enabled' });
    expect(JSON.parse(s3.bucket(replica.bucket)!.policy!)).toEqual({ Version: '2012-10-17', Statement: [tlsOnlyStatement(replica)] });

    expect(JSON.parse(iam.role(ROLE)!.trust)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    expect(JSON.parse(iam.role(ROLE)!.policies[REPLICATION_POLICY_NAME]!)).toEqual(replicationPermissions(source, replica));

    expect(s3.bucket(source.bucket)!.replication).toEqual({
      Role: roleArn(ROLE),
      Rules: [
        {
          ID: REPLICATION_RULE_ID,
          Priority: 1,
          Status: 'Enabled',
          Filter: { Prefix: '' },
          DeleteMarkerReplication: { Status: 'Enabled' },
          Destination: {
            Bucket: 'arn:aws:s3:::acme-tf-state-us-east-2',
            ReplicationTime: { Status: 'Enabled', Time: { Minutes: 15 } },
            Metrics: { Status: 'Enabled', EventThreshold: { Minutes: 15 } },
          },
        },
      ],
    });
    expect(kmsMock.calls()).toHaveLength(0);
  });

  it('right after the state bucket itself, in one run (versioning on both ends comes first)', async () => {
    const s3 = installFakeS3(s3Mock);
    installFakeIam(iamMock);
    const heard: string[] = [];
    await bootstrapStateBucket(clients.sourceS3, source, (result) => heard.push(result.setting));
    await bootstrapStateReplica(clients, { source, replica }, (result) => heard.push(result.setting));
    expect(heard).toEqual([
      'bucket',
      'object ownership',
      'public access block',
      'versioning',
      'default encryption',
      'bucket policy',
      ...Object.keys(ALL_KEPT),
    ]);
    expect(s3.bucket(source.bucket)!.replication!.Rules![0]!.Destination!.Bucket).toBe('arn:aws:s3:::acme-tf-state-us-east-2');
  });

  it('reports the objects written before replication began, which S3 does not copy', async () => {
    world({ state: { objects: ['dev/global.tfstate', 'dev/primary.tfstate'] } });
    const results = await bootstrapStateReplica(clients, { source, replica });
    expect(results.find((r) => r.setting === 'replication')!.detail).toMatch(/; 2 object\(s\) already in the bucket are not replicated until written again/);
  });
});

describe('re-running', () => {
  it('changes nothing: every setting is read, found in place and reported kept', async () => {
    world();
    await bootstrapStateReplica(clients, { source, replica });
    const before = writes();
    const results = await bootstrapStateReplica(clients, { source, replica });
    expect(outcomes(results)).toEqual(ALL_KEPT);
    expect(writes()).toBe(before);
  });

  it('changes nothing on a state bucket with SSE-KMS either', async () => {
    world({ state: ON_KMS });
    await bootstrapStateReplica(clients, { source, replica });
    const before = writes();
    expect(outcomes(await bootstrapStateReplica(clients, { source, replica }))).toEqual({ ...ALL_KEPT, 'replica key': 'kept' });
    expect(writes()).toBe(before);
  });
});

describe('a state bucket encrypted with SSE-KMS', () => {
  it('is mirrored with a key of the replica region, used by replication, and the role may use each key only through S3 for its bucket', async () => {
    const { s3, iam, kms } = world({ state: ON_KMS });
    const results = await bootstrapStateReplica(clients, { source, replica });

    const key = kms.key('us-east-2', replicaKeyAlias(replica.bucket))!;
    expect(key).toMatchObject({ region: 'us-east-2', rotation: true, aliases: ['alias/acme-tf-state-us-east-2'] });
    expect(results.find((r) => r.setting === 'replica key')).toMatchObject({ outcome: 'created' });
    expect(s3.bucket(replica.bucket)).toMatchObject({ encryption: 'aws:kms', kmsKeyId: keyArn(key), bucketKey: false });

    const rule = s3.bucket(source.bucket)!.replication!.Rules![0]!;
    expect(rule.SourceSelectionCriteria).toEqual({ SseKmsEncryptedObjects: { Status: 'Enabled' } });
    expect(rule.Destination!.EncryptionConfiguration).toEqual({ ReplicaKmsKeyID: keyArn(key) });

    const statements = parsePolicy(iam.role(ROLE)!.policies[REPLICATION_POLICY_NAME]!).Statement as Record<string, unknown>[];
    expect(statements.filter((s) => s['Sid'] === 'DecryptState' || s['Sid'] === 'EncryptReplicas')).toEqual([
      {
        Sid: 'DecryptState',
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: keyArn({ id: 'state-key', region: 'us-east-1' }),
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': ['arn:aws:s3:::acme-tf-state', 'arn:aws:s3:::acme-tf-state/*'] },
        },
      },
      {
        Sid: 'EncryptReplicas',
        Effect: 'Allow',
        Action: ['kms:Encrypt'],
        Resource: keyArn(key),
        Condition: {
          StringEquals: { 'kms:ViaService': 's3.us-east-2.amazonaws.com' },
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': ['arn:aws:s3:::acme-tf-state-us-east-2', 'arn:aws:s3:::acme-tf-state-us-east-2/*'] },
        },
      },
    ]);
  });

  it('keeps S3 Bucket Keys as the state bucket has them, and lets the role decrypt with the replica key to check them', async () => {
    const { s3, iam, kms } = world({ state: { encryption: 'aws:kms', kmsKeyId: keyArn({ id: 'state-key', region: 'us-east-1' }), bucketKey: true } });
    await bootstrapStateReplica(clients, { source, replica });
    expect(s3.bucket(replica.bucket)).toMatchObject({ encryption: 'aws:kms', bucketKey: true });
    const statements = parsePolicy(iam.role(ROLE)!.policies[REPLICATION_POLICY_NAME]!).Statement as Record<string, unknown>[];
    expect(statements.find((s) => s['Sid'] === 'EncryptReplicas')).toMatchObject({ Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: keyArn(kms.key('us-east-2', replicaKeyAlias(replica.bucket))!) });
  });

  it('finds the AWS managed key when the default names no key', async () => {
    const { iam } = world({ state: { encryption: 'aws:kms' }, keys: [{ id: 'aws-s3-key', region: 'us-east-1', aliases: ['alias/aws/s3'] }] });
    await bootstrapStateReplica(clients, { source, replica });
    const statements = parsePolicy(iam.role(ROLE)!.policies[REPLICATION_POLICY_NAME]!).Statement as Record<string, unknown>[];
    expect(statements.find((s) => s['Sid'] === 'DecryptState')).toMatchObject({ Resource: keyArn({ id: 'aws-s3-key', region: 'us-east-1' }) });
  });

  it('turns rotation on for an existing replica key without it', async () => {
    world({ state: ON_KMS, keys: [STATE_KEY, { id: 'replica-key', region: 'us-east-2', aliases: [replicaKeyAlias(replica.bucket)], rotation: false }] });
    const results = await bootstrapStateReplica(clients, { source, replica });
    expect(results.find((r) => r.setting === 'replica key')).toEqual({ setting: 'replica key', outcome: 'changed', detail: 'alias/acme-tf-state-us-east-2 (rotation turned on)' });
    expect(kmsMock.commandCalls(CreateKeyCommand)).toHaveLength(0);
  });

  it.each<[string, FakeKey[], RegExp]>([
    [
      'a replica key pending deletion',
      [STATE_KEY, { id: 'replica-key', region: 'us-east-2', aliases: [replicaKeyAlias(replica.bucket)], state: 'PendingDeletion' }],
      /key alias\/acme-tf-state-us-east-2 \(replica-key\) in us-east-2 is PendingDeletion: S3 cannot encrypt replicas with it/,
    ],
    ['a state bucket key that KMS does not know', [], /encrypts with KMS key alias\/state, which KMS does not find/],
  ])('stops before the role is made: %s', async (_case, keys, message) => {
    world({ state: ON_KMS, keys });
    await expect(bootstrapStateReplica(clients, { source, replica })).rejects.toThrow(message);
    expect(iamMock.commandCalls(CreateRoleCommand)).toHaveLength(0);
    expect(s3Mock.commandCalls(PutBucketReplicationCommand)).toHaveLength(0);
  });
});

describe('a replica, role or configuration that already exists', () => {
  it('is used when another run made the replica bucket between the check and the create', async () => {
    world({ buckets: { [replica.bucket]: { ...NEW_BUCKET, region: 'us-east-2', versioning: 'Enabled' } } });
    s3Mock.on(HeadBucketCommand).rejects(new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } }));
    const results = await bootstrapStateReplica(clients, { source, replica });
    expect(s3Mock.commandCalls(CreateBucketCommand)).toHaveLength(1);
    expect(results[0]).toEqual({ setting: 'replica bucket', outcome: 'kept', detail: 'exists in us-east-2' });
  });

  it('gets a drifted trust policy and permissions back, exactly', async () => {
    const { iam } = world({
      roles: {
        [ROLE]: {
          trust: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] }),
          policies: { [REPLICATION_POLICY_NAME]: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }) },
        },
      },
    });
    const results = await bootstrapStateReplica(clients, { source, replica });
    expect(outcomes(results)).toMatchObject({ 'replication role': 'changed', 'replication policy': 'changed' });
    expect(iamMock.commandCalls(CreateRoleCommand)).toHaveLength(0);
    expect(JSON.parse(iam.role(ROLE)!.trust)).toEqual(replicationTrustPolicy());
    expect(JSON.parse(iam.role(ROLE)!.policies[REPLICATION_POLICY_NAME]!)).toEqual(replicationPermissions(source, replica));
  });

  it('is used when another run created the role between the check and the create', async () => {
    const { iam } = world({ roles: { [ROLE]: { trust: JSON.stringify(replicationTrustPolicy()), policies: {} } } });
    // The first look finds no role; by the create, the other run's role is there.
    let looks = 0;
    iamMock.on(GetRoleCommand).callsFake(() => {
      looks += 1;
      if (looks === 1) throw new NoSuchEntityException({ message: 'not found', $metadata: { httpStatusCode: 404 } });
      return { Role: { RoleName: ROLE, Arn: roleArn(ROLE), AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(replicationTrustPolicy())) } };
    });
    const results = await bootstrapStateReplica(clients, { source, replica });
    expect(iamMock.commandCalls(CreateRoleCommand)).toHaveLength(1);
    expect(looks).toBe(2);
    expect(results.find((r) => r.setting === 'replication role')).toMatchObject({ outcome: 'kept' });
    expect(iam.role(ROLE)!.policies[REPLICATION_POLICY_NAME]).toBeDefined();
  });

  it('has a drifted replication rule put back, saying what it changed', async () => {
    const config = replicationConfiguration({ roleArn: roleArn(ROLE), replica });
    const drifted = {
      ...config,
      Rules: [{ ...config.Rules![0]!, DeleteMarkerReplication: { Status: 'Disabled' as const }, Destination: { Bucket: config.Rules![0]!.Destination!.Bucket } }],
    };
    const { s3 } = world({ state: { replication: drifted } });
    const results = await bootstrapStateReplica(clients, { source, replica });
    expect(results.find((r) => r.setting === 'replication')).toEqual({
      setting: 'replication',
      outcome: 'changed',
      detail:
        'to acme-tf-state-us-east-2 (us-east-2), delete markers too, RTC 15 min (was delete markers: Disabled -> Enabled; replication time control: Disabled -> 15 min; metrics: Disabled -> 15 min)',
    });
    expect(s3.bucket(source.bucket)!.replication).toEqual(config);
  });

  it('refuses to overwrite a replication configuration with rules of its own', async () => {
    const theirs = { Role: 'arn:aws:iam::123456789012:role/theirs', Rules: [{ ID: 'to-archive', Status: 'Enabled' as const, Destination: { Bucket: 'arn:aws:s3:::archive' } }] };
    const { s3 } = world({ state: { replication: theirs } });
    await expect(bootstrapStateReplica(clients, { source, replica })).rejects.toThrow(
      /bucket acme-tf-state already has replication rules of its own \(to-archive\): this tool writes the state bucket's whole replication configuration/,
    );
    expect(s3Mock.commandCalls(PutBucketReplicationCommand)).toHaveLength(0);
    expect(s3.bucket(source.bucket)!.replication).toEqual(theirs);
  });

  it('keeps a replica already encrypted with KMS while the state bucket uses SSE-S3', async () => {
    world({ buckets: { [replica.bucket]: { ...NEW_BUCKET, region: 'us-east-2', versioning: 'Enabled', encryption: 'aws:kms' } } });
    const results = await bootstrapStateReplica(clients, { source, replica });
    expect(results.find((r) => r.setting === 'replica default encryption')).toMatchObject({ outcome: 'kept', detail: 'aws:kms (kept; stronger than required)' });
  });
});

describe('a replica that cannot be used', () => {
  it.each<[string, () => void, RegExp]>([
    [
      'a name taken by another account',
      () => s3Mock.on(CreateBucketCommand).rejects(new BucketAlreadyExists({ message: 'taken', $metadata: { httpStatusCode: 409 } })),
      /bucket name acme-tf-state-us-east-2 is taken by another AWS account \(bucket names are global\): name another replica with --replica-bucket/,
    ],
    [
      'a bucket of that name in another region',
      () => world({ buckets: { [replica.bucket]: { ...NEW_BUCKET, region: 'eu-west-1' } } }),
      /bucket acme-tf-state-us-east-2 is in eu-west-1, not us-east-2: the replica must be in us-east-2: name another with --replica-bucket/,
    ],
  ])('stops with a clear message: %s', async (_case, arrange, message) => {
    world();
    arrange();
    await expect(bootstrapStateReplica(clients, { source, replica })).rejects.toThrow(BootstrapError);
    await expect(bootstrapStateReplica(clients, { source, replica })).rejects.toThrow(message);
    expect(s3Mock.commandCalls(PutBucketVersioningCommand)).toHaveLength(0);
    expect(iamMock.commandCalls(CreateRoleCommand)).toHaveLength(0);
  });
});

describe('credentials that may not make a call', () => {
  const kmsState = { state: ON_KMS };
  it.each<[string, { state?: Partial<FakeBucket> }, () => void, RegExp, string[]]>([
    [
      'create the replica bucket',
      {},
      () => s3Mock.on(CreateBucketCommand).rejects(accessDenied('s3', 's3:CreateBucket')),
      /^bucket acme-tf-state-us-east-2 \(us-east-2\): refused \(AccessDenied\)\. The credentials running state-bootstrap need s3:ListBucket, s3:CreateBucket\. AWS said: .*s3:CreateBucket/,
      [],
    ],
    [
      'read the state bucket\'s encryption (to mirror it)',
      {},
      () => s3Mock.on(GetBucketEncryptionCommand).rejects(accessDenied('s3', 's3:GetEncryptionConfiguration')),
      /^bucket acme-tf-state \(us-east-1\): refused \(AccessDenied\)\. The credentials running state-bootstrap need s3:GetEncryptionConfiguration\./,
      ['replica bucket', 'replica object ownership', 'replica public access block', 'replica versioning'],
    ],
    [
      'describe the state bucket key',
      kmsState,
      () => kmsMock.on(DescribeKeyCommand).rejects(accessDenied('kms', 'kms:DescribeKey')),
      /^key alias\/state of bucket acme-tf-state: refused \(AccessDeniedException\)\. The credentials running state-bootstrap need kms:DescribeKey\./,
      ['replica bucket', 'replica object ownership', 'replica public access block', 'replica versioning'],
    ],
    [
      'create the replica key',
      kmsState,
      () => kmsMock.on(CreateKeyCommand).rejects(accessDenied('kms', 'kms:CreateKey')),
      /^key alias\/acme-tf-state-us-east-2 \(us-east-2\): refused \(AccessDeniedException\)\. The credentials running state-bootstrap need kms:DescribeKey, kms:CreateKey, kms:CreateAlias/,
      ['replica bucket', 'replica object ownership', 'replica public access block', 'replica versioning'],
    ],
    [
      'create the role',
      {},
      () => iamMock.on(CreateRoleCommand).rejects(accessDenied('iam', 'iam:CreateRole')),
      /^role acme-tf-state-replication: refused \(AccessDenied\)\. The credentials running state-bootstrap need iam:GetRole, iam:CreateRole, iam:UpdateAssumeRolePolicy\. AWS said: .*iam:CreateRole/,
      [...Object.keys(ALL_KEPT).slice(0, 6)],
    ],
    [
      'put the role policy',
      {},
      () => iamMock.on(PutRolePolicyCommand).rejects(accessDenied('iam', 'iam:PutRolePolicy')),
      /^policy state-replication of role acme-tf-state-replication: refused \(AccessDenied\)\. The credentials running state-bootstrap need iam:GetRolePolicy, iam:PutRolePolicy\./,
      [...Object.keys(ALL_KEPT).slice(0, 7)],
    ],
    [
      'put the replication configuration (which also passes the role)',
      {},
      () => s3Mock.on(PutBucketReplicationCommand).rejects(accessDenied('s3', 'iam:PassRole')),
      /^replication of bucket acme-tf-state \(us-east-1\): refused \(AccessDenied\)\. The credentials running state-bootstrap need s3:GetReplicationConfiguration, s3:PutReplicationConfiguration, iam:PassRole \(on the replication role\)/,
      [...Object.keys(ALL_KEPT).slice(0, 8)],
    ],
  ])('stop with what was refused and the permissions it needs: %s', async (_case, options, arrange, message, done) => {
    world(options);
    arrange();
    const heard: string[] = [];
    const run = bootstrapStateReplica(clients, { source, replica }, (result) => heard.push(result.setting));
    await expect(run).rejects.toThrow(BootstrapError);
    await expect(run).rejects.toThrow(message);
    expect(heard.filter((setting) => setting !== 'replica key')).toEqual(done);
  });
});

describe('names and regions', () => {
  it.each([
    ['us-east-1', 'us-east-2'],
    ['us-east-2', 'us-east-1'],
    ['eu-west-1', 'us-east-2'],
  ])('a state bucket in %s replicates to %s (the other region of the pair; the standby by default)', (state, expected) => {
    expect(replicaRegion(state, { primary: 'us-east-1', secondary: 'us-east-2' })).toBe(expected);
  });

  it('names the replica after the state bucket and its region, and refuses a name S3 would', () => {
    expect(replicaBucketName('acme-tf-state', 'us-east-2')).toBe('acme-tf-state-us-east-2');
    expect(() => replicaBucketName('a'.repeat(55), 'us-east-2')).toThrow(/is longer than 63 characters: name the replica with --replica-bucket/);
  });

  it('names the role after the state bucket, within IAM limits and distinct for distinct long names', () => {
    expect(replicationRoleName('acme-tf-state')).toBe('acme-tf-state-replication');
    const long = [replicationRoleName(`${'a'.repeat(60)}-one`), replicationRoleName(`${'a'.repeat(60)}-two`)];
    expect(long.every((name) => name.length <= 64 && name.endsWith('-replication'))).toBe(true);
    expect(long[0]).not.toBe(long[1]);
  });

  it('names the key alias without the dots a bucket name may hold', () => {
    expect(replicaKeyAlias('acme.tf.state-us-east-2')).toBe('alias/acme-tf-state-us-east-2');
  });
});

describe('the documents', () => {
  it('grant the role exactly what replication needs, on the two buckets only', () => {
    expect(replicationPermissions(source, replica)).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'ReadReplicationConfiguration', Effect: 'Allow', Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'], Resource: 'arn:aws:s3:::acme-tf-state' },
        {
          Sid: 'ReadStateVersions',
          Effect: 'Allow',
          Action: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
          Resource: 'arn:aws:s3:::acme-tf-state/*',
        },
        { Sid: 'WriteReplicas', Effect: 'Allow', Action: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'], Resource: 'arn:aws:s3:::acme-tf-state-us-east-2/*' },
      ],
    });
  });

  it('are read back whether IAM URL-encodes them or not', () => {
    const document = replicationTrustPolicy();
    expect(parsePolicy(encodeURIComponent(JSON.stringify(document)))).toEqual(document);
    expect(parsePolicy(JSON.stringify(document))).toEqual(document);
  });

  it('compare replication configurations on what matters, whatever defaults S3 adds', () => {
    const wanted = replicationConfiguration({ roleArn: roleArn(ROLE), replica });
    const handedBack = {
      ...wanted,
      Rules: [{ ...wanted.Rules![0]!, Filter: {}, SourceSelectionCriteria: { ReplicaModifications: { Status: 'Disabled' as const } }, ExistingObjectReplication: { Status: 'Disabled' as const } }],
    };
    expect(replicationDrift(handedBack, wanted)).toEqual([]);
    expect(replicationDrift(undefined, wanted)).toContain('destination: none -> arn:aws:s3:::acme-tf-state-us-east-2');
    expect(replicationDrift({ ...wanted, Rules: [{ ...wanted.Rules![0]!, Filter: { Prefix: 'dev/' } }] }, wanted)).toEqual(['objects: some -> all']);
  });
});
