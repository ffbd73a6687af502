import type { Environment } from '@txn-dr/config';
import { DrStack } from '@txn-dr/infra-core';
import type { Construct } from 'constructs';

/**
 * What both regions share and neither owns: deployed first, read by both regional stacks through
 * its contracted outputs.
 */
export class GlobalStack extends DrStack<'global'> {
  constructor(scope: Construct, env: Environment) {
    super(scope, { env, stack: 'global' });
    this.provider('primary');
    this.provider('secondary');
    this.publishOutputs({
      environment: env.name,
      primaryRegion: env.regions.primary.region,
      secondaryRegion: env.regions.secondary.region,
    });
  }
}
