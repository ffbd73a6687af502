import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';

/** Account and partition of a provider, as Terraform references (never literals in code). */
export interface AwsContext {
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
}

const contexts = new WeakMap<AwsProvider, AwsContext>();

/**
 * The account, partition and region a provider deploys to, looked up once per provider per stack
 * so that every ARN built by hand uses the same data sources.
 */
export function awsContext(scope: Construct, provider: AwsProvider): AwsContext {
  let context = contexts.get(provider);
  if (!context) {
    const stack = TerraformStack.of(scope);
    const suffix = provider.alias ?? 'default';
    const identity = new DataAwsCallerIdentity(stack, `caller-identity-${suffix}`, { provider });
    const partition = new DataAwsPartition(stack, `partition-${suffix}`, { provider });
    context = { accountId: identity.accountId, partition: partition.partition, region: provider.region ?? '' };
    contexts.set(provider, context);
  }
  return context;
}
