import { defineEnvironment } from '@txn-dr/config';
import { Testing } from 'cdktf';
import { AlertTopic } from './alert-topic';
import { DrStack } from './dr-stack';
import { followReference, onlyResource, resourcesOfType, synthesize } from './testing';

function synthTopic(email?: string) {
  const stack = new DrStack(Testing.app(), { env: defineEnvironment({ name: 'dev' }), stack: 'secondary' });
  new AlertTopic(stack, 'alerts', { provider: stack.route53MetricsProvider(), name: 'txdr-dev-secondary-dns-alerts', ...(email ? { email } : {}) });
  return synthesize(stack);
}

describe('AlertTopic', () => {
  const json = synthTopic();

  it('encrypts the topic with a customer-managed key that CloudWatch alarms may use', () => {
    const topic = onlyResource(json, 'aws_sns_topic');
    const key = followReference(json, topic.kms_master_key_id);
    expect(key.enable_key_rotation).toBe(true);
    const statements = followReference(json, key.policy).statement as { principals: { identifiers: string[] }[]; actions: string[] }[];
    expect(statements[1]).toMatchObject({ principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }], actions: ['kms:Decrypt', 'kms:GenerateDataKey*'] });
  });

  it('lives in us-east-1 when created with the Route 53 metrics provider', () => {
    expect(onlyResource(json, 'aws_sns_topic').provider).toBe('aws.route53-metrics');
    expect(json.provider?.aws).toEqual([expect.objectContaining({ alias: 'route53-metrics', region: 'us-east-1' })]);
  });

  it('subscribes an e-mail address only when one is configured', () => {
    expect(resourcesOfType(json, 'aws_sns_topic_subscription')).toEqual({});
    expect(onlyResource(synthTopic('oncall@example.com'), 'aws_sns_topic_subscription')).toMatchObject({ protocol: 'email', endpoint: 'oncall@example.com' });
  });
});
