import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatementCondition } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { KmsReplicaKey } from '@cdktf/provider-aws/lib/kms-replica-key';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { type AwsContext, awsContext } from './aws-context';

/** Use of the key by an AWS service acting on its own behalf (not through a caller's IAM role). */
export interface KeyServiceGrant {
  /** Service principal, e.g. `logs.us-east-1.amazonaws.com` or `cloudwatch.amazonaws.com`. */
  readonly service: string;
  /** @default encrypt, decrypt, re-encrypt, generate data keys, describe */
  readonly actions?: string[];
  /** @default the service acts for this account only (aws:SourceAccount) */
  readonly conditions?: DataAwsIamPolicyDocumentStatementCondition[];
}

export interface CustomerManagedKeyProps {
  readonly provider: AwsProvider;
  /** Alias name without the `alias/` prefix. */
  readonly alias: string;
  readonly description: string;
  /** Services that encrypt with the key themselves (logs, alarms to an encrypted topic). @default none */
  readonly serviceGrants?: KeyServiceGrant[];
  /** @default 30 (the maximum: time to notice a mistaken deletion) */
  readonly deletionWindowInDays?: number;
  /**
   * Also replicate the key into this provider's region (a multi-region key), for data that is
   * itself replicated there, such as a Secrets Manager replica. @default none
   */
  readonly replicaProvider?: AwsProvider;
}

const DATA_KEY_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];

/**
 * A symmetric customer-managed key with yearly rotation and an alias. The key policy lets the
 * account's IAM policies grant use (callers then need kms:ViaService-scoped IAM statements), and
 * lets the listed services use it for this account only.
 */
export class CustomerManagedKey extends Construct {
  readonly key: KmsKey;
  readonly arn: string;
  readonly aliasName: string;
  /** ARN of the replica in `replicaProvider`'s region, when there is one. */
  readonly replicaArn?: string;

  constructor(scope: Construct, id: string, props: CustomerManagedKeyProps) {
    super(scope, id);
    const { accountId, partition } = awsContext(this, props.provider);
    const policy = new DataAwsIamPolicyDocument(this, 'policy', {
      provider: props.provider,
      statement: [
        {
          // Without this statement no IAM policy can grant use of the key (key policies are not additive otherwise).
          sid: 'AccountIamPoliciesGrantUse',
          principals: [{ type: 'AWS', identifiers: [`arn:${partition}:iam::${accountId}:root`] }],
          actions: ['kms:*'],
          resources: ['*'],
        },
        ...(props.serviceGrants ?? []).map((grant) => ({
          sid: `Service${grant.service.split('.')[0]!.replace(/[^A-Za-z0-9]/g, '')}`,
          principals: [{ type: 'Service', identifiers: [grant.service] }],
          actions: grant.actions ?? DATA_KEY_ACTIONS,
          resources: ['*'],
          condition: grant.conditions ?? [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [accountId] }],
        })),
      ],
    });
    this.key = new KmsKey(this, 'key', {
      provider: props.provider,
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowInDays ?? 30,
      multiRegion: props.replicaProvider !== undefined,
      policy: policy.json,
    });
    this.aliasName = `alias/${props.alias}`;
    new KmsAlias(this, 'alias', { provider: props.provider, name: this.aliasName, targetKeyId: this.key.keyId });
    this.arn = this.key.arn;
    if (props.replicaProvider) {
      // A replica shares the key material and rotation of its primary; its policy is its own.
      const replica = new KmsReplicaKey(this, 'replica', {
        provider: props.replicaProvider,
        primaryKeyArn: this.key.arn,
        description: props.description,
        deletionWindowInDays: props.deletionWindowInDays ?? 30,
        policy: policy.json,
      });
      new KmsAlias(this, 'replica-alias', { provider: props.replicaProvider, name: this.aliasName, targetKeyId: replica.keyId });
      this.replicaArn = replica.arn;
    }
  }
}

/**
 * Lets CloudWatch Logs in the context's region encrypt log groups of this account with the key
 * (the condition AWS documents: the log group ARN in the encryption context).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
 */
export function logsServiceGrant(context: AwsContext): KeyServiceGrant {
  return {
    service: `logs.${context.region}.amazonaws.com`,
    conditions: [
      {
        test: 'ArnLike',
        variable: 'kms:EncryptionContext:aws:logs:arn',
        values: [`arn:${context.partition}:logs:${context.region}:${context.accountId}:log-group:*`],
      },
    ],
  };
}
