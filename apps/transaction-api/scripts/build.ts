/**
 * Builds what the instances run: one esbuild bundle for Node.js 22, the systemd unit and the env
 * template, plus the migrate step's bundle (schema and service user, run with administrative
 * credentials before the service) and the same bundle zipped for the function the primary stack
 * invokes, into ARTIFACTS.transactionApi.dir. The output depends only on the sources (no dates, no
 * absolute paths), because the regional stacks upload the bundle under its content hash and the
 * migration runs again whenever its zip's hash changes.
 */
import { ARTIFACTS, SCHEMA_MIGRATION_HANDLER } from '@txn-dr/contracts';
import { build, type Plugin } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ZipFile } from 'yazl';

const PROJECT_DIR = resolve(__dirname, '..');
const WORKSPACE_ROOT = resolve(PROJECT_DIR, '../..');
const { files } = ARTIFACTS.transactionApi;

/**
 * npm nests one copy of zod 4 under every workspace package that uses it (the root holds zod 3
 * for cdktf-cli); the bundle needs only this project's. Same version, so one copy is exact.
 */
const singleZod: Plugin = {
  name: 'single-zod',
  setup(build) {
    build.onResolve({ filter: /^zod(\/.*)?$/ }, async (args) => {
      if (args.pluginData === 'single-zod') return undefined;
      return build.resolve(args.path, { resolveDir: PROJECT_DIR, kind: args.kind, pluginData: 'single-zod' });
    });
  },
};

/*
 * Every zip entry gets the same timestamp and mode, so the same bundle always gives the same zip
 * bytes (as apps/secret-rotation/scripts/build.ts does; apps never import each other). yazl writes
 * DOS timestamps from local-time fields, so the date is built from local fields too.
 */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const FILE_MODE = 0o100644;

/** `migrate.handler` -> `migrate.js`: the one file in the function's zip, where Lambda looks for the handler. */
const FUNCTION_ENTRY = `${SCHEMA_MIGRATION_HANDLER.split('.')[0]}.js`;
if (FUNCTION_ENTRY !== files.migrate) throw new Error(`SCHEMA_MIGRATION_HANDLER (${SCHEMA_MIGRATION_HANDLER}) must name the migrate bundle ${files.migrate}`);

export interface BuildResult {
  readonly outDir: string;
  readonly bundleBytes: number;
  readonly migrateBytes: number;
  readonly migrateFunctionBytes: number;
}

export async function buildService(outDir = join(WORKSPACE_ROOT, ARTIFACTS.transactionApi.dir)): Promise<BuildResult> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const bundle = join(outDir, files.bundle);
  const migrate = join(outDir, files.migrate);
  // Two separate single-file bundles: each runs on its own (the migrate one as a Lambda too).
  await Promise.all([
    bundleOne(join(PROJECT_DIR, 'src/main.ts'), bundle),
    bundleOne(join(PROJECT_DIR, 'src/migrate.ts'), migrate),
  ]);
  const migrateFunction = join(outDir, files.migrateFunction);
  writeFileSync(migrateFunction, await zipOne(readFileSync(migrate), FUNCTION_ENTRY));
  copyFileSync(join(PROJECT_DIR, 'deploy', files.unit), join(outDir, files.unit));
  copyFileSync(join(PROJECT_DIR, 'deploy', files.envTemplate), join(outDir, files.envTemplate));
  return { outDir, bundleBytes: statSync(bundle).size, migrateBytes: statSync(migrate).size, migrateFunctionBytes: statSync(migrateFunction).size };
}

/** A zip holding `code` as its only entry, `name`: byte for byte the same for the same code. */
export function zipOne(code: Buffer, name: string): Promise<Buffer> {
  return new Promise((resolveZip, reject) => {
    const zip = new ZipFile();
    zip.addBuffer(code, name, { mtime: FIXED_MTIME, mode: FILE_MODE, compress: true, compressionLevel: 9, forceDosTimestamp: true });
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolveZip(Buffer.concat(chunks)));
    zip.end();
  });
}

async function bundleOne(entryPoint: string, outfile: string): Promise<void> {
  await build({
    // Paths in the output are relative to this, never to the machine's checkout.
    absWorkingDir: WORKSPACE_ROOT,
    entryPoints: [entryPoint],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    // CommonJS: most of the dependencies are, and it needs no createRequire shim for them.
    format: 'cjs',
    // Whitespace and syntax only: identifiers stay, so stack traces in the logs stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    legalComments: 'eof',
    sourcemap: false,
    logLevel: 'warning',
    plugins: [singleZod],
  });
}

if (require.main === module) {
  buildService(process.argv[2] === undefined ? undefined : resolve(process.argv[2])).then(
    ({ outDir, bundleBytes, migrateBytes, migrateFunctionBytes }) =>
      console.log(
        `transaction-api: ${files.bundle} ${(bundleBytes / 1024).toFixed(0)} KiB, ${files.migrate} ${(migrateBytes / 1024).toFixed(0)} KiB, ` +
          `${files.migrateFunction} ${(migrateFunctionBytes / 1024).toFixed(0)} KiB, ${files.unit}, ${files.envTemplate} in ${outDir}`,
      ),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
