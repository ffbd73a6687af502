/**
 * Builds what the instances run: one esbuild bundle for Node.js 22, the systemd unit and the env
 * template, plus the migrate step's bundle (schema and service user, run with administrative
 * credentials before the service) and the same bundle zipped for the function the primary stack
 * invokes, into ARTIFACTS.transactionApi.dir. The output depends only on the sources (no dates, no
 * absolute paths), because the regional stacks upload the bundle under its content hash and the
 * migration runs again whenever its zip's hash changes.
 */
import { ARTIFACTS, SCHEMA_MIGRATION_HANDLER } from '@txn-dr/contracts';
import { zipOne } from '@txn-dr/function-zip';
import { build, type Plugin } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

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
