import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { type Capacity, DR_ROLES, type DrRole, type Environment, activeCapacity, activeRole, otherRole, standbyCapacity } from '@txn-dr/config';
import { HEALTH_PATHS, Names, SERVICE_DB_USER } from '@txn-dr/contracts';
import { DEFAULT_DB_ENDPOINT, type DbEndpoint, type DrillProfile } from '../drill/profile';
import { ServiceFleet } from './fleet';
import { LocalMariaDb } from './mariadb';
import { runMigrateStep } from './migrate-step';
import type { CapacityView, ClusterView, CountResult, Fault, GlobalClusterView, LagView, WorldInfo } from './protocol';
import { Heartbeat, errantTransactions, failover as promoteWithoutWaiting, fence, initPair, rejoin, setApplyDelay, standbyLagMs, switchover } from './replication';
import { Router } from './router';
import { GlobalWriterEndpoint } from './writer-endpoint';

export interface WorldOptions {
  /** Folder of everything the world keeps: data dirs, journal, world.json. */
  readonly dir: string;
  readonly env: Environment;
  readonly profile: DrillProfile;
  /** The built service bundle. */
  readonly bundle: string;
  /** Where the service reads and writes: its region's database, or the global writer endpoint. @default DEFAULT_DB_ENDPOINT */
  readonly dbEndpoint?: DbEndpoint;
  /** Service processes' stderr, for debugging a drill. @default 'ignore' */
  readonly serviceStderr?: 'inherit' | 'ignore';
}

const APP_DATABASE = 'transactions';
/** The master user's stand-in: the migrate step runs as it, on the writer, and nothing else does. */
const ADMIN_USER = 'dr_admin';

/** A world API error with the code AWS would answer with. */
class WorldError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

type Operation = NonNullable<GlobalClusterView['operation']>;

/**
 * The local stand-in for the pair of regions: two MariaDB servers replicating with GTIDs, a fleet
 * of real service processes per region, the router for Route 53 and the load balancers, and one
 * API listener per region that answers as that region's RDS, Auto Scaling and CloudWatch would.
 *
 * Promotions run here, in the background, as Aurora runs them: the operation's call returns at
 * once and the global cluster reports the operation until it is over, so an operator's CLI that
 * dies mid-promotion finds it under way (or done) when it is run again. Every change of the
 * global cluster is appended to `journal.jsonl` first.
 */
export class LocalWorldServer {
  private readonly names: Names;
  /** The service's own user's password (SERVICE_DB_USER): the migrate step sets it, the fleet logs in with it. */
  private readonly servicePassword = randomBytes(18).toString('base64url');
  private readonly adminPassword = randomBytes(18).toString('base64url');
  private databases!: Record<DrRole, LocalMariaDb>;
  private fleets!: Record<DrRole, ServiceFleet>;
  private router!: Router;
  private heartbeat!: Heartbeat;
  private writerEndpoint: GlobalWriterEndpoint | undefined;
  private readonly apis = new Map<DrRole, FastifyInstance>();
  private control!: FastifyInstance;
  private writer: DrRole;
  private operation: Operation | undefined;
  private readonly synchronization: Partial<Record<DrRole, string>> = {};
  private readonly lost = new Set<DrRole>();
  private frozen: DrRole | undefined;
  private setAside: string[] = [];
  /** What each rebuild after a failover set aside, as Aurora's rds:unplanned-global-failover-... snapshots. */
  private readonly snapshots: { role: DrRole; identifier: string; region: string; createdAt: string; rows: number }[] = [];
  private background: Promise<unknown> = Promise.resolve();
  private rebuildTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private engineVersion = 'unknown';
  info!: WorldInfo;

  constructor(private readonly options: WorldOptions) {
    this.names = new Names(options.env);
    this.writer = activeRole(options.env);
  }

  static async start(options: WorldOptions): Promise<LocalWorldServer> {
    const world = new LocalWorldServer(options);
    try {
      await world.boot();
    } catch (error) {
      await world.close();
      throw error;
    }
    return world;
  }

  private journal(entry: Record<string, unknown>): void {
    appendFileSync(join(this.options.dir, 'journal.jsonl'), `${JSON.stringify({ at: new Date().toISOString(), ...entry })}\n`);
  }

  private async boot(): Promise<void> {
    const { dir, env, profile } = this.options;
    mkdirSync(dir, { recursive: true });
    const standby = otherRole(this.writer);
    const [primary, secondary] = await Promise.all(
      DR_ROLES.map((role, index) => LocalMariaDb.start({ dir: join(dir, `db-${role}`), serverId: index + 1, name: env.regions[role].region })),
    );
    this.databases = { primary: primary!, secondary: secondary! };
    const admin = { user: ADMIN_USER, password: this.adminPassword };
    await initPair(this.databases[this.writer], this.databases[standby], { admin, database: APP_DATABASE });
    // The schema and the service's own user, as in AWS: the migrate step, as the administrative
    // user, on the writer, before any service instance starts; the standby gets both by replication.
    await runMigrateStep({
      bundle: this.options.bundle,
      region: env.regions[this.writer].region,
      host: '127.0.0.1',
      port: this.databases[this.writer].port,
      database: APP_DATABASE,
      admin,
      service: { user: SERVICE_DB_USER, password: this.servicePassword },
    });
    const [version] = await this.databases[this.writer].query<{ v: string }[]>('SELECT VERSION() AS v');
    this.engineVersion = version?.v ?? 'unknown';
    this.synchronization[standby] = 'connected';
    this.heartbeat = new Heartbeat(() => this.databases[this.writer], { intervalMs: 100 });
    this.heartbeat.start();
    this.journal({ event: 'world-started', writer: this.writer });

    if ((this.options.dbEndpoint ?? DEFAULT_DB_ENDPOINT) === 'global') {
      this.writerEndpoint = await GlobalWriterEndpoint.start(this.databases[this.writer].port, profile.writerEndpointTtlMs);
    }
    const fleet = (role: DrRole) =>
      new ServiceFleet({
        role,
        region: env.regions[role].region,
        bundle: this.options.bundle,
        database: { host: '127.0.0.1', port: this.writerEndpoint?.port ?? this.databases[role].port, user: SERVICE_DB_USER, password: this.servicePassword, database: APP_DATABASE },
        ...(this.writerEndpoint ? { probe: { host: '127.0.0.1', port: this.databases[role].port } } : {}),
        bootDelayMs: profile.bootDelayMs,
        targetIntervalMs: profile.targetIntervalMs,
        targetPath: HEALTH_PATHS.target,
        ...(this.options.serviceStderr ? { stderr: this.options.serviceStderr } : {}),
      });
    this.fleets = { primary: fleet('primary'), secondary: fleet('secondary') };
    // The first instances are there before the drill starts: no boot delay for them.
    for (const role of DR_ROLES) {
      const capacity = role === this.writer ? activeCapacity(env) : standbyCapacity(env);
      this.fleets[role].setCapacityNow(capacity);
    }

    this.router = await Router.start({
      regions: Object.fromEntries(
        DR_ROLES.map((role) => [role, { region: env.regions[role].region, weight: role === activeRole(env) ? 100 : 0, targets: () => this.fleets[role].state().targets }]),
      ) as Record<DrRole, { region: string; weight: number; targets: () => readonly string[] }>,
      profile: profile.name,
      healthCheck: { path: HEALTH_PATHS.writable, ...profile.healthCheck },
      // Below the service's own statement limit, so a hung database shows as the service's 503.
      upstreamTimeoutMs: profile.load.requestTimeoutMs,
      ttlMs: profile.ttlMs,
      changePropagationMs: profile.changePropagationMs,
    });

    for (const role of DR_ROLES) this.apis.set(role, await this.regionalApi(role));
    this.control = await this.controlApi();
    const url = (app: FastifyInstance) => {
      const address = app.server.address();
      if (!address || typeof address !== 'object') throw new Error('listener has no address');
      return `http://127.0.0.1:${address.port}`;
    };
    this.info = {
      pid: process.pid,
      dir,
      profile: profile.name,
      dbEndpoint: this.options.dbEndpoint ?? DEFAULT_DB_ENDPOINT,
      environment: env.name,
      publicUrl: this.router.url,
      route53Url: this.router.adminUrl,
      controlUrl: url(this.control),
      regions: Object.fromEntries(DR_ROLES.map((role) => [role, { region: env.regions[role].region, apiUrl: url(this.apis.get(role)!) }])) as WorldInfo['regions'],
      startedAt: new Date().toISOString(),
    };
    await this.waitUntilServing();
    writeFileSync(join(dir, 'world.json'), `${JSON.stringify(this.info, null, 2)}\n`);
  }

  /** Ready when the active region's fleet is healthy and the public name answers from the writer. */
  private async waitUntilServing(): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const ready = DR_ROLES.every((role) => this.fleets[role].state().healthy >= this.fleets[role].state().capacity.desired);
      if (ready) {
        try {
          const response = await fetch(`${this.router.url}${HEALTH_PATHS.writable}`, { signal: AbortSignal.timeout(2_000) });
          if (response.status === 200) return;
        } catch {
          // not yet
        }
      }
      await delay(50);
    }
    throw new Error('the local world did not start serving within 60 s');
  }

  // --- what a region's API answers --------------------------------------------------------------

  private globalView(): GlobalClusterView {
    return {
      identifier: this.names.globalCluster(),
      engineVersion: this.engineVersion,
      writer: this.writer,
      members: DR_ROLES.map((role) => ({
        role,
        isWriter: role === this.writer,
        ...(role !== this.writer && this.synchronization[role] ? { synchronization: this.synchronization[role] } : {}),
      })),
      ...(this.operation ? { operation: this.operation } : {}),
    };
  }

  private clusterView(role: DrRole): ClusterView {
    const db = this.databases[role];
    // A frozen server is "available" as far as the control plane can tell: that is the unkind part.
    const status = this.operation && (this.operation.from === role || this.operation.to === role) ? this.operation.status : db.running ? 'available' : 'inaccessible';
    return { identifier: this.names.cluster(role), status, engineVersion: this.engineVersion };
  }

  private async lagView(role: DrRole): Promise<LagView> {
    if (role === this.writer || this.synchronization[role] !== 'connected') return {};
    try {
      const milliseconds = await standbyLagMs(this.databases[role]);
      return { milliseconds, at: new Date().toISOString() };
    } catch {
      return {};
    }
  }

  private capacityView(role: DrRole): CapacityView {
    const s = this.fleets[role].state();
    return { ...s.capacity, inService: s.inService, instances: s.instances, healthyTargets: s.healthy };
  }

  private async regionalApi(role: DrRole): Promise<FastifyInstance> {
    const app = Fastify({ logger: false, forceCloseConnections: true });
    // A lost region does not refuse: its endpoints stop answering, and callers time out.
    app.addHook('onRequest', async () => {
      if (this.lost.has(role)) await new Promise(() => undefined);
    });
    app.setErrorHandler((error, _request, reply) => {
      const e = error as Partial<WorldError> & { message?: string };
      void reply.code(e.statusCode ?? 500).send({ code: e.code ?? 'InternalFailure', message: e.message ?? String(error) });
    });
    app.get('/global', async () => this.globalView());
    app.get('/cluster', async () => this.clusterView(role));
    app.get('/metrics/lag', async () => this.lagView(role));
    app.get('/capacity', async () => this.capacityView(role));
    app.get('/snapshots', async () =>
      this.snapshots
        .filter((snapshot) => snapshot.role === role)
        .reverse()
        .map(({ identifier, region, createdAt }) => ({ identifier, region, createdAt })),
    );
    app.put<{ Body: Capacity }>('/capacity', async (request) => {
      this.fleets[role].setCapacity(request.body);
      return this.capacityView(role);
    });
    app.post<{ Body: { to: DrRole } }>('/global/switchover', async (request) => this.startSwitchover(request.body.to));
    app.post<{ Body: { to: DrRole } }>('/global/failover', async (request) => this.startFailover(request.body.to));
    await app.listen({ host: '127.0.0.1', port: 0 });
    return app;
  }

  // --- promotions ---------------------------------------------------------------------------------

  private startSwitchover(to: DrRole): GlobalClusterView {
    const from = otherRole(to);
    if (this.operation) throw new WorldError('InvalidGlobalClusterStateFault', `a ${this.operation.status} is already under way`);
    if (this.writer === to) throw new WorldError('InvalidGlobalClusterStateFault', `${this.names.cluster(to)} is already the writer`);
    if (this.synchronization[to] !== 'connected') throw new WorldError('InvalidGlobalClusterStateFault', `${this.names.cluster(to)} is ${this.synchronization[to]}, not connected`);
    if (!this.databases[from].running || !this.databases[to].running) throw new WorldError('InvalidDBClusterStateFault', 'both clusters must be available for a switchover');
    this.operation = { status: 'switching-over', from, to, dataLossAllowed: false };
    this.journal({ event: 'switchover-started', from, to });
    this.runInBackground(async () => {
      try {
        // Aurora keeps the old writer until the secondary has everything, then swaps roles: writes
        // pause for the whole promotion.
        await switchover(this.databases[from], this.databases[to], { timeoutMs: Math.max(5_000, this.options.profile.promotionMs), pauseMs: this.options.profile.promotionMs });
        this.setWriter(to);
        this.synchronization[from] = 'connected';
        delete this.synchronization[to];
        this.journal({ event: 'switchover-completed', writer: to });
      } catch (error) {
        this.journal({ event: 'switchover-failed', error: (error as Error).message });
      } finally {
        this.operation = undefined;
      }
    });
    return this.globalView();
  }

  private startFailover(to: DrRole): GlobalClusterView {
    const from = otherRole(to);
    if (this.writer === to && !this.operation) throw new WorldError('InvalidGlobalClusterStateFault', `${this.names.cluster(to)} is already the writer`);
    if (!this.databases[to].running) throw new WorldError('InvalidDBClusterStateFault', `${this.names.cluster(to)} is not available`);
    if (this.operation?.status === 'failing-over') return this.globalView();
    // A failover replaces a switchover that cannot finish because its source stopped answering.
    this.operation = { status: 'failing-over', from, to, dataLossAllowed: true };
    this.journal({ event: 'failover-started', from, to });
    this.runInBackground(async () => {
      try {
        // A failover "doesn't wait for data to synchronize": what the secondary has not applied
        // when it starts is lost, however long the promotion then takes
        // (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html).
        await this.databases[to].query('STOP SLAVE', [], { timeoutMs: 5_000 });
        // Aurora fences the old writer on a best-effort basis only; a frozen one cannot be.
        const fenced = await fence(this.databases[from], 1_000).catch(() => false);
        await delay(this.options.profile.promotionMs);
        await promoteWithoutWaiting(this.databases[to]);
        this.setWriter(to);
        delete this.synchronization[to];
        this.synchronization[from] = 'pending-resync';
        this.journal({ event: 'failover-completed', writer: to, oldWriterFenced: fenced });
        this.scheduleRebuild(from);
      } catch (error) {
        this.journal({ event: 'failover-failed', error: (error as Error).message });
      } finally {
        this.operation = undefined;
      }
    });
    return this.globalView();
  }

  /**
   * After a failover Aurora rebuilds the old primary as a secondary once it is back; what it had
   * not replicated is kept aside (in AWS, a snapshot named rds:unplanned-global-failover-...).
   */
  private scheduleRebuild(old: DrRole): void {
    if (this.closed) return;
    this.rebuildTimer = setTimeout(() => {
      this.rebuildTimer = undefined;
      this.runInBackground(async () => {
        const db = this.databases[old];
        if (!db.running || this.frozen === old || this.writer === old || this.synchronization[old] !== 'pending-resync') {
          if (this.synchronization[old] === 'pending-resync') this.scheduleRebuild(old);
          return;
        }
        const keys = await this.keysOnlyOn(old);
        this.setAside.push(...keys);
        const createdAt = new Date().toISOString();
        const identifier = `local:unplanned-global-failover-${this.names.cluster(old)}-${createdAt.replace(/[:.]/g, '-').toLowerCase()}`;
        this.snapshots.push({ role: old, identifier, region: this.options.env.regions[old].region, createdAt, rows: keys.length });
        writeFileSync(join(this.options.dir, `${identifier.replace(/[^a-z0-9-]/gi, '_')}.json`), `${JSON.stringify({ identifier, createdAt, idempotencyKeys: keys }, null, 2)}\n`);
        const errant = await errantTransactions(db, this.databases[this.writer]);
        const outcome = await rejoin(db, this.databases[this.writer]);
        this.synchronization[old] = 'connected';
        this.journal({ event: 'old-writer-rejoined', role: old, outcome, errant, setAside: keys.length });
      });
    }, this.options.profile.rebuildDelayMs);
  }

  private setWriter(role: DrRole): void {
    this.writer = role;
    this.writerEndpoint?.repoint(this.databases[role].port);
  }

  private runInBackground(task: () => Promise<void>): void {
    this.background = this.background.then(task).catch((error: unknown) => this.journal({ event: 'background-error', error: (error as Error).message }));
  }

  private async keysOnlyOn(role: DrRole): Promise<string[]> {
    const keys = await this.keysOf(role);
    const other = new Set(await this.keysOf(otherRole(role)));
    return keys.filter((k) => !other.has(k));
  }

  private async keysOf(role: DrRole): Promise<string[]> {
    const rows = await this.databases[role].query<{ k: string }[]>(`SELECT idempotency_key AS k FROM ${APP_DATABASE}.transactions`, [], { timeoutMs: 10_000 });
    return rows.map((r) => r.k);
  }

  // --- the drill's hand ---------------------------------------------------------------------------

  async injectFault(fault: Fault, options: { role?: DrRole; seconds?: number; thawAfterMs?: number } = {}): Promise<void> {
    const role = options.role ?? this.writer;
    this.journal({ event: 'fault', fault, role });
    switch (fault) {
      case 'none':
        return;
      case 'region-loss':
        this.lost.add(role);
        this.fleets[role].loseAll();
        await this.databases[role].kill();
        return;
      case 'freeze-writer': {
        await this.databases[role].freeze();
        this.frozen = role;
        const thawAfter = options.thawAfterMs ?? this.options.profile.freezeMs;
        setTimeout(() => void this.thaw(), thawAfter).unref();
        return;
      }
      case 'lag':
        await setApplyDelay(this.databases[otherRole(this.writer)], options.seconds ?? this.options.profile.lagSeconds);
        return;
      case 'route53-control-plane':
        this.router.setControlPlaneAvailable(false);
        return;
    }
  }

  async thaw(): Promise<void> {
    if (this.frozen === undefined) return;
    const role = this.frozen;
    this.frozen = undefined;
    await this.databases[role].thaw();
    this.journal({ event: 'thawed', role });
  }

  /** After the drill: which databases hold which keys; lost servers are started again to be read. */
  async count(keys: readonly string[]): Promise<CountResult> {
    if (this.rebuildTimer) clearTimeout(this.rebuildTimer);
    this.rebuildTimer = undefined;
    await this.thaw();
    await this.background;
    const wanted = new Set(keys);
    const present = {} as Record<DrRole, string[]>;
    for (const role of DR_ROLES) {
      if (!this.databases[role].running) await this.databases[role].restart();
      present[role] = (await this.keysOf(role)).filter((k) => wanted.has(k));
    }
    return { writer: this.writer, present, setAside: this.setAside.filter((k) => wanted.has(k)) };
  }

  private async controlApi(): Promise<FastifyInstance> {
    const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 32 * 1024 * 1024 });
    app.get('/info', async () => this.info);
    app.get('/journal', async () => ({ writer: this.writer, operation: this.operation ?? null, synchronization: this.synchronization }));
    app.post<{ Params: { fault: Fault }; Body: { role?: DrRole; seconds?: number; thawAfterMs?: number } | undefined }>('/faults/:fault', async (request) => {
      await this.injectFault(request.params.fault, request.body ?? {});
      return { ok: true };
    });
    app.post('/thaw', async () => {
      await this.thaw();
      return { ok: true };
    });
    app.post<{ Body: { keys: string[] } }>('/count', async (request) => this.count(request.body.keys));
    await app.listen({ host: '127.0.0.1', port: 0 });
    return app;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.rebuildTimer) clearTimeout(this.rebuildTimer);
    this.heartbeat?.stop();
    await this.thaw().catch(() => undefined);
    await Promise.allSettled([...this.apis.values()].map((api) => api.close()));
    await this.control?.close().catch(() => undefined);
    await this.router?.close().catch(() => undefined);
    await Promise.allSettled(Object.values(this.fleets ?? {}).map((f) => f.close()));
    await this.writerEndpoint?.close();
    await Promise.allSettled(Object.values(this.databases ?? {}).map((d) => d.stop()));
    this.journal({ event: 'world-stopped' });
  }
}
