import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Route } from '@cdktf/provider-aws/lib/route';
import { VpcPeeringConnection } from '@cdktf/provider-aws/lib/vpc-peering-connection';
import { VpcPeeringConnectionAccepterA } from '@cdktf/provider-aws/lib/vpc-peering-connection-accepter';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { type CidrRange, cidrsOverlap, parseCidr } from '@txn-dr/config';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { MYSQL_PORT } from './security-groups';

/** One VPC of a peering connection, and the parts of it that take part. */
export interface PeeringSide {
  /** Provider of the VPC's region: every resource of this side is made through it. */
  readonly provider: AwsProvider;
  /** Region code of the VPC. */
  readonly region: string;
  readonly vpcId: string;
  /** The VPC's CIDR block: where the other side's routes point. */
  readonly vpcCidr: string;
  /** Route tables of the private (service) subnets: they route to the other VPC. */
  readonly privateRouteTableIds: readonly string[];
  /** Route tables of the data (database) subnets: they route back to the other side's private subnets only. */
  readonly dataRouteTableIds: readonly string[];
  /** CIDR blocks of the private (service) subnets: the only sources the other side's database admits. */
  readonly privateSubnetCidrs: readonly string[];
  /** CIDR blocks of the data (database) subnets: the only destinations the other side's service may reach. */
  readonly dataSubnetCidrs: readonly string[];
  /** The database security group: it admits the other side's service subnets on the port. */
  readonly databaseSecurityGroupId: string;
  /** The service security group: it may reach the other side's data subnets on the port. */
  readonly serviceSecurityGroupId: string;
}

export interface RegionPeeringProps {
  /** The side that asks for the connection; its stack must know the accepter's ids. */
  readonly requester: PeeringSide;
  /** The side that accepts, in its own region, through its own provider. */
  readonly accepter: PeeringSide;
  /** Name tag of the connection, on both sides (tags are per region). */
  readonly name: string;
  /** The one port that crosses, from each service to the other database. @default MYSQL_PORT (3306) */
  readonly port?: number;
}

const SIDES = ['requester', 'accepter'] as const;
type SideName = (typeof SIDES)[number];

/** Defaults filled in one place, then every contradiction named; throws at synth. */
function resolveProps(props: RegionPeeringProps): { port: number } {
  const port = props.port ?? MYSQL_PORT;
  const problems: string[] = [];
  const ranges = {} as Record<SideName, CidrRange | undefined>;
  for (const side of SIDES) {
    const { provider, region, vpcCidr } = props[side];
    if (provider.region !== undefined && !Token.isUnresolved(provider.region) && provider.region !== region) {
      problems.push(`${side}.provider: is for ${provider.region}, but ${side}.region is ${region}`);
    }
    ranges[side] = parseCidr(vpcCidr);
    if (!ranges[side]) problems.push(`${side}.vpcCidr: ${vpcCidr} is not an IPv4 CIDR block`);
    for (const field of ['privateRouteTableIds', 'dataRouteTableIds'] as const) {
      if (props[side][field].length === 0) problems.push(`${side}.${field}: empty: nothing could cross, or nothing come back`);
    }
    for (const field of ['privateSubnetCidrs', 'dataSubnetCidrs'] as const) {
      const cidrs = props[side][field];
      if (cidrs.length === 0) problems.push(`${side}.${field}: empty`);
      for (const cidr of cidrs) {
        // Literal blocks only: the rules must say in the plan exactly which addresses cross.
        const range = Token.isUnresolved(cidr) ? undefined : parseCidr(cidr);
        const vpc = ranges[side];
        if (!range) problems.push(`${side}.${field}: ${cidr} is not a literal IPv4 CIDR block`);
        else if (vpc && !(range.first >= vpc.first && range.last <= vpc.last)) problems.push(`${side}.${field}: ${cidr} is outside ${side}.vpcCidr ${vpcCidr}`);
      }
    }
  }
  if (props.requester.region === props.accepter.region) {
    problems.push(`accepter.region: ${props.accepter.region} is the requester's region too; this construct peers two regions`);
  }
  if (ranges.requester && ranges.accepter && cidrsOverlap(ranges.requester, ranges.accepter)) {
    problems.push(`accepter.vpcCidr: ${props.accepter.vpcCidr} overlaps requester.vpcCidr ${props.requester.vpcCidr}; AWS fails a peering of overlapping blocks`);
  }
  if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) problems.push(`port: ${port} is not a TCP port`);
  if (problems.length > 0) throw new Error(`RegionPeering: ${problems.join('; ')}`);
  return { port };
}

/**
 * A path between two regions' VPCs for exactly one thing: each region's service reaching the
 * other region's database on one port. The service sends its reads and writes to the Aurora global
 * writer endpoint, which resolves to whichever region's cluster is the writer; AWS's guidance for
 * that endpoint is VPC connectivity between the application and every region of the global
 * database, or the application cannot reach the writer after a switchover or failover.
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html#global-writer-endpoint-considerations
 *
 * - An inter-region peering connection: requested in the requester's region with `peer_region`,
 *   accepted in the accepter's region through that region's provider: an inter-region request must
 *   be accepted from the accepter's region, and the provider requires `auto_accept` off with `peer_region`.
 *   https://docs.aws.amazon.com/vpc/latest/peering/create-vpc-peering-connection.html
 *   https://registry.terraform.io/providers/hashicorp/aws/6.25.0/docs/resources/vpc_peering_connection
 * - Routes in the private (service) route tables of both sides to the other VPC's block, and in
 *   the data route tables to the other side's private subnets only, the way back for the
 *   database's answers. The public tier never routes across.
 * - Security-group rules by CIDR block, one per subnet: a security group cannot name a group of a
 *   peer VPC in another region ("use the CIDR block of the peer VPC" instead); here narrower still,
 *   the other side's private (service) subnets into the database group, and the service group out
 *   to the other side's data subnets, on the one port.
 *   https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-security-groups.html
 * - No DNS resolution option: it only makes the public DNS hostnames of instances resolve to
 *   their private addresses across the connection. Aurora endpoints need nothing of it: a cluster
 *   that is not publicly accessible has DNS names that resolve to private addresses from anywhere.
 *   https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-dns.html
 *   https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/rds/aws.sdk.kotlin.services.rds.model/-create-db-instance-request/publicly-accessible.html
 *
 * Rules and routes are resources of their own, so they may live in another stack than the groups
 * and tables they extend: those declare no inline rules or routes, which would otherwise own the
 * whole set and overwrite these at their next apply.
 * https://registry.terraform.io/providers/hashicorp/aws/6.25.0/docs/resources/route_table
 * https://registry.terraform.io/providers/hashicorp/aws/6.25.0/docs/resources/security_group
 */
export class RegionPeering extends Construct {
  readonly connection: VpcPeeringConnection;
  readonly acceptance: VpcPeeringConnectionAccepterA;
  /** The connection's id, read through the acceptance, so whatever uses it waits for it. */
  readonly connectionId: string;
  /** The routes across, by the side whose route tables hold them. */
  readonly routes: Readonly<Record<SideName, readonly Route[]>>;

  constructor(scope: Construct, id: string, props: RegionPeeringProps) {
    super(scope, id);
    const { port } = resolveProps(props);
    const { requester, accepter } = props;

    this.connection = new VpcPeeringConnection(this, 'connection', {
      provider: requester.provider,
      vpcId: requester.vpcId,
      peerVpcId: accepter.vpcId,
      peerRegion: accepter.region,
      tags: { Name: props.name },
    });
    this.acceptance = new VpcPeeringConnectionAccepterA(this, 'acceptance', {
      provider: accepter.provider,
      vpcPeeringConnectionId: this.connection.id,
      autoAccept: true,
      tags: { Name: props.name },
    });
    // The id from the acceptance, not the request: Terraform then makes the routes once the connection is accepted.
    this.connectionId = this.acceptance.vpcPeeringConnectionId;

    const other = (side: SideName): PeeringSide => (side === 'requester' ? accepter : requester);
    const routes = {} as Record<SideName, Route[]>;
    for (const side of SIDES) {
      const here = props[side];
      const there = other(side);
      const { provider } = here;
      const route = (id: string, routeTableId: string, destinationCidrBlock: string) =>
        new Route(this, id, { provider, routeTableId, destinationCidrBlock, vpcPeeringConnectionId: this.connectionId });
      routes[side] = [
        ...here.privateRouteTableIds.map((table, index) => route(`${side}-private-${index}-route`, table, there.vpcCidr)),
        ...here.dataRouteTableIds.flatMap((table, index) =>
          there.privateSubnetCidrs.map((cidr, subnet) => route(`${side}-data-${index}-to-private-${subnet}-route`, table, cidr)),
        ),
      ];
      there.privateSubnetCidrs.forEach((cidr, index) => {
        new VpcSecurityGroupIngressRule(this, `${side}-database-in-${index}`, {
          provider,
          securityGroupId: here.databaseSecurityGroupId,
          description: `Port ${port} from the ${there.region} service subnet ${cidr} over the peering connection`,
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          cidrIpv4: cidr,
        });
      });
      there.dataSubnetCidrs.forEach((cidr, index) => {
        new VpcSecurityGroupEgressRule(this, `${side}-service-out-${index}`, {
          provider,
          securityGroupId: here.serviceSecurityGroupId,
          description: `Service to port ${port} in the ${there.region} data subnet ${cidr} over the peering connection`,
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          cidrIpv4: cidr,
        });
      });
    }
    this.routes = routes;
  }
}
