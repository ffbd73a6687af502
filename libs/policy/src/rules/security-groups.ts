import type { Stack } from '../engine/stack';
import { fail, na, pass, type Outcome, type Resource } from '../engine/types';
import { blocks, resourceRule, strings, toNumber } from './util';

const WORLD = ['0.0.0.0/0', '::/0'];
const RULE_TYPES = ['aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule', 'aws_security_group_rule', 'aws_security_group'];

/** One rule of a security group, whichever resource it was written as. */
interface SgRule {
  readonly direction: 'ingress' | 'egress';
  readonly label: string;
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidrs: readonly string[];
  readonly description: unknown;
  /** The group it belongs to, if it is in this stack. */
  readonly group?: Resource;
}

function rulesOf(resource: Resource, stack: Stack): SgRule[] {
  const b = resource.body;
  const ports = (x: Record<string, unknown>) => {
    const from = toNumber(x.from_port);
    const to = toNumber(x.to_port);
    return { ...(from === undefined ? {} : { fromPort: from }), ...(to === undefined ? {} : { toPort: to }) };
  };
  const group = stack.resolve(b.security_group_id);
  const owner = group?.type === 'aws_security_group' ? { group } : {};
  switch (resource.type) {
    case 'aws_vpc_security_group_ingress_rule':
    case 'aws_vpc_security_group_egress_rule':
      return [
        {
          direction: resource.type.includes('ingress') ? 'ingress' : 'egress',
          label: resource.address,
          protocol: String(b.ip_protocol ?? ''),
          ...ports(b),
          cidrs: [...strings(b.cidr_ipv4), ...strings(b.cidr_ipv6)],
          description: b.description,
          ...owner,
        },
      ];
    case 'aws_security_group_rule':
      return [
        {
          direction: b.type === 'egress' ? 'egress' : 'ingress',
          label: resource.address,
          protocol: String(b.protocol ?? ''),
          ...ports(b),
          cidrs: [...strings(b.cidr_blocks), ...strings(b.ipv6_cidr_blocks)],
          description: b.description,
          ...owner,
        },
      ];
    case 'aws_security_group':
      return (['ingress', 'egress'] as const).flatMap((direction) =>
        blocks(b[direction]).map((x, i) => ({
          direction,
          label: `${direction}[${i}]`,
          protocol: String(x.protocol ?? ''),
          ...ports(x),
          cidrs: [...strings(x.cidr_blocks), ...strings(x.ipv6_cidr_blocks)],
          description: x.description,
          group: resource,
        })),
      );
    default:
      return [];
  }
}

/** Ports of the listeners of load balancers that use this security group. */
function listenerPorts(stack: Stack, group: Resource | undefined): number[] {
  if (!group) return [];
  return stack
    .referrers(group, 'aws_lb', 'security_groups')
    .flatMap((lb) => stack.referrers(lb, 'aws_lb_listener', 'load_balancer_arn'))
    .map((listener) => toNumber(listener.body.port))
    .filter((p): p is number => p !== undefined);
}

const isAllProtocols = (protocol: string) => protocol === '-1' || protocol === 'all';

function worldIngress(resource: Resource, stack: Stack): Outcome {
  const open = rulesOf(resource, stack).filter((r) => r.direction === 'ingress' && r.cidrs.some((c) => WORLD.includes(c)));
  if (open.length === 0) return pass();
  for (const rule of open) {
    const allowed = listenerPorts(stack, rule.group);
    const single = rule.fromPort !== undefined && rule.fromPort === rule.toPort;
    const ok = rule.protocol === 'tcp' && single && allowed.includes(rule.fromPort as number);
    if (!ok) {
      const range = rule.fromPort === rule.toPort ? `${rule.fromPort}` : `${rule.fromPort}-${rule.toPort}`;
      return fail(`${rule.label} opens ${rule.protocol} ${range} to ${rule.cidrs.join(', ')}; only listener ports (${allowed.join(', ') || 'none'}) of a load balancer using the group may be`);
    }
  }
  return pass();
}

export const securityGroupRules = [
  resourceRule({
    id: 'sg-no-world-ingress',
    mirrors: 'AwsSolutions-EC23',
    title: 'No ingress from 0.0.0.0/0 or ::/0, except TCP listener ports of the load balancer using the group',
    severity: 'critical',
    resourceTypes: ['aws_vpc_security_group_ingress_rule', 'aws_security_group_rule', 'aws_security_group'],
    check: (r, stack) => worldIngress(r, stack),
  }),
  resourceRule({
    id: 'sg-descriptions',
    mirrors: 'CKV_AWS_23',
    title: 'Every security group and security group rule has a description',
    severity: 'low',
    resourceTypes: RULE_TYPES,
    check: (r, stack) => {
      if (r.type === 'aws_security_group' && (typeof r.body.description !== 'string' || r.body.description === '' || r.body.description === 'Managed by Terraform')) {
        return fail('the group has no description of its own');
      }
      const bare = rulesOf(r, stack).filter((x) => typeof x.description !== 'string' || x.description.trim() === '');
      return bare.length === 0 ? pass() : fail(`no description on ${bare.map((x) => x.label).join(', ')}`);
    },
  }),
  resourceRule({
    id: 'sg-no-all-protocols',
    mirrors: 'CKV_AWS_277',
    title: 'No security group rule allows every protocol and port (ip_protocol -1)',
    severity: 'high',
    resourceTypes: RULE_TYPES,
    check: (r, stack) => {
      const all = rulesOf(r, stack).filter((x) => isAllProtocols(x.protocol));
      return all.length === 0 ? pass() : fail(`${all.map((x) => `${x.label} (${x.direction})`).join(', ')} allows all protocols`);
    },
  }),
  resourceRule({
    id: 'vpc-default-sg-closed',
    mirrors: 'CKV2_AWS_12',
    title: "Every VPC's default security group is managed and has no rules",
    severity: 'medium',
    resourceTypes: ['aws_vpc'],
    check: (vpc, stack) => {
      const defaults = stack.referrers(vpc, 'aws_default_security_group', 'vpc_id');
      if (defaults.length === 0) return fail('no aws_default_security_group manages the default group (AWS allows all traffic within it)');
      const open = defaults.filter((d) => blocks(d.body.ingress).length > 0 || blocks(d.body.egress).length > 0);
      return open.length === 0 ? pass() : fail(`${open[0]!.address} keeps rules`);
    },
  }),
  resourceRule({
    id: 'sg-egress-scoped',
    mirrors: null,
    title: 'No security group egress to 0.0.0.0/0 or ::/0 (egress goes to groups, prefix lists or VPC ranges)',
    severity: 'medium',
    resourceTypes: RULE_TYPES,
    check: (r, stack) => {
      const rules = rulesOf(r, stack);
      if (rules.length === 0) return na();
      const world = rules.filter((x) => x.direction === 'egress' && x.cidrs.some((c) => WORLD.includes(c)));
      return world.length === 0 ? pass() : fail(`${world.map((x) => x.label).join(', ')} allows egress to the internet`);
    },
  }),
];
