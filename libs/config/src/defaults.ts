import type { DrRole } from './schema';

/**
 * The reference design's regions: us-east-1 active with 2-4 instances, us-east-2 warm standby with
 * 1-4, a writer plus a replica in the primary cluster and one reader in the secondary.
 * Every other default lives on its field in schema.ts.
 */
export const REFERENCE_REGIONS: Record<DrRole, {
  region: string;
  vpcCidr: string;
  capacity: { min: number; desired: number; max: number };
  databaseInstances: number;
}> = {
  primary: { region: 'us-east-1', vpcCidr: '10.0.0.0/16', capacity: { min: 2, desired: 2, max: 4 }, databaseInstances: 2 },
  secondary: { region: 'us-east-2', vpcCidr: '10.1.0.0/16', capacity: { min: 1, desired: 1, max: 4 }, databaseInstances: 1 },
};

/** The environment suffix used when ENVIRONMENT_SUFFIX is not set. */
export const DEFAULT_ENVIRONMENT_NAME = 'dev';
