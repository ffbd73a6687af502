import { type Located, locationKey, resolveAcross, resolveAllAcross } from '../engine/cross-stack';
import type { Stack } from '../engine/stack';
import { fail, na, pass, type Outcome, type Resource, type StackFinding } from '../engine/types';
import { blocks, isTrue, resourceRule, stacksRule, strings, toNumber } from './util';

const WORLD = ['0.0.0.0/0', '::/0'];

/** The peering routes of a route resource or of a route table's inline blocks, with a label each. */
function peeringRoutes(resource: Resource): { label: string; route: Record<string, unknown> }[] {
  if (resource.type === 'aws_route') return resource.body.vpc_peering_connection_id ? [{ label: resource.address, route: resource.body }] : [];
  return blocks(resource.body.route)
    .map((route, index) => ({ label: `route[${index}]`, route }))
    .filter(({ route }) => route.vpc_peering_connection_id);
}

/** True if a route sends its traffic to an internet gateway (a reference to one, or a literal igw- id). */
function toInternetGateway(stack: Stack, route: Record<string, unknown>): boolean {
  const gateway = route.gateway_id;
  return stack.resolve(gateway)?.type === 'aws_internet_gateway' || (typeof gateway === 'string' && gateway.startsWith('igw-'));
}

/** True if a route table of its stack sends anything to an internet gateway: the table of a public subnet. */
function isPublicTable(located: Located): boolean {
  const { stack, resource: table } = located;
  const inline = blocks(table.body.route);
  const separate = stack.referrers(table, 'aws_route', 'route_table_id').map((r) => r.body);
  return [...inline, ...separate].some((route) => toInternetGateway(stack, route));
}

/** The subnets of every stack whose route table sends nothing to an internet gateway, by CIDR block. */
function privateSubnetBlocks(stacks: readonly Stack[]): Set<string> {
  const found = new Set<string>();
  for (const stack of stacks) {
    for (const subnet of stack.byType('aws_subnet')) {
      const tables = stack
        .referrers(subnet, 'aws_route_table_association', 'subnet_id')
        .map((association) => stack.resolve(association.body.route_table_id))
        .filter((table): table is Resource => table?.type === 'aws_route_table');
      // A subnet with no association of its own uses the main table, which this cannot see: not counted.
      if (tables.length > 0 && !tables.some((table) => isPublicTable({ stack, resource: table }))) {
        for (const cidr of strings(subnet.body.cidr_block)) found.add(cidr);
      }
    }
  }
  return found;
}

const DATABASE_TYPES = ['aws_rds_cluster', 'aws_db_instance'];

/** The port a database listens on: its own `port`, or its engine's default. */
function databasePort(database: Resource): number | undefined {
  const port = toNumber(database.body.port);
  if (port !== undefined) return port;
  const engine = String(database.body.engine ?? '');
  if (/postgres/.test(engine)) return 5432;
  if (/mysql|mariadb|^aurora$/.test(engine)) return 3306;
  return undefined;
}

/** Databases of a security group's stack that use it, and so the ports it should admit. */
function databasesUsing(group: Located): Resource[] {
  return DATABASE_TYPES.flatMap((type) => group.stack.referrers(group.resource, type, 'vpc_security_group_ids'));
}

/** An ingress permission on a group, whichever resource wrote it. */
interface Ingress {
  readonly stack: Stack;
  readonly resource: Resource;
  readonly label: string;
  readonly groupRef: unknown;
  readonly body: Record<string, unknown>;
  readonly protocol: string;
  readonly cidrs: readonly string[];
  /** It names a security group or prefix list instead of addresses. */
  readonly byReference: boolean;
}

function ingressOf(stack: Stack, resource: Resource): Ingress[] {
  const b = resource.body;
  switch (resource.type) {
    case 'aws_vpc_security_group_ingress_rule':
      return [
        {
          stack,
          resource,
          label: resource.address,
          groupRef: b.security_group_id,
          body: b,
          protocol: String(b.ip_protocol ?? ''),
          cidrs: [...strings(b.cidr_ipv4), ...strings(b.cidr_ipv6)],
          byReference: b.referenced_security_group_id !== undefined || b.prefix_list_id !== undefined,
        },
      ];
    case 'aws_security_group_rule':
      if (b.type !== 'ingress') return [];
      return [
        {
          stack,
          resource,
          label: resource.address,
          groupRef: b.security_group_id,
          body: b,
          protocol: String(b.protocol ?? ''),
          cidrs: [...strings(b.cidr_blocks), ...strings(b.ipv6_cidr_blocks)],
          byReference: b.source_security_group_id !== undefined || isTrue(b.self) || b.prefix_list_ids !== undefined,
        },
      ];
    case 'aws_security_group':
      return blocks(b.ingress).map((x, index) => ({
        stack,
        resource,
        label: `${resource.address} ingress[${index}]`,
        groupRef: `\${${resource.address}.id}`,
        body: x,
        protocol: String(x.protocol ?? ''),
        cidrs: [...strings(x.cidr_blocks), ...strings(x.ipv6_cidr_blocks)],
        byReference: strings(x.security_groups).length > 0 || isTrue(x.self) || strings(x.prefix_list_ids).length > 0,
      }));
    default:
      return [];
  }
}

/** Why an ingress permission on a database's group is wider than the database needs, or undefined. */
function databaseIngressProblem(ingress: Ingress, ports: readonly number[], privateBlocks: ReadonlySet<string>): string | undefined {
  const from = toNumber(ingress.body.from_port);
  const to = toNumber(ingress.body.to_port);
  if (ingress.protocol !== 'tcp' || from === undefined || from !== to || !ports.includes(from)) {
    return `${ingress.label} allows ${ingress.protocol} ${from ?? '?'}-${to ?? '?'}; only TCP ${ports.join(' or ')} (the database's port) belongs on its group`;
  }
  const wide = ingress.cidrs.filter((cidr) => !privateBlocks.has(cidr));
  if (wide.length > 0) {
    return `${ingress.label} admits ${wide.join(', ')}, which is not the block of a private subnet of the stacks (one that sends nothing to an internet gateway)`;
  }
  if (ingress.cidrs.length === 0 && !ingress.byReference) return `${ingress.label} names no source`;
  return undefined;
}

export const peeringRules = [
  resourceRule({
    id: 'vpc-peering-route-scoped',
    mirrors: 'CKV2_AWS_44',
    title: 'Routes through a VPC peering connection go to a specific block, never 0.0.0.0/0 or ::/0',
    severity: 'high',
    resourceTypes: ['aws_route', 'aws_route_table'],
    check: (resource) => {
      const routes = peeringRoutes(resource);
      if (routes.length === 0) return na('no route through a peering connection');
      const open = routes.filter(({ route }) => [...strings(route.destination_cidr_block), ...strings(route.cidr_block), ...strings(route.destination_ipv6_cidr_block), ...strings(route.ipv6_cidr_block)].some((c) => WORLD.includes(c)));
      return open.length === 0 ? pass() : fail(`${open.map((r) => r.label).join(', ')} sends all traffic through the peering connection`);
    },
  }),
  stacksRule({
    id: 'vpc-peering-accepted-in-peer-region',
    mirrors: null,
    title: 'An inter-region peering connection does not auto-accept, and an accepter in the peer region (any stack) accepts it',
    severity: 'high',
    check: (stacks) => {
      const accepters = stacks.flatMap((stack) => stack.byType('aws_vpc_peering_connection_accepter').map((resource) => ({ stack, resource })));
      return stacks.flatMap((stack) =>
        stack.byType('aws_vpc_peering_connection').map((connection): StackFinding => {
          const about = { stack: stack.name, resource: connection.address };
          const own = stack.regionOf(connection);
          const peer = connection.body.peer_region;
          if (typeof peer !== 'string' || peer === own) return { ...about, outcome: na('a same-region connection') };
          if (isTrue(connection.body.auto_accept)) return { ...about, outcome: fail('auto_accept is true: an inter-region request must be accepted from the peer region') };
          const key = locationKey({ stack, resource: connection });
          const accepting = accepters.filter((a) => {
            const target = resolveAcross(stacks, a.stack, a.resource.body.vpc_peering_connection_id);
            return target !== undefined && locationKey(target) === key;
          });
          if (accepting.length === 0) return { ...about, outcome: fail(`no aws_vpc_peering_connection_accepter accepts it: it stays pending in ${peer}`) };
          const wrong = accepting.filter((a) => a.stack.regionOf(a.resource) !== peer || !isTrue(a.resource.body.auto_accept));
          const outcome: Outcome =
            wrong.length < accepting.length
              ? pass()
              : fail(wrong.map((a) => `${a.resource.address} (${a.stack.name}) is in ${a.stack.regionOf(a.resource) ?? 'an unknown region'}${isTrue(a.resource.body.auto_accept) ? '' : ' without auto_accept'}, not accepting in ${peer}`).join('; '));
          return { ...about, outcome };
        }),
      );
    },
  }),
  stacksRule({
    id: 'vpc-peering-no-public-route-tables',
    mirrors: null,
    title: 'Routes through a VPC peering connection are only in route tables that send nothing to an internet gateway (the public tier never routes across)',
    severity: 'high',
    check: (stacks) =>
      stacks.flatMap((stack) =>
        stack
          .byType('aws_route')
          .filter((route) => route.body.vpc_peering_connection_id)
          .map((route): StackFinding => {
            const about = { stack: stack.name, resource: route.address };
            const tables = resolveAllAcross(stacks, stack, route.body.route_table_id).filter((t) => t.resource.type === 'aws_route_table');
            if (tables.length === 0) return { ...about, outcome: fail(`cannot tell which route table ${String(route.body.route_table_id)} is`) };
            const open = tables.filter(isPublicTable);
            return { ...about, outcome: open.length === 0 ? pass() : fail(`${open.map(locationKey).join(', ')} routes to an internet gateway: a public table`) };
          }),
      ),
  }),
  stacksRule({
    id: 'sg-database-ingress-scoped',
    mirrors: null,
    title: "Database security groups admit only the database's TCP port, from security groups or the blocks of private subnets of the stacks (never a VPC or the world)",
    severity: 'high',
    check: (stacks) => {
      const privateBlocks = privateSubnetBlocks(stacks);
      const types = ['aws_vpc_security_group_ingress_rule', 'aws_security_group_rule', 'aws_security_group'];
      return stacks.flatMap((stack) =>
        types.flatMap((type) =>
          stack.byType(type).flatMap((resource): StackFinding[] => {
            const about = { stack: stack.name, resource: resource.address };
            const problems: string[] = [];
            let applies = false;
            for (const ingress of ingressOf(stack, resource)) {
              const groups = resolveAllAcross(stacks, stack, ingress.groupRef).filter((g) => g.resource.type === 'aws_security_group');
              const ports = groups.flatMap(databasesUsing).map(databasePort);
              if (ports.length === 0) continue;
              applies = true;
              const known = ports.filter((p): p is number => p !== undefined);
              const problem = known.length === ports.length ? databaseIngressProblem(ingress, known, privateBlocks) : `${ingress.label}: the database's port is unknown`;
              if (problem) problems.push(problem);
            }
            if (!applies) return [];
            return [{ ...about, outcome: problems.length === 0 ? pass() : fail(problems.join('; ')) }];
          }),
        ),
      );
    },
  }),
];
