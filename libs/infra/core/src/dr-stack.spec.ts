import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { type EnvironmentOverrides, defineEnvironment } from '@txn-dr/config';
import { STACK_NAMES, STACK_OUTPUTS, TERRAFORM_REQUIRED_VERSION, type StackName, type StackOutputs } from '@txn-dr/contracts';
import { Testing } from 'cdktf';
import { DrStack } from './dr-stack';
import { synthesize } from '../test/testing';

function stackWith<S extends StackName = 'primary'>(overrides: Partial<EnvironmentOverrides> = {}, stack: S = 'primary' as S): DrStack<S> {
  const env = defineEnvironment({ name: 'dev', ...overrides });
  return new DrStack(Testing.app(), { env, stack });
}

describe('DrStack backend', () => {
  it('keeps state in a local file beside the stack project when no bucket is configured', () => {
    const json = synthesize(stackWith({}, 'secondary'));
    expect(json.terraform.backend).toEqual({ local: { path: '../../../../stack-secondary/terraform.dev.tfstate' } });
  });

  it('uses S3 with an encrypted, natively locked state per environment and stack', () => {
    const json = synthesize(stackWith({ state: { bucket: 'acme-tf-state', region: 'us-west-2' } }, 'global'));
    expect(json.terraform.backend).toEqual({
      s3: { bucket: 'acme-tf-state', key: 'dev/global.tfstate', region: 'us-west-2', encrypt: true, use_lockfile: true },
    });
  });
});

describe('DrStack Terraform version', () => {
  it.each(STACK_NAMES)('the %s stack requires the Terraform of the contract (write-only arguments need 1.11), beside its backend', (name) => {
    const json = synthesize(stackWith({}, name));
    expect(TERRAFORM_REQUIRED_VERSION).toBe('>= 1.11.0');
    expect(json.terraform.required_version).toBe(TERRAFORM_REQUIRED_VERSION);
    expect(json.terraform.backend).toHaveProperty('local');
  });
});

describe('DrStack providers', () => {
  it('aliases one provider per region, with default tags naming the role and stack', () => {
    const stack = stackWith({ tags: { CostCenter: 'payments', Project: 'spoofed' } }, 'global');
    stack.provider('primary');
    stack.provider('secondary');
    stack.provider('primary');
    const providers = synthesize(stack).provider?.aws;
    expect(providers).toEqual([
      {
        alias: 'primary',
        region: 'us-east-1',
        default_tags: [{ tags: { CostCenter: 'payments', Environment: 'dev', Project: 'txdr', ManagedBy: 'cdktf', DRRole: 'primary', Stack: 'global' } }],
      },
      expect.objectContaining({ alias: 'secondary', region: 'us-east-2' }),
    ]);
  });

  it.each(STACK_NAMES)('locks every provider of the %s stack, the us-east-1 metrics one included, to the account config names', (name) => {
    const stack = stackWith({ accountId: '123456789012' }, name);
    stack.provider('primary');
    stack.provider('secondary');
    stack.route53MetricsProvider();
    const providers = synthesize(stack).provider?.aws ?? [];
    expect(providers.map((p) => [p.alias, p.allowed_account_ids])).toEqual([
      ['primary', ['123456789012']],
      ['secondary', ['123456789012']],
      ['route53-metrics', ['123456789012']],
    ]);
  });

  it('leaves the providers open when config names no account (dev)', () => {
    const stack = stackWith({}, 'primary');
    stack.provider('primary');
    stack.route53MetricsProvider();
    for (const provider of synthesize(stack).provider?.aws ?? []) expect(provider).not.toHaveProperty('allowed_account_ids');
  });

  it('refuses a provider made by hand that is not locked to the account', () => {
    const stack = stackWith({ accountId: '123456789012' });
    new AwsProvider(stack, 'stray-provider', { alias: 'stray', region: 'eu-west-1', allowedAccountIds: ['123456789012', '210987654321'] });
    expect(() => synthesize(stack)).toThrow(/stray-provider \(provider aws\.stray\) is not locked to account 123456789012 \(allowed_account_ids\)/);
  });

  it('refuses a resource that names no provider', () => {
    const stack = stackWith();
    new Vpc(stack, 'stray', { cidrBlock: '10.9.0.0/16' });
    expect(() => synthesize(stack)).toThrow(/stray \(aws_vpc\) names no provider/);
  });

  it('accepts a resource with an explicit provider', () => {
    const stack = stackWith();
    new Vpc(stack, 'vpc', { cidrBlock: '10.9.0.0/16', provider: stack.provider('primary') });
    expect(synthesize(stack).resource?.aws_vpc).toBeDefined();
  });
});

/** Every regional output, with a chosen region. */
function regionalOutputs(region: string, role: 'primary' | 'secondary') {
  return { ...Object.fromEntries(STACK_OUTPUTS[role].map((key) => [key, key])), region, role } as StackOutputs<typeof role>;
}

describe('DrStack outputs', () => {
  it('publishes every contracted output under its contract name', () => {
    const stack = stackWith({}, 'secondary');
    stack.publishOutputs(regionalOutputs('us-east-2', 'secondary'));
    const output = synthesize(stack).output;
    expect(Object.keys(output ?? {}).sort()).toEqual([...STACK_OUTPUTS.secondary].sort());
    expect(output?.region).toEqual({ value: 'us-east-2' });
  });

  it('reads an earlier stack through its state, where that stack keeps it', () => {
    const stack = stackWith({ state: { bucket: 'acme-tf-state', region: 'us-east-1' } }, 'secondary');
    const upstream = stack.readOutputs('primary');
    stack.publishOutputs(regionalOutputs(upstream.region, 'secondary'));
    const json = synthesize(stack);
    expect(json.data?.terraform_remote_state).toEqual({
      'state-primary': { backend: 's3', config: { bucket: 'acme-tf-state', key: 'dev/primary.tfstate', region: 'us-east-1' } },
    });
    expect(json.output?.region?.value).toBe('${data.terraform_remote_state.state-primary.outputs.region}');
  });

  it('reads local state of an earlier stack by the same path rule its backend uses', () => {
    const stack = stackWith({}, 'primary');
    stack.publishOutputs(regionalOutputs(stack.readOutputs('global').primaryRegion, 'primary'));
    expect(synthesize(stack).data?.terraform_remote_state).toEqual({
      'state-global': { backend: 'local', config: { path: '../../../../stack-global/terraform.dev.tfstate' } },
    });
  });
});
