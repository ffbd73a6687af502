import { DR_ROLES, type DrRole } from '@txn-dr/config';
import { table } from './format';
import type { DrTargets } from './targets';
import type { CapacityState, DatabaseState, DrWorld, TrafficState, WeightedRecord } from './world';

/** The live picture of the pair, as `dr status --json` prints it. */
export interface StatusSnapshot {
  readonly environment: string;
  readonly observedAt: string;
  readonly fqdn: string;
  readonly database: DatabaseState & { readonly writerRegion: string | null };
  readonly capacity: Record<DrRole, CapacityState>;
  readonly traffic: TrafficState & { readonly activeRegion: string | null };
  readonly config: {
    readonly activeRegion: string;
    /** null when the live state could not be read. */
    readonly agrees: boolean | null;
    readonly detail: string;
  };
}

/** The region the weights send traffic to: the only one with a non-zero weight. */
function trafficRegion(traffic: TrafficState, targets: DrTargets): string | null {
  if (!traffic.reachable) return null;
  const weighted = DR_ROLES.filter((role) => (traffic.records[role].weight ?? 0) > 0);
  return weighted.length === 1 ? targets.regions[weighted[0]!].region : null;
}

export async function readStatus(world: DrWorld, targets: DrTargets, now: () => number): Promise<StatusSnapshot> {
  const [database, primary, secondary, traffic] = await Promise.all([
    world.readDatabase(),
    world.readCapacity('primary'),
    world.readCapacity('secondary'),
    world.readTraffic(),
  ]);
  const writerRegion = database.writer ? targets.regions[database.writer].region : null;
  const activeTraffic = trafficRegion(traffic, targets);
  const configured = targets.configActiveRegion;
  let agrees: boolean | null;
  let detail: string;
  if (writerRegion === null || activeTraffic === null) {
    agrees = null;
    detail = `cannot tell: the global writer is ${writerRegion ?? 'unknown'} and the weights send traffic to ${activeTraffic ?? 'no single region'}`;
  } else if (writerRegion === configured && activeTraffic === configured) {
    agrees = true;
    detail = `agrees: ${configured} is the global writer and takes the traffic`;
  } else {
    agrees = false;
    detail = `disagrees: the global writer is ${writerRegion} and the weights send traffic to ${activeTraffic}; config says ${configured}`;
  }
  return {
    environment: targets.environment,
    observedAt: new Date(now()).toISOString(),
    fqdn: targets.fqdn,
    database: { ...database, writerRegion },
    capacity: { primary, secondary },
    traffic: { ...traffic, activeRegion: activeTraffic },
    config: { activeRegion: configured, agrees, detail },
  };
}

function clusterCell(status: StatusSnapshot, role: DrRole): string {
  const cluster = status.database.clusters[role];
  if (!cluster.reachable) return `does not answer: ${cluster.error}`;
  const part = status.database.writer === undefined ? '?' : status.database.writer === role ? 'writer' : 'reader';
  return `${part}, ${cluster.status}`;
}

function lagCell(status: StatusSnapshot, role: DrRole): string {
  const lag = status.database.lag;
  if (status.database.writer === role) return '-';
  if (!lag || lag.role !== role) return 'unknown';
  return `${(lag.milliseconds / 1000).toFixed(1)} s at ${lag.at.slice(11, 19)}Z`;
}

function capacityCells(c: CapacityState): [string, string] {
  if (!c.reachable) return [`does not answer: ${c.error}`, '-'];
  if (c.error) return [c.error, '-'];
  return [`${c.min}/${c.desired}/${c.max}`, `${c.inService} / ${c.healthyTargets}`];
}

function healthCell(record: WeightedRecord): string {
  if (!record.healthCheckId) return 'no health check';
  if (record.checkers === undefined) return record.health;
  return `${record.health} (${record.checkersHealthy}/${record.checkers} checkers)`;
}

export function renderStatus(status: StatusSnapshot, targets: DrTargets): string {
  const column = (role: DrRole) => `${targets.regions[role].region} (${role})`;
  const per = (cell: (role: DrRole) => string) => DR_ROLES.map(cell);
  const traffic = status.traffic;
  const rows: string[][] = [
    ['Aurora cluster', ...per((r) => clusterCell(status, r))],
    ['engine version', ...per((r) => status.database.clusters[r].engineVersion ?? '-')],
    ['replication lag', ...per((r) => lagCell(status, r))],
    ['ASG min/desired/max', ...per((r) => capacityCells(status.capacity[r])[0])],
    ['in service / healthy targets', ...per((r) => capacityCells(status.capacity[r])[1])],
    ['Route 53 weight', ...per((r) => (traffic.reachable ? String(traffic.records[r].weight ?? 'no record') : 'unknown'))],
    ['Route 53 health check', ...per((r) => (traffic.reachable ? healthCell(traffic.records[r]) : 'unknown'))],
  ];
  const db = status.database;
  const writer = db.reachable
    ? `writer ${db.writerRegion ?? 'unknown'}${db.operation ? `, ${db.operation.status}${db.operation.to ? ` to ${targets.regions[db.operation.to].region}` : ''}` : ''}`
    : `does not answer: ${db.error}`;
  return [
    `Environment ${status.environment}: ${status.fqdn}, observed ${status.observedAt}`,
    `Global cluster ${db.globalCluster}: ${writer}`,
    table(['', column('primary'), column('secondary')], rows),
    `Config activeRegion ${status.config.activeRegion}: ${status.config.detail}`,
    ...(traffic.reachable ? [] : [`Route 53: ${traffic.error}`]),
  ].join('\n');
}
