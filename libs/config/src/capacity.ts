import type { DrRole, Environment } from './schema';

/** Auto Scaling Group sizes. */
export interface Capacity {
  readonly min: number;
  readonly desired: number;
  readonly max: number;
}

/** The sizes the active region runs at. */
export function activeCapacity(env: Pick<Environment, 'capacity'>): Capacity {
  return env.capacity.active;
}

/** The sizes the warm standby runs at. */
export function standbyCapacity(env: Pick<Environment, 'capacity'>): Capacity {
  return env.capacity.standby;
}

/**
 * The sizes a role's region should run at now: active capacity where activeRegion points,
 * standby capacity elsewhere. A stack that sizes its group with this follows activeRegion alone,
 * the one change the operator makes after a failover.
 */
export function capacityFor(env: Pick<Environment, 'capacity' | 'regions' | 'activeRegion'>, role: DrRole): Capacity {
  return env.regions[role].region === env.activeRegion ? activeCapacity(env) : standbyCapacity(env);
}
