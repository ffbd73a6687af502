import { ALB_ALIAS_TTL_SECONDS, DR_ROLES, type DrRole } from '@txn-dr/config';
import { HEALTH_PATHS } from '@txn-dr/contracts';
import type { Clock } from '../../clock';

/** One region's weighted alias record and the load balancer it points at. */
export interface RegionRecordOptions {
  /** AWS region name, reported in `x-dr-region` on every response the region's balancer gives. */
  readonly region: string;
  /** Route 53 weight of the record, 0-255, until a change replaces it. */
  readonly weight: number;
  /**
   * Base URLs (`http://127.0.0.1:<port>`) of the region's targets that pass the load balancer's
   * target health right now; read on every request and every health check. Returning none gives
   * 503. An ALB whose targets all fail fails open to all registered targets, so a caller that models
   * fail-open returns every registered target then:
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
   */
  readonly targets: () => readonly string[];
}

/** The Route 53 health check of each record, sent to the region's load balancer. */
export interface HealthCheckOptions {
  /** Path the check GETs. @default HEALTH_PATHS.writable ('/health/writable') */
  readonly path?: string;
  /** Time between two checks of a record (Route 53: 10 or 30 s). @default profile */
  readonly intervalMs?: number;
  /** A check with no status line by then fails. @default profile */
  readonly timeoutMs?: number;
  /** Consecutive results the other way that flip a record's status, 1-10. @default 3 */
  readonly failureThreshold?: number;
}

/**
 * `real` is Route 53 and ALB as documented; `ci` keeps their shape at tens or hundreds of
 * milliseconds so a test or a drill ends in seconds.
 */
export type RouterProfile = 'real' | 'ci';

export interface RouterOptions {
  readonly regions: Readonly<Record<DrRole, RegionRecordOptions>>;
  /** Where the timings not given below come from. @default 'real' */
  readonly profile?: RouterProfile;
  readonly healthCheck?: HealthCheckOptions;
  /** How long the public listener, one client-side resolver, keeps an answer. @default profile */
  readonly ttlMs?: number;
  /** From a weight change's submission to INSYNC, when it takes effect. @default profile */
  readonly changePropagationMs?: number;
  /**
   * A target that sends no response by then gets the client a 504. The proxy's timer (undici's
   * headers timeout) ticks at about one second, so the 504 comes up to about a second later.
   * @default profile
   */
  readonly upstreamTimeoutMs?: number;
  /** Public listener's port on 127.0.0.1. @default 0 (any free port) */
  readonly port?: number;
  /** Admin (Route 53 API) listener's port on 127.0.0.1. @default 0 (any free port) */
  readonly adminPort?: number;
  /** Time of cached answers, changes and checks; only `now` is read. @default the system clock */
  readonly clock?: Pick<Clock, 'now'>;
  /** Uniform in [0, 1), for the weighted choice. @default Math.random */
  readonly random?: () => number;
}

export interface Timings {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly failureThreshold: number;
  readonly ttlMs: number;
  readonly changePropagationMs: number;
  readonly upstreamTimeoutMs: number;
}

/**
 * `real`:
 * - Standard health checks every 30 s (10 s is the fast kind); the failure threshold defaults to 3;
 *   an HTTP check must connect within 4 s and get its status within 2 s after connecting.
 *   https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
 *   https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html (FailureThreshold, default 3)
 * - An alias record to an ALB answers with the balancer's fixed 60 s TTL (ALB_ALIAS_TTL_SECONDS).
 * - A change reaches every Route 53 authoritative server "within 60 seconds under normal
 *   conditions", and only then reads INSYNC: https://aws.amazon.com/route53/faqs/
 *   https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetChange.html
 * - An ALB answers 504 when the target sends nothing within the idle timeout, 60 s by default:
 *   https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html
 * `ci` divides the AWS waits by about 150-300; the upstream limit stays in seconds because the
 * service's own work is not scaled.
 */
export const PROFILE_TIMINGS: Readonly<Record<RouterProfile, Timings>> = {
  real: {
    intervalMs: 30_000,
    timeoutMs: 6_000,
    failureThreshold: 3,
    ttlMs: ALB_ALIAS_TTL_SECONDS * 1000,
    changePropagationMs: 60_000,
    upstreamTimeoutMs: 60_000,
  },
  ci: { intervalMs: 100, timeoutMs: 100, failureThreshold: 3, ttlMs: 200, changePropagationMs: 200, upstreamTimeoutMs: 5_000 },
};

/**
 * Route 53 weights are whole numbers from 0 to 255 (the guide's own example pairs 1 with 255):
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-weighted.html
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-weighted.html
 */
export const MAX_WEIGHT = 255;

export interface ResolvedRouterOptions extends Timings {
  readonly regions: Readonly<Record<DrRole, RegionRecordOptions>>;
  readonly path: string;
  readonly port: number;
  readonly adminPort: number;
  readonly clock: Pick<Clock, 'now'>;
  readonly random: () => number;
}

/** Options that cannot work; the message names every offending field. */
export class RouterConfigError extends Error {
  override readonly name = 'RouterConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Router options: ${problems.join('; ')}`);
  }
}

export function isWeight(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_WEIGHT;
}

const isWhole = (value: number, min: number) => Number.isInteger(value) && value >= min;
const isPort = (value: number) => Number.isInteger(value) && value >= 0 && value <= 65_535;

/** Fills the defaults once and refuses what cannot work. */
export function resolveRouterOptions(options: RouterOptions): ResolvedRouterOptions {
  const profile = options.profile ?? 'real';
  const base = PROFILE_TIMINGS[profile];
  if (!base) throw new RouterConfigError([`profile: '${String(profile)}' is not one of ${Object.keys(PROFILE_TIMINGS).join(', ')}`]);
  const health = options.healthCheck ?? {};
  const resolved: ResolvedRouterOptions = {
    regions: options.regions,
    path: health.path ?? HEALTH_PATHS.writable,
    intervalMs: health.intervalMs ?? base.intervalMs,
    timeoutMs: health.timeoutMs ?? base.timeoutMs,
    failureThreshold: health.failureThreshold ?? base.failureThreshold,
    ttlMs: options.ttlMs ?? base.ttlMs,
    changePropagationMs: options.changePropagationMs ?? base.changePropagationMs,
    upstreamTimeoutMs: options.upstreamTimeoutMs ?? base.upstreamTimeoutMs,
    port: options.port ?? 0,
    adminPort: options.adminPort ?? 0,
    clock: options.clock ?? { now: () => Date.now() },
    random: options.random ?? Math.random,
  };

  const regionRules = DR_ROLES.flatMap((role): [boolean, string][] => {
    const region = resolved.regions?.[role];
    if (!region) return [[true, `regions.${role}: missing`]];
    return [
      [!(typeof region.region === 'string' && region.region.length > 0), `regions.${role}.region: must be a region name`],
      [!isWeight(region.weight), `regions.${role}.weight: ${String(region.weight)} must be a whole number from 0 to ${MAX_WEIGHT}`],
      [typeof region.targets !== 'function', `regions.${role}.targets: must be a function returning the healthy targets' base URLs`],
    ];
  });
  const [primary, secondary] = DR_ROLES.map((role) => resolved.regions?.[role]?.region);
  const rules: [boolean, string][] = [
    ...regionRules,
    [primary !== undefined && primary === secondary, `regions: primary and secondary are both ${String(primary)}; a pair needs two regions`],
    [!resolved.path.startsWith('/'), `healthCheck.path: '${resolved.path}' must start with /`],
    [!isWhole(resolved.intervalMs, 1), `healthCheck.intervalMs: ${resolved.intervalMs} must be a whole number of at least 1`],
    [!isWhole(resolved.timeoutMs, 1), `healthCheck.timeoutMs: ${resolved.timeoutMs} must be a whole number of at least 1`],
    // The range the environment schema accepts for healthCheck.failureThreshold (@txn-dr/config).
    [
      !(isWhole(resolved.failureThreshold, 1) && resolved.failureThreshold <= 10),
      `healthCheck.failureThreshold: ${resolved.failureThreshold} must be a whole number from 1 to 10`,
    ],
    [!isWhole(resolved.ttlMs, 0), `ttlMs: ${resolved.ttlMs} must be a whole number of at least 0`],
    [!isWhole(resolved.changePropagationMs, 0), `changePropagationMs: ${resolved.changePropagationMs} must be a whole number of at least 0`],
    [!isWhole(resolved.upstreamTimeoutMs, 1), `upstreamTimeoutMs: ${resolved.upstreamTimeoutMs} must be a whole number of at least 1`],
    [!isPort(resolved.port), `port: ${resolved.port} must be a port number (0 for any)`],
    [!isPort(resolved.adminPort), `adminPort: ${resolved.adminPort} must be a port number (0 for any)`],
    [resolved.port !== 0 && resolved.port === resolved.adminPort, `adminPort: ${resolved.adminPort} is the public port too; the admin API must never be reachable on the public port`],
  ];
  const problems = rules.filter(([broken]) => broken).map(([, message]) => message);
  if (problems.length > 0) throw new RouterConfigError(problems);
  return resolved;
}
