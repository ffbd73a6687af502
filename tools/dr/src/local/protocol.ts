import type { Capacity, DrRole } from '@txn-dr/config';
import type { DbEndpoint, ProfileName } from '../drill/profile';

/**
 * The wire shapes between the local world's process and its clients (LocalWorld in the CLI, the
 * drill). Each region has its own API listener, as each AWS region has its own endpoints, so losing
 * a region silences exactly its calls; Route 53's API is the router's admin listener; the drill's
 * hand (faults, counting) is a third kind of listener that no operation uses.
 */

/** Written to `<dir>/world.json` once the world is up; what `dr drill` and `DR_WORLD` attach with. */
export interface WorldInfo {
  readonly pid: number;
  readonly dir: string;
  readonly profile: ProfileName;
  /** Where the service reads and writes: its region's database or the global writer endpoint. */
  readonly dbEndpoint: DbEndpoint;
  readonly environment: string;
  /** The public name: the router, as clients reach the service. */
  readonly publicUrl: string;
  /** Route 53's API (the router's admin listener). */
  readonly route53Url: string;
  /** Faults, counting, shutdown. */
  readonly controlUrl: string;
  readonly regions: Record<DrRole, { readonly region: string; readonly apiUrl: string }>;
  readonly startedAt: string;
}

/** DescribeGlobalClusters, as either region answers it. */
export interface GlobalClusterView {
  readonly identifier: string;
  readonly engineVersion: string;
  readonly writer: DrRole;
  readonly members: readonly { readonly role: DrRole; readonly isWriter: boolean; readonly synchronization?: string }[];
  readonly operation?: { readonly status: string; readonly from: DrRole; readonly to: DrRole; readonly dataLossAllowed: boolean };
}

/** DescribeDBClusters of the region's own cluster. */
export interface ClusterView {
  readonly identifier: string;
  readonly status: string;
  readonly engineVersion: string;
}

/** The region's AuroraGlobalDBRPOLag datapoint, when its cluster is a secondary. */
export interface LagView {
  readonly milliseconds?: number;
  readonly at?: string;
}

export interface CapacityView extends Capacity {
  readonly inService: number;
  readonly instances: number;
  readonly healthyTargets: number;
}

export const FAULTS = ['none', 'region-loss', 'freeze-writer', 'lag', 'route53-control-plane'] as const;
export type Fault = (typeof FAULTS)[number];

/** What each database holds of a set of idempotency keys, read after the drill. */
export interface CountResult {
  readonly writer: DrRole;
  readonly present: Record<DrRole, readonly string[]>;
  /** Rows the old writer held that a rebuild after a failover set aside (Aurora keeps them in a snapshot). */
  readonly setAside: readonly string[];
}

/** An error as the world's APIs answer it. */
export interface ApiError {
  readonly code: string;
  readonly message: string;
}
