import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, SECRET_ROTATION_HANDLER, SECRET_ROTATION_NODE_MAJOR } from '@txn-dr/contracts';
import { build, type Metafile } from 'esbuild';
import { ZipFile } from 'yazl';

// The same bundle-and-zip as apps/health-check/scripts/build.ts (apps never import each other).

export const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');
const ENTRY = join(__dirname, '..', 'src', 'index.ts');
const ARTIFACT = ARTIFACTS.secretRotation;

/** `index.handler` -> `index.js`: the one file in the zip, where Lambda looks for the handler. */
export const BUNDLE_FILE = `${SECRET_ROTATION_HANDLER.split('.')[0]}.js`;

/*
 * Every zip entry gets the same timestamp and mode, so the same bundle always gives the same zip
 * bytes: the asset is content-addressed, and a rebuild of unchanged code must not redeploy the
 * function. yazl writes DOS timestamps from local-time fields, so the date is built from local
 * fields too (same fields in every time zone).
 */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const FILE_MODE = 0o100644;

export interface Bundle {
  readonly code: Buffer;
  readonly metafile: Metafile;
}

/**
 * One minified CommonJS file for the Lambda runtime: the AWS SDK, mysql2 and the RDS CA bundle
 * included, so what runs changes only with package-lock.json.
 */
export async function bundleSecretRotation(): Promise<Bundle> {
  const result = await build({
    absWorkingDir: WORKSPACE_ROOT,
    entryPoints: [ENTRY],
    outfile: join(WORKSPACE_ROOT, ARTIFACT.dir, BUNDLE_FILE),
    bundle: true,
    platform: 'node',
    target: `node${SECRET_ROTATION_NODE_MAJOR}`,
    format: 'cjs',
    // The SDK's ES module builds tree-shake far better than its CommonJS ones.
    mainFields: ['module', 'main'],
    minify: true,
    legalComments: 'none',
    sourcemap: false,
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  const [output] = result.outputFiles;
  if (!output || result.outputFiles.length !== 1) throw new Error(`expected one bundle file, esbuild wrote ${result.outputFiles.length}`);
  return { code: Buffer.from(output.contents), metafile: result.metafile };
}

/** A zip holding the bundle as its only entry, byte-for-byte the same for the same bundle. */
export function zipBundle(code: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = new ZipFile();
    zip.addBuffer(code, BUNDLE_FILE, { mtime: FIXED_MTIME, mode: FILE_MODE, compress: true, compressionLevel: 9, forceDosTimestamp: true });
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.end();
  });
}

export interface BuildResult {
  readonly zipPath: string;
  readonly bundleBytes: number;
  readonly zipBytes: number;
  readonly sha256: string;
}

/** Bundles and zips into `outDir` (default: the ARTIFACTS path the primary stack reads). */
export async function buildSecretRotation(outDir = join(WORKSPACE_ROOT, ARTIFACT.dir)): Promise<BuildResult> {
  const { code } = await bundleSecretRotation();
  const zip = await zipBundle(code);
  mkdirSync(outDir, { recursive: true });
  const zipPath = join(outDir, ARTIFACT.files.zip);
  writeFileSync(zipPath, zip);
  return { zipPath, bundleBytes: code.length, zipBytes: zip.length, sha256: createHash('sha256').update(zip).digest('hex') };
}

if (require.main === module) {
  buildSecretRotation().then(
    (result) => console.log(`${result.zipPath}: ${result.zipBytes} bytes (bundle ${result.bundleBytes} bytes), sha256 ${result.sha256}`),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
