import { type EnvironmentOverrides, defineEnvironment } from '@txn-dr/config';
import { CustomerManagedKey, DrStack } from '@txn-dr/infra-core';
import { type SynthesizedStack, followReference, onlyResource, resourcesOfType, synthesize } from '@txn-dr/infra-core/testing';
import { Testing } from 'cdktf';
import { INTERFACE_SERVICES } from './endpoints';
import { RegionNetwork, type RegionNetworkProps } from './network';

/** A network with the values a regional stack passes from its environment, or `props` instead. */
function synthNetwork(overrides: Partial<EnvironmentOverrides> = {}, role: 'primary' | 'secondary' = 'primary', props: Partial<RegionNetworkProps> = {}): SynthesizedStack {
  const env = defineEnvironment({ name: 'dev', ...overrides });
  const stack = new DrStack(Testing.app(), { env, stack: role });
  const provider = stack.provider(role);
  const key = new CustomerManagedKey(stack, 'key', { provider, alias: 'k', description: 'logs' });
  const region = env.regions[role];
  new RegionNetwork(stack, 'network', {
    names: stack.names,
    role,
    provider,
    region: region.region,
    vpcCidr: region.vpcCidr,
    availabilityZones: region.availabilityZones,
    natGateways: region.natGateways,
    appPort: env.compute.appPort,
    https: env.loadBalancer.https,
    logRetentionDays: env.logs.retentionDays,
    logKeyArn: key.arn,
    ...props,
  });
  return synthesize(stack);
}

const values = (json: SynthesizedStack, type: string) => Object.values(resourcesOfType(json, type));

describe('RegionNetwork', () => {
  const json = synthNetwork();

  it('builds the VPC from the config CIDR with DNS for private endpoints', () => {
    expect(onlyResource(json, 'aws_vpc')).toMatchObject({ cidr_block: '10.0.0.0/16', enable_dns_support: true, enable_dns_hostnames: true });
  });

  it('has public, private and data subnets in two AZs, none assigning public IPs', () => {
    const subnets = values(json, 'aws_subnet');
    expect(subnets.map((s) => (s.tags as Record<string, string>).Tier).sort()).toEqual(['data', 'data', 'private', 'private', 'public', 'public']);
    expect(new Set(subnets.map((s) => s.availability_zone)).size).toBe(2);
    expect(subnets.every((s) => s.map_public_ip_on_launch === false)).toBe(true);
  });

  it('routes only the public tier to the internet gateway when no NAT is asked for', () => {
    const routes = values(json, 'aws_route');
    expect(routes).toHaveLength(1);
    expect(routes[0]).toMatchObject({ destination_cidr_block: '0.0.0.0/0', gateway_id: expect.stringContaining('aws_internet_gateway') });
    expect(resourcesOfType(json, 'aws_nat_gateway')).toEqual({});
  });

  it('reaches S3 through a gateway endpoint on the private route tables and the other APIs through interface endpoints', () => {
    const endpoints = values(json, 'aws_vpc_endpoint');
    const gateway = endpoints.find((e) => e.vpc_endpoint_type === 'Gateway');
    expect(gateway).toMatchObject({ service_name: 'com.amazonaws.us-east-1.s3' });
    expect(gateway?.route_table_ids).toHaveLength(2);
    const interfaces = endpoints.filter((e) => e.vpc_endpoint_type === 'Interface');
    expect(interfaces.map((e) => e.service_name).sort()).toEqual(INTERFACE_SERVICES.map((s) => `com.amazonaws.us-east-1.${s}`).sort());
    expect(interfaces.every((e) => e.private_dns_enabled === true && (e.subnet_ids as string[]).length === 2)).toBe(true);
  });

  it('sends all flow logs to an encrypted log group with the configured retention, through a scoped role', () => {
    const flowLog = onlyResource(json, 'aws_flow_log');
    expect(flowLog).toMatchObject({ traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs' });
    const group = followReference(json, flowLog.log_destination);
    expect(group).toMatchObject({ name: '/aws/vpc/txdr-dev-primary-flow-logs', retention_in_days: 30, kms_key_id: expect.stringContaining('aws_kms_key') });
    const role = followReference(json, flowLog.iam_role_arn);
    const trust = followReference(json, role.assume_role_policy).statement as Record<string, unknown>[];
    expect(trust[0]).toMatchObject({ principals: [{ type: 'Service', identifiers: ['vpc-flow-logs.amazonaws.com'] }] });
    expect((trust[0]!.condition as { variable: string }[]).map((c) => c.variable)).toEqual(['aws:SourceAccount', 'aws:SourceArn']);
  });

  it('closes the default security group', () => {
    expect(onlyResource(json, 'aws_default_security_group')).toMatchObject({ ingress: [], egress: [] });
  });

  it('opens only the ALB listeners to the internet, HTTPS and HTTP for its redirect, and describes every rule', () => {
    const rules = [...values(json, 'aws_vpc_security_group_ingress_rule'), ...values(json, 'aws_vpc_security_group_egress_rule')];
    expect(rules.every((r) => typeof r.description === 'string' && (r.description as string).length > 0)).toBe(true);
    const open = rules.filter((r) => r.cidr_ipv4 === '0.0.0.0/0').sort((a, b) => Number(a.from_port) - Number(b.from_port));
    expect(open).toEqual([
      expect.objectContaining({ ip_protocol: 'tcp', from_port: 80, to_port: 80, security_group_id: expect.stringContaining('alb') }),
      expect.objectContaining({ ip_protocol: 'tcp', from_port: 443, to_port: 443, security_group_id: expect.stringContaining('alb') }),
    ]);
  });

  it('chains ALB -> service -> database by group reference', () => {
    const ingress = values(json, 'aws_vpc_security_group_ingress_rule');
    const hop = (port: number) => ingress.find((r) => r.from_port === port && r.referenced_security_group_id);
    expect(hop(8080)).toMatchObject({ security_group_id: expect.stringContaining('service'), referenced_security_group_id: expect.stringContaining('alb') });
    expect(hop(3306)).toMatchObject({ security_group_id: expect.stringContaining('database'), referenced_security_group_id: expect.stringContaining('service') });
    const databaseEgress = values(json, 'aws_vpc_security_group_egress_rule').filter((r) => String(r.security_group_id).includes('database'));
    expect(databaseEgress).toEqual([]);
  });
});

describe('RegionNetwork options', () => {
  it('adds NAT gateways and default routes per AZ only when config asks', () => {
    const json = synthNetwork({ regions: { primary: { natGateways: 1 } } });
    expect(values(json, 'aws_nat_gateway')).toHaveLength(1);
    expect(values(json, 'aws_route').filter((r) => r.nat_gateway_id)).toHaveLength(2);
    expect(values(json, 'aws_vpc_security_group_egress_rule').filter((r) => r.cidr_ipv4 === '0.0.0.0/0')).toHaveLength(1);
  });

  it('opens port 80 alone when HTTPS is off', () => {
    const json = synthNetwork({ loadBalancer: { https: false } });
    const open = values(json, 'aws_vpc_security_group_ingress_rule').filter((r) => r.cidr_ipv4 === '0.0.0.0/0');
    expect(open.map((r) => [r.from_port, r.to_port])).toEqual([[80, 80]]);
  });

  it('defaults to two zones, no NAT gateway and HTTPS when those props are left out', () => {
    const json = synthNetwork({ regions: { primary: { natGateways: 1, availabilityZones: 3 } }, loadBalancer: { https: false } }, 'primary', {
      availabilityZones: undefined,
      natGateways: undefined,
      https: undefined,
    });
    expect(values(json, 'aws_subnet')).toHaveLength(6);
    expect(resourcesOfType(json, 'aws_nat_gateway')).toEqual({});
    const open = values(json, 'aws_vpc_security_group_ingress_rule').filter((r) => r.cidr_ipv4 === '0.0.0.0/0');
    expect(open.map((r) => Number(r.from_port)).sort((x, y) => x - y)).toEqual([80, 443]);
  });

  it('opens the service port it is given to the load balancer', () => {
    const json = synthNetwork({}, 'primary', { appPort: 9090 });
    const fromAlb = values(json, 'aws_vpc_security_group_ingress_rule').filter((r) => r.referenced_security_group_id && String(r.security_group_id).includes('service'));
    expect(fromAlb.map((r) => [r.from_port, r.to_port])).toEqual([[9090, 9090]]);
  });

  it('lays the secondary out from its own CIDR and region', () => {
    const json = synthNetwork({}, 'secondary');
    expect(onlyResource(json, 'aws_vpc').cidr_block).toBe('10.1.0.0/16');
    expect(values(json, 'aws_vpc_endpoint').every((e) => String(e.service_name).startsWith('com.amazonaws.us-east-2.'))).toBe(true);
  });
});

describe('RegionNetwork props', () => {
  it.each([
    ['a region its provider is not for', { region: 'eu-west-1' }, 'RegionNetwork (primary): provider: is for us-east-1, but region is eu-west-1'],
    ['more NAT gateways than zones', { natGateways: 3, availabilityZones: 2 }, 'natGateways: 3 is more than availabilityZones 2'],
  ])('refuses %s, naming the field', (_case, props, message) => {
    expect(() => synthNetwork({}, 'primary', props)).toThrow(message);
  });
});
