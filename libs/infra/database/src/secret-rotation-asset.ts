import { join } from 'node:path';
import { ARTIFACTS } from '@txn-dr/contracts';
import { workspaceRoot } from '@txn-dr/infra-core';
import type { TerraformAsset } from 'cdktf';
import type { Construct } from 'constructs';
import { functionZipAsset } from './function-code';

/** Where `nx run secret-rotation:build` writes the rotation function's zip. */
export const SECRET_ROTATION_ZIP = join(workspaceRoot(__dirname), ARTIFACTS.secretRotation.dir, ARTIFACTS.secretRotation.files.zip);

/**
 * The rotation function's zip as a content-addressed asset. A missing zip stops synth here, with
 * the command that builds it, instead of a Terraform error about a file at deploy time.
 */
export function secretRotationAsset(scope: Construct, id: string, path: string = SECRET_ROTATION_ZIP): TerraformAsset {
  return functionZipAsset(scope, id, path, ARTIFACTS.secretRotation.project);
}
