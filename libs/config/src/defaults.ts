import type { DrRole } from './schema';

/**
 * The defaults that differ by role or duty, so cannot sit on a schema field: the reference
 * design's regions (us-east-1 active, us-east-2 warm standby, a writer plus a replica in the
 * primary cluster and one reader in the secondary) and its capacities (2-4 instances active,
 * 1-4 standby). They are merged under the input field by field; every other default lives on
 * its field in schema.ts.
 */
export const REFERENCE_REGIONS: Record<DrRole, {
  region: string;
  vpcCidr: string;
  databaseInstances: number;
}> = {
  primary: { region: 'us-east-1', vpcCidr: '10.0.0.0/16', databaseInstances: 2 },
  secondary: { region: 'us-east-2', vpcCidr: '10.1.0.0/16', databaseInstances: 1 },
};

/**
 * The environment suffix used when ENVIRONMENT_SUFFIX is not set: the one environment that needs
 * no file in environments/ (the defaults alone), for synth and tests on any machine.
 */
export const DEFAULT_ENVIRONMENT_NAME = 'dev';

/**
 * The environments the pipelines deploy (deploy.yml): their config must name the AWS account and
 * a zone under a domain the user owns, so that a missing one stops synth in CI, not a deploy.
 */
export const DEPLOYED_ENVIRONMENTS = ['staging', 'production'] as const;

export const REFERENCE_CAPACITY = {
  active: { min: 2, desired: 2, max: 4 },
  standby: { min: 1, desired: 1, max: 4 },
} as const;
