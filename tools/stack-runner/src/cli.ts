import type { RDSClient } from '@aws-sdk/client-rds';
import type { STSClient } from '@aws-sdk/client-sts';
import { ConfigError, ENVIRONMENT_DIGEST_FILE, type DrRole, type Environment, environmentDigest } from '@txn-dr/config';
import { Names, STACK_NAMES, type StackName, stackProject } from '@txn-dr/contracts';
import { LockHeldError, OperationLockError, withOperationLock, type WithOperationLockOptions } from '@txn-dr/operation-lock';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AccountMismatchError, checkAccount } from './account';
import { ALLOW_MISMATCH_ENV, ActiveRegionMismatchError, checkActiveRegion } from './active-region';
import { PreflightError } from './preflight';
import { DEFAULT_PLAN_FILE, PLAN_FILE_ENV, SavedPlanRefusedError, applySavedPlan, planTextFile, savePlan } from './saved-plan';
import type { TerraformRunner } from './terraform';
import { checkZone } from './zone';

/** A deploy lock older than this may be broken: longer than any stack takes to apply. */
export const DEPLOY_STALE_AFTER_MS = 2 * 60 * 60 * 1000;
/** What a deploy or an apply records as its expected duration: an Aurora member joining a global cluster takes about half an hour. */
export const DEPLOY_EXPECTED_MS = 45 * 60 * 1000;
/** What a plan records: it holds the lock for the live-writer check only, never for `terraform plan`. */
export const PLAN_CHECK_EXPECTED_MS = 60 * 1000;
/** The variable that breaks a stale lock, for pipelines. */
export const BREAK_STALE_ENV = 'BREAK_STALE_OPERATION_LOCK';

export const EXIT = {
  /** A precondition does not hold, or a step failed. */
  failed: 1,
  usage: 2,
  /** Refused on purpose: the lock is held, the credentials are another account's, or config and the live writer disagree. */
  refused: 3,
  /** Terraform refused the saved plan (stale, or made against another state) and applied nothing: plan again. */
  stalePlan: 4,
} as const;

type Action = 'diff' | 'deploy' | 'plan' | 'apply';
const ACTIONS: readonly Action[] = ['diff', 'deploy', 'plan', 'apply'];

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
  /** Runs Terraform itself in the synthesized stack, for `plan` (plan, show) and `apply`. */
  readonly terraform: TerraformRunner;
  /** Lock clients and clock, for tests. @default real clients */
  readonly lock?: Pick<WithOperationLockOptions, 'clients' | 'now'>;
}

const USAGE =
  'usage: stack-runner diff|deploy|plan [<planfile>]|apply [<planfile>] [--allow-active-region-mismatch] [--break-stale-lock] [--operator <name>]\n' +
  `  Run from a stack project (Nx does this for you). The plan file is <planfile>, else $${PLAN_FILE_ENV}, else cdktf.out/stacks/<stack>/${DEFAULT_PLAN_FILE}; a relative path is taken from the stack project.`;

const truthy = (value: string | undefined) => value === 'true' || value === '1';

/**
 * `stack-runner diff|deploy|plan|apply`, run by the Nx targets of a stack project. Loads the
 * environment; every action but diff refuses a zone nobody can own; then checks Terraform and
 * credentials, that the credentials are the environment's account (STS), and the provider
 * (`terraform init`).
 *
 * - `diff`: `cdktf diff`, with no lock.
 * - `deploy`: under the environment's operation lock, compares config activeRegion with the live
 *   writer (regional stacks), then `cdktf deploy`.
 * - `plan`: the same writer check under the lock, released before `terraform plan -out` writes the
 *   plan file and `terraform show` its text beside it, for review.
 * - `apply`: under the lock, the writer check again, then `terraform apply` of that plan file and
 *   nothing else; Terraform refuses a plan whose state changed since (exit 4: plan again).
 *
 * Returns the exit code.
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
  const action = ACTIONS.find((known) => known === positionals[0]);
  const takesPlanFile = action === 'plan' || action === 'apply';
  if (!action || positionals.length > (takesPlanFile ? 2 : 1)) {
    deps.err(USAGE);
    return EXIT.usage;
  }
  const project = basename(deps.cwd);
  const stacksDir = join(deps.cwd, 'cdktf.out', 'stacks');
  const stacks = existsSync(stacksDir) ? readdirSync(stacksDir) : [];
  if (stacks.length !== 1) {
    const fix =
      action === 'apply'
        ? `apply runs in the directory its plan was made in: run \`nx run ${project}:plan\` first (in a pipeline, download the plan's artifact there).`
        : `run \`nx run ${project}:synth\` first.`;
    deps.err(`${project}: expected one synthesized stack in ${stacksDir}, found ${stacks.length}; ${fix}`);
    return EXIT.failed;
  }

  const stack = STACK_NAMES.find((name) => stackProject(name) === project);
  if (!stack) {
    deps.err(`${project} is not a stack project (${STACK_NAMES.map(stackProject).join(', ')}): nothing to ${action}.`);
    return EXIT.usage;
  }
  const stackDir = join(stacksDir, stacks[0]!);
  // Inside the workspace as the operator types it from the root; anywhere else in full.
  const shown = (file: string) => {
    const inWorkspace = relative(deps.workspaceRoot, file);
    return inWorkspace && !inWorkspace.startsWith('..') && !isAbsolute(inWorkspace) ? inWorkspace : file;
  };
  const defaultPlanFile = join(stackDir, DEFAULT_PLAN_FILE);
  const planFile = resolve(deps.cwd, positionals[1] ?? deps.vars[PLAN_FILE_ENV] ?? defaultPlanFile);
  // Whatever happens next, no older plan is left to be applied by mistake for this one.
  if (action === 'plan') [planFile, planTextFile(planFile)].forEach((file) => rmSync(file, { force: true }));
  if (action === 'apply' && !existsSync(planFile)) {
    deps.err(`${project}: no saved plan at ${shown(planFile)}: make one with \`nx run ${project}:plan\`, have it reviewed, then apply it.`);
    return EXIT.failed;
  }

  try {
    const env = deps.loadEnvironment();
    const stale = staleSynthReason(join(deps.cwd, 'cdktf.out'), env);
    if (stale !== undefined) {
      deps.err(`${project}: Refusing to ${action}: ${stale}; synthesize it again with \`nx run ${project}:synth --skip-nx-cache\`${action === 'apply' ? ', then plan and review again' : ''}.`);
      return EXIT.failed;
    }
    const environmentFile = environmentFileOf(env, deps);
    if (action !== 'diff') deps.out(`${project}: ${checkZone({ environment: env.name, dns: env.dns, environmentFile: environmentFile.path })}`);
    deps.preflight();
    // Asked in the stack's own region: a secondary stack is deployed while us-east-1 may be down.
    const sts = deps.sts(env.regions[regionRoleOf(stack)].region);
    deps.out(`${project}: ${await checkAccount({ environment: env.name, accountId: env.accountId, sts, environmentFile: environmentFile.path })}`);
    deps.init(stackDir);
    if (action === 'diff') return deps.cdktf('diff', []);

    const underLock = <T>(operation: string, expectedDurationMs: number, fn: () => Promise<T>): Promise<T> =>
      withOperationLock(
        {
          env,
          workspaceRoot: deps.workspaceRoot,
          operation: `${operation}:${stack}`,
          ...(values.operator ? { operator: values.operator } : {}),
          staleAfterMs: DEPLOY_STALE_AFTER_MS,
          expectedDurationMs,
          breakStale: values['break-stale-lock'] === true || truthy(deps.vars[BREAK_STALE_ENV]),
          breakHint: `run the ${action} again with --break-stale-lock (or ${BREAK_STALE_ENV}=true)`,
          log: (message) => deps.err(`${project}: ${message}`),
          ...deps.lock,
        },
        fn,
      );
    const checkWriter = async () => {
      if (stack === 'global') return;
      const allowMismatch = values['allow-active-region-mismatch'] === true || truthy(deps.vars[ALLOW_MISMATCH_ENV]);
      deps.out(`${project}: ${await checkActiveRegion({ ...activeRegionInput(env, deps, allowMismatch), deployingRegion: env.regions[stack].region })}`);
    };

    if (action === 'deploy') {
      return await underLock('deploy', DEPLOY_EXPECTED_MS, async () => {
        await checkWriter();
        // Approval is interactive except in CI, where the pipeline's environment gate is the approval.
        return deps.cdktf('deploy', deps.vars.CI === 'true' ? ['--auto-approve'] : []);
      });
    }

    const label = `${project} in ${env.name}`;
    if (action === 'plan') {
      // The lock is held for the writer check only: a plan made while a switchover, a failover or
      // another apply runs is refused, yet `terraform plan` (minutes of refresh) never keeps an
      // emergency failover waiting for a read-only operation. Whatever happens after the check is
      // caught at apply: the writer is checked again under the lock, and Terraform refuses the
      // plan if the state changed.
      await underLock('plan', PLAN_CHECK_EXPECTED_MS, checkWriter);
      const saved = await savePlan({ stackDir, planFile, terraform: deps.terraform });
      if (saved.outcome === 'failed') {
        if (saved.detail) deps.err(saved.detail);
        deps.err(`${project}: terraform ${saved.step} failed (exit ${saved.status}); no plan was saved.`);
        return saved.status === 0 ? EXIT.failed : saved.status;
      }
      const applyCommand = `nx run ${project}:apply${planFile === defaultPlanFile ? '' : ` ${planFile}`}`;
      deps.out(
        `${project}: Saved the plan of ${label} to ${shown(planFile)}, and its text to ${shown(saved.textFile)}: ` +
          `${saved.changes ? 'it has changes' : 'no changes'}. Once it is reviewed, apply exactly this plan with \`${applyCommand}\`.`,
      );
      return 0;
    }

    return await underLock('apply', DEPLOY_EXPECTED_MS, async () => {
      await checkWriter();
      return applySavedPlan({ stackDir, planFile, terraform: deps.terraform, shownAs: shown(planFile), label, replan: `nx run ${project}:plan` });
    });
  } catch (error) {
    if (error instanceof SavedPlanRefusedError) {
      deps.err(`${project}: ${error.message}`);
      return EXIT.stalePlan;
    }
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

/**
 * Why the synthesized stack may not be what this environment gives, if it may not: Nx replays a
 * cached synth by its inputs, and the contents of a file TXN_DR_CONFIG names are not one of them.
 */
function staleSynthReason(outdir: string, env: Environment): string | undefined {
  const file = join(outdir, ENVIRONMENT_DIGEST_FILE);
  if (!existsSync(file)) return `the synthesized stack does not say which environment it was made from (no ${ENVIRONMENT_DIGEST_FILE})`;
  if (readFileSync(file, 'utf8').trim() !== environmentDigest(env)) {
    return `the synthesized stack was made from other settings than ${env.name}'s as loaded now (an environment file changed since, and the synth may have been replayed from the Nx cache)`;
  }
  return undefined;
}
