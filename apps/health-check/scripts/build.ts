import { join } from 'node:path';
import { HEALTH_CHECK_HANDLER, HEALTH_CHECK_NODE_MAJOR, ARTIFACTS } from '@txn-dr/contracts';
import { bundleFunction, reportBuild, writeFunctionZip, zipOne, type FunctionBundle, type FunctionZip } from '@txn-dr/function-zip';

export const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');
const ENTRY = join(__dirname, '..', 'src', 'index.ts');

/** `index.handler` -> `index.js`: the one file in the zip, where Lambda looks for the handler. */
export const BUNDLE_FILE = `${HEALTH_CHECK_HANDLER.split('.')[0]}.js`;

export type Bundle = FunctionBundle;

/**
 * One minified CommonJS file for the Lambda runtime, AWS SDK included: the runtime's own SDK
 * changes under the function without notice, the bundled one changes only with package-lock.json.
 */
export async function bundleHealthCheck(): Promise<Bundle> {
  return bundleFunction({ workspaceRoot: WORKSPACE_ROOT, entry: ENTRY, outfile: join(WORKSPACE_ROOT, ARTIFACTS.healthCheck.dir, BUNDLE_FILE), nodeMajor: HEALTH_CHECK_NODE_MAJOR });
}

/** A zip holding the bundle as its only entry, byte-for-byte the same for the same bundle. */
export function zipBundle(code: Buffer): Promise<Buffer> {
  return zipOne(code, BUNDLE_FILE);
}

export type BuildResult = FunctionZip;

/** Bundles and zips into `outDir` (default: the ARTIFACTS path the stacks read). */
export async function buildHealthCheck(outDir = join(WORKSPACE_ROOT, ARTIFACTS.healthCheck.dir)): Promise<BuildResult> {
  const { code } = await bundleHealthCheck();
  return writeFunctionZip(code, BUNDLE_FILE, join(outDir, ARTIFACTS.healthCheck.files.zip));
}

if (require.main === module) reportBuild(buildHealthCheck());
