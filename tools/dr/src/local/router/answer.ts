import type { DrRole } from '@txn-dr/config';

/** A weighted record as the resolver weighs it. */
export interface Candidate {
  readonly role: DrRole;
  readonly weight: number;
  readonly healthy: boolean;
}

/**
 * Which rule picked the record:
 * - `healthy`: among healthy records of weight > 0, in proportion to weight;
 * - `healthy-weight-zero`: no healthy record of weight > 0, so among healthy weight-0 records, equally;
 * - `all-unhealthy`: every record unhealthy, so all count as healthy and the rules start again.
 */
export type AnswerBasis = 'healthy' | 'healthy-weight-zero' | 'all-unhealthy';

export interface Choice {
  readonly role: DrRole;
  readonly basis: AnswerBasis;
}

/**
 * What Route 53 answers for a group of weighted records that all have health checks.
 *
 * "Route 53 initially considers only the nonzero weighted records, if any. If all the records that
 * have a weight greater than 0 are unhealthy, then Route 53 considers the zero-weighted records."
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-weighted.html
 * (section "Health checks and weighted routing"; its table answers weights 1, 1, 0 that are all
 * unhealthy with the two weight-1 records, never the weight-0 one)
 *
 * "If none of the records are healthy, Route 53 ... considers all the records in the group to be
 * healthy and selects one based on the routing policy and on the values that you specify for each
 * record", so weight 0 keeps its meaning then too.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-how-route-53-chooses-records.html
 *
 * Records of weight 0 are chosen with equal probability among themselves: "if you set Weight to 0
 * for all resource record sets ... traffic is routed to all resources with equal probability".
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html (Weight)
 */
export function chooseRecord(records: readonly Candidate[], random: () => number): Choice {
  if (records.length === 0) throw new Error('chooseRecord: no records to choose from');
  const healthy = records.filter((r) => r.healthy);
  const pick = (group: readonly Candidate[]) => weightedOrEqual(group, random);
  if (healthy.length > 0) {
    const weighted = healthy.filter((r) => r.weight > 0);
    return weighted.length > 0 ? { role: pick(weighted), basis: 'healthy' } : { role: pick(healthy), basis: 'healthy-weight-zero' };
  }
  return { role: pick(records), basis: 'all-unhealthy' };
}

/** In proportion to weight when any weight is above 0 (weight-0 records then never win), else equally. */
function weightedOrEqual(group: readonly Candidate[], random: () => number): DrRole {
  const total = group.reduce((sum, r) => sum + r.weight, 0);
  if (total === 0) return group[Math.min(group.length - 1, Math.floor(random() * group.length))]!.role;
  let point = random() * total;
  for (const r of group) {
    if (r.weight === 0) continue;
    if (point < r.weight) return r.role;
    point -= r.weight;
  }
  // random() returned a value at the very top of its range: the last record with weight wins.
  return [...group].reverse().find((r) => r.weight > 0)!.role;
}

/** The answer a resolver holds, and until when. */
export interface CachedAnswer extends Choice {
  readonly region: string;
  readonly resolvedAt: number;
  readonly expiresAt: number;
}

/**
 * One client-side resolver: it keeps an answer for the TTL and only then asks again, so a record
 * turning unhealthy (or a change turning INSYNC) reaches its clients up to a TTL later.
 * "DNS resolvers use the values in their cache for longer periods before they ask Route 53 for the
 * latest information" (TTL): https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-weighted.html
 */
export class Resolver {
  private cached: CachedAnswer | undefined;

  constructor(
    private readonly ttlMs: number,
    private readonly resolve: () => Choice & { readonly region: string },
  ) {}

  answer(now: number): CachedAnswer {
    if (this.cached && now < this.cached.expiresAt) return this.cached;
    this.cached = { ...this.resolve(), resolvedAt: now, expiresAt: now + this.ttlMs };
    return this.cached;
  }

  /** The last answer, expired or not; undefined before the first request. */
  last(): CachedAnswer | undefined {
    return this.cached;
  }
}
