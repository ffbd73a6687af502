/** The active region takes all traffic; a weight-0 record is answered only when every other is unhealthy. */
export const ACTIVE_WEIGHT = 100;
export const STANDBY_WEIGHT = 0;

/** A region's record weight, from whether config `activeRegion` names it, alone. */
export function recordWeight(active: boolean): number {
  return active ? ACTIVE_WEIGHT : STANDBY_WEIGHT;
}
