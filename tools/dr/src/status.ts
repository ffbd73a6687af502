import { DR_ROLES, type DrRole } from '@txn-dr/config';
import { OperatorError } from './errors';
import { table } from './format';
import type { DrTargets } from './targets';
import type { CapacityState, DatabaseState, DrWorld, TrafficState, WeightedRecord } from './world';

/**
 * Exit code of `dr status` and `dr plan` when they could not read all they show: a region, Route 53
 * or CloudWatch did not answer (or answered with an unexpected error). What they print is then
 * partly unknown, and a script must not take it for the picture. Credential, permission and
 * configuration problems stop them with 1 instead, before anything is shown.
 */
export const EXIT_INCOMPLETE = 5;

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
  /** What could not be read, one line each; empty when the picture is whole. */
  readonly unread: readonly string[];
}

/** What a read of the world left unknown, one line each: a region or service that did not answer. */
export function unreadIn(state: DatabaseState | CapacityState | TrafficState): string[] {
  const lines: string[] = [];
  const failed = (s: { reachable: boolean; impaired?: boolean; error?: string }, what: string) => {
    if (!s.reachable) lines.push(`${what} ${s.impaired === false ? 'could not be read' : 'did not answer'}: ${s.error ?? 'no answer'}`);
  };
  if ('globalCluster' in state) {
    failed(state, `global cluster ${state.globalCluster}`);
    for (const role of DR_ROLES) failed(state.clusters[role], `${state.clusters[role].identifier} in ${state.clusters[role].region}`);
    if (state.lagUnknown?.reason === 'unreadable') lines.push(`replication lag: ${state.lagUnknown.error ?? 'CloudWatch did not answer'}`);
  } else if ('autoScalingGroup' in state) {
    failed(state, `${state.autoScalingGroup} in ${state.region}`);
  } else {
    failed(state, `Route 53 (${state.fqdn})`);
  }
  return lines;
}

const READS = new Set<PropertyKey>(['readDatabase', 'readCapacity', 'readTraffic']);

/**
 * Watches the reads made through a world: what they left unknown, and the first problem the
 * operator has to fix. `dr plan` observes through steps that turn a failed read into a row, so it
 * learns here why a row could not be read.
 */
export function watchReads(world: DrWorld): { readonly world: DrWorld; readonly unread: Set<string>; operatorError?: OperatorError } {
  const watch: { world: DrWorld; unread: Set<string>; operatorError?: OperatorError } = { world, unread: new Set<string>() };
  watch.world = new Proxy(world, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (!READS.has(property)) return value.bind(target);
      return async (...args: unknown[]) => {
        try {
          const state = (await value.apply(target, args)) as DatabaseState | CapacityState | TrafficState;
          for (const line of unreadIn(state)) watch.unread.add(line);
          return state;
        } catch (error) {
          if (error instanceof OperatorError) watch.operatorError ??= error;
          else watch.unread.add(`${String(property)} failed: ${error instanceof Error ? error.message : String(error)}`);
          throw error;
        }
      };
    },
  });
  return watch;
}

/** The region the weights send traffic to: the only one with a non-zero weight. */
function trafficRegion(traffic: TrafficState, targets: DrTargets): string | null {
  if (!traffic.reachable) return null;
  const weighted = DR_ROLES.filter((role) => (traffic.records[role].weight ?? 0) > 0);
  return weighted.length === 1 ? targets.regions[weighted[0]!].region : null;
}

/** Reads everything `dr status` shows. The operator's problems (credentials, permissions, configuration) throw. */
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
    unread: [...unreadIn(database), ...unreadIn(primary), ...unreadIn(secondary), ...unreadIn(traffic)],
  };
}

const notRead = (s: { impaired?: boolean; error?: string }) => `${s.impaired === false ? 'could not be read' : 'does not answer'}: ${s.error}`;

function clusterCell(status: StatusSnapshot, role: DrRole): string {
  const cluster = status.database.clusters[role];
  if (!cluster.reachable) return notRead(cluster);
  const part = status.database.writer === undefined ? '?' : status.database.writer === role ? 'writer' : 'reader';
  const sync = status.database.synchronization[role];
  return `${part}, ${cluster.status}${sync && sync !== 'connected' ? `, ${sync}` : ''}`;
}

/** "45 s old", "9 min 30 s old": how old a lag datapoint is. */
export function ageText(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s old` : `${Math.floor(s / 60)} min ${s % 60} s old`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function lagCell(status: StatusSnapshot, role: DrRole): string {
  const db = status.database;
  if (db.writer === role) return '-';
  if (db.lag?.role === role) return `${seconds(db.lag.milliseconds)}${db.lag.ageMs !== undefined ? ` (${ageText(db.lag.ageMs)})` : ''}`;
  const unknown = db.lagUnknown;
  if (unknown?.role !== role) return 'unknown';
  switch (unknown.reason) {
    case 'stale':
      return `unknown: stale, last ${seconds(unknown.last!.milliseconds)} (${ageText(unknown.last!.ageMs ?? 0)})`;
    case 'missing':
      return 'unknown: no datapoint in 10 min';
    case 'unreadable':
      return 'unknown: CloudWatch did not answer';
  }
}

function capacityCells(c: CapacityState): [string, string] {
  if (!c.reachable) return [notRead(c), '-'];
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
    : notRead(db);
  return [
    `Environment ${status.environment}: ${status.fqdn}, observed ${status.observedAt}`,
    `Global cluster ${db.globalCluster}: ${writer}`,
    table(['', column('primary'), column('secondary')], rows),
    `Config activeRegion ${status.config.activeRegion}: ${status.config.detail}`,
    ...(traffic.reachable ? [] : [`Route 53: ${traffic.error}`]),
    ...(status.unread.length > 0 ? [`Incomplete (exit ${EXIT_INCOMPLETE}): could not read\n${status.unread.map((line) => `  - ${line}`).join('\n')}`] : []),
  ].join('\n');
}
