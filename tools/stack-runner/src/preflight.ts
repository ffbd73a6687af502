import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Write-only arguments (the database password) need Terraform 1.11; native S3 locking needs 1.10. */
export const MINIMUM_TERRAFORM = [1, 11] as const;

/** A precondition that does not hold, as one sentence saying what is missing and what to do. */
export class PreflightError extends Error {
  override readonly name: string = 'PreflightError';
}

export type Runner = (command: string, args: string[], cwd?: string) => { status: number | null; stdout: string; stderr: string; error?: Error };

export const runCommand: Runner = (command, args, cwd) => {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '', ...(result.error ? { error: result.error } : {}) };
};

/** Checks that Terraform is on PATH and recent enough; returns its version. */
export function checkTerraform(run: Runner = runCommand): string {
  const result = run('terraform', ['version', '-json']);
  if (result.error || result.status !== 0) {
    throw new PreflightError(
      `Terraform is not installed (no \`terraform\` on PATH): install Terraform ${MINIMUM_TERRAFORM.join('.')} or newer to diff or deploy a stack.`,
    );
  }
  const version = (JSON.parse(result.stdout) as { terraform_version?: string }).terraform_version ?? '0.0.0';
  const [major = 0, minor = 0] = version.split('.').map(Number);
  if (major < MINIMUM_TERRAFORM[0] || (major === MINIMUM_TERRAFORM[0] && minor < MINIMUM_TERRAFORM[1])) {
    throw new PreflightError(
      `Terraform ${version} is too old: the stacks use write-only arguments and native S3 locking, which need Terraform ${MINIMUM_TERRAFORM.join('.')} or newer.`,
    );
  }
  return version;
}

/**
 * Where the AWS SDK and Terraform would find credentials, checked without network calls: the
 * variables of each provider in the default chain and the shared files. Instance and container
 * roles that need no variable cannot be seen offline; name them with AWS_PROFILE or the
 * container variables instead.
 */
export function findCredentialSource(env: NodeJS.ProcessEnv, home = homedir(), exists: (path: string) => boolean = existsSync): string | undefined {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) return 'AWS_ACCESS_KEY_ID';
  if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN) return 'AWS_WEB_IDENTITY_TOKEN_FILE (OIDC)';
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) return 'container credentials';
  if (env.AWS_PROFILE) return `AWS_PROFILE=${env.AWS_PROFILE}`;
  const files = [env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'), env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config')];
  return files.find((file) => exists(file));
}

export function checkCredentials(env: NodeJS.ProcessEnv, home?: string, exists?: (path: string) => boolean): string {
  const source = findCredentialSource(env, home, exists);
  if (!source) {
    throw new PreflightError(
      'No AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or web identity (OIDC) variables before a diff or deploy.',
    );
  }
  return source;
}

/**
 * Runs `terraform init` in the synthesized stack, so that a provider that cannot be installed is
 * reported as such rather than as a wall of cdktf output.
 */
export function initStack(stackDir: string, run: Runner = runCommand): void {
  const result = run('terraform', ['init', '-input=false', '-no-color'], stackDir);
  if (result.status === 0) return;
  const output = `${result.stdout}\n${result.stderr}`;
  if (/provider|registry\.terraform\.io/i.test(output) && /(install|query|download|registry)/i.test(output)) {
    throw new PreflightError(
      'The AWS provider (hashicorp/aws) could not be installed: Terraform cannot reach registry.terraform.io and no plugin cache or provider mirror has it.',
    );
  }
  throw new PreflightError(`terraform init failed in ${stackDir}:\n${output.trim()}`);
}
