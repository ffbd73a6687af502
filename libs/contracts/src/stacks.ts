/** The three stacks, in deploy order: each may read the outputs of those before it. */
export const STACK_NAMES = ['global', 'primary', 'secondary'] as const;
export type StackName = (typeof STACK_NAMES)[number];

/** The Nx project of each stack. */
export function stackProject(stack: StackName): `stack-${StackName}` {
  return `stack-${stack}`;
}

/** Key of a stack's state in the S3 state bucket: one state per stack and environment. */
export function stateKey(envName: string, stack: StackName): string {
  return `${envName}/${stack}.tfstate`;
}

/**
 * Local state file of a stack, relative to the directory Terraform runs in
 * (`apps/stack-<name>/cdktf.out/stacks/<name>`), so that it lands in `apps/stack-<name>/`, outside
 * the synth output, and another stack can find it by the same rule.
 */
export function localStatePath(envName: string, stack: StackName): string {
  return `../../../../${stackProject(stack)}/terraform.${envName}.tfstate`;
}
