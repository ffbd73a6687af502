import { evaluate } from '../src/engine/evaluate';
import { SYNTH_HINT, synthesizedPath } from '../src/engine/load';
import { policyStatements } from '../src/engine/policy-document';
import { interpolations, referencesIn } from '../src/engine/references';
import { Stack } from '../src/engine/stack';
import { fail, pass, type ResourceRule, type Suppression } from '../src/engine/types';
import { RULES } from '../src/rules';
import { isUnscopable } from '../src/rules/iam';
import { SUPPRESSIONS } from '../suppressions';

describe('references', () => {
  it('finds resources, data sources and ephemeral resources inside interpolations', () => {
    const refs = referencesIn(
      'arn:${data.aws_partition.partition-primary.partition}:${jsondecode(ephemeral.aws_secretsmanager_secret_version.database_master.secret_string).password}/${aws_s3_bucket.logs_bucket_BCCF62D5.arn}/*',
    );
    expect(refs.map((r) => [r.address, r.attribute])).toEqual([
      ['data.aws_partition.partition-primary', 'partition'],
      ['ephemeral.aws_secretsmanager_secret_version.database_master', 'secret_string'],
      ['aws_s3_bucket.logs_bucket_BCCF62D5', 'arn'],
    ]);
  });

  it('ignores string literals, functions and plain text', () => {
    expect(referencesIn('${element(data.aws_availability_zones.zones.names, 0)}').map((r) => r.address)).toEqual(['data.aws_availability_zones.zones']);
    expect(referencesIn('${jsonencode({"aws_s3_bucket.fake.arn" = "x"})}')).toEqual([]);
    expect(referencesIn('aws_s3_bucket.not_interpolated.arn')).toEqual([]);
    expect(interpolations('a${x}b${f({y})}')).toEqual(['x', 'f({y})']);
  });

  it('resolves to resources of the stack and finds who references them', () => {
    const stack = new Stack('s', {
      resource: {
        aws_kms_key: { k: {} },
        aws_s3_bucket: { b: {} },
        aws_s3_bucket_versioning: { v: { bucket: '${aws_s3_bucket.b.id}' } },
        aws_s3_bucket_server_side_encryption_configuration: {
          e: { bucket: '${aws_s3_bucket.b.id}', rule: [{ apply_server_side_encryption_by_default: { kms_master_key_id: '${aws_kms_key.k.arn}' } }] },
        },
      },
    });
    const bucket = stack.get('aws_s3_bucket.b')!;
    expect(stack.resolve('${aws_kms_key.k.arn}')?.address).toBe('aws_kms_key.k');
    expect(stack.resolve('${aws_kms_key.missing.arn}')).toBeUndefined();
    expect(stack.referrers(bucket).map((r) => r.address).sort()).toEqual([
      'aws_s3_bucket_server_side_encryption_configuration.e',
      'aws_s3_bucket_versioning.v',
    ]);
    expect(stack.referrers(bucket, 'aws_s3_bucket_versioning', 'bucket').map((r) => r.address)).toEqual(['aws_s3_bucket_versioning.v']);
    // A reference nested deep in a block counts for the top-level argument holding it.
    expect(stack.referrers(stack.get('aws_kms_key.k')!, undefined, 'rule').map((r) => r.address)).toEqual([
      'aws_s3_bucket_server_side_encryption_configuration.e',
    ]);
  });

  it('reads the region of a resource from its provider alias', () => {
    const stack = new Stack('s', {
      provider: { aws: [{ alias: 'primary', region: 'us-east-1' }, { alias: 'secondary', region: 'us-east-2' }] },
      resource: { aws_sns_topic: { a: { provider: 'aws.primary' }, b: { provider: 'aws.secondary' } } },
    });
    expect(stack.regionOf(stack.get('aws_sns_topic.a')!)).toBe('us-east-1');
    expect(stack.regionOf(stack.get('aws_sns_topic.b')!)).toBe('us-east-2');
  });
});

describe('policy documents', () => {
  const stack = new Stack('s', {
    data: {
      aws_iam_policy_document: {
        base: { statement: [{ sid: 'Base', actions: ['s3:GetObject'], resources: ['*'] }] },
        doc: {
          source_policy_documents: ['${data.aws_iam_policy_document.base.json}'],
          statement: [{ effect: 'Deny', actions: ['s3:*'], principals: [{ type: 'AWS', identifiers: ['*'] }], condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }] }],
        },
      },
    },
  });

  it('reads data.aws_iam_policy_document, with its source documents', () => {
    const result = policyStatements('${data.aws_iam_policy_document.doc.json}', stack);
    if (!result.ok) throw new Error(result.reason);
    expect(result.statements.map((s) => [s.sid, s.effect, s.actions])).toEqual([
      ['Base', 'Allow', ['s3:GetObject']],
      [undefined, 'Deny', ['s3:*']],
    ]);
    expect(result.statements[1]!.conditions).toEqual([{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }]);
  });

  it('reads literal JSON documents with single values and principal maps', () => {
    const json = JSON.stringify({ Statement: { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ec2.amazonaws.com' } } });
    const result = policyStatements(json, stack);
    if (!result.ok) throw new Error(result.reason);
    expect(result.statements[0]).toMatchObject({ effect: 'Allow', actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['ec2.amazonaws.com'] }] });
    const everyone = policyStatements(JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Principal: '*' }] }), stack);
    expect(everyone.ok && everyone.statements[0]!.principals).toEqual([{ type: '*', identifiers: ['*'] }]);
  });

  it('says so when a policy cannot be read, rather than passing it', () => {
    expect(policyStatements('${jsonencode(local.policy)}', stack)).toMatchObject({ ok: false });
    expect(policyStatements('{not json', stack)).toMatchObject({ ok: false });
    expect(policyStatements(undefined, stack)).toMatchObject({ ok: false });
  });
});

describe('unscopable actions', () => {
  it('allows listed actions and prefixes only', () => {
    expect(isUnscopable('cloudwatch:PutMetricData')).toBe(true);
    expect(isUnscopable('ec2:DescribeInstances')).toBe(true);
    expect(isUnscopable('ec2:*')).toBe(false);
    expect(isUnscopable('ssm:GetParameter')).toBe(false);
  });
});

describe('suppressions', () => {
  const rule: ResourceRule = {
    kind: 'resource',
    id: 'test-tagged',
    mirrors: null,
    title: 'Buckets are tagged',
    severity: 'low',
    resourceTypes: ['aws_s3_bucket'],
    check: (r) => (r.body.tags ? pass() : fail('untagged')),
  };
  const stack = new Stack('primary', { resource: { aws_s3_bucket: { tagged: { tags: { a: 'b' } }, bare: {} } } });
  const suppression: Suppression = { rule: 'test-tagged', stack: 'primary', resource: 'aws_s3_bucket.bare', reason: 'because' };

  it('fails on an unsuppressed failure', () => {
    const report = evaluate([rule], [stack]);
    expect(report.ok).toBe(false);
    expect(report.failures.map((f) => f.resource)).toEqual(['aws_s3_bucket.bare']);
  });

  it('turns a matching failure into SUPPRESSED, with its reason', () => {
    const report = evaluate([rule], [stack], [suppression]);
    expect(report.ok).toBe(true);
    expect(report.findings.find((f) => f.resource === 'aws_s3_bucket.bare')).toMatchObject({ result: 'SUPPRESSED', reason: 'untagged', suppressedBecause: 'because' });
  });

  it.each([
    ['another resource', { ...suppression, resource: 'aws_s3_bucket.gone' }],
    ['another stack', { ...suppression, stack: 'secondary' }],
    ['another rule', { ...suppression, rule: 'test-other' }],
    ['a resource that passes', { ...suppression, resource: 'aws_s3_bucket.tagged' }],
  ])('fails the suite on a suppression that matches nothing (%s)', (_name, stale) => {
    const report = evaluate([rule], [stack], [suppression, stale]);
    expect(report.ok).toBe(false);
    expect(report.failures).toEqual([]);
    expect(report.unmatchedSuppressions).toEqual([stale]);
  });

  it('turns a rule that throws into a failure, not a pass', () => {
    const throwing: ResourceRule = { ...rule, check: () => { throw new Error('boom'); } };
    expect(evaluate([throwing], [stack]).failures[0]?.reason).toBe('rule threw: boom');
  });

  it('every suppression names a known rule and stack and gives a reason', () => {
    const ids = new Set(RULES.map((r) => r.id));
    for (const s of SUPPRESSIONS) {
      expect(ids.has(s.rule)).toBe(true);
      expect(['global', 'primary', 'secondary']).toContain(s.stack);
      expect(s.reason.length).toBeGreaterThan(20);
    }
  });
});

describe('the rule set', () => {
  it('has at least 40 rules', () => {
    expect(RULES.length).toBeGreaterThanOrEqual(40);
  });

  it('has unique, kebab-case ids', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)+$/);
  });

  it('names the Checkov or cdk-nag rule mirrored in their own spelling, or null', () => {
    for (const rule of RULES) if (rule.mirrors !== null) expect(rule.mirrors).toMatch(/^(CKV2?_AWS_\d+|AwsSolutions-[A-Z0-9]+)$/);
  });

  it('gives every resource rule at least one resource type and a title', () => {
    for (const rule of RULES) {
      expect(rule.title.length).toBeGreaterThan(10);
      if (rule.kind === 'resource') expect(rule.resourceTypes.length).toBeGreaterThan(0);
    }
  });
});

describe('loading synthesized stacks', () => {
  it('fails with a message saying to synth when the output is missing', () => {
    expect(() => synthesizedPath('/nonexistent-workspace', 'primary')).toThrow(SYNTH_HINT);
  });
});
