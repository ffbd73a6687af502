import { readFileSync } from 'node:fs';
import { DR_ROLES, type Capacity, type DrRole, otherRole } from '@txn-dr/config';
import type { DrTargets } from '../targets';
import { type CapacityState, type ClusterState, type DatabaseState, type DrWorld, type FailoverSnapshot, type HealthReport, IMPAIRED_RETRY_AFTER_MS, type RestoreWindow, type RestoredCluster, type TrafficState, type WeightedRecord } from '../world';
import type { ApiError, CapacityView, ClusterView, GlobalClusterView, LagView, WorldInfo } from './protocol';

export interface LocalWorldOptions {
  /** The region a failover moves away from: once it gives no answer, it is skipped for a while, as AwsWorld does. */
  readonly impaired?: DrRole;
  /** Deadline of one call to a region's API: a lost region does not answer at all. @default 2000 */
  readonly callTimeoutMs?: number;
  /** Deadline of one GET /health through the public name. @default 2000 */
  readonly healthTimeoutMs?: number;
}

/** An answer the API gave with an error code: the call reached the region. */
export class WorldApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
    this.name = code;
  }
}

/** `dr restore` against the local world. */
export class RestoreNotSupportedError extends Error {
  override readonly name = 'RestoreNotSupportedError';
  constructor() {
    super('point-in-time restore is not supported by the local world yet: run `dr restore` against AWS');
  }
}

/** No answer: a timeout or a refused connection, as from an impaired region. */
export class NoAnswerError extends Error {
  override readonly name = 'NoAnswerError';
}

export function readWorldInfo(path: string): WorldInfo {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as WorldInfo;
  } catch (error) {
    throw new Error(`cannot read the local world's description ${path}: ${(error as Error).message}; start one with \`npx dr drill up\``);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** As AwsWorld judges it: no answer, or a 5xx, is the region impaired; an error it answered is not. */
const impaired = (error: unknown) => error instanceof NoAnswerError || (error instanceof WorldApiError && error.httpStatus >= 500);

/**
 * The DrWorld of the local drill: the same reads and changes as AwsWorld, over the local world's
 * per-region APIs, Route 53 admin listener and public name. Nothing in the operations knows which
 * world it drives.
 */
export class LocalWorld implements DrWorld {
  private readonly callTimeoutMs: number;
  private readonly healthTimeoutMs: number;
  /** When the impaired region last gave no answer. */
  private impairedSilentSince?: number;

  constructor(
    private readonly info: WorldInfo,
    private readonly targets: DrTargets,
    private readonly options: LocalWorldOptions = {},
  ) {
    this.callTimeoutMs = options.callTimeoutMs ?? 2_000;
    this.healthTimeoutMs = options.healthTimeoutMs ?? 2_000;
  }

  private async call<T>(base: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method: init.method ?? 'GET',
        ...(init.body !== undefined ? { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } } : {}),
        signal: AbortSignal.timeout(this.callTimeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new NoAnswerError(`${base} did not answer within ${this.callTimeoutMs} ms${cause ? ` (${cause})` : ''}`);
    }
    const text = await response.text();
    const body = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const e = (body ?? {}) as Partial<ApiError>;
      throw new WorldApiError(e.code ?? `HTTP${response.status}`, e.message ?? text, response.status);
    }
    return body as T;
  }

  /**
   * Calls a region's API. The impaired region, once it has given no answer, fails at once for
   * IMPAIRED_RETRY_AFTER_MS instead of costing every poll its timeout (AwsWorld does the same).
   */
  private async region(role: DrRole, path: string, init?: { method?: string; body?: unknown }) {
    if (role === this.options.impaired && this.impairedSilentSince !== undefined && Date.now() - this.impairedSilentSince < IMPAIRED_RETRY_AFTER_MS) {
      throw new NoAnswerError(`${this.targets.regions[role].region} did not answer ${Math.round((Date.now() - this.impairedSilentSince) / 1000)} s ago; not asked again until ${IMPAIRED_RETRY_AFTER_MS / 1000} s have passed`);
    }
    try {
      return await this.call(this.info.regions[role].apiUrl, path, init);
    } catch (error) {
      if (role === this.options.impaired && error instanceof NoAnswerError) this.impairedSilentSince = Date.now();
      throw error;
    }
  }

  async readDatabase(): Promise<DatabaseState> {
    const clusters = {} as Record<DrRole, ClusterState>;
    await Promise.all(DR_ROLES.map(async (role) => (clusters[role] = await this.readCluster(role))));
    const base = { globalCluster: this.targets.globalCluster, clusters, synchronization: {} };
    // Either region describes the global cluster: ask both at once, so a silent one costs nothing.
    const errors: string[] = [];
    const view = await Promise.any(
      DR_ROLES.map((role) =>
        (this.region(role, '/global') as Promise<GlobalClusterView>).catch((error: unknown) => {
          errors.push(`${this.targets.regions[role].region}: ${message(error)}`);
          throw error;
        }),
      ),
    ).catch(() => undefined);
    if (!view) return { ...base, reachable: false, impaired: DR_ROLES.every((role) => clusters[role].impaired === true), error: errors.join('; ') };
    const synchronization: Partial<Record<DrRole, string>> = {};
    for (const member of view.members) if (member.synchronization) synchronization[member.role] = member.synchronization;
    const secondary = otherRole(view.writer);
    let lag: DatabaseState['lag'];
    try {
      const point = (await this.region(secondary, '/metrics/lag')) as LagView;
      if (point.milliseconds !== undefined && point.at) lag = { role: secondary, milliseconds: point.milliseconds, at: point.at };
    } catch {
      // Unknown lag: the checks that need it refuse on unknown.
    }
    return {
      ...base,
      reachable: true,
      engineVersion: view.engineVersion,
      writer: view.writer,
      synchronization,
      ...(view.operation ? { operation: view.operation } : {}),
      ...(lag ? { lag } : {}),
    };
  }

  private async readCluster(role: DrRole): Promise<ClusterState> {
    const { region, cluster: identifier } = this.targets.regions[role];
    try {
      const view = (await this.region(role, '/cluster')) as ClusterView;
      return { role, region, identifier, reachable: true, status: view.status, engineVersion: view.engineVersion, arn: `local:${region}:cluster:${identifier}` };
    } catch (error) {
      if (error instanceof WorldApiError && !impaired(error)) return { role, region, identifier, reachable: true, status: 'error', error: message(error) };
      return { role, region, identifier, reachable: false, impaired: impaired(error), error: message(error) };
    }
  }

  async readCapacity(role: DrRole): Promise<CapacityState> {
    const { region, autoScalingGroup } = this.targets.regions[role];
    try {
      const view = (await this.region(role, '/capacity')) as CapacityView;
      return { role, region, autoScalingGroup, reachable: true, min: view.min, desired: view.desired, max: view.max, inService: view.inService, instances: view.instances, healthyTargets: view.healthyTargets };
    } catch (error) {
      return { role, region, autoScalingGroup, reachable: false, impaired: impaired(error), error: message(error) };
    }
  }

  async setCapacity(role: DrRole, capacity: Capacity): Promise<void> {
    await this.region(role, '/capacity', { method: 'PUT', body: capacity });
  }

  async switchoverDatabase(to: DrRole): Promise<void> {
    await this.region(otherRole(to), '/global/switchover', { method: 'POST', body: { to } });
  }

  async failoverDatabase(to: DrRole): Promise<void> {
    // Sent to the target's region: the region being left may not answer at all.
    await this.region(to, '/global/failover', { method: 'POST', body: { to } });
  }

  async readFailoverSnapshots(role: DrRole): Promise<readonly FailoverSnapshot[]> {
    return (await this.region(role, '/snapshots')) as FailoverSnapshot[];
  }

  // Point-in-time restore has no local counterpart yet: MariaDB replicas keep no restorable backups here.
  readRestoreWindow(): Promise<RestoreWindow> {
    return Promise.reject(new RestoreNotSupportedError());
  }

  restoreToTime(): Promise<void> {
    return Promise.reject(new RestoreNotSupportedError());
  }

  readRestoredCluster(): Promise<RestoredCluster> {
    return Promise.reject(new RestoreNotSupportedError());
  }

  createRestoredInstance(): Promise<void> {
    return Promise.reject(new RestoreNotSupportedError());
  }

  async readTraffic(): Promise<TrafficState> {
    const fqdn = this.targets.fqdn;
    const record = (role: DrRole, r?: { weight: number; healthy: boolean }): WeightedRecord => ({
      role,
      setIdentifier: this.targets.regions[role].setIdentifier,
      ...(r ? { weight: r.weight, healthCheckId: `local-${role}`, health: r.healthy ? 'healthy' : 'unhealthy' } : { health: 'unknown' }),
    });
    try {
      const state = (await this.call(this.info.route53Url, '/records')) as { records: Record<DrRole, { weight: number; healthy: boolean }> };
      return { fqdn, reachable: true, zoneId: 'local', records: { primary: record('primary', state.records.primary), secondary: record('secondary', state.records.secondary) } };
    } catch (error) {
      return { fqdn, reachable: false, impaired: impaired(error), error: message(error), records: { primary: record('primary'), secondary: record('secondary') } };
    }
  }

  async setWeights(weights: Record<DrRole, number>): Promise<{ changeId: string }> {
    const change = (await this.call(this.info.route53Url, '/changes', { method: 'POST', body: { weights } })) as { id: string };
    return { changeId: change.id };
  }

  async trafficChangeInSync(changeId: string): Promise<boolean> {
    const change = (await this.call(this.info.route53Url, `/changes/${encodeURIComponent(changeId)}`)) as { status: string };
    return change.status === 'INSYNC';
  }

  async checkHealth(): Promise<HealthReport> {
    const url = `${this.info.publicUrl}/health`;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.healthTimeoutMs) });
      const text = await response.text();
      let body: { region?: string; role?: string } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        // A load balancer's own error page is not JSON.
      }
      return { url, ok: response.status === 200, httpStatus: response.status, ...(body.region ? { region: body.region } : {}), ...(body.role ? { role: body.role } : {}) };
    } catch (error) {
      return { url, ok: false, error: message(error) };
    }
  }
}
