import { ConfigError, ENVIRONMENT_DIGEST_FILE, type Environment, environmentDigest, environmentWarnings, loadEnvironment } from '@txn-dr/config';
import { checkSynthesizedStack, renderViolations, type TfJson, type Violation } from '@txn-dr/policy';
import { App } from 'cdktf';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A synthesized stack the policy refused. */
export interface RefusedStack {
  readonly stack: string;
  readonly violations: readonly Violation[];
  /** The message to print: every violation with its rule id, resource, message and fix. */
  readonly message: string;
}

/**
 * The synth-time policy over what an app has just written to `outdir`: every resource rule over
 * each stack in the manifest, with the suppressions written beside the constructs (cdk-nag runs
 * its rules on each synth the same way). The synthesized folder of a refused stack is removed, so
 * neither a plan nor a deploy can pick up JSON that broke the policy; its manifest entry is left to
 * say what is missing. Returns the refused stacks (none when every stack passes).
 */
export function enforcePolicy(outdir: string): RefusedStack[] {
  const manifestFile = join(outdir, 'manifest.json');
  if (!existsSync(manifestFile)) return [];
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { stacks?: Record<string, { synthesizedStackPath?: string }> };
  const refused: RefusedStack[] = [];
  for (const [stack, entry] of Object.entries(manifest.stacks ?? {})) {
    if (!entry.synthesizedStackPath) continue;
    const file = join(outdir, entry.synthesizedStackPath);
    const violations = checkSynthesizedStack(stack, JSON.parse(readFileSync(file, 'utf8')) as TfJson);
    if (violations.length === 0) continue;
    rmSync(dirname(file), { recursive: true, force: true });
    refused.push({ stack, violations, message: renderViolations(stack, violations) });
  }
  return refused;
}

/**
 * The whole of a stack app's main: load and validate the environment first (so bad config stops
 * before anything is written, with every problem listed), print warnings, compose the stack,
 * synthesize, then hold the synthesized JSON to the policy rules: an unsuppressed violation exits
 * 1 listing each one, before anything can be deployed. The output folder is cdktf's: `cdktf.out` in the working directory
 * unless CDKTF_OUTDIR says otherwise.
 *
 * The environment is the one ENVIRONMENT_SUFFIX names, or the file TXN_DR_CONFIG names: cdktf and
 * the Nx synth target run `node --import tsx src/main.ts` in the stack's folder, so a variable is
 * the one way in, and a relative path resolves from that folder.
 */
export function runStackApp(compose: (app: App, env: Environment) => void): void {
  let env: Environment;
  try {
    env = loadEnvironment();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
  for (const warning of environmentWarnings(env)) console.warn(`warning: ${warning}`);
  const app = new App();
  compose(app, env);
  app.synth();
  const refused = enforcePolicy(app.outdir);
  if (refused.length > 0) {
    for (const { message } of refused) console.error(message);
    console.error('policy: synth refused. The rules and how to suppress one are in libs/policy/README.md.');
    process.exitCode = 1;
    return;
  }
  writeFileSync(join(app.outdir, ENVIRONMENT_DIGEST_FILE), `${environmentDigest(env)}\n`);
}
