import { policyStatements, type Condition, type Statement } from '../engine/policy-document';
import type { Stack } from '../engine/stack';
import { fail, na, pass, type Outcome, type Resource } from '../engine/types';
import { KMS_KEY_TYPES, block, blocks, companions, isTrue, referenced, resourceRule } from './util';

const CONTEXT_KEY = 'kms:encryptioncontext:aws:s3:arn';

/** The default encryption of a bucket: its customer managed key, and whether it uses an S3 Bucket Key. */
interface BucketEncryption {
  readonly key?: Resource;
  readonly bucketKey: boolean;
}

function bucketEncryption(stack: Stack, bucket: Resource): BucketEncryption {
  const rules = companions(stack, bucket, 'aws_s3_bucket_server_side_encryption_configuration')
    .flatMap((c) => blocks(c.body.rule))
    .concat(blocks(block(bucket.body.server_side_encryption_configuration).rule));
  const kms = rules.find((r) => String(block(r.apply_server_side_encryption_by_default).sse_algorithm ?? '').startsWith('aws:kms'));
  if (!kms) return { bucketKey: false };
  const key = referenced(stack, block(kms.apply_server_side_encryption_by_default).kms_master_key_id, KMS_KEY_TYPES);
  return { ...(key ? { key } : {}), bucketKey: isTrue(kms.bucket_key_enabled) };
}

/** Every statement of the identity policies of a role: inline blocks, role policies, attached customer policies. */
function roleStatements(stack: Stack, role: Resource): { ok: true; statements: Statement[] } | { ok: false; reason: string } {
  const sources: { from: string; policy: unknown }[] = [
    ...blocks(role.body.inline_policy).map((b) => ({ from: role.address, policy: b.policy })),
    ...companions(stack, role, 'aws_iam_role_policy', 'role').map((p) => ({ from: p.address, policy: p.body.policy })),
    ...companions(stack, role, 'aws_iam_role_policy_attachment', 'role')
      .map((a) => referenced(stack, a.body.policy_arn, ['aws_iam_policy']))
      .filter((p): p is Resource => p !== undefined)
      .map((p) => ({ from: p.address, policy: p.body.policy })),
  ];
  const statements: Statement[] = [];
  for (const source of sources) {
    const document = policyStatements(source.policy, stack);
    if (!document.ok) return { ok: false, reason: `${source.from}: ${document.reason}` };
    statements.push(...document.statements);
  }
  return { ok: true, statements };
}

/** IAM's `*` and `?` wildcards, as StringLike and ArnLike read them. */
function globMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

/**
 * A condition value with each reference to a bucket's ARN written as a symbolic ARN of that
 * bucket (`arn:aws:s3:::<aws_s3_bucket.name>`), so patterns such as `${aws_s3_bucket.b.arn}/*`
 * can be matched without knowing the bucket's name.
 */
const symbolic = (value: string): string => value.replace(/\$\{aws_s3_bucket\.([^.}]+)\.arn\}/g, 'arn:aws:s3:::<aws_s3_bucket.$1>');

/** The ARN of a bucket as `symbolic` spells it, and literally when its name is a literal. */
function bucketArns(bucket: Resource): string[] {
  const name = bucket.body.bucket;
  const literal = typeof name === 'string' && !name.includes('${') ? [`arn:aws:s3:::${name}`] : [];
  return [`arn:aws:s3:::<${bucket.address}>`, ...literal];
}

/** Whether one condition holds for the given context value; undefined when its operator is not one this rule reads. */
function conditionHolds(condition: Condition, arns: readonly string[]): boolean | undefined {
  const test = condition.test.replace(/^For(Any|All)Values:/, '').replace(/IfExists$/, '');
  const negated = /^(String|Arn)Not/.test(test);
  const operator = negated ? test.replace('Not', '') : test;
  let match: (pattern: string) => boolean;
  // ArnEquals and ArnLike both take wildcards; StringEquals compares exactly.
  if (operator === 'StringLike' || operator === 'ArnLike' || operator === 'ArnEquals') match = (p) => arns.some((a) => globMatches(symbolic(p), a));
  else if (operator === 'StringEquals') match = (p) => arns.includes(symbolic(p));
  else if (operator === 'StringEqualsIgnoreCase') match = (p) => arns.some((a) => a.toLowerCase() === symbolic(p).toLowerCase());
  else return undefined;
  const matches = condition.values.some(match);
  return negated ? !matches : matches;
}

/** Whether a statement applies to an action on a key (any other condition, such as kms:ViaService, is assumed met). */
function appliesTo(stack: Stack, statement: Statement, action: string, key: Resource): boolean {
  const onAction = statement.actions.some((a) => globMatches(a, action, true));
  const onKey = statement.resources.some((r) => r === '*' || stack.resolve(r) === key);
  return onAction && onKey;
}

type ContextCheck = { readonly allowed: boolean } | { readonly unreadable: Condition };

/** Whether a statement's encryption-context conditions let the bucket ARN through (no such condition: they do). */
function allowsBucketArn(statement: Statement, bucket: Resource): ContextCheck {
  const arns = bucketArns(bucket);
  for (const condition of statement.conditions.filter((c) => c.variable.toLowerCase() === CONTEXT_KEY)) {
    const holds = conditionHolds(condition, arns);
    if (holds === undefined) return { unreadable: condition };
    if (!holds) return { allowed: false };
  }
  return { allowed: true };
}

/**
 * A use of a key S3 makes while replicating, under a bucket's ARN as encryption context, must be
 * allowed by some Allow statement of the role's identity policies and refused by no Deny
 * statement (the keys' policies are expected to let IAM policies grant use, as ours do).
 */
function checkUse(stack: Stack, statements: readonly Statement[], action: string, key: Resource, bucket: Resource): string | undefined {
  const applicable = statements.filter((s) => appliesTo(stack, s, action, key));
  const results = applicable.map((s) => ({ statement: s, check: allowsBucketArn(s, bucket) }));
  const unreadable = results.find((r) => 'unreadable' in r.check);
  if (unreadable && 'unreadable' in unreadable.check) {
    return `cannot read condition ${unreadable.check.unreadable.test} on ${unreadable.check.unreadable.variable}`;
  }
  const allowed = (effect: 'Allow' | 'Deny') => results.filter((r) => r.statement.effect === effect && 'allowed' in r.check && r.check.allowed);
  const denied = allowed('Deny')[0];
  if (denied) return `${action} on ${key.address} is denied${denied.statement.sid ? ` by ${denied.statement.sid}` : ''} under the bucket ARN of ${bucket.address}`;
  if (allowed('Allow').length > 0) return undefined;
  const grants = applicable.filter((s) => s.effect === 'Allow');
  if (grants.length === 0) return `no statement allows ${action} on ${key.address}`;
  const contexts = grants.flatMap((s) => s.conditions.filter((c) => c.variable.toLowerCase() === CONTEXT_KEY).flatMap((c) => c.values));
  return `${action} on ${key.address} is allowed only under encryption context ${contexts.join(', ')}, not the ARN of ${bucket.address} that an S3 Bucket Key uses`;
}

/**
 * With an S3 Bucket Key on the source or the destination bucket, the encryption context S3 gives
 * KMS while replicating is the bucket ARN, not the object ARN: a role allowed to use the keys only
 * under `<bucket>/*` is refused every replication. S3 decrypts with the source key (source bucket
 * ARN), encrypts the replica with the destination key and checks the destination Bucket Key with
 * kms:Decrypt on it (destination bucket ARN).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html#bk-replication
 */
function replicationKeyUse(configuration: Resource, stack: Stack): Outcome {
  const rules = blocks(configuration.body.rule).filter((r) => r.status === 'Enabled');
  if (rules.length === 0) return na('no enabled replication rule');
  const source = referenced(stack, configuration.body.bucket, ['aws_s3_bucket']);
  if (!source) return fail('the source bucket is not an aws_s3_bucket of this stack');
  const role = referenced(stack, configuration.body.role, ['aws_iam_role']);
  if (!role) return fail('the replication role is not an aws_iam_role of this stack');
  const document = roleStatements(stack, role);
  if (!document.ok) return fail(document.reason);
  const sourceEncryption = bucketEncryption(stack, source);
  let checked = false;
  for (const rule of rules) {
    const destination = block(rule.destination);
    const destinationBucket = referenced(stack, destination.bucket, ['aws_s3_bucket']);
    const destinationEncryption = destinationBucket ? bucketEncryption(stack, destinationBucket) : { bucketKey: false };
    if (!sourceEncryption.bucketKey && !destinationEncryption.bucketKey) continue;
    checked = true;
    const replicaKey = referenced(stack, block(destination.encryption_configuration).replica_kms_key_id, KMS_KEY_TYPES);
    const uses: [string, Resource | undefined, Resource | undefined][] = [
      ['kms:Decrypt', sourceEncryption.key, source],
      ['kms:Encrypt', replicaKey, destinationBucket],
      ['kms:Decrypt', replicaKey, destinationBucket],
    ];
    for (const [action, key, bucket] of uses) {
      if (!key || !bucket) continue;
      const problem = checkUse(stack, document.statements, action, key, bucket);
      if (problem) return fail(`rule ${String(rule.id)}: ${problem}`);
    }
  }
  return checked ? pass() : na('neither bucket uses an S3 Bucket Key');
}

export const s3ReplicationKmsRules = [
  resourceRule({
    id: 's3-replication-kms-context-bucket-arn',
    mirrors: null,
    title: 'S3 replication roles may use the KMS keys under the bucket-ARN encryption context an S3 Bucket Key gives',
    severity: 'high',
    resourceTypes: ['aws_s3_bucket_replication_configuration'],
    check: replicationKeyUse,
  }),
];
