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

export type RtoPhaseId = 'detection' | 'promotion' | 'capacity' | 'dns';

/** One part of the worst-case recovery time. */
export interface RtoPhase {
  readonly id: RtoPhaseId;
  readonly seconds: number;
  /** How the figure is made, with the values it comes from. */
  readonly basis: string;
  /** The config fields or documentation the figure comes from. */
  readonly source: string;
  /**
   * Promotion and capacity run at the same time (the failover asks for capacity, then promotes
   * while instances boot): only the longer of the two is on the critical path.
   */
  readonly onCriticalPath: boolean;
}

export interface RtoBudget {
  /** In the order they happen; promotion and capacity overlap. */
  readonly phases: readonly RtoPhase[];
  /** detection + max(promotion, capacity) + dns. */
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
 * runs it: Route 53 sees the active endpoint fail, the standby is scaled to the active capacity
 * while the database is promoted, the weights move, and resolvers drop the old answer after its TTL.
 * Paging and the operator starting `dr failover` are not in it: they are what the margin is for.
 */
export function rtoBudget(env: RtoInput): RtoBudget {
  const { intervalSeconds, failureThreshold } = env.healthCheck;
  const detection = intervalSeconds * failureThreshold;

  const needed = activeCapacity(env).desired;
  const warm = standbyCapacity(env).desired;
  const target = env.compute.targetHealth;
  const registration = target.healthyThreshold * target.intervalSeconds;
  const capacity = warm >= needed ? 0 : INSTANCE_BOOT_SECONDS + registration;
  const promotion = AURORA_GLOBAL_PROMOTION_SECONDS;
  const recovery = Math.max(promotion, capacity);

  const phases: RtoPhase[] = [
    {
      id: 'detection',
      seconds: detection,
      basis: `Route 53 health check: ${intervalSeconds} s interval x ${failureThreshold} failures`,
      source: 'healthCheck.intervalSeconds, healthCheck.failureThreshold',
      onCriticalPath: true,
    },
    {
      id: 'promotion',
      seconds: promotion,
      basis: 'Aurora global database failover: the secondary takes writes "in under a minute"',
      source: 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database.html',
      onCriticalPath: promotion >= capacity,
    },
    {
      id: 'capacity',
      seconds: capacity,
      basis:
        capacity === 0
          ? `the standby already runs ${warm} instance(s), the active load needs ${needed}`
          : `standby ${warm} -> ${needed} instances: boot ${INSTANCE_BOOT_SECONDS} s + target health ${target.healthyThreshold} x ${target.intervalSeconds} s`,
      source: 'capacity.active.desired vs capacity.standby.desired, compute.targetHealth; boot time an estimate (INSTANCE_BOOT_SECONDS), AWS gives none: https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PredictiveScalingConfiguration.html',
      onCriticalPath: capacity > promotion,
    },
    {
      id: 'dns',
      seconds: ALB_ALIAS_TTL_SECONDS,
      basis: `alias A records to the ALB: fixed ${ALB_ALIAS_TTL_SECONDS} s TTL`,
      source: 'https://aws.amazon.com/route53/faqs/ (ELB alias records have a fixed 60 s TTL)',
      onCriticalPath: true,
    },
  ];
  const totalSeconds = detection + recovery + ALB_ALIAS_TTL_SECONDS;
  return { phases, totalSeconds, objectiveSeconds: env.objectives.rtoSeconds, marginSeconds: env.objectives.rtoSeconds - totalSeconds };
}

/** `detection 90 + max(promotion 60, capacity 120) + dns 60`: the sum behind a total. */
export function describeRtoBudget(budget: RtoBudget): string {
  const seconds = (id: RtoPhaseId) => budget.phases.find((p) => p.id === id)?.seconds ?? 0;
  return `detection ${seconds('detection')} + max(promotion ${seconds('promotion')}, capacity ${seconds('capacity')}) + dns ${seconds('dns')}`;
}
