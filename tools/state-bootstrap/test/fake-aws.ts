import * as iam from '@aws-sdk/client-iam';
import * as kms from '@aws-sdk/client-kms';
import * as s3 from '@aws-sdk/client-s3';
import type { ObjectOwnership, PublicAccessBlockConfiguration, ReplicationConfiguration, ServerSideEncryption } from '@aws-sdk/client-s3';

// In-memory S3, IAM and KMS behind the SDK's own mocks, for the specs: reads return what writes
// stored, and each service refuses what the real one refuses where the bootstrap depends on it
// (a call to a bucket through another region's client, replication to an unversioned bucket).

export const ACCOUNT = '123456789012';

/** A bucket as S3 holds it; undefined settings were never made. */
export interface FakeBucket {
  region: string;
  ownership?: ObjectOwnership;
  publicAccessBlock?: PublicAccessBlockConfiguration;
  versioning?: 'Enabled' | 'Suspended';
  encryption?: ServerSideEncryption;
  kmsKeyId?: string;
  bucketKey?: boolean;
  policy?: string;
  replication?: ReplicationConfiguration;
  /** Keys of the objects in it. */
  objects?: string[];
}

/** What S3 gives a bucket created today (since April 2023): ACLs off, public access blocked, SSE-S3. */
export const NEW_BUCKET: Omit<FakeBucket, 'region'> = {
  ownership: 'BucketOwnerEnforced',
  publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
  encryption: 'AES256',
};

export const s3Error = (name: string, status: number, message = name) =>
  new s3.S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message });

/** The error AWS sends when these credentials may not make a call, as each protocol names it. */
export const accessDenied = (service: 's3' | 'iam' | 'kms', action: string) =>
  Object.assign(new Error(`User: arn:aws:iam::${ACCOUNT}:user/ci is not authorized to perform: ${action}`), {
    name: service === 'kms' ? 'AccessDeniedException' : 'AccessDenied',
    $metadata: { httpStatusCode: 403 },
  });

/** What of aws-sdk-client-mock's stub the fakes use, for a mock of any of the three clients. */
export interface Stub {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command has its own input shape
  on(command: never): { callsFake(fake: (input: any, getClient: () => unknown) => unknown): unknown };
}
// The region a mocked call was made through, as the real client would sign it.
const regionOf = async (getClient: () => unknown): Promise<string> => (getClient() as { config: { region: () => Promise<string> } }).config.region();

export interface FakeS3 {
  bucket(name: string): FakeBucket | undefined;
  /** The region of the client each bucket was created through. */
  createdThrough(name: string): string | undefined;
}

export function installFakeS3(mock: Stub, initial: Record<string, FakeBucket> = {}): FakeS3 {
  const buckets = new Map(Object.entries(initial).map(([name, bucket]) => [name, { ...bucket }]));
  const through = new Map<string, string>();
  const existing = async (name: string, getClient: () => unknown): Promise<FakeBucket> => {
    const bucket = buckets.get(name);
    if (!bucket) throw s3Error('NoSuchBucket', 404);
    const region = await regionOf(getClient);
    if (region !== bucket.region) throw s3Error('PermanentRedirect', 301, `The bucket is in ${bucket.region}, the request went to ${region}`);
    return bucket;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command has its own input shape
  const on = (command: unknown, fake: (input: Record<string, any>, bucket: FakeBucket) => unknown) =>
    mock.on(command as never).callsFake(async (input: Record<string, unknown> & { Bucket: string }, getClient: () => unknown) => fake(input, await existing(input.Bucket, getClient)));

  mock.on(s3.HeadBucketCommand as never).callsFake((input: { Bucket: string }) => {
    const bucket = buckets.get(input.Bucket);
    if (!bucket) throw new s3.NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
    return { BucketRegion: bucket.region };
  });
  mock.on(s3.CreateBucketCommand as never).callsFake(async (input: s3.CreateBucketCommandInput, getClient: () => unknown) => {
    if (buckets.has(input.Bucket!)) throw new s3.BucketAlreadyOwnedByYou({ message: 'owned by you', $metadata: { httpStatusCode: 409 } });
    buckets.set(input.Bucket!, { ...NEW_BUCKET, region: input.CreateBucketConfiguration?.LocationConstraint ?? 'us-east-1' });
    through.set(input.Bucket!, await regionOf(getClient));
    return {};
  });
  on(s3.GetBucketOwnershipControlsCommand, (_input, { ownership }) => {
    if (!ownership) throw s3Error('OwnershipControlsNotFoundError', 404);
    return { OwnershipControls: { Rules: [{ ObjectOwnership: ownership }] } };
  });
  on(s3.PutBucketOwnershipControlsCommand, (input, bucket) => {
    bucket.ownership = input['OwnershipControls'].Rules[0].ObjectOwnership;
    return {};
  });
  on(s3.GetPublicAccessBlockCommand, (_input, { publicAccessBlock }) => {
    if (!publicAccessBlock) throw s3Error('NoSuchPublicAccessBlockConfiguration', 404);
    return { PublicAccessBlockConfiguration: publicAccessBlock };
  });
  on(s3.PutPublicAccessBlockCommand, (input, bucket) => {
    bucket.publicAccessBlock = input['PublicAccessBlockConfiguration'];
    return {};
  });
  on(s3.GetBucketVersioningCommand, (_input, { versioning }) => ({ Status: versioning }));
  on(s3.PutBucketVersioningCommand, (input, bucket) => {
    bucket.versioning = input['VersioningConfiguration'].Status;
    return {};
  });
  on(s3.GetBucketEncryptionCommand, (_input, { encryption, kmsKeyId, bucketKey }) => {
    if (!encryption) throw s3Error('ServerSideEncryptionConfigurationNotFoundError', 404);
    return {
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: encryption, ...(kmsKeyId ? { KMSMasterKeyID: kmsKeyId } : {}) }, BucketKeyEnabled: bucketKey ?? false }],
      },
    };
  });
  on(s3.PutBucketEncryptionCommand, (input, bucket) => {
    const rule = input['ServerSideEncryptionConfiguration'].Rules[0];
    bucket.encryption = rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm;
    bucket.kmsKeyId = rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID;
    bucket.bucketKey = rule.BucketKeyEnabled;
    return {};
  });
  on(s3.GetBucketPolicyCommand, (_input, { policy }) => {
    if (!policy) throw s3Error('NoSuchBucketPolicy', 404);
    return { Policy: policy };
  });
  on(s3.PutBucketPolicyCommand, (input, bucket) => {
    bucket.policy = input['Policy'];
    return {};
  });
  on(s3.GetBucketReplicationCommand, (_input, { replication }) => {
    if (!replication) throw s3Error('ReplicationConfigurationNotFoundError', 404);
    return { ReplicationConfiguration: replication };
  });
  on(s3.PutBucketReplicationCommand, (input, bucket) => {
    const config = input['ReplicationConfiguration'] as ReplicationConfiguration;
    // S3 refuses replication unless both ends are versioned.
    if (bucket.versioning !== 'Enabled') throw s3Error('InvalidRequest', 400, 'Versioning must be Enabled on the bucket');
    for (const rule of config.Rules ?? []) {
      const destination = buckets.get(rule.Destination!.Bucket!.split(':::')[1]!);
      if (!destination) throw s3Error('InvalidRequest', 400, 'Destination bucket must exist');
      if (destination.versioning !== 'Enabled') throw s3Error('InvalidRequest', 400, 'Destination bucket must have versioning enabled');
    }
    bucket.replication = structuredClone(config);
    return {};
  });
  on(s3.ListObjectsV2Command, (input, { objects = [] }) => {
    const page = objects.slice(0, input['MaxKeys'] ?? 1000);
    return { KeyCount: page.length, IsTruncated: page.length < objects.length, Contents: page.map((Key) => ({ Key })) };
  });
  return { bucket: (name) => buckets.get(name), createdThrough: (name) => through.get(name) };
}

/** A role as IAM holds it; documents as JSON text. */
export interface FakeRole {
  trust: string;
  policies: Record<string, string>;
}

export interface FakeIam {
  role(name: string): FakeRole | undefined;
}

export const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

export function installFakeIam(mock: Stub, initial: Record<string, FakeRole> = {}): FakeIam {
  const roles = new Map(Object.entries(initial).map(([name, role]) => [name, { trust: role.trust, policies: { ...role.policies } }]));
  const existing = (name: string) => {
    const role = roles.get(name);
    if (!role) throw new iam.NoSuchEntityException({ message: `The role with name ${name} cannot be found.`, $metadata: { httpStatusCode: 404 } });
    return role;
  };
  // IAM hands documents back URL-encoded (RFC 3986).
  mock.on(iam.GetRoleCommand as never).callsFake((input: { RoleName: string }) => {
    const role = existing(input.RoleName);
    return { Role: { RoleName: input.RoleName, Arn: roleArn(input.RoleName), AssumeRolePolicyDocument: encodeURIComponent(role.trust) } };
  });
  mock.on(iam.CreateRoleCommand as never).callsFake((input: iam.CreateRoleCommandInput) => {
    if (roles.has(input.RoleName!)) throw new iam.EntityAlreadyExistsException({ message: 'exists', $metadata: { httpStatusCode: 409 } });
    roles.set(input.RoleName!, { trust: input.AssumeRolePolicyDocument!, policies: {} });
    return { Role: { RoleName: input.RoleName, Arn: roleArn(input.RoleName!) } };
  });
  mock.on(iam.UpdateAssumeRolePolicyCommand as never).callsFake((input: iam.UpdateAssumeRolePolicyCommandInput) => {
    existing(input.RoleName!).trust = input.PolicyDocument!;
    return {};
  });
  mock.on(iam.GetRolePolicyCommand as never).callsFake((input: iam.GetRolePolicyCommandInput) => {
    const document = existing(input.RoleName!).policies[input.PolicyName!];
    if (document === undefined) throw new iam.NoSuchEntityException({ message: `The role policy with name ${input.PolicyName} cannot be found.`, $metadata: { httpStatusCode: 404 } });
    return { RoleName: input.RoleName, PolicyName: input.PolicyName, PolicyDocument: encodeURIComponent(document) };
  });
  mock.on(iam.PutRolePolicyCommand as never).callsFake((input: iam.PutRolePolicyCommandInput) => {
    existing(input.RoleName!).policies[input.PolicyName!] = input.PolicyDocument!;
    return {};
  });
  return { role: (name) => roles.get(name) };
}

/** A key as KMS holds it, in its region. */
export interface FakeKey {
  id: string;
  region: string;
  state?: kms.KeyState;
  rotation?: boolean;
  aliases?: string[];
  description?: string;
}

export interface FakeKms {
  key(region: string, idOrAlias: string): FakeKey | undefined;
  keys(): FakeKey[];
}

export const keyArn = (key: Pick<FakeKey, 'id' | 'region'>) => `arn:aws:kms:${key.region}:${ACCOUNT}:key/${key.id}`;

export function installFakeKms(mock: Stub, initial: FakeKey[] = []): FakeKms {
  const keys = initial.map((key) => ({ state: 'Enabled' as kms.KeyState, rotation: false, aliases: [], ...key }));
  let created = 0;
  const find = (region: string, id: string) => keys.find((key) => key.region === region && (key.id === id || keyArn(key) === id || key.aliases.includes(id)));
  const existing = async (id: string, getClient: () => unknown) => {
    const key = find(await regionOf(getClient), id);
    if (!key) throw new kms.NotFoundException({ message: `Key '${id}' does not exist`, $metadata: { httpStatusCode: 400 } });
    return key;
  };
  mock.on(kms.DescribeKeyCommand as never).callsFake(async (input: { KeyId: string }, getClient: () => unknown) => {
    const key = await existing(input.KeyId, getClient);
    return { KeyMetadata: { KeyId: key.id, Arn: keyArn(key), KeyState: key.state, Enabled: key.state === 'Enabled', Description: key.description } };
  });
  mock.on(kms.CreateKeyCommand as never).callsFake(async (input: kms.CreateKeyCommandInput, getClient: () => unknown) => {
    created += 1;
    const key = { id: `0000000${created}-aaaa-bbbb-cccc-dddddddddddd`, region: await regionOf(getClient), state: 'Enabled' as kms.KeyState, rotation: false, aliases: [] as string[], description: input.Description };
    keys.push(key);
    return { KeyMetadata: { KeyId: key.id, Arn: keyArn(key), KeyState: key.state } };
  });
  mock.on(kms.CreateAliasCommand as never).callsFake(async (input: kms.CreateAliasCommandInput, getClient: () => unknown) => {
    const region = await regionOf(getClient);
    if (keys.some((key) => key.region === region && key.aliases.includes(input.AliasName!))) {
      throw new kms.AlreadyExistsException({ message: `An alias with the name ${input.AliasName} already exists`, $metadata: { httpStatusCode: 400 } });
    }
    (await existing(input.TargetKeyId!, getClient)).aliases.push(input.AliasName!);
    return {};
  });
  mock.on(kms.GetKeyRotationStatusCommand as never).callsFake(async (input: { KeyId: string }, getClient: () => unknown) => ({
    KeyRotationEnabled: (await existing(input.KeyId, getClient)).rotation,
  }));
  mock.on(kms.EnableKeyRotationCommand as never).callsFake(async (input: { KeyId: string }, getClient: () => unknown) => {
    (await existing(input.KeyId, getClient)).rotation = true;
    return {};
  });
  return { key: (region, id) => find(region, id), keys: () => keys };
}

/** Every call that writes, across the three services: a re-run that changes nothing makes none. */
export const WRITES = {
  s3: [
    s3.CreateBucketCommand,
    s3.PutBucketOwnershipControlsCommand,
    s3.PutPublicAccessBlockCommand,
    s3.PutBucketVersioningCommand,
    s3.PutBucketEncryptionCommand,
    s3.PutBucketPolicyCommand,
    s3.PutBucketReplicationCommand,
  ],
  iam: [iam.CreateRoleCommand, iam.UpdateAssumeRolePolicyCommand, iam.PutRolePolicyCommand],
  kms: [kms.CreateKeyCommand, kms.CreateAliasCommand, kms.EnableKeyRotationCommand],
};

