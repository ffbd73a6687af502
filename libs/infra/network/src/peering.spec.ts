import { defineEnvironment } from '@txn-dr/config';
import { DrStack } from '@txn-dr/infra-core';
import { type SynthesizedStack, followReference, onlyResource, resourcesOfType, synthesize } from '@txn-dr/infra-core/testing';
import { Testing } from 'cdktf';
import { subnetLayout } from './layout';
import { type PeeringSide, RegionPeering, type RegionPeeringProps } from './peering';

const env = defineEnvironment({ name: 'dev' });
const PRIMARY = subnetLayout('10.0.0.0/16', 2);
const SECONDARY = subnetLayout('10.1.0.0/16', 2);

type Sides = Pick<RegionPeeringProps, 'requester' | 'accepter'>;

/** A stack with the secondary's provider (the requester) and the primary's (the accepter), and literal ids. */
function testStack(): { stack: DrStack<'secondary'>; sides: Sides } {
  const stack = new DrStack(Testing.app(), { env, stack: 'secondary' });
  const side = (role: 'primary' | 'secondary', layout: typeof PRIMARY, vpcCidr: string): PeeringSide => ({
    provider: stack.provider(role),
    region: env.regions[role].region,
    vpcId: `vpc-${role}`,
    vpcCidr,
    privateRouteTableIds: [`rtb-${role}-private-0`, `rtb-${role}-private-1`],
    dataRouteTableIds: [`rtb-${role}-data`],
    privateSubnetCidrs: layout.private,
    dataSubnetCidrs: layout.data,
    databaseSecurityGroupId: `sg-${role}-database`,
    serviceSecurityGroupId: `sg-${role}-service`,
  });
  return { stack, sides: { requester: side('secondary', SECONDARY, '10.1.0.0/16'), accepter: side('primary', PRIMARY, '10.0.0.0/16') } };
}

function synthPeering(overrides: (sides: Sides) => Partial<RegionPeeringProps> = () => ({})): SynthesizedStack {
  const { stack, sides } = testStack();
  new RegionPeering(stack, 'peering', { ...sides, name: 'txdr-dev-secondary-to-primary', ...overrides(sides) });
  return synthesize(stack);
}

const values = (json: SynthesizedStack, type: string) => Object.values(resourcesOfType(json, type));
type Rule = { security_group_id: string; cidr_ipv4: string; from_port: number; to_port: number; ip_protocol: string; provider: string; description: string };

describe('RegionPeering', () => {
  const json = synthPeering();
  const acceptance = onlyResource(json, 'aws_vpc_peering_connection_accepter');
  const acceptanceId = `\${aws_vpc_peering_connection_accepter.${Object.keys(resourcesOfType(json, 'aws_vpc_peering_connection_accepter'))[0]}.vpc_peering_connection_id}`;

  it('requests the connection in the requester region, naming the accepter region', () => {
    const connection = onlyResource(json, 'aws_vpc_peering_connection');
    expect(connection).toMatchObject({ provider: 'aws.secondary', vpc_id: 'vpc-secondary', peer_vpc_id: 'vpc-primary', peer_region: 'us-east-1', tags: { Name: 'txdr-dev-secondary-to-primary' } });
    // An inter-region request cannot be auto-accepted by the requester.
    expect(connection.auto_accept).toBeUndefined();
  });

  it('accepts it in the accepter region, through that region\'s provider', () => {
    expect(acceptance).toMatchObject({ provider: 'aws.primary', auto_accept: true, tags: { Name: 'txdr-dev-secondary-to-primary' } });
    expect(followReference(json, acceptance.vpc_peering_connection_id)).toBe(onlyResource(json, 'aws_vpc_peering_connection'));
  });

  it('routes the private tables of both sides to the other VPC, and the data tables back to the other private subnets only', () => {
    const routes = values(json, 'aws_route').map((r) => [r.provider, r.route_table_id, r.destination_cidr_block, r.vpc_peering_connection_id]);
    expect(routes.sort()).toEqual(
      [
        ['aws.secondary', 'rtb-secondary-private-0', '10.0.0.0/16', acceptanceId],
        ['aws.secondary', 'rtb-secondary-private-1', '10.0.0.0/16', acceptanceId],
        ['aws.secondary', 'rtb-secondary-data', '10.0.64.0/21', acceptanceId],
        ['aws.secondary', 'rtb-secondary-data', '10.0.72.0/21', acceptanceId],
        ['aws.primary', 'rtb-primary-private-0', '10.1.0.0/16', acceptanceId],
        ['aws.primary', 'rtb-primary-private-1', '10.1.0.0/16', acceptanceId],
        ['aws.primary', 'rtb-primary-data', '10.1.64.0/21', acceptanceId],
        ['aws.primary', 'rtb-primary-data', '10.1.72.0/21', acceptanceId],
      ].sort(),
    );
  });

  it('lets each database admit MySQL from the other side\'s private subnets only', () => {
    const ingress = values(json, 'aws_vpc_security_group_ingress_rule') as unknown as Rule[];
    expect(ingress.map((r) => [r.provider, r.security_group_id, r.ip_protocol, r.from_port, r.to_port, r.cidr_ipv4]).sort()).toEqual(
      [
        ['aws.secondary', 'sg-secondary-database', 'tcp', 3306, 3306, '10.0.64.0/21'],
        ['aws.secondary', 'sg-secondary-database', 'tcp', 3306, 3306, '10.0.72.0/21'],
        ['aws.primary', 'sg-primary-database', 'tcp', 3306, 3306, '10.1.64.0/21'],
        ['aws.primary', 'sg-primary-database', 'tcp', 3306, 3306, '10.1.72.0/21'],
      ].sort(),
    );
  });

  it('lets each service reach MySQL in the other side\'s data subnets only', () => {
    const egress = values(json, 'aws_vpc_security_group_egress_rule') as unknown as Rule[];
    expect(egress.map((r) => [r.provider, r.security_group_id, r.ip_protocol, r.from_port, r.to_port, r.cidr_ipv4]).sort()).toEqual(
      [
        ['aws.secondary', 'sg-secondary-service', 'tcp', 3306, 3306, '10.0.128.0/21'],
        ['aws.secondary', 'sg-secondary-service', 'tcp', 3306, 3306, '10.0.136.0/21'],
        ['aws.primary', 'sg-primary-service', 'tcp', 3306, 3306, '10.1.128.0/21'],
        ['aws.primary', 'sg-primary-service', 'tcp', 3306, 3306, '10.1.136.0/21'],
      ].sort(),
    );
  });

  it('describes every rule, and opens nothing to the world or to a whole VPC', () => {
    const rules = [...values(json, 'aws_vpc_security_group_ingress_rule'), ...values(json, 'aws_vpc_security_group_egress_rule')] as unknown as Rule[];
    expect(rules.every((r) => r.description.includes(r.cidr_ipv4) && r.description.includes('peering connection'))).toBe(true);
    expect(rules.map((r) => r.cidr_ipv4).filter((c) => ['0.0.0.0/0', '10.0.0.0/16', '10.1.0.0/16'].includes(c))).toEqual([]);
  });

  it('leaves DNS resolution over the connection off: Aurora endpoints resolve to private addresses anyway', () => {
    expect(resourcesOfType(json, 'aws_vpc_peering_connection_options')).toEqual({});
    expect(JSON.stringify(json)).not.toContain('allow_remote_vpc_dns_resolution');
  });

  it('takes another port', () => {
    const postgres = synthPeering(() => ({ port: 5432 }));
    const rules = [...values(postgres, 'aws_vpc_security_group_ingress_rule'), ...values(postgres, 'aws_vpc_security_group_egress_rule')];
    expect(rules).toHaveLength(8);
    expect(rules.every((r) => r.from_port === 5432 && r.to_port === 5432)).toBe(true);
  });
});

describe('RegionPeering refuses', () => {
  const side = (sides: Sides, which: keyof Sides, change: Partial<PeeringSide>) => ({ [which]: { ...sides[which], ...change } });

  it.each<[string, (sides: Sides) => Partial<RegionPeeringProps>, RegExp]>([
    ['two sides in one region', (s) => side(s, 'accepter', { region: 'us-east-2', provider: s.requester.provider }), /accepter\.region: us-east-2 is the requester's region too/],
    ['overlapping VPCs', (s) => side(s, 'accepter', { vpcCidr: '10.1.0.0/17', privateSubnetCidrs: ['10.1.0.0/21'], dataSubnetCidrs: ['10.1.8.0/21'] }), /accepter\.vpcCidr: 10\.1\.0\.0\/17 overlaps requester\.vpcCidr 10\.1\.0\.0\/16/],
    ['a subnet outside its VPC', (s) => side(s, 'accepter', { privateSubnetCidrs: ['10.1.64.0/21'] }), /accepter\.privateSubnetCidrs: 10\.1\.64\.0\/21 is outside accepter\.vpcCidr 10\.0\.0\.0\/16/],
    ['a block only known at apply', (s) => side(s, 'requester', { dataSubnetCidrs: ['${aws_subnet.x.cidr_block}'] }), /requester\.dataSubnetCidrs: .* is not a literal IPv4 CIDR block/],
    ['the whole internet as a subnet', (s) => side(s, 'requester', { privateSubnetCidrs: ['0.0.0.0/0'] }), /requester\.privateSubnetCidrs: 0\.0\.0\.0\/0 is outside requester\.vpcCidr/],
    ['no private route table', (s) => side(s, 'requester', { privateRouteTableIds: [] }), /requester\.privateRouteTableIds: empty/],
    ['no data route table', (s) => side(s, 'accepter', { dataRouteTableIds: [] }), /accepter\.dataRouteTableIds: empty/],
    ['a provider of another region', (s) => side(s, 'accepter', { provider: s.requester.provider }), /accepter\.provider: is for us-east-2, but accepter\.region is us-east-1/],
    ['a port that is not one', () => ({ port: 0 }), /port: 0 is not a TCP port/],
  ])('%s', (_name, change, message) => {
    const { stack, sides } = testStack();
    expect(() => new RegionPeering(stack, 'peering', { ...sides, name: 'p', ...change(sides) })).toThrow(message);
  });
});
