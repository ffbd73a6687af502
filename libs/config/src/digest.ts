import { createHash } from 'node:crypto';
import type { Environment } from './schema';

/**
 * The file a stack app writes beside its synthesized stacks: the digest of the environment it was
 * synthesized from. Nx replays a cached synth by its inputs, and an environment file named by
 * TXN_DR_CONFIG is not one of them (only the variable is), so a deploy checks this digest against
 * the environment it loads before it applies anything.
 */
export const ENVIRONMENT_DIGEST_FILE = 'environment.sha256';

/**
 * SHA-256 of the validated environment. The loader builds it in the schema's field order, so the
 * same settings give the same digest; a change of key order in a map at most asks for a synth more.
 */
export function environmentDigest(env: Environment): string {
  return createHash('sha256').update(JSON.stringify(env)).digest('hex');
}
