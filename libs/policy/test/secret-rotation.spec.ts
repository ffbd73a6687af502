import { evaluate } from '../src/engine/evaluate';
import { Stack } from '../src/engine/stack';
import type { TfJson } from '../src/engine/types';
import { RULES } from '../src/rules';
import { ACTIVE_ONLY_TYPES } from '../src/rules/dr';
import { MAX_ROTATION_DAYS, databaseSecrets, rotationInterval } from '../src/rules/secret-rotation';
import { PROVIDERS, tf } from './fixtures/helpers';
import { SECRET_NAME, globalStack, regionalStack, rotation } from './fixtures/secret-rotation';

const REMOTE_ARN = '${data.terraform_remote_state.state-global.outputs.databaseSecretArnPrimary}';
const rule = (id: string) => RULES.find((r) => r.id === id)!;
const stacks = (named: Record<string, TfJson>) => Object.entries(named).map(([name, json]) => new Stack(name, json));
/** `result stack resource: reason` of every finding of one rule. */
const findings = (id: string, named: Record<string, TfJson>) =>
  evaluate([rule(id)], stacks(named)).findings.map((f) => `${f.result} ${f.stack} ${f.resource}${f.reason ? `: ${f.reason}` : ''}`);

describe('rotationInterval', () => {
  it.each([
    [{ schedule_expression: 'rate(30 days)' }, { days: 30 }],
    [{ schedule_expression: 'rate(1 day)' }, { days: 1 }],
    [{ schedule_expression: ' rate( 12 hours ) ' }, { days: 0.5 }],
    [{ automatically_after_days: 7 }, { days: 7 }],
    [[{ automatically_after_days: '31' }], { days: 31 }],
    [{ schedule_expression: 'cron(0 16 1,15 * ? *)' }, { problem: 'schedule cron(0 16 1,15 * ? *) is not rate(N days): the interval cannot be checked' }],
    [{ schedule_expression: 'rate(30 minutes)' }, { problem: 'schedule rate(30 minutes) is not rate(N days): the interval cannot be checked' }],
    [{ duration: '3h' }, { problem: 'rotation_rules sets no schedule (schedule_expression or automatically_after_days)' }],
    [undefined, { problem: 'rotation_rules sets no schedule (schedule_expression or automatically_after_days)' }],
  ])('%j is %j', (rules, expected) => {
    expect(rotationInterval(rules)).toEqual(expected);
  });

  it('holds rotations to 30 days at most', () => {
    expect(MAX_ROTATION_DAYS).toBe(30);
  });
});

describe('secret-rotation-max-30-days', () => {
  const one = (body: Record<string, unknown>) =>
    findings('secret-rotation-max-30-days', { primary: tf({ aws_secretsmanager_secret_rotation: { r: body } }, { provider: PROVIDERS }) });

  it.each([
    ['rate(30 days)', 'PASS primary aws_secretsmanager_secret_rotation.r'],
    ['rate(12 hours)', 'PASS primary aws_secretsmanager_secret_rotation.r'],
    ['rate(31 days)', 'FAIL primary aws_secretsmanager_secret_rotation.r: aws_secretsmanager_secret_rotation.r rotates every 31 days, more than 30'],
    ['rate(90 days)', 'FAIL primary aws_secretsmanager_secret_rotation.r: aws_secretsmanager_secret_rotation.r rotates every 90 days, more than 30'],
    ['cron(0 8 1 * ? *)', 'FAIL primary aws_secretsmanager_secret_rotation.r: aws_secretsmanager_secret_rotation.r: schedule cron(0 8 1 * ? *) is not rate(N days): the interval cannot be checked'],
  ])('%s: %s', (schedule, expected) => {
    expect(one(rotation('${aws_secretsmanager_secret.s.arn}', schedule))).toEqual([expected]);
  });

  it('fails a schedule with no rotation function', () => {
    const { rotation_lambda_arn: _lambda, ...withoutFunction } = rotation('${aws_secretsmanager_secret.s.arn}', 'rate(30 days)');
    expect(one(withoutFunction)).toEqual(['FAIL primary aws_secretsmanager_secret_rotation.r: rotation_lambda_arn is not set: nothing rotates the secret']);
  });

  it('runs at synth time, on one stack alone (a resource rule)', () => {
    expect(rule('secret-rotation-max-30-days').kind).toBe('resource');
  });
});

describe('secret-rotation-database-credentials', () => {
  const id = 'secret-rotation-database-credentials';

  it('finds the secret a cluster reads its master password from, in another stack, by its literal name', () => {
    const found = databaseSecrets(stacks({ global: globalStack(), primary: regionalStack() }));
    expect(found.map((f) => `${f.stack.name} ${f.resource.address}`)).toEqual(['global aws_secretsmanager_secret.master']);
  });

  it('finds it by a literal ARN too', () => {
    const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${SECRET_NAME}-AbCdEf`;
    expect(databaseSecrets(stacks({ global: globalStack(), primary: regionalStack({}, arn) })).map((f) => f.resource.address)).toEqual(['aws_secretsmanager_secret.master']);
  });

  it('passes a secret rotated monthly from the primary stack through the global stack\'s output', () => {
    expect(findings(id, { global: globalStack(), primary: regionalStack({ r: rotation(REMOTE_ARN, 'rate(30 days)') }) })).toEqual([
      'PASS global aws_secretsmanager_secret.master',
    ]);
  });

  it('fails a database secret no stack rotates', () => {
    expect(findings(id, { global: globalStack(), primary: regionalStack() })).toEqual([
      'FAIL global aws_secretsmanager_secret.master: no aws_secretsmanager_secret_rotation in any stack rotates it: the database password never changes',
    ]);
  });

  it('fails a database secret rotated less often than every 30 days, naming the stack of the rotation', () => {
    expect(findings(id, { global: globalStack(), primary: regionalStack({ r: rotation(REMOTE_ARN, 'rate(90 days)') }) })).toEqual([
      'FAIL global aws_secretsmanager_secret.master: primary: aws_secretsmanager_secret_rotation.r rotates every 90 days, more than 30',
    ]);
  });

  it('does not count the rotation of another secret', () => {
    const global = globalStack({ aws_secretsmanager_secret: { other: { provider: 'aws.primary', name: 'txdr-dev/api-key' } } });
    const primary = regionalStack({ r: rotation('txdr-dev/api-key', 'rate(7 days)') });
    // globalStack's extra replaces the secrets: put both back.
    (global.resource!.aws_secretsmanager_secret as Record<string, unknown>).master = globalStack().resource!.aws_secretsmanager_secret!.master;
    expect(findings(id, { global, primary })).toEqual([
      'FAIL global aws_secretsmanager_secret.master: no aws_secretsmanager_secret_rotation in any stack rotates it: the database password never changes',
    ]);
  });

  it('recognises a secret and its rotation in one stack, by reference', () => {
    const json = tf(
      {
        aws_secretsmanager_secret: { s: { provider: 'aws.primary', name: 'db' } },
        aws_secretsmanager_secret_version: { v: { provider: 'aws.primary', secret_id: '${aws_secretsmanager_secret.s.id}', secret_string_wo: 'x', secret_string_wo_version: 1 } },
        aws_db_instance: { d: { provider: 'aws.primary', master_password: '${jsondecode(aws_secretsmanager_secret_version.v.secret_string).password}' } },
        aws_secretsmanager_secret_rotation: { r: rotation('${aws_secretsmanager_secret.s.arn}', 'rate(14 days)') },
      },
      { provider: PROVIDERS },
    );
    expect(findings(id, { only: json })).toEqual(['PASS only aws_secretsmanager_secret.s']);
  });

  it('leaves alone a secret no database reads its password from', () => {
    expect(findings(id, { global: globalStack(), primary: tf({}, { provider: PROVIDERS }) })).toEqual([]);
  });
});

describe('dr-standby-mirrors-active and the rotation', () => {
  const regional = (extra: Record<string, Record<string, Record<string, unknown>>>) =>
    tf({ aws_rds_cluster: { c: { global_cluster_identifier: 'g' } }, aws_lambda_function: { health: { function_name: 'h' } }, ...extra }, { provider: PROVIDERS });

  it('expects no rotation in the standby: a replica secret cannot be rotated', () => {
    expect(Object.keys(ACTIVE_ONLY_TYPES)).toContain('aws_secretsmanager_secret_rotation');
    const primary = regional({ aws_secretsmanager_secret_rotation: { r: rotation(REMOTE_ARN, 'rate(30 days)') } });
    expect(findings('dr-standby-mirrors-active', { primary, secondary: regional({}) })).toEqual(['PASS secondary (stack)']);
  });

  it('still expects every other kind of resource', () => {
    const primary = regional({ aws_secretsmanager_secret_rotation: { r: rotation(REMOTE_ARN, 'rate(30 days)') }, aws_sqs_queue: { q: {} } });
    expect(findings('dr-standby-mirrors-active', { primary, secondary: regional({}) })).toEqual(['FAIL secondary (stack): no aws_sqs_queue in the standby stack']);
  });
});
