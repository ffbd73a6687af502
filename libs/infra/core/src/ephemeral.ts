import type { TerraformProvider } from 'cdktf';
import { TerraformStack, ref } from 'cdktf';
import type { Construct } from 'constructs';

/**
 * An ephemeral resource (Terraform 1.10+): opened during each plan and apply, never written to
 * state or plan files, so a secret it yields can feed a write-only argument without being stored.
 * cdktf 0.21 has no construct for ephemeral blocks, so this is the one place that writes them,
 * as a stack override; Terraform's parser rejects a misspelt block or attribute at init.
 * https://developer.hashicorp.com/terraform/language/resources/ephemeral
 */
export class EphemeralResource {
  private readonly stack: TerraformStack;

  constructor(
    scope: Construct,
    readonly type: string,
    readonly name: string,
    provider: TerraformProvider,
    /** Arguments in Terraform's own (snake_case) spelling. */
    config: Record<string, unknown>,
  ) {
    this.stack = TerraformStack.of(scope);
    this.stack.addOverride(`ephemeral.${type}.${name}`, { ...config, provider: provider.fqn });
  }

  /** A reference to one of its attributes, usable inside Terraform functions. */
  get(attribute: string): string {
    return ref(`ephemeral.${this.type}.${this.name}.${attribute}`, this.stack).toString();
  }
}
