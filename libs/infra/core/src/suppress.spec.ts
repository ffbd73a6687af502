import { SUPPRESSIONS_METADATA_KEY } from '@txn-dr/policy';
import { Testing } from 'cdktf';
import { TinyStack, removeTemporaryFolders, synthesizedResources } from '../test/fixtures/tiny-stack';
import { SuppressionError, suppress } from './suppress';

const notSecret = { id: 'ssm-secure-string', reason: 'an endpoint name, read at start; not a secret' };

afterAll(removeTemporaryFolders);

describe('suppress', () => {
  it("writes the suppression into the resource's `//` block, beside cdktf's own metadata", () => {
    const { stack, read } = synthesizedResources();
    suppress(stack.pointer, [notSecret]);
    const { pointer, other } = read().aws_ssm_parameter!;
    expect(pointer!['//']).toEqual({
      metadata: expect.objectContaining({ path: 'tiny/pointer' }),
      [SUPPRESSIONS_METADATA_KEY]: [notSecret],
    });
    expect(other!['//']).not.toHaveProperty(SUPPRESSIONS_METADATA_KEY);
  });

  it('adds to what an earlier call wrote, once per rule', () => {
    const { stack, read } = synthesizedResources();
    const retention = { id: 'logs-retention', reason: 'kept as long as the account policy says' };
    const key = { id: 'logs-kms', reason: 'holds nothing but test output here' };
    suppress(stack.logs, [retention]);
    suppress(stack.logs, [key, retention]);
    expect(read().aws_cloudwatch_log_group!.logs!['//']).toMatchObject({ [SUPPRESSIONS_METADATA_KEY]: [retention, key] });
  });

  it.each([
    ['an id that names no rule', [{ id: 'ssm-securestring', reason: 'an endpoint name, not a secret' }], /^tiny\/pointer: ssm-securestring is not a policy rule/],
    ['a reason that is not one', [{ id: 'ssm-secure-string', reason: 'ok' }], /^tiny\/pointer: the suppression of ssm-secure-string needs a reason of 10 characters or more/],
  ])('refuses %s, naming the construct', (_name, suppressions, message) => {
    const stack = new TinyStack(Testing.app());
    expect(() => suppress(stack.pointer, suppressions)).toThrow(SuppressionError);
    expect(() => suppress(stack.pointer, suppressions)).toThrow(message);
  });

  it('refuses a second, different reason for a rule already suppressed on the resource', () => {
    const stack = new TinyStack(Testing.app());
    suppress(stack.pointer, [notSecret]);
    expect(() => suppress(stack.pointer, [{ id: 'ssm-secure-string', reason: 'another story altogether' }])).toThrow(
      `tiny/pointer: ssm-secure-string is already suppressed here, because ${notSecret.reason}`,
    );
  });
});
