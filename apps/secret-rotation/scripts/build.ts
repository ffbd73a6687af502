import { join } from 'node:path';
import { ARTIFACTS, SECRET_ROTATION_HANDLER, SECRET_ROTATION_NODE_MAJOR } from '@txn-dr/contracts';
import { bundleFunction, reportBuild, writeFunctionZip, zipOne, type FunctionBundle, type FunctionZip } from '@txn-dr/function-zip';

export const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');
const ENTRY = join(__dirname, '..', 'src', 'index.ts');
const ARTIFACT = ARTIFACTS.secretRotation;

/** `index.handler` -> `index.js`: the one file in the zip, where Lambda looks for the handler. */
export const BUNDLE_FILE = `${SECRET_ROTATION_HANDLER.split('.')[0]}.js`;

export type Bundle = FunctionBundle;

/**
 * One minified CommonJS file for the Lambda runtime: the AWS SDK, mysql2 and the RDS CA bundle
 * included, so what runs changes only with package-lock.json.
 */
export async function bundleSecretRotation(): Promise<Bundle> {
  return bundleFunction({ workspaceRoot: WORKSPACE_ROOT, entry: ENTRY, outfile: join(WORKSPACE_ROOT, ARTIFACT.dir, BUNDLE_FILE), nodeMajor: SECRET_ROTATION_NODE_MAJOR });
}

/** A zip holding the bundle as its only entry, byte-for-byte the same for the same bundle. */
export function zipBundle(code: Buffer): Promise<Buffer> {
  return zipOne(code, BUNDLE_FILE);
}

export type BuildResult = FunctionZip;

/** Bundles and zips into `outDir` (default: the ARTIFACTS path the primary stack reads). */
export async function buildSecretRotation(outDir = join(WORKSPACE_ROOT, ARTIFACT.dir)): Promise<BuildResult> {
  const { code } = await bundleSecretRotation();
  return writeFunctionZip(code, BUNDLE_FILE, join(outDir, ARTIFACT.files.zip));
}

if (require.main === module) reportBuild(buildSecretRotation());
