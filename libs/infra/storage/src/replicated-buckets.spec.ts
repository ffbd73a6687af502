import { defineEnvironment } from '@txn-dr/config';
import { DrStack } from '@txn-dr/infra-core';
import { type SynthesizedStack, followReference, onlyResource, resourcesOfType, synthesize } from '@txn-dr/infra-core/testing';
import { Testing } from 'cdktf';
import { ReplicatedBuckets } from './replicated-buckets';

const values = (json: SynthesizedStack, type: string) => Object.values(resourcesOfType(json, type));

/** `${type.name.attribute}` of the one resource of a type deployed through a provider alias. */
function referenceTo(json: SynthesizedStack, type: string, provider: string, attribute: string): string {
  const names = Object.entries(resourcesOfType(json, type))
    .filter(([, body]) => body.provider === provider)
    .map(([name]) => name);
  if (names.length !== 1) throw new Error(`expected one ${type} on ${provider}, found ${names.length}`);
  return `\${${type}.${names[0]}.${attribute}}`;
}

interface Statement {
  readonly sid?: string;
  readonly actions: string[];
  readonly resources: string[];
  readonly condition?: { test: string; variable: string; values: string[] }[];
}

const CONTEXT = 'kms:EncryptionContext:aws:s3:arn';

describe('ReplicatedBuckets', () => {
  const stack = new DrStack(Testing.app(), { env: defineEnvironment({ name: 'dev' }), stack: 'global' });
  new ReplicatedBuckets(stack, 'storage', {
    names: stack.names,
    providers: { primary: stack.provider('primary'), secondary: stack.provider('secondary') },
    regions: { primary: stack.env.regions.primary.region, secondary: stack.env.regions.secondary.region },
  });
  const json = synthesize(stack);
  const buckets = values(json, 'aws_s3_bucket');
  const replications = values(json, 'aws_s3_bucket_replication_configuration');
  const bucket = { primary: referenceTo(json, 'aws_s3_bucket', 'aws.primary', 'arn'), secondary: referenceTo(json, 'aws_s3_bucket', 'aws.secondary', 'arn') };
  const key = { primary: referenceTo(json, 'aws_kms_key', 'aws.primary', 'arn'), secondary: referenceTo(json, 'aws_kms_key', 'aws.secondary', 'arn') };
  const statements = followReference(json, onlyResource(json, 'aws_iam_role_policy').policy).statement as Statement[];

  it('has one deterministically named bucket per region', () => {
    expect(buckets.map((b) => [b.provider, b.bucket])).toEqual([
      ['aws.primary', 'txdr-dev-primary-data-${data.aws_caller_identity.caller-identity-primary.account_id}'],
      ['aws.secondary', 'txdr-dev-secondary-data-${data.aws_caller_identity.caller-identity-primary.account_id}'],
    ]);
  });

  it('encrypts each bucket with its own region\'s customer-managed key', () => {
    for (const encryption of values(json, 'aws_s3_bucket_server_side_encryption_configuration')) {
      const rule = (encryption.rule as Record<string, Record<string, string>>[])[0]!;
      expect(rule.apply_server_side_encryption_by_default?.sse_algorithm).toBe('aws:kms');
      expect(followReference(json, rule.apply_server_side_encryption_by_default?.kms_master_key_id)).toMatchObject({
        enable_key_rotation: true,
        provider: encryption.provider,
      });
    }
  });

  it('replicates in both directions', () => {
    expect(replications.map((r) => r.provider)).toEqual(['aws.primary', 'aws.secondary']);
    const [toSecondary, toPrimary] = replications.map((r) => (r.rule as Record<string, Record<string, unknown>>[])[0]!);
    expect(followReference(json, toSecondary?.destination?.bucket).provider).toBe('aws.secondary');
    expect(followReference(json, toPrimary?.destination?.bucket).provider).toBe('aws.primary');
  });

  it('uses Replication Time Control with metrics, delete markers, replica modifications and destination keys', () => {
    for (const replication of replications) {
      const rule = (replication.rule as Record<string, unknown>[])[0]!;
      expect(rule).toMatchObject({
        status: 'Enabled',
        delete_marker_replication: { status: 'Enabled' },
        source_selection_criteria: { replica_modifications: { status: 'Enabled' }, sse_kms_encrypted_objects: { status: 'Enabled' } },
        destination: {
          storage_class: 'STANDARD',
          replication_time: { status: 'Enabled', time: { minutes: 15 } },
          metrics: { status: 'Enabled', event_threshold: { minutes: 15 } },
        },
      });
      const destination = rule.destination as { bucket: string; encryption_configuration: { replica_kms_key_id: string } };
      const destinationProvider = followReference(json, destination.bucket).provider;
      expect(followReference(json, destination.encryption_configuration.replica_kms_key_id).provider).toBe(destinationProvider);
      expect(replication.depends_on).toHaveLength(2);
    }
  });

  it('replicates through one role scoped to the two buckets and their keys', () => {
    const role = onlyResource(json, 'aws_iam_role');
    const resources = statements.flatMap((s) => s.resources);
    expect(resources).not.toContain('*');
    expect(resources.every((r) => /aws_s3_bucket\.|aws_kms_key\./.test(r))).toBe(true);
    expect(statements.flatMap((s) => s.actions)).toEqual(
      expect.arrayContaining(['s3:ReplicateObject', 's3:ReplicateDelete', 's3:GetObjectVersionForReplication', 'kms:Decrypt', 'kms:Encrypt']),
    );
    for (const replication of replications) expect(followReference(json, replication.role)).toBe(role);
  });

  it('lets only S3 assume the role, with no condition AWS does not document for replication', () => {
    const role = onlyResource(json, 'aws_iam_role');
    expect(followReference(json, role.assume_role_policy).statement).toEqual([
      { actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['s3.amazonaws.com'] }] },
    ]);
  });

  it('uses an S3 Bucket Key on both buckets, which makes the bucket ARN the encryption context', () => {
    const encryptions = values(json, 'aws_s3_bucket_server_side_encryption_configuration');
    expect(encryptions.map((e) => (e.rule as Record<string, unknown>[])[0]?.bucket_key_enabled)).toEqual([true, true]);
  });

  it('decrypts and encrypts with each key under its own bucket\'s ARN and object ARNs, through S3 in its region', () => {
    const kms = statements.filter((s) => s.actions.some((a) => a.startsWith('kms:')));
    const use = (sid: string, actions: string[], role: 'primary' | 'secondary', region: string): Statement => ({
      sid,
      actions,
      resources: [key[role]],
      condition: [
        { test: 'StringEquals', variable: 'kms:ViaService', values: [`s3.${region}.amazonaws.com`] },
        { test: 'StringLike', variable: CONTEXT, values: [bucket[role], `${bucket[role]}/*`] },
      ],
    });
    expect(kms).toEqual([
      use('DecryptSourcePrimary', ['kms:Decrypt'], 'primary', 'us-east-1'),
      use('DecryptSourceSecondary', ['kms:Decrypt'], 'secondary', 'us-east-2'),
      use('EncryptReplicaPrimary', ['kms:Encrypt', 'kms:GenerateDataKey'], 'primary', 'us-east-1'),
      use('EncryptReplicaSecondary', ['kms:Encrypt', 'kms:GenerateDataKey'], 'secondary', 'us-east-2'),
    ]);
  });

  it('allows, for every key, the ARN of the bucket that key encrypts by default', () => {
    for (const encryption of values(json, 'aws_s3_bucket_server_side_encryption_configuration')) {
      const keyArn = (encryption.rule as Record<string, Record<string, string>>[])[0]!.apply_server_side_encryption_by_default!.kms_master_key_id;
      const bucketArn = (encryption.bucket as string).replace(/\.id\}$/, '.arn}');
      const onKey = statements.filter((s) => s.resources.includes(keyArn!));
      expect(onKey.map((s) => s.sid)).toHaveLength(2);
      for (const statement of onKey) {
        expect(statement.condition?.find((c) => c.variable === CONTEXT)?.values).toContain(bucketArn);
      }
    }
  });

  it('allows no encryption context beyond the two buckets and their objects', () => {
    const allowed = new Set(statements.flatMap((s) => s.condition ?? []).filter((c) => c.variable === CONTEXT).flatMap((c) => c.values));
    expect([...allowed].sort()).toEqual([bucket.primary, `${bucket.primary}/*`, bucket.secondary, `${bucket.secondary}/*`].sort());
  });

  it('keeps the key policies free of encryption-context conditions, so the role policy alone decides', () => {
    for (const k of values(json, 'aws_kms_key')) {
      const policy = followReference(json, k.policy).statement as Statement[];
      expect(policy.flatMap((s) => s.condition ?? []).map((c) => c.variable)).not.toContain(CONTEXT);
    }
  });
});

describe('ReplicatedBuckets props', () => {
  const build = (regions: { primary: string; secondary: string }) => () => {
    const stack = new DrStack(Testing.app(), { env: defineEnvironment({ name: 'dev' }), stack: 'global' });
    new ReplicatedBuckets(stack, 'storage', { names: stack.names, providers: { primary: stack.provider('primary'), secondary: stack.provider('secondary') }, regions });
  };

  it.each([
    ['one region twice', { primary: 'us-east-1', secondary: 'us-east-1' }, 'regions: primary and secondary are both us-east-1'],
    ['a region its provider is not for', { primary: 'us-east-1', secondary: 'eu-west-1' }, 'providers.secondary: is for us-east-2, but regions.secondary is eu-west-1'],
  ])('refuses %s, naming the field', (_case, regions, message) => {
    expect(build(regions)).toThrow(message);
  });
});
