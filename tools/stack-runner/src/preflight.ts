import { TERRAFORM_INSTALL_URL, TERRAFORM_REQUIRED_VERSION } from '@txn-dr/contracts';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** A precondition that does not hold, as one sentence saying what is missing and what to do. */
export class PreflightError extends Error {
  override readonly name: string = 'PreflightError';
}

export type Runner = (command: string, args: string[], cwd?: string) => { status: number | null; stdout: string; stderr: string; error?: Error };

export const runCommand: Runner = (command, args, cwd) => {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '', ...(result.error ? { error: result.error } : {}) };
};

/** The installed Terraform's version (`1.11.4`); throws PreflightError when there is none to read. */
export type TerraformVersionReader = () => string;

const INSTALL_ADVICE = `install a Terraform that satisfies "${TERRAFORM_REQUIRED_VERSION}" from ${TERRAFORM_INSTALL_URL} (or with a version manager, e.g. \`tfenv install latest\`), put it on PATH and check it with \`terraform version\``;

/**
 * Runs `terraform version -json` and reads `terraform_version`; a Terraform without `-json` (an old
 * release) is asked again without it and read from its "Terraform v0.12.31" line.
 */
export function readTerraformVersion(run: Runner = runCommand): string {
  const json = run('terraform', ['version', '-json']);
  if (json.error) throw new PreflightError(`Terraform is not installed (no \`terraform\` on PATH): ${INSTALL_ADVICE}.`);
  const fromJson = json.status === 0 ? versionInJson(json.stdout) : undefined;
  if (fromJson !== undefined) return fromJson;
  const text = run('terraform', ['version']);
  const fromText = text.status === 0 ? /^Terraform v(\S+)/m.exec(text.stdout)?.[1] : undefined;
  if (fromText !== undefined) return fromText;
  const printed = `${text.stdout}\n${text.stderr}`.trim().split('\n')[0] || 'nothing';
  throw new PreflightError(`\`terraform version\` printed no version (${printed}): ${INSTALL_ADVICE}.`);
}

function versionInJson(stdout: string): string | undefined {
  try {
    const version = (JSON.parse(stdout) as { terraform_version?: unknown }).terraform_version;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks the installed Terraform against the constraint every stack declares as
 * `terraform.required_version` (`TERRAFORM_REQUIRED_VERSION`, shared with the stacks), so the runner
 * refuses what `terraform init` would refuse, but before the lock, the live-writer question and a
 * synth, and says how to get a Terraform that fits. Returns the version.
 */
export function checkTerraform(readVersion: TerraformVersionReader = () => readTerraformVersion()): string {
  const version = readVersion();
  if (!satisfiesVersionConstraint(version, TERRAFORM_REQUIRED_VERSION)) {
    throw new PreflightError(
      `Terraform ${version} cannot deploy these stacks: they require Terraform "${TERRAFORM_REQUIRED_VERSION}" (the database password goes only through write-only arguments such as master_password_wo, which need Terraform 1.11 or later); ${INSTALL_ADVICE}.`,
    );
  }
  return version;
}

interface Version {
  readonly parts: readonly [number, number, number];
  /** How many of major.minor.patch were written (for `~>`). */
  readonly written: number;
  readonly prerelease: string | undefined;
}

function parseVersion(text: string): Version | undefined {
  const match = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(text.trim());
  if (!match) return undefined;
  const [, major, minor, patch, prerelease] = match;
  const written = 1 + (minor === undefined ? 0 : 1) + (patch === undefined ? 0 : 1);
  return { parts: [Number(major), Number(minor ?? 0), Number(patch ?? 0)], written, prerelease };
}

/** Semantic-version order; a pre-release comes before its release (1.11.0-beta1 < 1.11.0). */
function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a.parts[i] !== b.parts[i]) return a.parts[i]! - b.parts[i]!;
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === undefined) return 1;
  if (b.prerelease === undefined) return -1;
  return a.prerelease < b.prerelease ? -1 : 1;
}

/**
 * Whether a version meets a Terraform version constraint: conditions separated by commas, each
 * `=`, `!=`, `>`, `>=`, `<`, `<=` or `~>` (only the rightmost written component may grow) and a
 * version. An unreadable constraint is a programming error and throws.
 * https://developer.hashicorp.com/terraform/language/expressions/version-constraints
 */
export function satisfiesVersionConstraint(versionText: string, constraint: string): boolean {
  const version = parseVersion(versionText);
  if (!version) return false;
  return constraint.split(',').every((condition) => {
    const match = /^\s*(=|!=|>=|<=|>|<|~>)?\s*(\S+)\s*$/.exec(condition);
    const bound = match?.[2] === undefined ? undefined : parseVersion(match[2]);
    if (!match || !bound) throw new Error(`unreadable Terraform version constraint: "${constraint}"`);
    const order = compare(version, bound);
    switch (match[1] ?? '=') {
      case '=':
        return order === 0;
      case '!=':
        return order !== 0;
      case '>':
        return order > 0;
      case '>=':
        return order >= 0;
      case '<':
        return order < 0;
      case '<=':
        return order <= 0;
      default: {
        // ~> 1.11 allows 1.x from 1.11 on; ~> 1.11.0 allows 1.11.x from 1.11.0 on.
        const fixed = Math.max(bound.written - 1, 1);
        return order >= 0 && version.parts.slice(0, fixed).every((part, i) => part === bound.parts[i]);
      }
    }
  });
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
