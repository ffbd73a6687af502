import { existsSync } from 'node:fs';
import { AssetType, TerraformAsset } from 'cdktf';
import type { Construct } from 'constructs';

/**
 * A function's built zip as a content-addressed asset. A missing zip stops synth here, with the
 * command that builds it, instead of a Terraform error about a file at deploy time.
 */
export function functionZipAsset(scope: Construct, id: string, path: string, buildProject: string): TerraformAsset {
  if (!existsSync(path)) {
    throw new Error(`${buildProject} Lambda bundle not found at ${path}: run \`nx run ${buildProject}:build\` first`);
  }
  return new TerraformAsset(scope, id, { path, type: AssetType.FILE });
}
