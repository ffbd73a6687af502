import { defineEnvironment } from '@txn-dr/config';
import { DrStack } from '@txn-dr/infra-core';
import { type SynthesizedStack, followReference, onlyResource, resourcesOfType, synthesize } from '@txn-dr/infra-core/testing';
import { Testing } from 'cdktf';
import { ReplicatedBuckets } from './replicated-buckets';
import { SecureBucket } from './secure-bucket';

const values = (json: SynthesizedStack, type: string) => Object.values(resourcesOfType(json, type));

describe('SecureBucket', () => {
  const stack = new DrStack(Testing.app(), { env: defineEnvironment({ name: 'dev' }), stack: 'primary' });
  new SecureBucket(stack, 'logs', { provider: stack.provider('primary'), name: 'txdr-dev-primary-logs' });
  const json = synthesize(stack);

  it('versions, blocks public access and disables ACLs', () => {
    expect(onlyResource(json, 'aws_s3_bucket_versioning').versioning_configuration).toEqual({ status: 'Enabled' });
    expect(onlyResource(json, 'aws_s3_bucket_public_access_block')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(onlyResource(json, 'aws_s3_bucket_ownership_controls').rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
  });

  it('falls back to S3-managed encryption only when no key is given', () => {
    expect(onlyResource(json, 'aws_s3_bucket_server_side_encryption_configuration').rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } },
    ]);
  });

  it('refuses anything but TLS 1.2 or newer', () => {
    const policy = followReference(json, onlyResource(json, 'aws_s3_bucket_policy').policy);
    const statements = policy.statement as Record<string, unknown>[];
    expect(statements.map((s) => [s.sid, s.effect])).toEqual([
      ['DenyInsecureTransport', 'Deny'],
      ['DenyOutdatedTls', 'Deny'],
    ]);
    expect(statements[0]?.condition).toEqual([{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }]);
  });

  it('expires old versions and abandoned uploads', () => {
    expect((onlyResource(json, 'aws_s3_bucket_lifecycle_configuration').rule as Record<string, unknown>[])[0]).toMatchObject({
      status: 'Enabled',
      noncurrent_version_expiration: [{ noncurrent_days: 90 }],
      abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
    });
  });
});

describe('ReplicatedBuckets', () => {
  const stack = new DrStack(Testing.app(), { env: defineEnvironment({ name: 'dev' }), stack: 'global' });
  new ReplicatedBuckets(stack, 'storage', { env: stack.env, providers: { primary: stack.provider('primary'), secondary: stack.provider('secondary') } });
  const json = synthesize(stack);
  const buckets = values(json, 'aws_s3_bucket');
  const replications = values(json, 'aws_s3_bucket_replication_configuration');

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
    expect(followReference(json, role.assume_role_policy).statement).toEqual([
      expect.objectContaining({ principals: [{ type: 'Service', identifiers: ['s3.amazonaws.com'] }] }),
    ]);
    const statements = followReference(json, onlyResource(json, 'aws_iam_role_policy').policy).statement as { resources: string[]; actions: string[] }[];
    const resources = statements.flatMap((s) => s.resources);
    expect(resources).not.toContain('*');
    expect(resources.every((r) => /aws_s3_bucket\.|aws_kms_key\./.test(r))).toBe(true);
    expect(statements.flatMap((s) => s.actions)).toEqual(
      expect.arrayContaining(['s3:ReplicateObject', 's3:ReplicateDelete', 's3:GetObjectVersionForReplication', 'kms:Decrypt', 'kms:Encrypt']),
    );
    for (const replication of replications) expect(followReference(json, replication.role)).toBe(role);
  });
});
