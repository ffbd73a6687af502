import type { StackName } from './stacks';

/**
 * How an output that holds a list (`privateRouteTableIds`) is written: Terraform outputs are read
 * across stacks as strings, so the items are joined with this separator, in availability-zone order.
 */
export const OUTPUT_LIST_SEPARATOR = ',';

/** The items of a list output (`privateRouteTableIds`), in the order they were published. */
export function splitListOutput(value: string): string[] {
  return value === '' ? [] : value.split(OUTPUT_LIST_SEPARATOR);
}

/** Both regional stacks publish the same outputs: they are one composition with a different role. */
const REGIONAL_OUTPUTS = [
  'region',
  'role',
  'vpcId',
  /**
   * Route tables of the private (service) subnets, one per availability zone, joined with
   * OUTPUT_LIST_SEPARATOR: the secondary routes them to its VPC through the peering connection.
   */
  'privateRouteTableIds',
  /** Route table of the data subnets: the secondary routes the answers of the database back through it. */
  'dataRouteTableId',
  /** The database security group: the secondary admits its service subnets in it. */
  'databaseSecurityGroupId',
  /** The service security group: the secondary lets it reach its database subnets. */
  'serviceSecurityGroupId',
  'clusterIdentifier',
  'clusterArn',
  'writerEndpoint',
  'readerEndpoint',
  'loadBalancerDnsName',
  'loadBalancerArnSuffix',
  'targetGroupArnSuffix',
  'autoScalingGroupName',
  'healthCheckId',
  'alertTopicArn',
  'healthFunctionName',
  'artifactKey',
] as const;

/**
 * The outputs each stack publishes, by name. A later stack or a tool reads them through this
 * contract only, so renaming one is a compile error in every reader, not a failed deploy.
 */
export const STACK_OUTPUTS = {
  global: [
    'environment',
    'primaryRegion',
    'secondaryRegion',
    'globalClusterIdentifier',
    'globalWriterEndpoint',
    'databaseSecretArnPrimary',
    'databaseSecretArnSecondary',
    'dataBucketPrimary',
    'dataBucketSecondary',
    'hostedZoneId',
    'zoneName',
    'zoneNameServers',
  ],
  primary: REGIONAL_OUTPUTS,
  secondary: REGIONAL_OUTPUTS,
} as const satisfies Record<StackName, readonly string[]>;

export type StackOutputKey<S extends StackName> = (typeof STACK_OUTPUTS)[S][number];
/** The values of every output of a stack: all strings, as Terraform outputs are read across stacks. */
export type StackOutputs<S extends StackName> = { readonly [K in StackOutputKey<S>]: string };

/**
 * Reads a stack's outputs from Terraform's own form (`terraform output -json`, or the `outputs`
 * object of a state file) and checks every contracted key is present and a string.
 */
export function parseStackOutputs<S extends StackName>(stack: S, raw: unknown): StackOutputs<S> {
  if (typeof raw !== 'object' || raw === null) {
    throw new Error(`outputs of stack ${stack}: expected an object, got ${raw === null ? 'null' : typeof raw}`);
  }
  const source = raw as Record<string, { value?: unknown } | undefined>;
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const key of STACK_OUTPUTS[stack]) {
    const value = source[key]?.value;
    if (typeof value === 'string') values[key] = value;
    else missing.push(key);
  }
  if (missing.length > 0) {
    throw new Error(`outputs of stack ${stack}: missing or not a string: ${missing.join(', ')} (was the stack deployed with this version?)`);
  }
  return values as StackOutputs<S>;
}
