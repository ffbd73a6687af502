import { SECURE_TRANSPORT } from '@txn-dr/contracts';
import { hasWildcardPrincipal, policyStatements, type Statement } from '../engine/policy-document';
import type { Stack } from '../engine/stack';
import { fail, na, pass, type Outcome, type Resource } from '../engine/types';
import { KMS_KEY_TYPES, block, blocks, companions, isTrue, referenced, resourceRule, toNumber } from './util';

const BUCKET = ['aws_s3_bucket'];

/** Enabled rules of the bucket's lifecycle configuration(s). */
function lifecycleRules(stack: Stack, bucket: Resource): Record<string, unknown>[] {
  return companions(stack, bucket, 'aws_s3_bucket_lifecycle_configuration')
    .flatMap((c) => blocks(c.body.rule))
    .concat(blocks(bucket.body.lifecycle_rule).map((r) => ({ ...r, status: isTrue(r.enabled) ? 'Enabled' : 'Disabled' })))
    .filter((r) => r.status === 'Enabled');
}

/** A Deny to everyone of S3 actions when aws:SecureTransport is false. */
function deniesInsecureTransport(statement: Statement): boolean {
  return (
    statement.effect === 'Deny' &&
    hasWildcardPrincipal(statement) &&
    statement.actions.some((a) => a === 's3:*' || a === '*') &&
    statement.conditions.some((c) => c.test === 'Bool' && c.variable === SECURE_TRANSPORT.key && c.values.includes(SECURE_TRANSPORT.insecure))
  );
}

function tlsOnly(stack: Stack, bucket: Resource): Outcome {
  const policies = companions(stack, bucket, 'aws_s3_bucket_policy');
  if (policies.length === 0) return fail('no aws_s3_bucket_policy references the bucket');
  for (const policy of policies) {
    const document = policyStatements(policy.body.policy, stack);
    if (!document.ok) return fail(`${policy.address}: ${document.reason}`);
    const deny = document.statements.find(deniesInsecureTransport);
    if (!deny) continue;
    // The deny must cover the bucket and its objects.
    const onBucket = deny.resources.some((r) => stack.resolve(r) === bucket && !r.endsWith('/*'));
    const onObjects = deny.resources.some((r) => stack.resolve(r) === bucket && r.endsWith('/*'));
    if (onBucket && onObjects) return pass();
    return fail(`${policy.address} denies insecure transport but not on both the bucket and its objects`);
  }
  return fail('no bucket policy statement denies requests with aws:SecureTransport false');
}

export const s3Rules = [
  resourceRule({
    id: 's3-versioning',
    mirrors: 'CKV_AWS_21',
    title: 'S3 buckets have versioning enabled (aws_s3_bucket_versioning)',
    severity: 'medium',
    resourceTypes: BUCKET,
    check: (bucket, stack) => {
      const enabled =
        companions(stack, bucket, 'aws_s3_bucket_versioning').some((v) => block(v.body.versioning_configuration).status === 'Enabled') ||
        isTrue(block(bucket.body.versioning).enabled);
      return enabled ? pass() : fail('no aws_s3_bucket_versioning with status Enabled references the bucket');
    },
  }),
  resourceRule({
    id: 's3-sse-kms',
    mirrors: 'CKV_AWS_145',
    title: 'S3 buckets encrypt by default with SSE-KMS under a customer managed key',
    severity: 'high',
    resourceTypes: BUCKET,
    check: (bucket, stack) => {
      const configs = companions(stack, bucket, 'aws_s3_bucket_server_side_encryption_configuration');
      const rules = configs.flatMap((c) => blocks(c.body.rule)).concat(blocks(block(bucket.body.server_side_encryption_configuration).rule));
      if (rules.length === 0) return fail('no aws_s3_bucket_server_side_encryption_configuration references the bucket');
      for (const rule of rules) {
        const byDefault = block(rule.apply_server_side_encryption_by_default);
        if (!String(byDefault.sse_algorithm ?? '').startsWith('aws:kms')) return fail(`sse_algorithm is ${String(byDefault.sse_algorithm)}, not aws:kms`);
        if (!referenced(stack, byDefault.kms_master_key_id, KMS_KEY_TYPES)) return fail('kms_master_key_id does not reference a customer managed aws_kms_key');
      }
      return pass();
    },
  }),
  resourceRule({
    id: 's3-public-access-block',
    mirrors: 'CKV2_AWS_6',
    title: 'S3 buckets have a public access block with all four settings on',
    severity: 'critical',
    resourceTypes: BUCKET,
    check: (bucket, stack) => {
      const accessBlocks = companions(stack, bucket, 'aws_s3_bucket_public_access_block');
      if (accessBlocks.length === 0) return fail('no aws_s3_bucket_public_access_block references the bucket');
      const settings = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];
      const off = settings.filter((s) => !accessBlocks.some((b) => isTrue(b.body[s])));
      return off.length === 0 ? pass() : fail(`public access block leaves ${off.join(', ')} off`);
    },
  }),
  resourceRule({
    id: 's3-tls-only',
    mirrors: 'AwsSolutions-S10',
    title: 'S3 bucket policies deny requests without TLS (aws:SecureTransport false) on the bucket and its objects',
    severity: 'high',
    resourceTypes: BUCKET,
    check: (bucket, stack) => tlsOnly(stack, bucket),
  }),
  resourceRule({
    id: 's3-replication',
    mirrors: 'CKV_AWS_144',
    title: 'S3 buckets replicate to another region (aws_s3_bucket_replication_configuration with an enabled rule)',
    severity: 'medium',
    resourceTypes: BUCKET,
    check: (bucket, stack) => {
      const configs = companions(stack, bucket, 'aws_s3_bucket_replication_configuration');
      const enabled = configs.flatMap((c) => blocks(c.body.rule)).filter((r) => r.status === 'Enabled');
      if (enabled.length === 0) return fail('no aws_s3_bucket_replication_configuration with an enabled rule has this bucket as its source');
      const crossRegion = enabled.some((r) => {
        const destination = stack.resolve(block(r.destination).bucket);
        return destination !== undefined && destination !== bucket && stack.regionOf(destination) !== stack.regionOf(bucket);
      });
      return crossRegion ? pass() : fail('replication destination is not a bucket of another region in this stack');
    },
  }),
  resourceRule({
    id: 's3-lifecycle',
    mirrors: 'CKV2_AWS_61',
    title: 'S3 buckets have a lifecycle configuration with an enabled rule',
    severity: 'low',
    resourceTypes: BUCKET,
    check: (bucket, stack) => (lifecycleRules(stack, bucket).length > 0 ? pass() : fail('no enabled lifecycle rule references the bucket')),
  }),
  resourceRule({
    id: 's3-abort-incomplete-uploads',
    mirrors: 'CKV_AWS_300',
    title: 'S3 lifecycle aborts incomplete multipart uploads',
    severity: 'low',
    resourceTypes: BUCKET,
    check: (bucket, stack) =>
      lifecycleRules(stack, bucket).some((r) => (toNumber(block(r.abort_incomplete_multipart_upload).days_after_initiation) ?? 0) > 0)
        ? pass()
        : fail('no enabled lifecycle rule sets abort_incomplete_multipart_upload'),
  }),
  resourceRule({
    id: 's3-acls-disabled',
    mirrors: 'CKV2_AWS_65',
    title: 'S3 object ownership is BucketOwnerEnforced (ACLs disabled)',
    severity: 'medium',
    resourceTypes: BUCKET,
    check: (bucket, stack) =>
      companions(stack, bucket, 'aws_s3_bucket_ownership_controls').some((c) => block(c.body.rule).object_ownership === 'BucketOwnerEnforced')
        ? pass()
        : fail('no aws_s3_bucket_ownership_controls with BucketOwnerEnforced references the bucket'),
  }),
  resourceRule({
    id: 's3-replica-encryption',
    mirrors: null,
    title: 'S3 replication rules replicate KMS-encrypted objects and encrypt replicas with a customer managed key',
    severity: 'medium',
    resourceTypes: ['aws_s3_bucket_replication_configuration'],
    check: (r, stack) => {
      const enabled = blocks(r.body.rule).filter((x) => x.status === 'Enabled');
      if (enabled.length === 0) return na('no enabled replication rule');
      for (const rule of enabled) {
        const selected = block(block(rule.source_selection_criteria).sse_kms_encrypted_objects).status === 'Enabled';
        if (!selected) return fail(`rule ${String(rule.id)} does not select sse_kms_encrypted_objects`);
        const key = block(block(rule.destination).encryption_configuration).replica_kms_key_id;
        if (!referenced(stack, key, KMS_KEY_TYPES)) return fail(`rule ${String(rule.id)} has no replica_kms_key_id referencing a customer managed key`);
      }
      return pass();
    },
  }),
];
