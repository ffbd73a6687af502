import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { type DrRole, type Environment } from '@txn-dr/config';
import { Names, ROUTE53_METRICS_REGION, STACK_OUTPUTS, TERRAFORM_REQUIRED_VERSION, type StackName, type StackOutputKey, type StackOutputs } from '@txn-dr/contracts';
import { TerraformDataSource, TerraformOutput, TerraformResource, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { configureBackend, remoteStateOf } from './backend';
import { defaultTags } from './tags';

const ROUTE53_METRICS_ALIAS = 'route53-metrics';

export interface DrStackProps<S extends StackName> {
  /** The validated environment this stack is synthesized for. */
  readonly env: Environment;
  /** Which of the three stacks this is; also its construct id and state key. */
  readonly stack: S;
}

/**
 * Base of the three stacks: its own state, the Terraform versions it needs, one aliased AWS
 * provider per region it touches (with default tags, and locked to the environment's account when
 * config names it), the environment's names, and typed access to stack outputs. Every AWS resource
 * must name its provider: a resource that falls back to an unconfigured default provider would land
 * in whatever region the deployer's shell points at, so synth refuses it.
 */
export class DrStack<S extends StackName> extends TerraformStack {
  readonly env: Environment;
  readonly stackName: S;
  readonly names: Names;
  private readonly providers = new Map<DrRole, AwsProvider>();
  private metricsProvider?: AwsProvider;

  constructor(scope: Construct, props: DrStackProps<S>) {
    super(scope, props.stack);
    this.env = props.env;
    this.stackName = props.stack;
    this.names = new Names(props.env);
    configureBackend(this, props.env, props.stack);
    // cdktf 0.21 has no API for the terraform block's required_version, so this override writes it
    // beside the backend: an older Terraform then stops at init instead of failing on a write-only
    // argument mid-plan. The stack runner checks the same constant before a deploy.
    // https://developer.hashicorp.com/terraform/language/expressions/version-constraints
    this.addOverride('terraform.required_version', TERRAFORM_REQUIRED_VERSION);
    this.node.addValidation({ validate: () => [...this.resourcesWithoutProvider(), ...this.providersWithoutAccountLock()] });
  }

  /** The provider for a role's region, aliased by role (created on first use). */
  provider(role: DrRole): AwsProvider {
    let provider = this.providers.get(role);
    if (!provider) {
      provider = new AwsProvider(this, `aws-${role}`, {
        alias: role,
        region: this.env.regions[role].region,
        ...this.accountLock(),
        defaultTags: [{ tags: defaultTags(this.env, role, this.stackName) }],
      });
      this.providers.set(role, provider);
    }
    return provider;
  }

  /**
   * A provider for ROUTE53_METRICS_REGION, whatever the stack's own region: Route 53 publishes
   * health-check metrics only there, so alarms on them (and the topic they notify) must live there
   * too.
   * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-check-status.html
   */
  route53MetricsProvider(): AwsProvider {
    if (!this.metricsProvider) {
      const role: DrRole = this.stackName === 'global' ? 'primary' : (this.stackName as DrRole);
      this.metricsProvider = new AwsProvider(this, 'aws-route53-metrics', {
        alias: ROUTE53_METRICS_ALIAS,
        region: ROUTE53_METRICS_REGION,
        ...this.accountLock(),
        defaultTags: [{ tags: defaultTags(this.env, role, this.stackName) }],
      });
    }
    return this.metricsProvider;
  }

  /** Publishes this stack's contracted outputs: every key, or the stack does not compile. */
  publishOutputs(values: StackOutputs<S>): void {
    for (const key of STACK_OUTPUTS[this.stackName] as readonly StackOutputKey<S>[]) {
      new TerraformOutput(this, `output-${key}`, { value: values[key] }).overrideLogicalId(key);
    }
  }

  /** The outputs of an earlier stack, read from its state, as typed references. */
  readOutputs<U extends StackName>(upstream: U): StackOutputs<U> {
    const state = remoteStateOf(this, `state-${upstream}`, this.env, upstream);
    const values: Record<string, string> = {};
    for (const key of STACK_OUTPUTS[upstream]) values[key] = state.getString(key);
    return values as StackOutputs<U>;
  }

  /**
   * `allowed_account_ids` with the environment's account: the provider then refuses to plan or
   * apply with credentials of any other account, whoever runs Terraform and however (the stack
   * runner checks the same before it starts, with a clearer message). Nothing when config names no
   * account (dev).
   * https://registry.terraform.io/providers/hashicorp/aws/latest/docs#allowed_account_ids
   */
  private accountLock(): { allowedAccountIds?: string[] } {
    return this.env.accountId === undefined ? {} : { allowedAccountIds: [this.env.accountId] };
  }

  /** An AWS provider made outside `provider()` would not be locked to the account: synth refuses it too. */
  private providersWithoutAccountLock(): string[] {
    const account = this.env.accountId;
    if (account === undefined) return [];
    return this.node
      .findAll()
      .filter((c): c is AwsProvider => c instanceof AwsProvider && (c.allowedAccountIds ?? []).join() !== account)
      .map((c) => `${c.node.path} (provider aws.${c.alias ?? 'default'}) is not locked to account ${account} (allowed_account_ids); get providers from stack.provider(role)`);
  }

  private resourcesWithoutProvider(): string[] {
    return this.node
      .findAll()
      .filter((c): c is TerraformResource | TerraformDataSource => c instanceof TerraformResource || c instanceof TerraformDataSource)
      .filter((c) => c.terraformResourceType.startsWith('aws_') && c.provider === undefined)
      .map((c) => `${c.node.path} (${c.terraformResourceType}) names no provider; pass stack.provider(role)`);
  }
}
