import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import type { AlertSubscription } from '@txn-dr/config';
import { tlsOnlyStatement } from '@txn-dr/contracts';
import { awsContext } from '@txn-dr/infra-core';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';

export interface AlertTopicProps {
  /** Provider of the region the topic lives in (the region of the alarms that notify it). */
  readonly provider: AwsProvider;
  /** Topic name. */
  readonly name: string;
  /**
   * ARN of the customer-managed key the topic is encrypted with. Its policy must let
   * `cloudwatch.amazonaws.com` use it: alarms cannot publish to a topic under the AWS-managed
   * `alias/aws/sns` key.
   */
  readonly keyArn: string;
  /**
   * Endpoints subscribed to the topic, one `aws_sns_topic_subscription` each. Every one stays
   * `PendingConfirmation`, and receives nothing, until its owner confirms it. @default [] (none)
   */
  readonly subscriptions?: readonly AlertSubscription[];
}

/**
 * An encrypted SNS topic that this account's CloudWatch alarms may publish to, reachable over TLS
 * only, with one subscription per configured endpoint. Publishers inside the account (the
 * health-check function) are allowed by their own IAM policies.
 */
export class AlertTopic extends Construct {
  readonly topicArn: string;
  readonly topicName: string;
  /** The endpoints subscribed, in the order given. */
  readonly subscriptions: readonly AlertSubscription[];

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    const { provider } = props;
    const { accountId, partition } = awsContext(this, provider);
    const topic = new SnsTopic(this, 'topic', { provider, name: props.name, kmsMasterKeyId: props.keyArn });
    const policy = new DataAwsIamPolicyDocument(this, 'policy', {
      provider,
      statement: [
        {
          sid: 'CloudWatchAlarmsOfThisAccount',
          principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
          actions: ['sns:Publish'],
          resources: [topic.arn],
          condition: [
            { test: 'StringEquals', variable: 'aws:SourceAccount', values: [accountId] },
            { test: 'ArnLike', variable: 'aws:SourceArn', values: [`arn:${partition}:cloudwatch:*:${accountId}:alarm:*`] },
          ],
        },
        tlsOnlyStatement({ sid: 'TlsOnly', actions: ['sns:Publish'], resources: [topic.arn] }),
      ],
    });
    new SnsTopicPolicy(this, 'topic-policy', { provider, arn: topic.arn, policy: policy.json });
    this.subscriptions = props.subscriptions ?? [];
    const ids = new Set<string>();
    for (const subscription of this.subscriptions) {
      const id = subscriptionId(subscription);
      if (ids.has(id)) {
        throw new Error(`AlertTopic ${props.name}: subscriptions: ${subscription.protocol} ${subscription.endpoint} is listed twice (one SNS subscription, two resources)`);
      }
      ids.add(id);
      new SnsTopicSubscription(this, id, {
        provider,
        topicArn: topic.arn,
        protocol: subscription.protocol,
        endpoint: subscription.endpoint,
        // No wait at apply: a generic HTTPS endpoint may need a person to open the SubscribeURL
        // SNS posts to it, and with auto-confirmation on the provider would fail the apply after
        // `confirmation_timeout_in_minutes` (1) of waiting. The subscription stays
        // PendingConfirmation until then, as e-mail ones do.
        // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/sns_topic_subscription
        // https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.confirm.html
        ...(subscription.protocol === 'https' ? { endpointAutoConfirms: false } : {}),
      });
    }
    this.topicArn = topic.arn;
    this.topicName = topic.name;
  }
}

/**
 * A construct id from the endpoint itself rather than its position in the list, so that adding,
 * removing or reordering endpoints leaves every other subscription in place.
 */
function subscriptionId(subscription: AlertSubscription): string {
  const digest = createHash('sha256').update(`${subscription.protocol} ${subscription.endpoint}`).digest('hex').slice(0, 12);
  return `subscription-${subscription.protocol}-${digest}`;
}
