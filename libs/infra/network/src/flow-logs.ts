import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { ServiceRole, awsContext } from '@txn-dr/infra-core';
import { Construct } from 'constructs';

export interface FlowLogsProps {
  readonly provider: AwsProvider;
  readonly vpcId: string;
  /** Name of the log group and the delivery role. */
  readonly name: string;
  readonly retentionDays: number;
  readonly kmsKeyArn: string;
}

/** VPC flow logs (accepted and rejected traffic) to an encrypted log group with a retention. */
export class FlowLogs extends Construct {
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: FlowLogsProps) {
    super(scope, id);
    const { provider } = props;
    const { accountId, partition, region } = awsContext(this, provider);
    this.logGroup = new CloudwatchLogGroup(this, 'log-group', {
      provider,
      name: `/aws/vpc/${props.name}`,
      retentionInDays: props.retentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    const role = new ServiceRole(this, 'delivery', {
      provider,
      name: props.name,
      description: 'Delivers VPC flow logs to CloudWatch Logs',
      service: 'vpc-flow-logs.amazonaws.com',
      // The flow-logs service sends both keys; scoping to this account's flow logs stops a confused deputy.
      // https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
      trustConditions: [
        { test: 'StringEquals', variable: 'aws:SourceAccount', values: [accountId] },
        { test: 'ArnLike', variable: 'aws:SourceArn', values: [`arn:${partition}:ec2:${region}:${accountId}:vpc-flow-log/*`] },
      ],
      statements: [
        { sid: 'WriteOwnLogGroup', actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], resources: [`${this.logGroup.arn}:*`] },
        // The service checks the group exists before delivering; DescribeLogGroups takes a log-group ARN pattern.
        { sid: 'FindOwnLogGroup', actions: ['logs:DescribeLogGroups'], resources: [`arn:${partition}:logs:${region}:${accountId}:log-group:*`] },
      ],
    });
    new FlowLog(this, 'flow-log', {
      provider,
      vpcId: props.vpcId,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: this.logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
    });
  }
}
