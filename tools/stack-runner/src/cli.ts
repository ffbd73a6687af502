import type { RDSClient } from '@aws-sdk/client-rds';
import type { STSClient } from '@aws-sdk/client-sts';
import { ConfigError, type DrRole, type Environment } from '@txn-dr/config';
import { Names, STACK_NAMES, type StackName, stackProject } from '@txn-dr/contracts';
import { LockHeldError, OperationLockError, withOperationLock, type WithOperationLockOptions } from '@txn-dr/operation-lock';
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { AccountMismatchError, checkAccount } from './account';
import { ALLOW_MISMATCH_ENV, ActiveRegionMismatchError, checkActiveRegion } from './active-region';
import { PreflightError } from './preflight';
import { checkZone } from './zone';

/** A deploy lock older than this may be broken: longer than any stack takes to apply. */
export const DEPLOY_STALE_AFTER_MS = 2 * 60 * 60 * 1000;
/** What a deploy records as its expected duration: an Aurora member joining a global cluster takes about half an hour. */
export const DEPLOY_EXPECTED_MS = 45 * 60 * 1000;
/** The variable that breaks a stale lock, for pipelines. */
export const BREAK_STALE_ENV = 'BREAK_STALE_OPERATION_LOCK';

export const EXIT = {
  /** A precondition does not hold, or a step failed. */
  failed: 1,
  usage: 2,
  /** Refused on purpose: the lock is held, the credentials are another account's, or config and the live writer disagree. */
  refused: 3,
} as const;

/** Everything the runner touches outside itself, injected so that tests drive it whole. */
export interface RunnerDeps {
  /** The stack project's directory (Nx runs the target there). */
  readonly cwd: string;
  readonly workspaceRoot: string;
  /** Folder of the environment files, named in the fixes the runner prints. */
  readonly environmentsDir: string;
  readonly vars: NodeJS.ProcessEnv;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Terraform and credential checks that need no network; throws PreflightError. */
  readonly preflight: () => void;
  /** `terraform init` of the synthesized stack (the AWS provider and the backend); throws PreflightError. */
  readonly init: (stackDir: string) => void;
  readonly loadEnvironment: () => Environment;
  /** STS in a region, for the caller's account. */
  readonly sts: (region: string) => STSClient;
  /** RDS in a region, for the live writer. */
  readonly rds: (region: string) => RDSClient;
  /** Runs `cdktf <action> --skip-synth ...args` in cwd; returns its exit status. */
  readonly cdktf: (action: 'diff' | 'deploy', args: readonly string[]) => number;
  /** Lock clients and clock, for tests. @default real clients */
  readonly lock?: Pick<WithOperationLockOptions, 'clients' | 'now'>;
}

const USAGE =
  'usage: stack-runner diff|deploy [--allow-active-region-mismatch] [--break-stale-lock] [--operator <name>]  (run from a stack project; Nx does this for you)';

const truthy = (value: string | undefined) => value === 'true' || value === '1';

/**
 * `stack-runner diff|deploy`, run by the Nx targets of a stack project. Loads the environment; a
 * deploy refuses a zone nobody can own; then checks Terraform and credentials, that the
 * credentials are the environment's account (STS), and the provider (`terraform init`). A deploy
 * then takes the environment's operation lock and, for a regional stack, compares config
 * activeRegion with the live writer before cdktf plans anything. Returns the exit code.
 */
export async function runStackRunner(argv: readonly string[], deps: RunnerDeps): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        'allow-active-region-mismatch': { type: 'boolean' },
        'break-stale-lock': { type: 'boolean' },
        operator: { type: 'string' },
      },
    });
  } catch (error) {
    deps.err(`${(error as Error).message}\n${USAGE}`);
    return EXIT.usage;
  }
  const { positionals, values } = parsed;
  const action = positionals[0];
  if ((action !== 'diff' && action !== 'deploy') || positionals.length > 1) {
    deps.err(USAGE);
    return EXIT.usage;
  }
  const project = basename(deps.cwd);
  const stacksDir = join(deps.cwd, 'cdktf.out', 'stacks');
  const stacks = existsSync(stacksDir) ? readdirSync(stacksDir) : [];
  if (stacks.length !== 1) {
    deps.err(`${project}: expected one synthesized stack in ${stacksDir}, found ${stacks.length}; run \`nx run ${project}:synth\` first.`);
    return EXIT.failed;
  }

  const stack = STACK_NAMES.find((name) => stackProject(name) === project);
  if (!stack) {
    deps.err(`${project} is not a stack project (${STACK_NAMES.map(stackProject).join(', ')}): nothing to ${action}.`);
    return EXIT.usage;
  }

  try {
    const env = deps.loadEnvironment();
    const environmentFile = environmentFileOf(env, deps);
    if (action === 'deploy') deps.out(`${project}: ${checkZone({ environment: env.name, dns: env.dns, environmentFile: environmentFile.path })}`);
    deps.preflight();
    // Asked in the stack's own region: a secondary stack is deployed while us-east-1 may be down.
    const sts = deps.sts(env.regions[regionRoleOf(stack)].region);
    deps.out(`${project}: ${await checkAccount({ environment: env.name, accountId: env.accountId, sts, environmentFile: environmentFile.path })}`);
    deps.init(join(stacksDir, stacks[0]!));
    if (action === 'diff') return deps.cdktf('diff', []);

    return await withOperationLock(
      {
        env,
        workspaceRoot: deps.workspaceRoot,
        operation: `deploy:${stack}`,
        ...(values.operator ? { operator: values.operator } : {}),
        staleAfterMs: DEPLOY_STALE_AFTER_MS,
        expectedDurationMs: DEPLOY_EXPECTED_MS,
        breakStale: values['break-stale-lock'] === true || truthy(deps.vars[BREAK_STALE_ENV]),
        breakHint: `run the deploy again with --break-stale-lock (or ${BREAK_STALE_ENV}=true)`,
        log: (message) => deps.err(`${project}: ${message}`),
        ...deps.lock,
      },
      async () => {
        if (stack !== 'global') {
          const allowMismatch = values['allow-active-region-mismatch'] === true || truthy(deps.vars[ALLOW_MISMATCH_ENV]);
          deps.out(`${project}: ${await checkActiveRegion({ ...activeRegionInput(env, deps, allowMismatch), deployingRegion: env.regions[stack].region })}`);
        }
        // Approval is interactive except in CI, where the pipeline's environment gate is the approval.
        return deps.cdktf('deploy', deps.vars.CI === 'true' ? ['--auto-approve'] : []);
      },
    );
  } catch (error) {
    if (error instanceof LockHeldError || error instanceof ActiveRegionMismatchError || error instanceof AccountMismatchError) {
      deps.err(`${project}: ${error.message}`);
      return EXIT.refused;
    }
    if (error instanceof PreflightError || error instanceof OperationLockError || error instanceof ConfigError) {
      deps.err(`${project}: ${error.message}`);
      return EXIT.failed;
    }
    throw error;
  }
}

/** The role whose region a stack is run in: the global stack's resources live in the primary region. */
function regionRoleOf(stack: StackName): DrRole {
  return stack === 'global' ? 'primary' : stack;
}

/** The environment's file, as the fixes name it: relative to the workspace root. */
function environmentFileOf(env: Environment, deps: RunnerDeps): { path: string; exists: boolean } {
  const file = join(deps.environmentsDir, `${env.name}.json`);
  return { path: relative(deps.workspaceRoot, file) || file, exists: existsSync(file) };
}

function activeRegionInput(env: Environment, deps: RunnerDeps, allowMismatch: boolean): Parameters<typeof checkActiveRegion>[0] {
  const file = environmentFileOf(env, deps);
  return {
    globalCluster: new Names(env).globalCluster(),
    activeRegion: env.activeRegion,
    regions: [env.regions.primary.region, env.regions.secondary.region].map((region) => ({ region, rds: deps.rds(region) })),
    environmentFile: file.path,
    environmentFileExists: file.exists,
    allowMismatch,
  };
}

