import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS } from '@txn-dr/contracts';
import { AssetType, TerraformAsset } from 'cdktf';
import type { Construct } from 'constructs';

const WORKSPACE_ROOT = join(__dirname, '..', '..', '..', '..');

/** Where `nx run health-check:build` writes the Lambda zip. */
export const HEALTH_CHECK_ZIP = join(WORKSPACE_ROOT, ARTIFACTS.healthCheck.dir, ARTIFACTS.healthCheck.files.zip);

/**
 * The Lambda zip as a content-addressed asset. A missing zip stops synth here, with the command
 * that builds it, instead of a Terraform error about a file at deploy time.
 */
export function healthCheckAsset(scope: Construct, id: string, path: string = HEALTH_CHECK_ZIP): TerraformAsset {
  if (!existsSync(path)) {
    throw new Error(`health-check Lambda bundle not found at ${path}: run \`nx run health-check:build\` first`);
  }
  return new TerraformAsset(scope, id, { path, type: AssetType.FILE });
}
