import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { PreflightError, checkCredentials, checkTerraform, initStack } from './preflight';

/**
 * `stack-runner diff|deploy`, run by the Nx targets of a stack project (cwd = the project).
 * Checks Terraform, credentials and the provider first, then hands over to cdktf on the output
 * that the `synth` target already wrote.
 */
function main(): number {
  const { positionals } = parseArgs({ allowPositionals: true, options: {} });
  const action = positionals[0];
  if (action !== 'diff' && action !== 'deploy') {
    console.error('usage: stack-runner diff|deploy  (run from a stack project; Nx does this for you)');
    return 2;
  }
  const project = basename(process.cwd());
  const stacksDir = join(process.cwd(), 'cdktf.out', 'stacks');
  const stacks = existsSync(stacksDir) ? readdirSync(stacksDir) : [];
  if (stacks.length !== 1) {
    console.error(`${project}: expected one synthesized stack in ${stacksDir}, found ${stacks.length}; run \`nx run ${project}:synth\` first.`);
    return 1;
  }
  try {
    checkTerraform();
    checkCredentials(process.env);
    initStack(join(stacksDir, stacks[0]!));
  } catch (error) {
    if (error instanceof PreflightError) {
      console.error(`${project}: ${error.message}`);
      return 1;
    }
    throw error;
  }
  // Approval is interactive except in CI, where the pipeline's environment gate is the approval.
  const autoApprove = action === 'deploy' && process.env.CI === 'true' ? ['--auto-approve'] : [];
  const cdktf = join(dirname(require.resolve('cdktf-cli/package.json')), 'bundle', 'bin', 'cdktf');
  const result = spawnSync(process.execPath, [cdktf, action, '--skip-synth', ...autoApprove], { stdio: 'inherit' });
  return result.status ?? 1;
}

process.exitCode = main();
