import { defineEnvironment } from '@txn-dr/config';
import { Testing } from 'cdktf';
import { DrStack } from './dr-stack';
import { CustomerManagedKey } from './kms';
import { followReference, onlyResource, synthesize } from '../test/testing';

describe('CustomerManagedKey', () => {
  const stack = new DrStack(Testing.app(), { env: defineEnvironment({ name: 'dev' }), stack: 'primary' });
  const key = new CustomerManagedKey(stack, 'data-key', {
    provider: stack.provider('primary'),
    alias: 'txdr-dev-primary-data',
    description: 'data at rest',
    serviceGrants: [{ service: 'logs.us-east-1.amazonaws.com' }],
  });
  const json = synthesize(stack);
  const policy = followReference(json, onlyResource(json, 'aws_kms_key').policy);

  it('rotates yearly and keeps the longest deletion window', () => {
    expect(onlyResource(json, 'aws_kms_key')).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30, description: 'data at rest' });
  });

  it('is reachable through its alias', () => {
    expect(onlyResource(json, 'aws_kms_alias')).toMatchObject({ name: 'alias/txdr-dev-primary-data' });
    expect(key.aliasName).toBe('alias/txdr-dev-primary-data');
  });

  it('delegates to IAM and lets a service use it for this account only', () => {
    expect(policy.statement).toEqual([
      expect.objectContaining({ sid: 'AccountIamPoliciesGrantUse', actions: ['kms:*'] }),
      expect.objectContaining({
        principals: [{ type: 'Service', identifiers: ['logs.us-east-1.amazonaws.com'] }],
        condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: ['${data.aws_caller_identity.caller-identity-primary.account_id}'] }],
      }),
    ]);
  });
});

describe('CustomerManagedKey with a replica', () => {
  const stack = new DrStack(Testing.app(), { env: defineEnvironment({ name: 'dev' }), stack: 'global' });
  const key = new CustomerManagedKey(stack, 'secrets-key', {
    provider: stack.provider('primary'),
    replicaProvider: stack.provider('secondary'),
    alias: 'txdr-dev-secrets',
    description: 'secrets',
  });
  const json = synthesize(stack);

  it('is a multi-region key replicated into the other region under the same alias', () => {
    expect(onlyResource(json, 'aws_kms_key')).toMatchObject({ multi_region: true, provider: 'aws.primary' });
    const replica = onlyResource(json, 'aws_kms_replica_key');
    expect(replica).toMatchObject({ provider: 'aws.secondary', primary_key_arn: expect.stringContaining('aws_kms_key') });
    expect(Object.values(json.resource?.aws_kms_alias ?? {}).map((a) => [a.name, a.provider])).toEqual([
      ['alias/txdr-dev-secrets', 'aws.primary'],
      ['alias/txdr-dev-secrets', 'aws.secondary'],
    ]);
    expect(key.replicaArn).toBeDefined();
  });
});
