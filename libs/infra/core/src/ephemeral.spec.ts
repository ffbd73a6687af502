import { defineEnvironment } from '@txn-dr/config';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { Fn, Testing } from 'cdktf';
import { DrStack } from './dr-stack';
import { EphemeralResource } from './ephemeral';
import { onlyResource, synthesize } from '../test/testing';

describe('EphemeralResource', () => {
  const stack = new DrStack(Testing.app(), { env: defineEnvironment({ name: 'dev' }), stack: 'global' });
  const password = new EphemeralResource(stack, 'aws_secretsmanager_random_password', 'master', stack.provider('primary'), {
    password_length: 32,
    exclude_punctuation: true,
  });
  new SecretsmanagerSecretVersion(stack, 'secret', {
    provider: stack.provider('primary'),
    secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x',
    secretStringWo: Fn.jsonencode({ password: password.get('random_password') }),
    secretStringWoVersion: 1,
  });
  const json = synthesize(stack);

  it('writes a top-level ephemeral block bound to the aliased provider', () => {
    expect(json.ephemeral).toEqual({
      aws_secretsmanager_random_password: { master: { password_length: 32, exclude_punctuation: true, provider: 'aws.primary' } },
    });
  });

  it('is referenced as an expression, never as a literal value', () => {
    expect(onlyResource(json, 'aws_secretsmanager_secret_version').secret_string_wo).toBe('${jsonencode({"password" = ephemeral.aws_secretsmanager_random_password.master.random_password})}');
  });
});
