import { evaluate } from '../src/engine/evaluate';
import { SYNTH_HINT, synthesizedPath } from '../src/engine/load';
import { policyStatements } from '../src/engine/policy-document';
import { interpolations, referencesIn } from '../src/engine/references';
import { Stack } from '../src/engine/stack';
import { MalformedSuppressionError, SUPPRESSIONS_METADATA_KEY, suppressionProblems } from '../src/engine/suppressions';
import { fail, pass, type ResourceRule } from '../src/engine/types';
import { RULES } from '../src/rules';
import { isUnscopable } from '../src/rules/iam';

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

describe('suppressions written on the resources', () => {
  const rule: ResourceRule = {
    kind: 'resource',
    id: 'test-tagged',
    mirrors: null,
    title: 'Buckets are tagged',
    severity: 'low',
    resourceTypes: ['aws_s3_bucket'],
    check: (r) => (r.body.tags ? pass() : fail('untagged')),
  };
  const named: ResourceRule = { ...rule, id: 'test-named', title: 'Buckets are named', check: (r) => (r.body.bucket ? pass() : fail('unnamed')) };
  /** cdktf's `//` block of a resource, with the suppressions `suppress()` adds to it. */
  const meta = (path: string, ...suppressions: { id: string; reason: string }[]) => ({
    '//': { metadata: { path, uniqueId: path.split('/').pop() }, ...(suppressions.length > 0 ? { [SUPPRESSIONS_METADATA_KEY]: suppressions } : {}) },
  });
  const because = { id: 'test-tagged', reason: 'tags come from the provider here' };
  const stackWith = (bare: Record<string, unknown>, others: Record<string, Record<string, unknown>> = {}) =>
    new Stack('primary', { resource: { aws_s3_bucket: { tagged: { tags: { a: 'b' }, bucket: 'x', ...meta('primary/tagged') }, bare: { ...meta('primary/bare'), ...bare }, ...others } } });
  const suppressed = (...suppressions: { id: string; reason: string }[]) => stackWith({ bucket: 'y', ...meta('primary/bare', ...suppressions) });

  it('fails on an unsuppressed failure', () => {
    const report = evaluate([rule], [stackWith({ bucket: 'y' })]);
    expect(report.ok).toBe(false);
    expect(report.failures.map((f) => f.resource)).toEqual(['aws_s3_bucket.bare']);
  });

  it('reads them from the `//` block, with the construct path, and keeps them out of the arguments', () => {
    const stack = suppressed(because);
    expect(stack.suppressions()).toEqual([{ rule: 'test-tagged', stack: 'primary', resource: 'aws_s3_bucket.bare', path: 'primary/bare', reason: because.reason }]);
    expect(stack.get('aws_s3_bucket.bare')?.body).toEqual({ bucket: 'y' });
  });

  it('turns a matching failure into SUPPRESSED, with its reason', () => {
    const report = evaluate([rule], [suppressed(because)]);
    expect(report.ok).toBe(true);
    expect(report.findings.find((f) => f.resource === 'aws_s3_bucket.bare')).toMatchObject({ result: 'SUPPRESSED', reason: 'untagged', suppressedBecause: because.reason });
  });

  it('silences exactly the rule it names on exactly its resource', () => {
    const stack = new Stack('primary', {
      resource: { aws_s3_bucket: { bare: { ...meta('primary/bare', because) }, other: { ...meta('primary/other') } } },
    });
    const report = evaluate([rule, named], [stack]);
    expect(report.findings.map((f) => `${f.rule} ${f.resource} ${f.result}`)).toEqual([
      'test-tagged aws_s3_bucket.bare SUPPRESSED',
      'test-tagged aws_s3_bucket.other FAIL',
      'test-named aws_s3_bucket.bare FAIL',
      'test-named aws_s3_bucket.other FAIL',
    ]);
  });

  it.each([
    ['a resource that passes', stackWith({ bucket: 'y' }, { kept: { tags: { a: 'b' }, ...meta('primary/kept', because) } }), 'test-tagged aws_s3_bucket.kept'],
    ['a resource the rule does not apply to', new Stack('primary', { resource: { aws_sqs_queue: { q: meta('primary/q', because) } } }), 'test-tagged aws_sqs_queue.q'],
    ['a rule that does not exist', suppressed(because, { id: 'test-tagged-typo', reason: 'a misspelt rule id' }), 'test-tagged-typo aws_s3_bucket.bare'],
  ])('fails the suite on a suppression that matches nothing (%s)', (_name, stack, stale) => {
    const report = evaluate([rule], [stack]);
    expect(report.ok).toBe(false);
    expect(report.unmatchedSuppressions.map((s) => `${s.rule} ${s.resource}`)).toEqual([stale]);
  });

  it('refuses a `//` block whose suppressions are not { id, reason }', () => {
    const malformed = (value: unknown) => () => new Stack('primary', { resource: { aws_s3_bucket: { b: { '//': { [SUPPRESSIONS_METADATA_KEY]: value } } } } });
    expect(malformed([{ id: 'test-tagged' }])).toThrow(/aws_s3_bucket\.b: "\/\/"\.policySuppressions\[0\] is not \{ id, reason \}/);
    expect(malformed('test-tagged')).toThrow(MalformedSuppressionError);
  });

  it('turns a rule that throws into a failure, not a pass', () => {
    const throwing: ResourceRule = { ...rule, check: () => { throw new Error('boom'); } };
    expect(evaluate([throwing], [stackWith({})]).failures[0]?.reason).toBe('rule threw: boom');
  });

  it.each([
    ['a known rule with a reason', [{ id: 'kms-rotation', reason: 'a replica follows its primary key' }], []],
    ['an unknown rule', [{ id: 'kms-rotate', reason: 'a replica follows its primary key' }], [/kms-rotate is not a policy rule/]],
    ['a reason too short to be one', [{ id: 'kms-rotation', reason: ' n/a ' }], [/needs a reason of 10 characters or more/]],
  ])('checks suppressions before they are written: %s', (_name, suppressions, expected) => {
    const problems = suppressionProblems(suppressions, new Set(RULES.map((r) => r.id)));
    expect(problems).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(problems[i]).toMatch(pattern));
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
