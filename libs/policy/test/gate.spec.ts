import { checkSynthesizedStack, renderViolations } from '../src/engine/gate';
import { SUPPRESSIONS_METADATA_KEY } from '../src/engine/suppressions';
import type { TfJson } from '../src/engine/types';
import { PROVIDERS } from './fixtures/helpers';

/** A parameter as cdktf writes it, with the `//` block and, when given, suppressions in it. */
const parameter = (path: string, type: string, ...suppressions: { id: string; reason: string }[]) => ({
  provider: 'aws.primary',
  name: `/dr/${path}`,
  type,
  value: 'x',
  '//': { metadata: { path, uniqueId: path.replace(/\//g, '_') }, ...(suppressions.length > 0 ? { [SUPPRESSIONS_METADATA_KEY]: suppressions } : {}) },
});
const stackOf = (parameters: Record<string, Record<string, unknown>>): TfJson => ({ provider: PROVIDERS, resource: { aws_ssm_parameter: parameters } });
const notSecret = { id: 'ssm-secure-string', reason: 'holds an endpoint name, not a secret' };

describe('the policy at synth time, over one stack', () => {
  it('reports each unsuppressed failure with its rule, resource, construct path, message and fix', () => {
    const violations = checkSynthesizedStack('primary', stackOf({ plain: parameter('primary/db/plain', 'String') }));
    expect(violations).toEqual([
      {
        rule: 'ssm-secure-string',
        mirrors: 'CKV2_AWS_34',
        resource: 'aws_ssm_parameter.plain',
        path: 'primary/db/plain',
        message: expect.stringMatching(/String/),
        fix: expect.stringContaining("suppress(construct, [{ id: 'ssm-secure-string', reason: '...' }])"),
      },
    ]);
    expect(violations[0]!.fix).toMatch(/^SSM parameters are SecureString/);
  });

  it('passes a stack whose only failure is suppressed beside its construct, and only that one', () => {
    const violations = checkSynthesizedStack('primary', stackOf({ pointer: parameter('primary/db/pointer', 'String', notSecret), other: parameter('primary/db/other', 'String') }));
    expect(violations.map((v) => `${v.rule} ${v.resource}`)).toEqual(['ssm-secure-string aws_ssm_parameter.other']);
    expect(checkSynthesizedStack('primary', stackOf({ pointer: parameter('primary/db/pointer', 'String', notSecret) }))).toEqual([]);
  });

  it.each([
    ['on a resource that passes', parameter('primary/db/secret', 'SecureString', notSecret), /ssm-secure-string \(CKV2_AWS_34\): .*\n {4}is suppressed here, but does not fail here/],
    ['naming no rule', parameter('primary/db/p', 'SecureString', { id: 'ssm-securestring', reason: 'a misspelt rule id' }), /ssm-securestring: .*\n {4}a suppression names ssm-securestring, which is not a policy rule/],
  ])('refuses a suppression %s', (_name, body, message) => {
    const violations = checkSynthesizedStack('primary', stackOf({ p: body }));
    expect(violations).toHaveLength(1);
    expect(renderViolations('primary', violations)).toMatch(message);
  });

  it('leaves the rules that compare stacks, and their suppressions, to the suite that has every stack', () => {
    // No terraform.required_version (a stacks rule) and a suppression of a stacks rule: neither is judged here.
    const json = stackOf({ p: parameter('primary/db/p', 'SecureString', { id: 'dr-engine-version-match', reason: 'judged where every stack is at hand' }) });
    expect(checkSynthesizedStack('primary', json)).toEqual([]);
  });

  it('renders every violation with the rule id first, and says nothing may be deployed', () => {
    const text = renderViolations('primary', checkSynthesizedStack('primary', stackOf({ a: parameter('primary/a', 'String'), b: parameter('primary/b', 'String') })));
    expect(text.split('\n')[0]).toBe('primary: 2 policy violations; nothing of this stack may be deployed until each is fixed or suppressed with a reason:');
    expect(text).toContain('  ssm-secure-string (CKV2_AWS_34): aws_ssm_parameter.a (primary/a)');
    expect(text).toContain('  ssm-secure-string (CKV2_AWS_34): aws_ssm_parameter.b (primary/b)');
    expect(text.match(/ {4}fix: /g)).toHaveLength(2);
  });
});
