import type { DrRole, Environment } from './schema';

/** Auto Scaling Group sizes. */
export interface Capacity {
  readonly min: number;
  readonly desired: number;
  readonly max: number;
}

type CapacityInput = { readonly regions: Record<DrRole, { readonly capacity: Capacity }> };

/**
 * The sizes the active region runs at: the larger of the two configured capacities, field by field.
 * It does not depend on which role is active, so a region that takes over after a failover gets the
 * same sizes the other had, and failing back restores them.
 */
export function activeCapacity(env: CapacityInput): Capacity {
  const { primary, secondary } = env.regions;
  return {
    min: Math.max(primary.capacity.min, secondary.capacity.min),
    desired: Math.max(primary.capacity.desired, secondary.capacity.desired),
    max: Math.max(primary.capacity.max, secondary.capacity.max),
  };
}

/** The sizes the warm standby runs at: the smaller of the two configured capacities, field by field. */
export function standbyCapacity(env: CapacityInput): Capacity {
  const { primary, secondary } = env.regions;
  return {
    min: Math.min(primary.capacity.min, secondary.capacity.min),
    desired: Math.min(primary.capacity.desired, secondary.capacity.desired),
    max: Math.min(primary.capacity.max, secondary.capacity.max),
  };
}

/**
 * The sizes a role should run at given `activeRegion`: active capacity where the region is active,
 * standby capacity elsewhere. A stack that sizes its group with this follows `activeRegion` alone,
 * which is the one change the operator makes after a failover.
 */
export function capacityFor(env: Pick<Environment, 'regions' | 'activeRegion'>, role: DrRole): Capacity {
  return env.regions[role].region === env.activeRegion ? activeCapacity(env) : standbyCapacity(env);
}
