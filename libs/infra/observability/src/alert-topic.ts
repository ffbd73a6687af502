import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { awsContext } from '@txn-dr/infra-core';
import { Construct } from 'constructs';

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
  /** An address subscribed to the topic (it must confirm the subscription). @default none */
  readonly email?: string;
}

/**
 * An encrypted SNS topic that this account's CloudWatch alarms may publish to, reachable over TLS
 * only, with an optional e-mail subscription. Publishers inside the account (the health-check
 * function) are allowed by their own IAM policies.
 */
export class AlertTopic extends Construct {
  readonly topicArn: string;
  readonly topicName: string;

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
        {
          sid: 'TlsOnly',
          effect: 'Deny',
          principals: [{ type: 'AWS', identifiers: ['*'] }],
          actions: ['sns:Publish'],
          resources: [topic.arn],
          condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
        },
      ],
    });
    new SnsTopicPolicy(this, 'topic-policy', { provider, arn: topic.arn, policy: policy.json });
    if (props.email) {
      new SnsTopicSubscription(this, 'email', { provider, topicArn: topic.arn, protocol: 'email', endpoint: props.email });
    }
    this.topicArn = topic.arn;
    this.topicName = topic.name;
  }
}
