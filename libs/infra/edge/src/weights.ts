import { type DrRole, type Environment, activeRole } from '@txn-dr/config';

/** The active region takes all traffic; a weight-0 record is answered only when every other is unhealthy. */
export const ACTIVE_WEIGHT = 100;
export const STANDBY_WEIGHT = 0;

/** A region's record weight, from config `activeRegion` alone. */
export function recordWeight(env: Environment, role: DrRole): number {
  return activeRole(env) === role ? ACTIVE_WEIGHT : STANDBY_WEIGHT;
}
