import { build, type Metafile } from 'esbuild';

export interface FunctionBundle {
  readonly code: Buffer;
  readonly metafile: Metafile;
}

export interface BundleFunctionOptions {
  /** The workspace root: paths in the output are relative to it, never to the machine's checkout. */
  readonly workspaceRoot: string;
  /** The handler's module. */
  readonly entry: string;
  /** Where the file would go (nothing is written; esbuild names imports relative to it). */
  readonly outfile: string;
  /** The Node.js major version of the function's runtime, which the bundle targets. */
  readonly nodeMajor: number | string;
}

/**
 * One minified CommonJS file for the Lambda runtime, AWS SDK included: the runtime's own SDK
 * changes under the function without notice, the bundled one changes only with package-lock.json.
 */
export async function bundleFunction(options: BundleFunctionOptions): Promise<FunctionBundle> {
  const result = await build({
    absWorkingDir: options.workspaceRoot,
    entryPoints: [options.entry],
    outfile: options.outfile,
    bundle: true,
    platform: 'node',
    target: `node${options.nodeMajor}`,
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
