import type { Environment } from '@txn-dr/config';
import { localStatePath, stateKey, type StackName } from '@txn-dr/contracts';
import { DataTerraformRemoteStateLocal, DataTerraformRemoteStateS3, LocalBackend, S3Backend, type TerraformRemoteState, type TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';

/**
 * One state per stack: S3 at `<env>/<stack>.tfstate` when a state bucket is configured, otherwise
 * a local file beside the stack project (so synth and a first look work on any machine).
 */
export function configureBackend(stack: TerraformStack, env: Environment, name: StackName): void {
  if (env.state.bucket) {
    const backend = new S3Backend(stack, {
      bucket: env.state.bucket,
      key: stateKey(env.name, name),
      region: env.state.region,
      encrypt: true,
    });
    // Native S3 locking (Terraform 1.10+) instead of a DynamoDB table; cdktf 0.21 has no typed prop for it.
    // https://developer.hashicorp.com/terraform/language/backend/s3#state-locking
    backend.addOverride('use_lockfile', true);
  } else {
    new LocalBackend(stack, { path: localStatePath(env.name, name) });
  }
}

/** The state of an earlier stack, read where `configureBackend` put it. */
export function remoteStateOf(scope: Construct, id: string, env: Environment, stack: StackName): TerraformRemoteState {
  if (env.state.bucket) {
    return new DataTerraformRemoteStateS3(scope, id, { bucket: env.state.bucket, key: stateKey(env.name, stack), region: env.state.region });
  }
  return new DataTerraformRemoteStateLocal(scope, id, { path: localStatePath(env.name, stack) });
}
