import type { DrRole, Environment } from '@txn-dr/config';
import { DrStack } from '@txn-dr/infra-core';
import type { Construct } from 'constructs';

/**
 * A region of the warm-standby pair. The primary and the secondary are this same composition with
 * a different role: everything that differs between them is read from the role's slice of config.
 */
export class RegionalStack extends DrStack<DrRole> {
  constructor(scope: Construct, env: Environment, readonly role: DrRole) {
    super(scope, { env, stack: role });
    const region = env.regions[role];
    this.provider(role);
    this.publishOutputs({ region: region.region, role });
  }
}
