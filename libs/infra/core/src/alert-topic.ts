import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { Construct } from 'constructs';
import { CustomerManagedKey } from './kms';

export interface AlertTopicProps {
  readonly provider: AwsProvider;
  /** Topic name; its key's alias is derived from it. */
  readonly name: string;
  /** Subscribe this address by e-mail (AWS sends a confirmation first). @default no subscription */
  readonly email?: string;
}

/**
 * An SNS topic for alarms, encrypted with its own customer-managed key that CloudWatch (the
 * alarm actions) may use: with the AWS-managed SNS key, alarms cannot publish at all.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-encrypted-sns
 */
export class AlertTopic extends Construct {
  readonly topic: SnsTopic;
  readonly arn: string;
  readonly key: CustomerManagedKey;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    const { provider } = props;
    this.key = new CustomerManagedKey(this, 'key', {
      provider,
      alias: props.name,
      description: `Alerts topic ${props.name}`,
      serviceGrants: [{ service: 'cloudwatch.amazonaws.com', actions: ['kms:Decrypt', 'kms:GenerateDataKey*'] }],
    });
    this.topic = new SnsTopic(this, 'topic', { provider, name: props.name, kmsMasterKeyId: this.key.arn });
    this.arn = this.topic.arn;
    if (props.email) {
      new SnsTopicSubscription(this, 'email', { provider, topicArn: this.topic.arn, protocol: 'email', endpoint: props.email });
    }
  }
}
