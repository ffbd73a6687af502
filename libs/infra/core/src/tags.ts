import type { DrRole, Environment } from '@txn-dr/config';
import type { StackName } from '@txn-dr/contracts';

/**
 * Tags every resource carries through the provider's default_tags. The environment's own tags come
 * first so that they can add to these but never replace them.
 */
export function defaultTags(env: Environment, role: DrRole, stack: StackName): Record<string, string> {
  return {
    ...env.tags,
    Environment: env.name,
    Project: env.project,
    ManagedBy: 'cdktf',
    DRRole: role,
    Stack: stack,
  };
}
