import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Construct } from 'constructs';

/**
 * What the instances call, and so what needs an interface endpoint when there is no NAT: SSM
 * (their parameters), Secrets Manager (the database credentials), CloudWatch Logs and metrics
 * (the agent). S3 has a free gateway endpoint instead. Session Manager's endpoints (ssmmessages,
 * ec2messages) are left out: the instance role does not grant it.
 */
export const INTERFACE_SERVICES = ['ssm', 'secretsmanager', 'logs', 'monitoring'] as const;

export interface VpcEndpointsProps {
  readonly provider: AwsProvider;
  readonly region: string;
  readonly vpcId: string;
  /** Subnets the interface endpoints get a network interface in (one per AZ). */
  readonly subnetIds: string[];
  /** Route tables the S3 gateway endpoint is added to. */
  readonly routeTableIds: string[];
  readonly securityGroupId: string;
  readonly name: (what: string) => string;
}

export class VpcEndpoints extends Construct {
  readonly s3: VpcEndpoint;
  /** The S3 prefix list, for security-group egress to the gateway endpoint. */
  readonly s3PrefixListId: string;
  readonly interfaces: Record<(typeof INTERFACE_SERVICES)[number], VpcEndpoint>;

  constructor(scope: Construct, id: string, props: VpcEndpointsProps) {
    super(scope, id);
    const { provider, region, vpcId } = props;
    this.s3 = new VpcEndpoint(this, 's3', {
      provider,
      vpcId,
      serviceName: `com.amazonaws.${region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: props.routeTableIds,
      tags: { Name: props.name('s3-endpoint') },
    });
    this.s3PrefixListId = this.s3.prefixListId;
    this.interfaces = Object.fromEntries(
      INTERFACE_SERVICES.map((service) => [
        service,
        new VpcEndpoint(this, service, {
          provider,
          vpcId,
          serviceName: `com.amazonaws.${region}.${service}`,
          vpcEndpointType: 'Interface',
          privateDnsEnabled: true,
          subnetIds: props.subnetIds,
          securityGroupIds: [props.securityGroupId],
          tags: { Name: props.name(`${service}-endpoint`) },
        }),
      ]),
    ) as VpcEndpoints['interfaces'];
  }
}
