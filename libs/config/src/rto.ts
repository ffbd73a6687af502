import { activeCapacity, standbyCapacity, type Capacity } from './capacity';

/**
 * Alias records that point at an Application Load Balancer cannot set a TTL: Route 53 answers them
 * with the load balancer's own, a fixed 60 seconds.
 * https://aws.amazon.com/route53/faqs/ ("alias records that have a fixed TTL of 60 seconds" for ELB)
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html
 */
export const ALB_ALIAS_TTL_SECONDS = 60;

/**
 * Promoting the secondary cluster of an Aurora global database: "you can promote one of the
 * secondary AWS Regions to take full read-write workloads in under a minute".
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.html
 * The disaster-recovery chapter is vaguer ("RTO can be in the order of minutes"), so the operator
 * CLI measures the real figure on every run and its report is the number to compare with this one.
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
 * It assumes the secondary cluster already has an instance (databaseInstances >= 1): a headless
 * secondary would first have to create one.
 */
export const AURORA_GLOBAL_PROMOTION_SECONDS = 60;

/**
 * From the Auto Scaling group's launch of an instance to its service listening on the app port:
 * boot of Amazon Linux 2023, then the user data fetching the bundle from S3, installing Node.js and
 * starting the unit. AWS gives no figure, only that a launch "can take a few minutes" depending on
 * the instance and its startup scripts:
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PredictiveScalingConfiguration.html (SchedulingBufferTime)
 * 90 s is an estimate for a small instance and a short script; the `scale` step of a switchover
 * report measures it, and that measurement should replace this figure.
 */
export const INSTANCE_BOOT_SECONDS = 90;

/**
 * How long the load balancer lets requests in flight finish on a target it deregisters, before the
 * Auto Scaling group terminates the instance; the compute layer sets it on the target group.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#deregistration-delay
 */
export const TARGET_DEREGISTRATION_DELAY_SECONDS = 30;

/**
 * The failover fences the old region before promoting (its capacity to zero, so that it
 * acknowledges no write that would end up only in its database), and waits at most this long for
 * its instances to be gone: the deregistration delay, then about 15 s for the instance to stop.
 * Past it the fencing is reported unconfirmed and the failover goes on; a region that does not
 * answer fails the step at once.
 */
export const FENCE_WAIT_SECONDS = TARGET_DEREGISTRATION_DELAY_SECONDS + 15;

export type RtoPhaseId = 'detection' | 'fencing' | 'promotion' | 'capacity' | 'routing' | 'dns';

/** How Route 53 health checks judge an endpoint: interval and failure threshold. */
const HEALTH_CHECK_DOC = 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html';
/** A weight-0 record is answered only when every record of non-zero weight is unhealthy. */
const RECORD_CHOICE_DOC = 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-how-route-53-chooses-records.html';

/** One part of the worst-case recovery time. */
export interface RtoPhase {
  readonly id: RtoPhaseId;
  readonly seconds: number;
  /** How the figure is made, with the values it comes from. */
  readonly basis: string;
  /** The config fields or documentation the figure comes from. */
  readonly source: string;
  /**
   * After detection, two branches run side by side: promotion, routing and dns one after the
   * other, and the capacity the failover asks for before it promotes. Traffic moves when the
   * health checks flip, whether or not the new instances are in service, so only the longer
   * branch is on the critical path.
   */
  readonly onCriticalPath: boolean;
}

export interface RtoBudget {
  /** In the order they start; capacity runs beside promotion, routing and dns. */
  readonly phases: readonly RtoPhase[];
  /** detection + max(promotion + routing + dns, capacity). */
  readonly totalSeconds: number;
  /** objectives.rtoSeconds. */
  readonly objectiveSeconds: number;
  /** objective - total: negative when the budget is over. */
  readonly marginSeconds: number;
}

/** The fields of an environment the budget reads; the parsed schema output and Environment both fit. */
export interface RtoInput {
  readonly healthCheck: { readonly intervalSeconds: number; readonly failureThreshold: number };
  readonly compute: { readonly targetHealth: { readonly intervalSeconds: number; readonly healthyThreshold: number } };
  readonly capacity: { readonly active: Capacity; readonly standby: Capacity };
  readonly objectives: { readonly rtoSeconds: number };
}

/**
 * The worst-case recovery time of an environment after the active region fails, as the failover
 * runs it. Nothing in it changes a DNS record: the weights stay a fixed preference (active 100,
 * standby 0) and each region's Route 53 health check asks the service whether it may take writes.
 *
 * 1. detection: the active region's writable check fails `failureThreshold` times in a row (the
 *    alarm on it pages).
 * 2. The failover asks the standby for the active capacity (capacity), fences the old region
 *    (fencing: bounded), then promotes its database (promotion).
 * 3. routing: the writable checks flip, the promoted region passing `failureThreshold` checks in a
 *    row and the old one, no longer the writer (read-only or unreachable), failing as many (in
 *    parallel, or already done); Route 53 then answers the standby's weight-0 record.
 * 4. dns: resolvers drop the old answer after the alias record's TTL.
 *
 * Paging and the operator starting `dr failover` are not in it: they are what the margin is for.
 */
export function rtoBudget(env: RtoInput): RtoBudget {
  const { intervalSeconds, failureThreshold } = env.healthCheck;
  // Route 53 needs as many consecutive results to mark an endpoint healthy as unhealthy.
  const flip = intervalSeconds * failureThreshold;
  const checks = `${intervalSeconds} s interval x ${failureThreshold}`;

  const needed = activeCapacity(env).desired;
  const warm = standbyCapacity(env).desired;
  const target = env.compute.targetHealth;
  const registration = target.healthyThreshold * target.intervalSeconds;
  const capacity = warm >= needed ? 0 : INSTANCE_BOOT_SECONDS + registration;
  const promotion = AURORA_GLOBAL_PROMOTION_SECONDS;
  const fencing = FENCE_WAIT_SECONDS;
  const traffic = fencing + promotion + flip + ALB_ALIAS_TTL_SECONDS;
  const recovery = Math.max(traffic, capacity);

  const phases: RtoPhase[] = [
    {
      id: 'detection',
      seconds: flip,
      basis: `the active region's writable Route 53 check fails: ${checks} failures`,
      source: `healthCheck.intervalSeconds, healthCheck.failureThreshold; ${HEALTH_CHECK_DOC}`,
      onCriticalPath: true,
    },
    {
      id: 'fencing',
      seconds: fencing,
      basis: `the old region's capacity to zero, its instances gone within ${fencing} s (deregistration delay ${TARGET_DEREGISTRATION_DELAY_SECONDS} s + stop), before the promotion`,
      source: 'FENCE_WAIT_SECONDS; https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#deregistration-delay',
      onCriticalPath: traffic >= capacity,
    },
    {
      id: 'promotion',
      seconds: promotion,
      basis: 'Aurora global database failover: the secondary takes writes "in under a minute"',
      source: 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.html',
      onCriticalPath: traffic >= capacity,
    },
    {
      id: 'capacity',
      seconds: capacity,
      basis:
        capacity === 0
          ? `the standby already runs ${warm} instance(s), the active load needs ${needed}`
          : `standby ${warm} -> ${needed} instances: boot ${INSTANCE_BOOT_SECONDS} s + target health ${target.healthyThreshold} x ${target.intervalSeconds} s`,
      source: 'capacity.active.desired vs capacity.standby.desired, compute.targetHealth; boot time an estimate (INSTANCE_BOOT_SECONDS), AWS gives none: https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PredictiveScalingConfiguration.html',
      onCriticalPath: capacity > traffic,
    },
    {
      id: 'routing',
      seconds: flip,
      basis: `writable checks flip after the promotion: ${checks}; Route 53 then answers the weight-0 record`,
      source: `healthCheck.intervalSeconds, healthCheck.failureThreshold; ${RECORD_CHOICE_DOC}`,
      onCriticalPath: traffic >= capacity,
    },
    {
      id: 'dns',
      seconds: ALB_ALIAS_TTL_SECONDS,
      basis: `alias A records to the ALB: fixed ${ALB_ALIAS_TTL_SECONDS} s TTL`,
      source: 'https://aws.amazon.com/route53/faqs/ (ELB alias records have a fixed 60 s TTL)',
      onCriticalPath: traffic >= capacity,
    },
  ];
  const totalSeconds = flip + recovery;
  return { phases, totalSeconds, objectiveSeconds: env.objectives.rtoSeconds, marginSeconds: env.objectives.rtoSeconds - totalSeconds };
}

/** `detection 30 + max(fencing 45 + promotion 60 + routing 30 + dns 60, capacity 120)`: the sum behind a total. */
export function describeRtoBudget(budget: RtoBudget): string {
  const seconds = (id: RtoPhaseId) => budget.phases.find((p) => p.id === id)?.seconds ?? 0;
  return `detection ${seconds('detection')} + max(fencing ${seconds('fencing')} + promotion ${seconds('promotion')} + routing ${seconds('routing')} + dns ${seconds('dns')}, capacity ${seconds('capacity')})`;
}
