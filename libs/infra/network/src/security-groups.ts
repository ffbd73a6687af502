import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import type { DrRole } from '@txn-dr/config';
import type { Names } from '@txn-dr/contracts';
import { Construct } from 'constructs';

export const MYSQL_PORT = 3306;
const HTTPS = 443;

/** The listener ports of the ALB: HTTP always (it only redirects when HTTPS is on), and HTTPS when it is on. */
export function listenerPorts(https: boolean): number[] {
  return https ? [80, HTTPS] : [80];
}

export interface SecurityGroupsProps {
  /** The environment's deterministic names. */
  readonly names: Names;
  /** The region the groups belong to: it names them. */
  readonly role: DrRole;
  /** Provider of the role's region. */
  readonly provider: AwsProvider;
  readonly vpcId: string;
  /** Port the service listens on behind the load balancer (config `compute.appPort`). */
  readonly appPort: number;
  /** Whether the load balancer serves HTTPS on 443 as well as HTTP on 80 (config `loadBalancer.https`). @default true */
  readonly https?: boolean;
}

type Peer = { readonly group: SecurityGroup } | { readonly cidr: string } | { readonly prefixList: string };

/**
 * The chain internet -> ALB -> service -> database (and service -> VPC endpoints), each hop a rule
 * that names the next group by reference. Only the ALB's listener ports are open to 0.0.0.0/0.
 * Groups are created without inline rules (Terraform then removes AWS's default allow-all egress),
 * and every rule is its own resource with a description.
 */
export class SecurityGroups extends Construct {
  readonly loadBalancer: SecurityGroup;
  readonly service: SecurityGroup;
  readonly database: SecurityGroup;
  readonly endpoints: SecurityGroup;
  private readonly provider: AwsProvider;

  constructor(scope: Construct, id: string, props: SecurityGroupsProps) {
    super(scope, id);
    const { names, role, provider, vpcId, appPort } = props;
    this.provider = provider;
    const group = (what: string, description: string) =>
      new SecurityGroup(this, what, { provider, vpcId, name: names.regional(role, what), description, tags: { Name: names.regional(role, what) } });

    this.loadBalancer = group('alb', 'Internet-facing load balancer of the transaction service');
    this.service = group('service', 'Instances of the transaction service');
    this.database = group('database', 'Aurora MySQL cluster');
    this.endpoints = group('endpoints', 'Interface VPC endpoints used by the instances');

    for (const port of listenerPorts(props.https ?? true)) {
      this.ingress(this.loadBalancer, `listener-${port}`, port, { cidr: '0.0.0.0/0' }, `Clients to the listener on ${port}`);
    }
    this.egress(this.loadBalancer, 'to-service', appPort, { group: this.service }, 'Load balancer to the service port');
    this.ingress(this.service, 'from-alb', appPort, { group: this.loadBalancer }, 'Service port from the load balancer only');
    this.egress(this.service, 'to-database', MYSQL_PORT, { group: this.database }, 'Service to Aurora MySQL');
    this.ingress(this.database, 'from-service', MYSQL_PORT, { group: this.service }, 'MySQL from the service instances only');
    this.egress(this.service, 'to-endpoints', HTTPS, { group: this.endpoints }, 'Service to AWS APIs through interface endpoints');
    this.ingress(this.endpoints, 'from-service', HTTPS, { group: this.service }, 'AWS API calls from the service instances');
  }

  /**
   * Egress that depends on the endpoints and routing: S3 (artifact, OS packages) through the
   * gateway endpoint's prefix list, and HTTPS anywhere only when NAT gateways exist.
   */
  allowServiceEgress(s3PrefixListId: string, natEnabled: boolean): void {
    this.egress(this.service, 'to-s3', HTTPS, { prefixList: s3PrefixListId }, 'Service to S3 through the gateway endpoint (artifact, OS packages)');
    if (natEnabled) this.egress(this.service, 'to-internet', HTTPS, { cidr: '0.0.0.0/0' }, 'Service to HTTPS through the NAT gateways');
  }

  private ingress(group: SecurityGroup, id: string, port: number, peer: Peer, description: string): void {
    new VpcSecurityGroupIngressRule(this, `${group.node.id}-in-${id}`, { provider: this.provider, securityGroupId: group.id, description, ...this.rule(port, peer) });
  }

  private egress(group: SecurityGroup, id: string, port: number, peer: Peer, description: string): void {
    new VpcSecurityGroupEgressRule(this, `${group.node.id}-out-${id}`, { provider: this.provider, securityGroupId: group.id, description, ...this.rule(port, peer) });
  }

  private rule(port: number, peer: Peer) {
    const target =
      'group' in peer ? { referencedSecurityGroupId: peer.group.id } : 'cidr' in peer ? { cidrIpv4: peer.cidr } : { prefixListId: peer.prefixList };
    return { ipProtocol: 'tcp', fromPort: port, toPort: port, ...target };
  }
}
