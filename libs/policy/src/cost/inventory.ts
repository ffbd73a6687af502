import type { Stack } from '../engine/stack';
import type { Resource } from '../engine/types';

/** A count in each region, keyed by region code (`us-east-1`). */
export type ByRegion = Readonly<Record<string, number>>;

/** The billable things of the synthesized stacks, counted from the JSON rather than typed by hand. */
export interface CostInventory {
  /** Aurora instances by region and instance class. */
  readonly auroraInstances: readonly { readonly region: string; readonly instanceClass: string; readonly count: number }[];
  /** Interface VPC endpoints (gateway endpoints are free) and the endpoint-AZs they are billed by. */
  readonly interfaceEndpoints: readonly { readonly region: string; readonly endpoints: number; readonly endpointAzs: number }[];
  /** Application load balancers, and the zones of the internet-facing ones (each holds public IPv4 there). */
  readonly loadBalancers: readonly { readonly region: string; readonly count: number; readonly internetFacingZones: number }[];
  /** Each Auto Scaling group with what its launch template gives its instances. */
  readonly fleets: readonly {
    readonly region: string;
    readonly instanceType: string;
    readonly min: number;
    readonly desired: number;
    readonly max: number;
    readonly volumeGb: number;
    readonly detailedMonitoring: boolean;
  }[];
  readonly natGateways: ByRegion;
  /** KMS keys, multi-Region replicas included: each is a key of its own. */
  readonly kmsKeys: ByRegion;
  readonly hostedZones: number;
  /** Each Route 53 health check with the options that are billed on top of the basic check. */
  readonly healthChecks: readonly { readonly type: string; readonly fastInterval: boolean; readonly measureLatency: boolean; readonly stringMatching: boolean }[];
  /**
   * Metric alarms by region: how many, the metrics they list (a metric-math alarm lists several),
   * and how many are Metrics Insights query alarms instead.
   */
  readonly alarms: readonly { readonly region: string; readonly alarms: number; readonly alarmMetrics: number; readonly metricsInsightsAlarms: number }[];
  readonly dashboards: number;
  /** Secrets Manager secrets, each replica counted as a secret. */
  readonly secrets: number;
  /** S3 replication rules, and how many of them have Replication Time Control on. */
  readonly replicationRules: { readonly total: number; readonly withTimeControl: number };
  /** Scheduled Lambda functions: memory, architecture and runs a month (from `rate(N minute(s))`). */
  readonly scheduledFunctions: readonly { readonly region: string; readonly memoryMb: number; readonly architecture: string; readonly runsPerMonth: number }[];
  readonly logGroups: ByRegion;
  readonly flowLogs: number;
  readonly vpcPeeringConnections: number;
}

/** 730 hours: the month AWS's own monthly examples use. */
export const HOURS_PER_MONTH = 730;
const MINUTES_PER_MONTH = HOURS_PER_MONTH * 60;

function region(stack: Stack, resource: Resource): string {
  const found = stack.regionOf(resource);
  if (found === undefined) throw new Error(`${stack.name}: ${resource.address} names no provider with a literal region`);
  return found;
}

function number(value: unknown, what: string): number {
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(parsed)) throw new Error(`${what} is not a literal number: ${JSON.stringify(value)}`);
  return parsed;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** Every resource of a type in every stack, with its stack. */
function all(stacks: readonly Stack[], type: string): { stack: Stack; resource: Resource }[] {
  return stacks.flatMap((stack) => stack.byType(type).map((resource) => ({ stack, resource })));
}

function countByRegion(stacks: readonly Stack[], ...types: string[]): ByRegion {
  const counts: Record<string, number> = {};
  for (const type of types) {
    for (const { stack, resource } of all(stacks, type)) {
      const where = region(stack, resource);
      counts[where] = (counts[where] ?? 0) + 1;
    }
  }
  return counts;
}

/** Groups rows by a key, adding up the numeric fields `sum` names. */
function group<T extends Record<string, unknown>>(rows: T[], key: (row: T) => string, sum: (keyof T)[]): T[] {
  const groups = new Map<string, T>();
  for (const row of rows) {
    const existing = groups.get(key(row));
    if (!existing) {
      groups.set(key(row), { ...row });
      continue;
    }
    const merged: Record<string, unknown> = { ...existing };
    for (const field of sum) merged[field as string] = (existing[field] as number) + (row[field] as number);
    groups.set(key(row), merged as T);
  }
  return [...groups.values()].sort((a, b) => key(a).localeCompare(key(b)));
}

function fleets(stacks: readonly Stack[]): CostInventory['fleets'] {
  return all(stacks, 'aws_autoscaling_group').map(({ stack, resource }) => {
    const template = stack.resolve((resource.body.launch_template as { id?: unknown } | undefined)?.id);
    if (!template || template.type !== 'aws_launch_template') throw new Error(`${stack.name}: ${resource.address} names no launch template of its stack`);
    const volumes = list(template.body.block_device_mappings).map((mapping) => (mapping as { ebs?: { volume_size?: unknown } }).ebs?.volume_size);
    return {
      region: region(stack, resource),
      instanceType: String(template.body.instance_type),
      min: number(resource.body.min_size, `${resource.address}.min_size`),
      desired: number(resource.body.desired_capacity, `${resource.address}.desired_capacity`),
      max: number(resource.body.max_size, `${resource.address}.max_size`),
      volumeGb: volumes.reduce<number>((sum, size) => sum + number(size, `${template.address} volume_size`), 0),
      detailedMonitoring: (template.body.monitoring as { enabled?: unknown } | undefined)?.enabled === true,
    };
  });
}

/** `rate(1 minute)`, `rate(5 minutes)`: runs a month; undefined for a cron or anything else. */
function runsPerMonth(schedule: unknown): number | undefined {
  const match = typeof schedule === 'string' ? /^rate\((\d+) minutes?\)$/.exec(schedule) : null;
  return match ? MINUTES_PER_MONTH / Number(match[1]) : undefined;
}

function scheduledFunctions(stacks: readonly Stack[]): CostInventory['scheduledFunctions'] {
  return all(stacks, 'aws_cloudwatch_event_target').flatMap(({ stack, resource }) => {
    const target = stack.resolve(resource.body.arn);
    const rule = stack.resolve(resource.body.rule);
    const runs = rule ? runsPerMonth(rule.body.schedule_expression) : undefined;
    if (!target || target.type !== 'aws_lambda_function' || runs === undefined) return [];
    return [
      {
        region: region(stack, target),
        memoryMb: number(target.body.memory_size ?? 128, `${target.address}.memory_size`),
        architecture: String(list(target.body.architectures)[0] ?? 'x86_64'),
        runsPerMonth: runs,
      },
    ];
  });
}

function alarms(stacks: readonly Stack[]): CostInventory['alarms'] {
  const rows = all(stacks, 'aws_cloudwatch_metric_alarm').map(({ stack, resource }) => {
    const queries = list(resource.body.metric_query) as { metric?: unknown; expression?: unknown }[];
    const insights = queries.some((q) => typeof q.expression === 'string' && /^\s*SELECT\b/i.test(q.expression));
    return {
      region: region(stack, resource),
      alarms: 1,
      // A plain alarm watches its one metric; a math alarm the metrics its queries fetch.
      alarmMetrics: insights ? 0 : queries.length === 0 ? 1 : queries.filter((q) => q.metric !== undefined).length,
      metricsInsightsAlarms: insights ? 1 : 0,
    };
  });
  return group(rows, (r) => r.region, ['alarms', 'alarmMetrics', 'metricsInsightsAlarms']);
}

/** Counts the billable things of the synthesized stacks. */
export function costInventory(stacks: readonly Stack[]): CostInventory {
  const auroraInstances = group(
    all(stacks, 'aws_rds_cluster_instance').map(({ stack, resource }) => ({
      region: region(stack, resource),
      instanceClass: String(resource.body.instance_class),
      count: 1,
    })),
    (r) => `${r.region} ${r.instanceClass}`,
    ['count'],
  );
  const interfaceEndpoints = group(
    all(stacks, 'aws_vpc_endpoint')
      .filter(({ resource }) => resource.body.vpc_endpoint_type === 'Interface')
      .map(({ stack, resource }) => ({ region: region(stack, resource), endpoints: 1, endpointAzs: list(resource.body.subnet_ids).length })),
    (r) => r.region,
    ['endpoints', 'endpointAzs'],
  );
  const loadBalancers = group(
    all(stacks, 'aws_lb').map(({ stack, resource }) => ({
      region: region(stack, resource),
      count: 1,
      internetFacingZones: resource.body.internal === true ? 0 : list(resource.body.subnets).length + list(resource.body.subnet_mapping).length,
    })),
    (r) => r.region,
    ['count', 'internetFacingZones'],
  );
  const healthChecks = all(stacks, 'aws_route53_health_check').map(({ resource }) => ({
    type: String(resource.body.type),
    fastInterval: number(resource.body.request_interval ?? 30, `${resource.address}.request_interval`) === 10,
    measureLatency: resource.body.measure_latency === true,
    stringMatching: typeof resource.body.search_string === 'string' && resource.body.search_string !== '',
  }));
  const rules = all(stacks, 'aws_s3_bucket_replication_configuration').flatMap(({ resource }) => list(resource.body.rule)) as {
    destination?: { replication_time?: { status?: unknown } };
  }[];
  return {
    auroraInstances,
    interfaceEndpoints,
    loadBalancers,
    fleets: fleets(stacks),
    natGateways: countByRegion(stacks, 'aws_nat_gateway'),
    kmsKeys: countByRegion(stacks, 'aws_kms_key', 'aws_kms_replica_key'),
    hostedZones: all(stacks, 'aws_route53_zone').length,
    healthChecks,
    alarms: alarms(stacks),
    dashboards: all(stacks, 'aws_cloudwatch_dashboard').length,
    secrets: all(stacks, 'aws_secretsmanager_secret').reduce((sum, { resource }) => sum + 1 + list(resource.body.replica).length, 0),
    replicationRules: { total: rules.length, withTimeControl: rules.filter((r) => r.destination?.replication_time?.status === 'Enabled').length },
    scheduledFunctions: scheduledFunctions(stacks),
    logGroups: countByRegion(stacks, 'aws_cloudwatch_log_group'),
    flowLogs: all(stacks, 'aws_flow_log').length,
    vpcPeeringConnections: all(stacks, 'aws_vpc_peering_connection').length,
  };
}
