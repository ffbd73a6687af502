import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
  type DataAwsIamPolicyDocumentStatementCondition,
} from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';

export type PolicyStatement = DataAwsIamPolicyDocumentStatement;
export type PolicyCondition = DataAwsIamPolicyDocumentStatementCondition;

export interface ServiceRoleProps {
  readonly provider: AwsProvider;
  /** Role name (IAM is global: names carry the environment and the role of the region). */
  readonly name: string;
  readonly description: string;
  /** The one service principal that may assume the role, e.g. `vpc-flow-logs.amazonaws.com`. */
  readonly service: string;
  /**
   * Confused-deputy conditions on the trust, where the service sends them (aws:SourceAccount,
   * aws:SourceArn). Not every service does for role assumption (EC2 and Lambda do not), so there
   * is no default.
   */
  readonly trustConditions: PolicyCondition[];
  /** The whole of what the role may do, as one inline policy. */
  readonly statements: PolicyStatement[];
}

/**
 * An IAM role for exactly one AWS service, with its permissions in one inline policy written as
 * structured statements (a policy document data source), so reviews and the policy tests read
 * the same statements Terraform applies.
 */
export class ServiceRole extends Construct {
  readonly role: IamRole;
  readonly arn: string;
  readonly name: string;
  /** The inline policy: what must not act before the role may (a function's first run, a destination check) depends on it. */
  readonly policy: IamRolePolicy;

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    const trust = new DataAwsIamPolicyDocument(this, 'trust', {
      provider: props.provider,
      statement: [
        {
          actions: ['sts:AssumeRole'],
          principals: [{ type: 'Service', identifiers: [props.service] }],
          ...(props.trustConditions.length > 0 ? { condition: props.trustConditions } : {}),
        },
      ],
    });
    this.role = new IamRole(this, 'role', {
      provider: props.provider,
      name: props.name,
      description: props.description,
      assumeRolePolicy: trust.json,
    });
    const policy = new DataAwsIamPolicyDocument(this, 'permissions', { provider: props.provider, statement: props.statements });
    this.policy = new IamRolePolicy(this, 'policy', { provider: props.provider, name: `${props.name}-permissions`, role: this.role.id, policy: policy.json });
    this.arn = this.role.arn;
    this.name = this.role.name;
  }
}
