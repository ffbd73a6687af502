import { evaluate } from '../src/engine/evaluate';
import { Stack } from '../src/engine/stack';
import { RULES } from '../src/rules';
import { ARN, KEY, keyUse, keyUses, replicatedPair, type PairOptions } from './fixtures/s3-replication-kms';

const RULE = RULES.find((r) => r.id === 's3-replication-kms-context-bucket-arn')!;

function run(statements: Record<string, unknown>[], options?: PairOptions) {
  const [finding] = evaluate([RULE], [new Stack('fixture', replicatedPair(statements, options))]).findings;
  return { result: finding?.result, reason: finding?.reason ?? '' };
}

const both = (arn: string) => [arn, `${arn}/*`];
const objects = (arn: string) => [`${arn}/*`];
const decryptSource = (contexts: string[], test?: string) => keyUse(['kms:Decrypt'], KEY.source, contexts, test);
const replicaUses = keyUses(both).slice(1);

describe('s3-replication-kms-context-bucket-arn', () => {
  it.each([
    ['the bucket ARN and its objects', keyUses(both)],
    ['the bucket ARN alone', keyUses((arn) => [arn])],
    ['a prefix wildcard that covers the bucket ARN', keyUses((arn) => [`${arn}*`])],
    ['no encryption-context condition', [{ actions: ['kms:Decrypt', 'kms:Encrypt'], resources: [KEY.source, KEY.replica] }]],
    ['literal bucket ARNs', [decryptSource(['arn:aws:s3:::data']), ...keyUses(both).slice(1)]],
    ['StringEquals on the bucket ARN', [decryptSource([ARN.source], 'StringEquals'), ...replicaUses]],
    ['kms:* on the keys', [keyUse(['kms:*'], KEY.source, [ARN.source]), ...replicaUses]],
  ])('passes with %s', (_case, statements) => {
    expect(run(statements)).toEqual({ result: 'PASS', reason: '' });
  });

  it.each([
    ['object ARNs only, as before', keyUses(objects), /kms:Decrypt on aws_kms_key\.source is allowed only under encryption context \$\{aws_s3_bucket\.source\.arn\}\/\*/],
    ['a literal object ARN pattern', [decryptSource(['arn:aws:s3:::data/*']), ...replicaUses], /not the ARN of aws_s3_bucket\.source/],
    ['the other bucket’s ARN', [decryptSource([ARN.replica]), ...replicaUses], /kms:Decrypt on aws_kms_key\.source/],
    ['StringEquals on the object pattern', [decryptSource([`${ARN.source}/*`], 'StringEquals'), ...replicaUses], /kms:Decrypt on aws_kms_key\.source/],
    ['no kms:Encrypt on the replica key', keyUses(both).slice(0, 2), /no statement allows kms:Encrypt on aws_kms_key\.replica/],
    ['no kms:Decrypt on the replica key, which checks its Bucket Key', [keyUses(both)[0]!, keyUses(both)[2]!], /no statement allows kms:Decrypt on aws_kms_key\.replica/],
    ['the replica key for object ARNs only', [keyUses(both)[0]!, ...keyUses(objects).slice(1)], /kms:Encrypt on aws_kms_key\.replica is allowed only/],
    [
      'a Deny under the bucket ARN',
      [...keyUses(both), { sid: 'NoBucketContext', effect: 'Deny', ...decryptSource([ARN.source], 'StringEquals') }],
      /denied by NoBucketContext/,
    ],
    ['an operator the rule cannot read', [decryptSource([ARN.source], 'NumericEquals'), ...replicaUses], /cannot read condition NumericEquals/],
  ])('fails with %s', (_case, statements, reason) => {
    const { result, reason: why } = run(statements);
    expect(result).toBe('FAIL');
    expect(why).toMatch(reason);
  });

  it('requires the bucket ARN when only the destination bucket uses a Bucket Key', () => {
    expect(run(keyUses(objects), { bucketKeys: { source: false, replica: true } }).result).toBe('FAIL');
  });

  it('does not apply when neither bucket uses a Bucket Key (the context is then the object ARN)', () => {
    expect(run(keyUses(objects), { bucketKeys: { source: false, replica: false } })).toEqual({
      result: 'N/A',
      reason: 'neither bucket uses an S3 Bucket Key',
    });
  });

  it('reads a customer managed policy attached to the role', () => {
    const policy = (contexts: (arn: string) => string[]) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY.source, Condition: { StringLike: { 'kms:EncryptionContext:aws:s3:arn': contexts(ARN.source) } } },
          {
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:Encrypt'],
            Resource: KEY.replica,
            Condition: { StringLike: { 'kms:EncryptionContext:aws:s3:arn': contexts(ARN.replica) } },
          },
        ],
      });
    expect(run([], { attachedPolicy: policy(both) }).result).toBe('PASS');
    expect(run([], { attachedPolicy: policy(objects) }).result).toBe('FAIL');
  });
});
