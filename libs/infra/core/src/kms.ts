import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatementCondition } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { awsContext } from './aws-context';

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
      policy: policy.json,
    });
    this.aliasName = `alias/${props.alias}`;
    new KmsAlias(this, 'alias', { provider: props.provider, name: this.aliasName, targetKeyId: this.key.keyId });
    this.arn = this.key.arn;
  }
}
