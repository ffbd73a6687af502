import { DR_ROLES, type DrRole } from '@txn-dr/config';
import type { FastifyInstance } from 'fastify';
import { type CachedAnswer, Resolver, chooseRecord } from './router/answer';
import { type AdminApi, buildAdminApp } from './router/admin-app';
import { Balancer } from './router/balancer';
import { type ChangeInfo, ControlPlane } from './router/control-plane';
import { HealthCheckState } from './router/health-check';
import { type ResolvedRouterOptions, type RouterOptions, resolveRouterOptions } from './router/options';
import { buildPublicApp } from './router/public-app';
import type { AnswerView, RecordsView } from './router/views';

export { REGION_HEADER } from './router/balancer';
export type { AnswerBasis, Candidate, Choice } from './router/answer';
export { chooseRecord } from './router/answer';
export { type ChangeInfo, type ChangeStatus, ControlPlaneUnavailableError, InvalidChangeError, NoSuchChangeError, Route53ApiError } from './router/control-plane';
export type { HealthStatus, HealthView, ProbeResult } from './router/health-check';
export {
  MAX_WEIGHT,
  PROFILE_TIMINGS,
  RouterConfigError,
  type HealthCheckOptions,
  type RegionRecordOptions,
  type RouterOptions,
  type RouterProfile,
  type Timings,
} from './router/options';
export type { AnswerView, RecordView, RecordsView } from './router/views';

const HOST = '127.0.0.1';

/**
 * The local stand-in for Route 53 and the two regions' Application Load Balancers, in process.
 *
 * - Data plane: every `intervalMs` a health check GETs `path` through each region's balancer; the
 *   public listener (`url`) acts as one client-side resolver that answers from the weighted records
 *   and their health, keeps that answer for `ttlMs`, and forwards each request through the chosen
 *   region's balancer (round robin over `targets()`), tagging the response with `x-dr-region`.
 * - Control plane: Route 53's API on a second listener (`adminUrl`), also offered as methods here;
 *   weight changes take effect `changePropagationMs` after submission, when they turn INSYNC; an
 *   outage (`setControlPlaneAvailable(false)`) makes every API call fail with 503 while checks and
 *   answers go on.
 *
 * Started by `Router.start`; `close()` stops the checks and both listeners.
 */
export class Router implements AdminApi {
  private readonly balancers: Record<DrRole, Balancer>;
  private readonly health: Record<DrRole, HealthCheckState>;
  private readonly controlPlane: ControlPlane;
  private readonly resolver: Resolver;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Map<DrRole, Promise<void>>();
  private readonly stopChecks = new AbortController();
  private publicApp: FastifyInstance | undefined;
  private adminApp: FastifyInstance | undefined;
  private closing: Promise<void> | undefined;
  private publicUrl = '';
  private adminListenerUrl = '';

  private constructor(private readonly options: ResolvedRouterOptions) {
    const { regions, clock, random } = options;
    this.balancers = byRole((role) => new Balancer({ region: regions[role].region, targets: regions[role].targets, upstreamTimeoutMs: options.upstreamTimeoutMs }));
    this.health = byRole(() => new HealthCheckState(options.failureThreshold));
    this.controlPlane = new ControlPlane(byRole((role) => regions[role].weight), options.changePropagationMs, () => clock.now());
    this.resolver = new Resolver(options.ttlMs, () => {
      const weights = this.controlPlane.weights();
      const choice = chooseRecord(
        DR_ROLES.map((role) => ({ role, weight: weights[role], healthy: this.health[role].healthy })),
        random,
      );
      return { ...choice, region: regions[choice.role].region };
    });
  }

  /** Validates the options (RouterConfigError names every bad field), listens on 127.0.0.1 and starts checking. */
  static async start(options: RouterOptions): Promise<Router> {
    const router = new Router(resolveRouterOptions(options));
    try {
      await router.listen();
    } catch (error) {
      await router.close();
      throw error;
    }
    router.startChecks();
    return router;
  }

  /** The public name: `http://127.0.0.1:<port>`. */
  get url(): string {
    return this.publicUrl;
  }

  /** Route 53's API and the outage switch: `http://127.0.0.1:<port>`. */
  get adminUrl(): string {
    return this.adminListenerUrl;
  }

  /** GET /records: weights in effect, health checks, the resolver's answer. */
  records(): RecordsView {
    this.controlPlane.assertAvailable();
    const now = this.options.clock.now();
    const weights = this.controlPlane.weights();
    const answer = this.resolver.last();
    return {
      records: byRole((role) => {
        const health = this.health[role].view();
        return { role, region: this.options.regions[role].region, weight: weights[role], healthy: health.status === 'healthy', health };
      }),
      answer: answer ? answerView(answer, now) : null,
      pendingChanges: this.controlPlane.pending(),
      ttlMs: this.options.ttlMs,
    };
  }

  /** POST /changes: sets both weights in one change, PENDING until it propagates. */
  changeWeights(weights: Readonly<Record<DrRole, number>>): ChangeInfo {
    return this.controlPlane.submit(weights);
  }

  /** GET /changes/:id. Throws NoSuchChangeError for an unknown id. */
  getChange(id: string): ChangeInfo {
    return this.controlPlane.get(id);
  }

  /** POST /faults/control-plane: false starts the outage, true ends it. Always works. */
  setControlPlaneAvailable(available: boolean): void {
    this.controlPlane.setAvailable(available);
  }

  controlPlaneAvailable(): boolean {
    return this.controlPlane.isAvailable;
  }

  /** Throws ControlPlaneUnavailableError during an outage. */
  assertControlPlaneAvailable(): void {
    this.controlPlane.assertAvailable();
  }

  /** Stops the checks and both listeners; open connections are closed, not waited for. Idempotent. */
  close(): Promise<void> {
    return (this.closing ??= this.shutdown());
  }

  private async listen(): Promise<void> {
    this.publicApp = await buildPublicApp({ route: () => this.balancers[this.resolver.answer(this.options.clock.now()).role] });
    this.adminApp = buildAdminApp(this);
    this.publicUrl = await this.publicApp.listen({ host: HOST, port: this.options.port });
    this.adminListenerUrl = await this.adminApp.listen({ host: HOST, port: this.options.adminPort });
  }

  private startChecks(): void {
    for (const role of DR_ROLES) {
      this.check(role);
      this.timers.push(setInterval(() => this.check(role), this.options.intervalMs));
    }
  }

  /**
   * One check of a record, unless the previous one is still waiting for its answer (a timeout
   * longer than the interval): results are then recorded in the order they were asked.
   */
  private check(role: DrRole): void {
    if (this.closing || this.inFlight.has(role)) return;
    const { path, timeoutMs, clock } = this.options;
    const done = this.balancers[role]
      .probe(path, timeoutMs, this.stopChecks.signal)
      .then((result) => {
        if (!this.closing) this.health[role].record(result, clock.now());
      })
      .finally(() => this.inFlight.delete(role));
    this.inFlight.set(role, done);
  }

  private async shutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.stopChecks.abort();
    await Promise.allSettled(this.inFlight.values());
    const results = await Promise.allSettled([this.publicApp?.close(), this.adminApp?.close()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

function byRole<T>(make: (role: DrRole) => T): Record<DrRole, T> {
  return Object.fromEntries(DR_ROLES.map((role) => [role, make(role)])) as Record<DrRole, T>;
}

function answerView(answer: CachedAnswer, now: number): AnswerView {
  return {
    role: answer.role,
    region: answer.region,
    basis: answer.basis,
    resolvedAt: new Date(answer.resolvedAt).toISOString(),
    expiresAt: new Date(answer.expiresAt).toISOString(),
    expired: now >= answer.expiresAt,
  };
}
