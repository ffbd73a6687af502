import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { FUNCTION_CALLS, boundedCalls } from '@txn-dr/contracts';
import type { RotationClients } from './handler';

/**
 * A function's bounds on each HTTP attempt (FUNCTION_CALLS, as the health-check function's); the
 * per-call abort in withTimeout is the limit that counts. Two attempts leave room for one retry of
 * a throttled call inside a call's time limit.
 */
const CLIENT_CONFIG = boundedCalls(FUNCTION_CALLS);

/** One client, made once per container (module scope in index.ts) and reused by every invocation. */
export function createClients(): RotationClients {
  return { secrets: new SecretsManagerClient(CLIENT_CONFIG) };
}
