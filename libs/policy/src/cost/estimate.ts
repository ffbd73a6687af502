import { HEALTH_METRICS } from '@txn-dr/contracts';
import { HOURS_PER_MONTH, type ByRegion, type CostInventory } from './inventory';
import { AURORA_INSTANCE, EC2_INSTANCE, PRICES, PRICES_READ_ON, USAGE_PRICES, type Price, type PriceByClass, type PriceSource, type UsageId } from './prices';

/** One row of the monthly estimate. */
export interface CostLine {
  readonly item: string;
  /** What the stacks hold, as counted. */
  readonly counted: string;
  readonly unitPrice: string;
  readonly sources: readonly PriceSource[];
  /** Undefined when no price was found: the row is shown and left out of the total. */
  readonly monthlyUsd: number | undefined;
}

const cents = (usd: number) => Math.round(usd * 100) / 100;
const hourly = (quantity: number, price: Pick<Price, 'usd'>) => cents(quantity * price.usd * HOURS_PER_MONTH);
const monthly = (quantity: number, price: Pick<Price, 'usd'>) => cents(quantity * price.usd);
/** `$0.26`, `$0.0104`, `$1.00`: at least cents, and every digit the price has. */
const dollars = (usd: number) => `$${Number.isInteger(Math.round(usd * 1e6) / 1e4) ? usd.toFixed(2) : String(usd)}`;
const unit = (price: Pick<Price, 'usd' | 'per'>) => `${dollars(price.usd)} per ${price.per}`;
const byRegion = (counts: ByRegion) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([region, n]) => `${region}: ${n}`)
    .join(', ') || 'none';
const total = (counts: ByRegion) => Object.values(counts).reduce((sum, n) => sum + n, 0);

/** Rows priced by class or type: one per class, the regions in the count. */
function byClass(item: string, rows: readonly { region: string; kind: string; count: number; detail?: string }[], price: PriceByClass): CostLine[] {
  const kinds = [...new Set(rows.map((r) => r.kind))].sort();
  return kinds.map((kind) => {
    const mine = rows.filter((r) => r.kind === kind);
    const usd = price.byClass[kind];
    return {
      item: `${item}, ${kind}`,
      counted: mine.map((r) => `${r.region}: ${r.count}${r.detail ? ` ${r.detail}` : ''}`).join(', '),
      unitPrice: usd === undefined ? `not found for ${kind}` : unit({ usd, per: price.per }),
      sources: price.sources,
      monthlyUsd: usd === undefined ? undefined : hourly(mine.reduce((sum, r) => sum + r.count, 0), { usd }),
    };
  });
}

function healthCheckFeatures(check: CostInventory['healthChecks'][number]): string[] {
  return [
    ...(check.fastInterval ? ['10 s interval'] : []),
    ...(check.type.startsWith('HTTPS') ? ['HTTPS'] : []),
    ...(check.stringMatching ? ['string matching'] : []),
    ...(check.measureLatency ? ['latency measured'] : []),
  ];
}

/** The fixed monthly costs of what the stacks create, resource by resource, at list price. */
export function costLines(inventory: CostInventory): CostLine[] {
  const p = PRICES;
  const endpointAzs = inventory.interfaceEndpoints.reduce((sum, e) => sum + e.endpointAzs, 0);
  const albs = inventory.loadBalancers.reduce((sum, l) => sum + l.count, 0);
  const albZones = inventory.loadBalancers.reduce((sum, l) => sum + l.internetFacingZones, 0);
  const instances = inventory.fleets.reduce((sum, f) => sum + f.desired, 0);
  const volumeGb = inventory.fleets.reduce((sum, f) => sum + f.desired * f.volumeGb, 0);
  const monitored = inventory.fleets.filter((f) => f.detailedMonitoring).reduce((sum, f) => sum + f.desired, 0);
  const nat = total(inventory.natGateways);
  const keys = total(inventory.kmsKeys);
  const featureCount = inventory.healthChecks.reduce((sum, c) => sum + healthCheckFeatures(c).length, 0);
  // The type, then the priced options; HTTPS once, though it is both.
  const checkKinds = [...new Set(inventory.healthChecks.map((c) => [...new Set([c.type, ...healthCheckFeatures(c)])].join(', ')))];
  const alarmMetrics = inventory.alarms.reduce((sum, a) => sum + a.alarmMetrics, 0);
  const insights = inventory.alarms.reduce((sum, a) => sum + a.metricsInsightsAlarms, 0);
  const healthMetrics = inventory.scheduledFunctions.length * Object.keys(HEALTH_METRICS).length;
  const runs = inventory.scheduledFunctions.reduce((sum, f) => sum + f.runsPerMonth, 0);

  return [
    ...byClass(
      'Aurora instances',
      inventory.auroraInstances.map((a) => ({ region: a.region, kind: a.instanceClass, count: a.count })),
      AURORA_INSTANCE,
    ),
    {
      item: 'Interface VPC endpoints',
      counted: inventory.interfaceEndpoints.map((e) => `${e.region}: ${e.endpoints} x ${e.endpointAzs / e.endpoints} AZs`).join(', ') || 'none',
      unitPrice: unit(p.interfaceEndpointAz),
      sources: p.interfaceEndpointAz.sources,
      monthlyUsd: hourly(endpointAzs, p.interfaceEndpointAz),
    },
    {
      item: 'Application Load Balancers (hours; capacity units are paid by use)',
      counted: inventory.loadBalancers.map((l) => `${l.region}: ${l.count}`).join(', ') || 'none',
      unitPrice: unit(p.loadBalancer),
      sources: p.loadBalancer.sources,
      monthlyUsd: hourly(albs, p.loadBalancer),
    },
    {
      item: 'Public IPv4 of the internet-facing ALBs',
      counted: `${albZones} (one per zone of each)`,
      unitPrice: unit(p.publicIpv4),
      sources: p.publicIpv4.sources,
      monthlyUsd: hourly(albZones, p.publicIpv4),
    },
    ...byClass(
      'EC2 instances (desired capacity)',
      inventory.fleets.map((f) => ({ region: f.region, kind: f.instanceType, count: f.desired, detail: `(min ${f.min}, max ${f.max})` })),
      EC2_INSTANCE,
    ),
    {
      item: 'EBS gp3 root volumes',
      counted: `${instances} x ${instances === 0 ? 0 : volumeGb / instances} GB`,
      unitPrice: unit(p.gp3),
      sources: p.gp3.sources,
      monthlyUsd: monthly(volumeGb, p.gp3),
    },
    {
      item: 'EC2 detailed monitoring',
      counted: `${monitored} instances`,
      unitPrice: unit(p.detailedMonitoring),
      sources: p.detailedMonitoring.sources,
      monthlyUsd: monthly(monitored, p.detailedMonitoring),
    },
    {
      item: 'NAT gateways',
      counted: nat === 0 ? 'none (regions.*.natGateways is 0)' : byRegion(inventory.natGateways),
      unitPrice: unit(p.natGateway),
      sources: p.natGateway.sources,
      monthlyUsd: hourly(nat, p.natGateway),
    },
    { item: 'KMS keys (multi-Region replicas included)', counted: byRegion(inventory.kmsKeys), unitPrice: unit(p.kmsKey), sources: p.kmsKey.sources, monthlyUsd: monthly(keys, p.kmsKey) },
    { item: 'Route 53 hosted zone', counted: String(inventory.hostedZones), unitPrice: unit(p.hostedZone), sources: p.hostedZone.sources, monthlyUsd: monthly(inventory.hostedZones, p.hostedZone) },
    {
      item: 'Route 53 health checks',
      counted: `${inventory.healthChecks.length} (${checkKinds.join('; ')})`,
      unitPrice: `${unit(p.healthCheck)}, + ${dollars(p.healthCheckFeature.usd)} per optional feature`,
      sources: [...p.healthCheck.sources, ...p.healthCheckFeature.sources.filter((s) => !p.healthCheck.sources.includes(s))],
      monthlyUsd: cents(inventory.healthChecks.length * p.healthCheck.usd + featureCount * p.healthCheckFeature.usd),
    },
    {
      item: 'CloudWatch alarms (standard resolution)',
      counted: `${inventory.alarms.map((a) => `${a.region}: ${a.alarms} alarms`).join(', ')}; ${alarmMetrics} alarm metrics${insights ? `, ${insights} Metrics Insights alarms (price not found, not in the total)` : ''}`,
      unitPrice: unit(p.alarmMetric),
      sources: p.alarmMetric.sources,
      monthlyUsd: monthly(alarmMetrics, p.alarmMetric),
    },
    { item: 'CloudWatch dashboards', counted: String(inventory.dashboards), unitPrice: unit(p.dashboard), sources: p.dashboard.sources, monthlyUsd: monthly(inventory.dashboards, p.dashboard) },
    {
      item: 'Custom metrics of the health-check functions',
      counted: `${inventory.scheduledFunctions.length} functions x ${Object.keys(HEALTH_METRICS).length} metrics`,
      unitPrice: unit(p.customMetric),
      sources: p.customMetric.sources,
      monthlyUsd: monthly(healthMetrics, p.customMetric),
    },
    { item: 'Secrets Manager secrets', counted: `${inventory.secrets} (a secret and its replica)`, unitPrice: unit(p.secret), sources: p.secret.sources, monthlyUsd: monthly(inventory.secrets, p.secret) },
    {
      item: 'Lambda requests of the scheduled health checks',
      counted: `${runs.toLocaleString('en-US')} runs`,
      unitPrice: unit(p.lambdaRequests),
      sources: p.lambdaRequests.sources,
      monthlyUsd: cents((runs / 1_000_000) * p.lambdaRequests.usd),
    },
  ];
}

/** What the stacks hold that each price paid by use applies to. */
function usageCounted(id: UsageId, inventory: CostInventory): string {
  const aurora = inventory.auroraInstances.reduce((sum, a) => sum + a.count, 0);
  const regions = new Set(inventory.auroraInstances.map((a) => a.region)).size;
  const endpoints = inventory.interfaceEndpoints.reduce((sum, e) => sum + e.endpoints, 0);
  const albs = inventory.loadBalancers.reduce((sum, l) => sum + l.count, 0);
  const nat = total(inventory.natGateways);
  const functions = inventory.scheduledFunctions;
  const counted: Record<UsageId, string> = {
    auroraStorage: `one cluster volume in each of ${regions} regions (${aurora} instances share them)`,
    auroraIo: 'reads and writes of the cluster volumes',
    auroraBackup: 'backups kept beyond the cluster size (database.backupRetentionDays)',
    globalWrites: 'every write, replicated to the secondary region',
    interRegion: `global database replication, ${inventory.replicationRules.total} S3 replication rules, ${inventory.vpcPeeringConnections} peering connection`,
    endpointData: `${endpoints} interface endpoints`,
    lcu: `${albs} ALBs`,
    natData: nat === 0 ? 'none (no NAT gateway)' : `${nat} NAT gateways`,
    logIngestion: `${total(inventory.logGroups)} log groups (${inventory.flowLogs} of them VPC flow logs: every flow, every minute)`,
    logStorage: 'the same, kept logs.retentionDays',
    lambdaDuration: functions.map((f) => `${f.runsPerMonth.toLocaleString('en-US')} runs at ${f.memoryMb} MB ${f.architecture} in ${f.region}`).join(', ') || 'none',
    s3Rtc: `${inventory.replicationRules.withTimeControl} of ${inventory.replicationRules.total} replication rules`,
  };
  return counted[id];
}

/** A setting of libs/config and what one step of it moves, at the prices above. */
export interface CostLever {
  readonly setting: string;
  readonly moves: string;
  readonly step: string;
}

/** What each cost-relevant setting moves, priced for the stacks as they are. */
export function costLevers(inventory: CostInventory): CostLever[] {
  const p = PRICES;
  const perMonth = (usd: number | undefined) => (usd === undefined ? 'price not found' : money(usd));
  const classes = [...new Set(inventory.auroraInstances.map((a) => a.instanceClass))];
  const perInstance = classes.map((c) => `${perMonth(AURORA_INSTANCE.byClass[c] === undefined ? undefined : hourly(1, { usd: AURORA_INSTANCE.byClass[c]! }))} per instance at \`${c}\``).join(', ');
  const endpointsPerRegion = Math.max(0, ...inventory.interfaceEndpoints.map((e) => e.endpoints));
  const types = [...new Set(inventory.fleets.map((f) => f.instanceType))];
  const volumeGb = Math.max(0, ...inventory.fleets.map((f) => f.volumeGb));
  const monitoring = inventory.fleets.some((f) => f.detailedMonitoring) ? monthly(1, p.detailedMonitoring) : 0;
  const perServiceInstance = types
    .map((t) => {
      const usd = EC2_INSTANCE.byClass[t];
      return `${usd === undefined ? 'price not found' : money(cents(hourly(1, { usd }) + monthly(volumeGb, p.gp3) + monitoring))} per \`${t}\` (instance, ${volumeGb} GB volume, detailed monitoring)`;
    })
    .join(', ');
  const checks = inventory.healthChecks.length;
  return [
    { setting: '`database.instanceClass`', moves: 'every Aurora instance, in both regions', step: perInstance },
    { setting: '`regions.<role>.databaseInstances`', moves: 'the Aurora instances of that region', step: perInstance },
    {
      setting: '`regions.<role>.availabilityZones`',
      moves: `the interface endpoints of that region (${endpointsPerRegion} per zone) and its ALB's public addresses (one per zone, assumed)`,
      step: `${money(cents(hourly(endpointsPerRegion, p.interfaceEndpointAz) + hourly(1, p.publicIpv4)))} per zone`,
    },
    { setting: '`regions.<role>.natGateways`', moves: 'NAT gateways (none by default: the interface endpoints reach the AWS APIs)', step: `${money(hourly(1, p.natGateway))} each, plus data processed` },
    {
      setting: '`capacity.active`, `capacity.standby` (`desired`), `compute.instanceType`',
      moves: 'the service instances (`activeRegion` moves the active capacity between the regions, not the total)',
      step: perServiceInstance,
    },
    { setting: '`healthCheck.intervalSeconds`', moves: `the fast-interval option of the ${checks} health checks (10 s)`, step: `${money(monthly(checks, p.healthCheckFeature))} for 10 s against 30 s` },
    // Public ACM certificates used with ACM-integrated services such as Elastic Load Balancing are
    // free: https://aws.amazon.com/certificate-manager/faqs/ ("General")
    {
      setting: '`loadBalancer.https`',
      moves: `the HTTPS option of the ${checks} health checks (HTTPS is the default, and only dev may turn it off; ACM's public certificates cost nothing)`,
      step: `${money(monthly(checks, p.healthCheckFeature))} for HTTPS against HTTP`,
    },
    { setting: '`database.backupRetentionDays`, `logs.retentionDays`', moves: 'backup and log storage', step: 'paid by use, per GB kept' },
  ];
}

/** The sum of the rows that have a price. */
export function fixedMonthlyTotal(lines: readonly CostLine[]): number {
  return cents(lines.reduce((sum, line) => sum + (line.monthlyUsd ?? 0), 0));
}

const money = (usd: number) => `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const cell = (text: string) => text.replace(/\|/g, '\\|');
const links = (sources: readonly PriceSource[]) => sources.map((s) => `[${cell(s.label)}](${s.url})`).join(', ');

/**
 * The generated part of the README's cost section: the fixed costs and their total, what that is
 * for each environment (`environments`: the names of the environments the table holds for), what
 * changes it, the prices paid by use, and the notes on the prices.
 */
export function renderCostSection(inventory: CostInventory, environments: readonly string[]): string {
  const lines = costLines(inventory);
  const fixed = fixedMonthlyTotal(lines);
  const largest = [...lines]
    .filter((l) => l.monthlyUsd !== undefined)
    .sort((a, b) => b.monthlyUsd! - a.monthlyUsd!)
    .slice(0, 2)
    .map((l) => `${l.item.split(' (')[0]}: ${fixed === 0 ? 0 : Math.round((l.monthlyUsd! / fixed) * 100)}%`);
  const priced: readonly Pick<Price, 'name' | 'note'>[] = [AURORA_INSTANCE, EC2_INSTANCE, ...Object.values(PRICES), ...USAGE_PRICES];
  const notes = priced.flatMap((price) => (price.note ? [`- ${price.name}: ${price.note}.`] : []));
  return [
    `Prices read on ${PRICES_READ_ON}: on-demand list prices in US East (N. Virginia), before tax and free tiers, ${HOURS_PER_MONTH} hours a month.`,
    '',
    '| Resource | Counted in the synthesized stacks | List price | Per month | Source |',
    '| --- | --- | --- | ---: | --- |',
    ...lines.map((l) => `| ${cell(l.item)} | ${cell(l.counted)} | ${cell(l.unitPrice)} | ${l.monthlyUsd === undefined ? 'not priced' : money(l.monthlyUsd)} | ${links(l.sources)} |`),
    `| **Fixed monthly total** | | | **${money(fixed)}** | |`,
    '',
    `Fixed cost of each environment (${environments.join(', ')}): ${money(fixed)} a month; of the ${environments.length} together: ${money(cents(fixed * environments.length))}. ` +
      `The largest lines: ${largest.join('; ')}.`,
    '',
    'What changes it (a step of each setting, at the prices above):',
    '',
    '| Setting | What moves | A month |',
    '| --- | --- | --- |',
    ...costLevers(inventory).map((l) => `| ${cell(l.setting)} | ${cell(l.moves)} | ${cell(l.step)} |`),
    '',
    'Paid by use (the traffic and the data decide the amount):',
    '',
    '| What | Applies to | List price | Source |',
    '| --- | --- | --- | --- |',
    ...USAGE_PRICES.map(
      (u) =>
        `| ${cell(u.name)} | ${cell(usageCounted(u.id, inventory))} | ${u.usd === undefined ? 'not found' : cell(unit({ usd: u.usd, per: u.per }))} | ${links(u.sources)} |`,
    ),
    '',
    'Notes on the prices:',
    '',
    ...notes,
  ].join('\n');
}
