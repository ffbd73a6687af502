import { rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { TerraformRunner } from './terraform';

/** The saved plan's name in the synthesized stack: where `plan` writes it and `apply` looks for it. */
export const DEFAULT_PLAN_FILE = 'plan.tfplan';
/** The variable that names the plan file instead, for pipelines and the Nx targets. */
export const PLAN_FILE_ENV = 'STACK_PLAN_FILE';

/** Where the text of a plan goes: beside it, `plan.tfplan` -> `plan.txt`. */
export function planTextFile(planFile: string): string {
  const name = basename(planFile, extname(planFile) === '.tfplan' ? '.tfplan' : '');
  return join(dirname(planFile), `${name}.txt`);
}

/** Why Terraform refused a saved plan before applying any of it. */
export type PlanRefusal = 'stale' | 'other-state' | 'other-dependencies';

/** Terraform refused to apply a saved plan, and changed nothing: the fix is a new plan. */
export class SavedPlanRefusedError extends Error {
  override readonly name = 'SavedPlanRefusedError';

  constructor(
    readonly reason: PlanRefusal,
    message: string,
  ) {
    super(message);
  }
}

// Terraform's own diagnostics for a saved plan it will not apply, checked before it applies anything
// (localRunForPlanFile in internal/backend/local/backend_local.go): the state's serial moved since
// the plan ("Saved plan is stale"), the state is of another lineage, or the provider selections in
// .terraform.lock.hcl differ from the plan's.
// https://github.com/hashicorp/terraform/blob/main/internal/backend/local/backend_local.go
const REFUSALS: readonly { readonly reason: PlanRefusal; readonly pattern: RegExp }[] = [
  { reason: 'stale', pattern: /Error: Saved plan is stale/ },
  { reason: 'other-state', pattern: /Error: Saved plan does not match the given state/ },
  { reason: 'other-dependencies', pattern: /Error: Inconsistent dependency lock file/ },
];

const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[[0-9;]*[A-Za-z]`, 'g');
const plain = (text: string) => text.replace(ANSI, '');

/** Which refusal Terraform printed, if any. */
export function planRefusalIn(output: string): PlanRefusal | undefined {
  const text = plain(output);
  return REFUSALS.find(({ pattern }) => pattern.test(text))?.reason;
}

export interface SavePlanInput {
  /** The synthesized stack (`cdktf.out/stacks/<stack>`), initialized: Terraform runs there. */
  readonly stackDir: string;
  /** Absolute path of the plan file to write; its text goes beside it (planTextFile). */
  readonly planFile: string;
  readonly terraform: TerraformRunner;
}

export type SavePlanResult =
  | { readonly outcome: 'saved'; readonly textFile: string; readonly changes: boolean }
  /** Terraform failed; no plan file is left behind. `detail` is what it said that was not echoed already. */
  | { readonly outcome: 'failed'; readonly step: 'plan' | 'show'; readonly status: number; readonly detail: string };

/**
 * `terraform plan -out=<planFile>` in the stack, then its text with `terraform show -no-color`
 * beside it, for reviewers. A plan left from an earlier run is removed first, so a failed plan
 * never leaves an older one in its place to be applied by mistake. `-detailed-exitcode` tells an
 * empty plan (0) from one with changes (2).
 * https://developer.hashicorp.com/terraform/cli/commands/plan
 */
export async function savePlan(input: SavePlanInput): Promise<SavePlanResult> {
  const textFile = planTextFile(input.planFile);
  const discard = () => [input.planFile, textFile].forEach((file) => rmSync(file, { force: true }));
  discard();

  const plan = await input.terraform(['plan', '-input=false', '-detailed-exitcode', `-out=${input.planFile}`], { cwd: input.stackDir, echo: true });
  if (plan.status !== 0 && plan.status !== 2) {
    discard();
    return { outcome: 'failed', step: 'plan', status: plan.status, detail: '' };
  }
  const show = await input.terraform(['show', '-no-color', input.planFile], { cwd: input.stackDir, echo: false });
  if (show.status !== 0) {
    discard();
    return { outcome: 'failed', step: 'show', status: show.status, detail: `${show.stderr}${show.stdout}`.trim() };
  }
  writeFileSync(textFile, show.stdout);
  return { outcome: 'saved', textFile, changes: plan.status === 2 };
}

export interface ApplySavedPlanInput {
  readonly stackDir: string;
  /** Absolute path of the saved plan. */
  readonly planFile: string;
  readonly terraform: TerraformRunner;
  /** The plan file as the operator knows it (relative to the workspace), for messages. */
  readonly shownAs: string;
  /** Whose state, for messages: `stack-primary in staging`. */
  readonly label: string;
  /** How to make a new plan, for messages: a command. */
  readonly replan: string;
}

/**
 * `terraform apply -input=false <planFile>`: exactly the reviewed plan, with no further prompt
 * (passing the plan file is the approval). Terraform itself refuses a plan whose state changed
 * since it was made; that refusal throws SavedPlanRefusedError saying to plan again. Any other
 * failure returns Terraform's exit status, as a deploy does.
 * https://developer.hashicorp.com/terraform/cli/commands/apply#saved-plan-mode
 */
export async function applySavedPlan(input: ApplySavedPlanInput): Promise<number> {
  const result = await input.terraform(['apply', '-input=false', input.planFile], { cwd: input.stackDir, echo: true });
  if (result.status === 0) return 0;
  const refusal = planRefusalIn(`${result.stderr}\n${result.stdout}`);
  if (refusal) throw new SavedPlanRefusedError(refusal, refusalMessage(refusal, input));
  return result.status;
}

function refusalMessage(reason: PlanRefusal, { shownAs, label, replan }: ApplySavedPlanInput): string {
  const head = `Terraform refused the saved plan ${shownAs} and applied nothing`;
  const again = `Make a new plan (${replan}), have it reviewed, and apply that one.`;
  switch (reason) {
    case 'stale':
      return (
        `${head}: the plan is stale. The state of ${label} changed after the plan was made (another apply, an import or a state command wrote it), ` +
        `so the plan no longer describes what applying it would do. ${again}`
      );
    case 'other-state':
      return `${head}: it was made against another state than ${label}'s (another environment's, or a state made anew since). ${again}`;
    case 'other-dependencies':
      return `${head}: it was made with other provider versions than this directory's .terraform.lock.hcl selects. ${again}`;
  }
}
