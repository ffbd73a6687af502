import { defineEnvironment } from '@txn-dr/config';
import { Testing } from 'cdktf';
import { DrStack } from './dr-stack';
import { ServiceRole } from './service-role';
import { followReference, onlyResource, synthesize } from '../test/testing';

describe('ServiceRole', () => {
  const stack = new DrStack(Testing.app(), { env: defineEnvironment({ name: 'dev' }), stack: 'primary' });
  new ServiceRole(stack, 'flow-logs', {
    provider: stack.provider('primary'),
    name: 'txdr-dev-primary-flow-logs',
    description: 'delivers flow logs',
    service: 'vpc-flow-logs.amazonaws.com',
    trustConditions: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: ['123456789012'] }],
    statements: [{ actions: ['logs:PutLogEvents'], resources: ['arn:aws:logs:us-east-1:123456789012:log-group:x:*'] }],
  });
  const json = synthesize(stack);
  const role = onlyResource(json, 'aws_iam_role');

  it('trusts exactly one service, under the given conditions', () => {
    expect(followReference(json, role.assume_role_policy).statement).toEqual([
      {
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'Service', identifiers: ['vpc-flow-logs.amazonaws.com'] }],
        condition: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: ['123456789012'] }],
      },
    ]);
  });

  it('carries its permissions in one inline policy of structured statements', () => {
    const policy = onlyResource(json, 'aws_iam_role_policy');
    expect(policy.name).toBe('txdr-dev-primary-flow-logs-permissions');
    expect(followReference(json, policy.policy).statement).toEqual([
      { actions: ['logs:PutLogEvents'], resources: ['arn:aws:logs:us-east-1:123456789012:log-group:x:*'] },
    ]);
  });
});
