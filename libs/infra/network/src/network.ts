import { DataAwsAvailabilityZones } from '@cdktf/provider-aws/lib/data-aws-availability-zones';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import type { DrRole } from '@txn-dr/config';
import type { Names } from '@txn-dr/contracts';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { VpcEndpoints } from './endpoints';
import { FlowLogs } from './flow-logs';
import { TIERS, type Tier, subnetLayout } from './layout';
import { SecurityGroups } from './security-groups';

export interface RegionNetworkProps {
  /** The environment's deterministic names. */
  readonly names: Names;
  /** The region this network is for: it names every resource. */
  readonly role: DrRole;
  /** Provider of the role's region. */
  readonly provider: AwsProvider;
  /** AWS region code of the provider, e.g. `us-east-1`: the VPC endpoints' service names carry it. */
  readonly region: string;
  /** The VPC's block, split into 32 subnets (`subnetLayout`); must not overlap the other region's, which it is peered with. */
  readonly vpcCidr: string;
  /** Availability zones the subnets are spread across. @default 2 */
  readonly availabilityZones?: number;
  /** NAT gateways, one per zone from the first; 0 keeps the private subnets on VPC endpoints alone. @default 0 */
  readonly natGateways?: number;
  /** Port the service listens on behind the load balancer (config `compute.appPort`). */
  readonly appPort: number;
  /** Whether the load balancer serves HTTPS on 443 as well as HTTP on 80 (config `loadBalancer.https`). @default true */
  readonly https?: boolean;
  /** Days the flow-log group keeps its events: one of CloudWatch Logs' retention periods (config `logs.retentionDays`). */
  readonly logRetentionDays: number;
  /** KMS key (ARN) that encrypts the flow-log group; its policy must let CloudWatch Logs use it. */
  readonly logKeyArn: string;
}

/** Every contradiction in the props, named; throws at synth. */
function validate(props: RegionNetworkProps): void {
  const problems: string[] = [];
  const providerRegion = props.provider.region;
  if (providerRegion !== undefined && !Token.isUnresolved(providerRegion) && providerRegion !== props.region) {
    problems.push(`provider: is for ${providerRegion}, but region is ${props.region}`);
  }
  const natGateways = props.natGateways ?? 0;
  const zones = props.availabilityZones ?? 2;
  if (natGateways > zones) problems.push(`natGateways: ${natGateways} is more than availabilityZones ${zones} (one NAT gateway per zone at most)`);
  if (problems.length > 0) throw new Error(`RegionNetwork (${props.role}): ${problems.join('; ')}`);
}

/**
 * A region's network: a VPC from config with public, private and data subnets in each AZ.
 * Private instances reach AWS APIs through VPC endpoints; a NAT gateway exists only when config
 * asks for one. The data tier has no route out at all. Flow logs go to CloudWatch Logs, the
 * default security group allows nothing, and the service's security groups are chained by reference.
 */
export class RegionNetwork extends Construct {
  readonly vpc: Vpc;
  /** Zone of each subnet index (the same in every tier). */
  readonly availabilityZones: string[];
  readonly subnetIds: Record<Tier, string[]>;
  /** CIDR block of each subnet, by tier, in the same order as `subnetIds` (literal, from config). */
  readonly subnetCidrs: Record<Tier, string[]>;
  /** Route table of each private (service) subnet, in the same order as `subnetIds.private`. */
  readonly privateRouteTableIds: string[];
  /** The one route table of the data subnets. */
  readonly dataRouteTableId: string;
  readonly securityGroups: SecurityGroups;
  readonly endpoints: VpcEndpoints;

  constructor(scope: Construct, id: string, props: RegionNetworkProps) {
    super(scope, id);
    validate(props);
    const { names, role, provider } = props;
    const natGatewayCount = props.natGateways ?? 0;
    const layout = subnetLayout(props.vpcCidr, props.availabilityZones ?? 2);
    this.subnetCidrs = layout;

    this.vpc = new Vpc(this, 'vpc', {
      provider,
      cidrBlock: props.vpcCidr,
      // Interface endpoints answer on the services' public names only with private DNS, which needs both.
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: names.regional(role, 'vpc') },
    });

    // The default group is attached to anything launched without a group: keep it empty.
    new DefaultSecurityGroup(this, 'default-sg', { provider, vpcId: this.vpc.id, ingress: [], egress: [], tags: { Name: names.regional(role, 'default-closed') } });

    const zones = new DataAwsAvailabilityZones(this, 'zones', {
      provider,
      state: 'available',
      // Local and Wavelength zones are opt-in and lack most services.
      filter: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }],
    });

    this.availabilityZones = layout.public.map((_, index) => Fn.element(zones.names, index));
    const subnets = {} as Record<Tier, Subnet[]>;
    for (const tier of TIERS) {
      subnets[tier] = layout[tier].map(
        (cidr, index) =>
          new Subnet(this, `${tier}-${index}`, {
            provider,
            vpcId: this.vpc.id,
            cidrBlock: cidr,
            availabilityZone: this.availabilityZones[index],
            // Only the ALB lives in public subnets, and it gets its addresses itself.
            mapPublicIpOnLaunch: false,
            tags: { Name: names.regional(role, `${tier}-${index}`), Tier: tier },
          }),
      );
    }
    this.subnetIds = {
      public: subnets.public.map((s) => s.id),
      private: subnets.private.map((s) => s.id),
      data: subnets.data.map((s) => s.id),
    };

    const internetGateway = new InternetGateway(this, 'igw', { provider, vpcId: this.vpc.id, tags: { Name: names.regional(role, 'igw') } });
    const publicRoutes = new RouteTable(this, 'public-routes', { provider, vpcId: this.vpc.id, tags: { Name: names.regional(role, 'public') } });
    new Route(this, 'public-default', { provider, routeTableId: publicRoutes.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: internetGateway.id });
    subnets.public.forEach((subnet, index) => {
      new RouteTableAssociation(this, `public-${index}-routes`, { provider, subnetId: subnet.id, routeTableId: publicRoutes.id });
    });

    // One private route table per AZ, so that a NAT gateway (when configured) serves its own zone.
    const natGateways = Array.from({ length: natGatewayCount }, (_, index) => {
      const address = new Eip(this, `nat-${index}-ip`, { provider, domain: 'vpc', tags: { Name: names.regional(role, `nat-${index}`) } });
      return new NatGateway(this, `nat-${index}`, {
        provider,
        allocationId: address.allocationId,
        subnetId: subnets.public[index]!.id,
        tags: { Name: names.regional(role, `nat-${index}`) },
        dependsOn: [internetGateway],
      });
    });
    const privateRoutes = subnets.private.map((subnet, index) => {
      const table = new RouteTable(this, `private-${index}-routes`, { provider, vpcId: this.vpc.id, tags: { Name: names.regional(role, `private-${index}`) } });
      new RouteTableAssociation(this, `private-${index}-association`, { provider, subnetId: subnet.id, routeTableId: table.id });
      const nat = natGateways[index % Math.max(natGateways.length, 1)];
      if (nat) new Route(this, `private-${index}-default`, { provider, routeTableId: table.id, destinationCidrBlock: '0.0.0.0/0', natGatewayId: nat.id });
      return table;
    });
    this.privateRouteTableIds = privateRoutes.map((t) => t.id);

    // The database tier has only the VPC-local route; when the regions are peered (RegionPeering), also
    // the way back to the other region's private subnets. Nothing else can reach it or be reached from it.
    const dataRoutes = new RouteTable(this, 'data-routes', { provider, vpcId: this.vpc.id, tags: { Name: names.regional(role, 'data') } });
    subnets.data.forEach((subnet, index) => {
      new RouteTableAssociation(this, `data-${index}-routes`, { provider, subnetId: subnet.id, routeTableId: dataRoutes.id });
    });
    this.dataRouteTableId = dataRoutes.id;

    this.securityGroups = new SecurityGroups(this, 'security-groups', {
      names,
      role,
      provider,
      vpcId: this.vpc.id,
      appPort: props.appPort,
      https: props.https ?? true,
    });
    this.endpoints = new VpcEndpoints(this, 'endpoints', {
      provider,
      region: props.region,
      vpcId: this.vpc.id,
      subnetIds: this.subnetIds.private,
      routeTableIds: this.privateRouteTableIds,
      securityGroupId: this.securityGroups.endpoints.id,
      name: (what) => names.regional(role, what),
    });
    this.securityGroups.allowServiceEgress(this.endpoints.s3PrefixListId, natGatewayCount > 0);

    new FlowLogs(this, 'flow-logs', {
      provider,
      vpcId: this.vpc.id,
      name: names.regional(role, 'flow-logs'),
      retentionDays: props.logRetentionDays,
      kmsKeyArn: props.logKeyArn,
    });
  }
}
