import { type AlertSubscription, defineEnvironment } from '@txn-dr/config';
import { DrStack } from '@txn-dr/infra-core';
import { resourcesOfType, synthesize } from '@txn-dr/infra-core/testing';
import { Testing } from 'cdktf';
import { AlertTopic } from './alert-topic';

const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000';
const ONCALL: AlertSubscription = { protocol: 'email', endpoint: 'oncall@payments.acme.io' };
const PAGER: AlertSubscription = { protocol: 'https', endpoint: 'https://events.pager.acme.io/integration/sns' };
const LEAD: AlertSubscription = { protocol: 'email', endpoint: 'dr-lead@payments.acme.io' };

/** The topic alone, in a primary stack; returns its subscriptions by logical id. */
function subscriptionsOf(subscriptions?: readonly AlertSubscription[]): Record<string, Record<string, unknown>> {
  const env = defineEnvironment({ name: 'dev' });
  const stack = new DrStack(Testing.app(), { env, stack: 'primary' });
  new AlertTopic(stack, 'alerts', { provider: stack.provider('primary'), name: 'txdr-dev-test-alerts', keyArn: KEY_ARN, ...(subscriptions ? { subscriptions } : {}) });
  return resourcesOfType(synthesize(stack), 'aws_sns_topic_subscription');
}

describe('AlertTopic subscriptions', () => {
  it('subscribes nobody unless told to', () => {
    expect(subscriptionsOf()).toEqual({});
    expect(subscriptionsOf([])).toEqual({});
  });

  it('makes one subscription per endpoint on its topic, and does not wait at apply for an HTTPS endpoint to confirm', () => {
    const found = Object.values(subscriptionsOf([ONCALL, PAGER, LEAD]));
    // Synth orders resources by logical id, not as listed.
    expect(found.map((s) => [s.protocol, s.endpoint, s.endpoint_auto_confirms]).sort()).toEqual([
      ['email', LEAD.endpoint, undefined],
      ['email', ONCALL.endpoint, undefined],
      ['https', PAGER.endpoint, false],
    ]);
    for (const subscription of found) expect(subscription).toMatchObject({ provider: 'aws.primary', topic_arn: expect.stringMatching(/^\$\{aws_sns_topic\.alerts_topic_[^.]+\.arn\}$/) });
  });

  it('names each subscription by its endpoint, so reordering or adding endpoints keeps the others in place', () => {
    const before = subscriptionsOf([ONCALL, PAGER]);
    const after = subscriptionsOf([LEAD, PAGER, ONCALL]);
    for (const [id, subscription] of Object.entries(before)) expect(after[id]).toEqual(subscription);
    expect(Object.keys(after)).toHaveLength(3);
  });

  it('refuses an endpoint listed twice, naming it', () => {
    expect(() => subscriptionsOf([ONCALL, PAGER, ONCALL])).toThrow(
      'AlertTopic txdr-dev-test-alerts: subscriptions: email oncall@payments.acme.io is listed twice (one SNS subscription, two resources)',
    );
  });
});
