import { evaluate } from '../src/engine/evaluate';
import { Stack } from '../src/engine/stack';
import type { TfJson } from '../src/engine/types';
import { RULES } from '../src/rules';
import { ACTIVE_ONLY_TYPES } from '../src/rules/dr';
import { dependenciesOf } from '../src/rules/schema-migration';
import { PROVIDERS, tf } from './fixtures/helpers';
import { invocation, regional } from './fixtures/schema-migration';

const ID = 'dr-schema-migration-before-fleet';
const rule = (id: string) => RULES.find((r) => r.id === id)!;
const stacks = (named: Record<string, TfJson>) => Object.entries(named).map(([name, json]) => new Stack(name, json));
/** `result stack resource: reason` of every finding of one rule. */
const findings = (id: string, named: Record<string, TfJson>) =>
  evaluate([rule(id)], stacks(named)).findings.map((f) => `${f.result} ${f.stack} ${f.resource}${f.reason ? `: ${f.reason}` : ''}`);

describe('dependenciesOf', () => {
  const stack = new Stack(
    'primary',
    tf({
      aws_autoscaling_group: { g: { launch_template: { id: '${aws_launch_template.t.id}' }, depends_on: ['aws_ssm_parameter.p'] } },
      aws_launch_template: { t: { user_data: 'x', depends_on: ['aws_lambda_invocation.m'] } },
      aws_lambda_invocation: { m: { function_name: '${aws_lambda_function.f.function_name}' } },
      aws_lambda_function: { f: { role: '${aws_iam_role.r.arn}' } },
      aws_iam_role: { r: { name: 'r', tags: { loop: '${aws_lambda_function.f.arn}' } } },
      aws_ssm_parameter: { p: {} },
      aws_s3_bucket: { unrelated: {} },
    }),
  );

  it('follows depends_on and references, through any depth, and stops at a loop', () => {
    expect(dependenciesOf(stack, stack.get('aws_autoscaling_group.g')!).map((r) => r.address).sort()).toEqual(
      ['aws_iam_role.r', 'aws_lambda_function.f', 'aws_lambda_invocation.m', 'aws_launch_template.t', 'aws_ssm_parameter.p'].sort(),
    );
  });

  it('leaves out what the resource does not wait for', () => {
    expect(dependenciesOf(stack, stack.get('aws_lambda_invocation.m')!).map((r) => r.address).sort()).toEqual(['aws_iam_role.r', 'aws_lambda_function.f']);
  });
});

describe(ID, () => {
  const standby = regional({}, []);

  it.each([
    ['the fleet waits for the migration, which waits for the writer and re-runs on its triggers', regional({ migrate: invocation() }, ['aws_lambda_invocation.migrate']), 'PASS'],
    ['it waits through another resource', (() => {
      const json = regional({ migrate: invocation() }, ['aws_ssm_parameter.bucket']);
      (json.resource!.aws_ssm_parameter!.bucket as Record<string, unknown>).depends_on = ['aws_lambda_invocation.migrate'];
      return json;
    })(), 'PASS'],
  ])('passes when %s', (_what, primary, result) => {
    expect(findings(ID, { primary, secondary: standby })).toEqual([`${result} primary aws_autoscaling_group.service`]);
  });

  it.each([
    [
      'no migration at all',
      regional({}, []),
      "waits for no aws_lambda_invocation: its instances may start before the schema and the service's database user exist, and answer 503 until someone migrates",
    ],
    ['a migration the fleet does not wait for', regional({ migrate: invocation() }, []), "waits for no aws_lambda_invocation: its instances may start before the schema and the service's database user exist, and answer 503 until someone migrates"],
    [
      'a migration that runs only once',
      regional({ migrate: invocation({ triggers: undefined }) }, ['aws_lambda_invocation.migrate']),
      'aws_lambda_invocation.migrate has no triggers: it runs once, when created, and never for a new migrate bundle',
    ],
    [
      'a migration that may run before the writer exists',
      regional({ migrate: invocation({ depends_on: [] }) }, ['aws_lambda_invocation.migrate']),
      'aws_lambda_invocation.migrate waits for no aws_rds_cluster_instance: on a first deploy it would run before the writer exists',
    ],
  ])('fails %s', (_what, primary, reason) => {
    expect(findings(ID, { primary, secondary: standby })).toEqual([`FAIL primary aws_autoscaling_group.service: ${reason}`]);
  });

  it('judges the active stack only: the standby migrates nothing', () => {
    expect(findings(ID, { secondary: standby })).toEqual([]);
    expect(findings(ID, { primary: tf({}, { provider: PROVIDERS }), secondary: standby })).toEqual([]);
  });

  it('is a rule over the stacks, run by the suite: it needs to know which stack is the active one', () => {
    expect(rule(ID).kind).toBe('stacks');
  });
});

describe('dr-standby-mirrors-active and the migration', () => {
  it('expects no invocation in the standby, whose cluster is read-only', () => {
    expect(Object.keys(ACTIVE_ONLY_TYPES)).toContain('aws_lambda_invocation');
    const primary = regional({ migrate: invocation() }, ['aws_lambda_invocation.migrate']);
    expect(findings('dr-standby-mirrors-active', { primary, secondary: regional({}, []) })).toEqual(['PASS secondary (stack)']);
  });
});
