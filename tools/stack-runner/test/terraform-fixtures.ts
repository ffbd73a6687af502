import { writeFileSync } from 'node:fs';
import type { CommandOptions, CommandResult, TerraformRunner } from '../src';

const ESC = '\u001b';

/**
 * What Terraform 1.11.4 writes to stderr, colours and all, when `terraform apply <plan>` is given a
 * plan whose state was written after it was made (captured from a real run).
 */
export const STALE_PLAN_STDERR = [
  `${ESC}[31m╷${ESC}[0m${ESC}[0m`,
  `${ESC}[31m│${ESC}[0m ${ESC}[0m${ESC}[1m${ESC}[31mError: ${ESC}[0m${ESC}[0m${ESC}[1mSaved plan is stale${ESC}[0m`,
  `${ESC}[31m│${ESC}[0m ${ESC}[0m`,
  `${ESC}[31m│${ESC}[0m ${ESC}[0m${ESC}[0mThe given plan file can no longer be applied because the state was changed`,
  `${ESC}[31m│${ESC}[0m ${ESC}[0mby another operation after the plan was created.`,
  `${ESC}[31m╵${ESC}[0m${ESC}[0m`,
  '',
].join('\n');

/** The same refusals, as `-no-color` prints them (backend_local.go). */
export const OTHER_STATE_STDERR =
  '╷\n│ Error: Saved plan does not match the given state\n│\n│ The given plan file can not be applied because it was created from a different state lineage.\n╵\n';
export const OTHER_LOCKS_STDERR =
  '╷\n│ Error: Inconsistent dependency lock file\n│\n│ The given plan file was created with a different set of external dependency selections than the current configuration.\n╵\n';

export const PLAN_TEXT = [
  'Terraform will perform the following actions:',
  '',
  '  # aws_route53_health_check.primary will be updated in-place',
  '  ~ resource "aws_route53_health_check" "primary" {',
  '      ~ failure_threshold = 3 -> 2',
  '    }',
  '',
  'Plan: 0 to add, 1 to change, 0 to destroy.',
  '',
].join('\n');

export interface TerraformCall {
  readonly args: readonly string[];
  readonly options: CommandOptions;
}

/**
 * A Terraform that answers by subcommand: `plan` writes the `-out` file as the real one does and
 * exits 2 (changes), `show` prints PLAN_TEXT, `apply` succeeds. Each answer can be replaced, and
 * `onCall` sees every call as it happens (to look at the lock, for instance).
 */
export function fakeTerraform(
  answers: Partial<Record<string, (args: readonly string[]) => Partial<CommandResult>>> = {},
  onCall: (call: TerraformCall) => void = () => undefined,
): { readonly terraform: TerraformRunner; readonly calls: TerraformCall[] } {
  const calls: TerraformCall[] = [];
  const defaults: Record<string, (args: readonly string[]) => Partial<CommandResult>> = {
    plan: (args) => {
      const out = args.find((arg) => arg.startsWith('-out='));
      if (out) writeFileSync(out.slice('-out='.length), 'PK\u0003\u0004 a saved plan');
      return { status: 2 };
    },
    show: () => ({ status: 0, stdout: PLAN_TEXT }),
    apply: () => ({ status: 0, stdout: 'Apply complete! Resources: 0 added, 1 changed, 0 destroyed.\n' }),
  };
  const terraform: TerraformRunner = async (args, options) => {
    const call = { args: [...args], options };
    calls.push(call);
    onCall(call);
    const answer = (answers[args[0]!] ?? defaults[args[0]!] ?? (() => ({ status: 1, stderr: `unexpected terraform ${args[0]}` })))(args);
    return { status: 0, stdout: '', stderr: '', ...answer };
  };
  return { terraform, calls };
}
