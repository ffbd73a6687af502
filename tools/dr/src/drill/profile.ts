import { ALB_ALIAS_TTL_SECONDS, AURORA_GLOBAL_PROMOTION_SECONDS, INSTANCE_BOOT_SECONDS, type Environment } from '@txn-dr/config';
import { DEFAULT_WAITS, type Waits } from '../steps';

export const PROFILES = ['ci', 'real'] as const;
export type ProfileName = (typeof PROFILES)[number];

/**
 * Every timing of the local world, in milliseconds. `real` is what AWS documents (or, for instance
 * boot, what the RTO budget estimates); `ci` is the same shape scaled down so a drill finishes in
 * seconds on two cores.
 */
export interface DrillProfile {
  readonly name: ProfileName;
  /** Route 53 health checks of each region's writable path: request interval, failures to flip, per-check deadline. */
  readonly healthCheck: { readonly intervalMs: number; readonly failureThreshold: number; readonly timeoutMs: number };
  /** How long a resolver keeps an answer: alias records to an ALB have a fixed 60 s TTL. */
  readonly ttlMs: number;
  /** A Route 53 change from PENDING to INSYNC. */
  readonly changePropagationMs: number;
  /** Aurora promoting a secondary (switchover or failover). */
  readonly promotionMs: number;
  /** The DNS TTL of the Aurora global writer endpoint: clients follow a re-point after it. */
  readonly writerEndpointTtlMs: number;
  /** An instance from launch to its service listening. */
  readonly bootDelayMs: number;
  /** The load balancer's target check interval. */
  readonly targetIntervalMs: number;
  /** After a failover, how long until the old writer, once it answers again, is rebuilt as a secondary. */
  readonly rebuildDelayMs: number;
  /** The CLI's waits. */
  readonly waits: Waits;
  /** Load: requests per second, the most in flight, the longest a request may take. */
  readonly load: { readonly ratePerSecond: number; readonly concurrency: number; readonly requestTimeoutMs: number };
  /** Load before the fault, and after the operation ends, so both sides of the gap are seen. */
  readonly warmupMs: number;
  readonly cooldownMs: number;
  /** How long a frozen writer stays frozen before it is thawed (it then holds what it acknowledged). */
  readonly freezeMs: number;
  /** The apply delay of the `lag` fault. */
  readonly lagSeconds: number;
  /** A drill that has not finished by then is stopped and fails. */
  readonly timeLimitMs: number;
}

/** Route 53 propagates a change to all its authoritative servers "within 60 seconds". https://aws.amazon.com/route53/faqs/ */
const ROUTE53_PROPAGATION_SECONDS = 60;

/**
 * The global writer endpoint is a DNS name with a short TTL that Aurora re-points after a switchover
 * or failover: 5 s (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html).
 */
const GLOBAL_WRITER_ENDPOINT_TTL_SECONDS = 5;

/** Where the service sends its reads and writes: its own region's cluster, or the global writer endpoint. */
export const DB_ENDPOINTS = ['regional', 'global'] as const;
export type DbEndpoint = (typeof DB_ENDPOINTS)[number];
/**
 * What the stacks deploy: data through the global writer endpoint, health probes on the region's
 * own cluster. The drill measured the lower switchover write downtime for it (README, "DR drill").
 */
export const DEFAULT_DB_ENDPOINT: DbEndpoint = 'global';

const wait = (intervalMs: number, timeoutMs: number) => ({ intervalMs, timeoutMs });

/** The timings of a profile, from the environment's own settings where it has them. */
export function drillProfile(name: ProfileName, env: Environment): DrillProfile {
  const real = {
    healthCheck: {
      intervalMs: env.healthCheck.intervalSeconds * 1000,
      failureThreshold: env.healthCheck.failureThreshold,
      timeoutMs: 4_000,
    },
    ttlMs: ALB_ALIAS_TTL_SECONDS * 1000,
    changePropagationMs: ROUTE53_PROPAGATION_SECONDS * 1000,
    promotionMs: AURORA_GLOBAL_PROMOTION_SECONDS * 1000,
    writerEndpointTtlMs: GLOBAL_WRITER_ENDPOINT_TTL_SECONDS * 1000,
    bootDelayMs: INSTANCE_BOOT_SECONDS * 1000,
    targetIntervalMs: env.compute.targetHealth.intervalSeconds * 1000,
  };
  if (name === 'real') {
    return {
      name,
      ...real,
      rebuildDelayMs: 5 * 60_000,
      waits: { ...DEFAULT_WAITS },
      load: { ratePerSecond: 20, concurrency: 20, requestTimeoutMs: 5_000 },
      warmupMs: 20_000,
      cooldownMs: 20_000,
      freezeMs: 60_000,
      // Well over the 10 s a switchover accepts: the lag of an incident, not of a busy minute.
      lagSeconds: 15,
      timeLimitMs: 20 * 60_000,
    };
  }
  // Everything that waits on AWS runs 60 times faster; the service itself is not scaled.
  const scale = (ms: number) => Math.max(50, Math.round(ms / 60));
  return {
    name,
    healthCheck: { intervalMs: scale(real.healthCheck.intervalMs), failureThreshold: real.healthCheck.failureThreshold, timeoutMs: 500 },
    ttlMs: scale(real.ttlMs),
    changePropagationMs: scale(real.changePropagationMs),
    promotionMs: scale(real.promotionMs),
    writerEndpointTtlMs: scale(real.writerEndpointTtlMs),
    bootDelayMs: scale(real.bootDelayMs),
    targetIntervalMs: 100,
    rebuildDelayMs: 1_000,
    waits: { capacity: wait(100, 30_000), database: wait(100, 30_000), dnsChange: wait(100, 30_000), health: wait(100, 30_000), fence: wait(100, 10_000) },
    load: { ratePerSecond: 40, concurrency: 16, requestTimeoutMs: 2_500 },
    // A second of load (40 writes) before the fault and under a second after the operation: enough
    // to see both sides of the gap, and the drill's length is mostly the operation's own.
    warmupMs: 1_000,
    cooldownMs: 750,
    freezeMs: 4_000,
    // Longer than fencing the old region takes here (its processes drain for up to 2 s), so the
    // writes acknowledged just before the fence are still unapplied when the failover starts.
    lagSeconds: 6,
    timeLimitMs: 60_000,
  };
}
