import { defineEnvironment } from '@txn-dr/config';
import { DrStack } from '@txn-dr/infra-core';
import { followReference, onlyResource, synthesize } from '@txn-dr/infra-core/testing';
import { Testing } from 'cdktf';
import { SecureBucket } from './secure-bucket';

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

  it('applies its lifecycle rule to every object through an explicit empty prefix, not an empty filter block', () => {
    const rules = onlyResource(json, 'aws_s3_bucket_lifecycle_configuration').rule as Record<string, unknown>[];
    expect(rules.map((r) => r.filter)).toEqual([[{ prefix: '' }]]);
  });
});
