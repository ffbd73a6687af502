import { SECRET_ROTATION_ENV, SECRET_ROTATION_HANDLER, SECRET_ROTATION_RUNTIME } from '@txn-dr/contracts';
import { enforcePolicy } from '@txn-dr/infra-core';
import { type SynthesizedStack, followReference, literalSecrets, onlyResource, resourcesOfType, synthesize } from '@txn-dr/infra-core/testing';
import type { App } from 'cdktf';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GLOBAL_WRITER, SECRET_ARN, type Statement, adminFunctionStack } from '../test/admin-fixture';
import { SecretRotation, type SecretRotationProps } from './secret-rotation';

const folder = mkdtempSync(join(tmpdir(), 'secret-rotation-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A stand-in zip: the construct reads only that a file is there and its hash. */
const CODE = join(folder, 'secret-rotation.zip');
writeFileSync(CODE, 'not really a zip');
let apps = 0;

/** The construct in a primary stack of its own, with the regional data key its log group uses and a writer to wait for. */
function synth(overrides: Partial<SecretRotationProps> = {}): { json: SynthesizedStack; rotation: SecretRotation; app: App } {
  const { app, stack, props } = adminFunctionStack(join(folder, `app-${++apps}`));
  const rotation = new SecretRotation(stack, 'secret-rotation', { ...props, codePath: CODE, ...overrides });
  return { json: synthesize(stack), rotation, app };
}

describe('SecretRotation', () => {
  const { json, app } = synth();
  const fn = onlyResource(json, 'aws_lambda_function');
  const rotation = onlyResource(json, 'aws_secretsmanager_secret_rotation');
  const statements = () => {
    const policy = onlyResource(json, 'aws_iam_role_policy');
    return followReference(json, policy.policy).statement as Statement[];
  };

  it('rotates the secret every 30 days by default with the function, without rotating at once', () => {
    expect(rotation).toMatchObject({
      provider: 'aws.primary',
      secret_id: SECRET_ARN,
      rotation_lambda_arn: `\${aws_lambda_function.${Object.keys(resourcesOfType(json, 'aws_lambda_function'))[0]}.arn}`,
      rotation_rules: { schedule_expression: 'rate(30 days)' },
      rotate_immediately: false,
    });
  });

  it('sets the schedule only once Secrets Manager may invoke the function and the writer exists', () => {
    const dependsOn = rotation.depends_on as string[];
    expect(dependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_lambda_permission\./), expect.stringMatching(/^aws_lambda_function\./), 'null_resource.writer']));
  });

  it.each([
    [7, 'rate(7 days)'],
    [1, 'rate(1 days)'],
  ])('takes the days between rotations from its props: %d', (days, expression) => {
    expect(onlyResource(synth({ rotationDays: days }).json, 'aws_secretsmanager_secret_rotation').rotation_rules).toEqual({ schedule_expression: expression });
  });

  it('runs the built bundle in the private subnets, under its own security group, with TLS to the global writer endpoint', () => {
    expect(fn).toMatchObject({
      function_name: 'txdr-dev-primary-secret-rotation',
      handler: SECRET_ROTATION_HANDLER,
      runtime: SECRET_ROTATION_RUNTIME,
      timeout: 60,
      reserved_concurrent_executions: 10,
      tracing_config: { mode: 'Active' },
      vpc_config: { subnet_ids: ['subnet-private-a', 'subnet-private-b'], security_group_ids: [expect.stringMatching(/^\$\{aws_security_group\..*\.id\}$/)] },
    });
    const variables = (fn.environment as { variables: Record<string, string> }).variables;
    expect(variables).toEqual({
      [SECRET_ROTATION_ENV.secretArn]: SECRET_ARN,
      [SECRET_ROTATION_ENV.dbHost]: GLOBAL_WRITER,
      [SECRET_ROTATION_ENV.dbPort]: '3306',
      [SECRET_ROTATION_ENV.dbTimeoutMs]: '5000',
      [SECRET_ROTATION_ENV.callTimeoutMs]: '5000',
    });
    // Never set here: only a local test server turns TLS off.
    expect(variables).not.toHaveProperty(SECRET_ROTATION_ENV.dbTls);
  });

  it('logs to its own encrypted log group with a retention, created before the function', () => {
    const group = onlyResource(json, 'aws_cloudwatch_log_group');
    expect(group).toMatchObject({ name: '/aws/lambda/txdr-dev-primary-secret-rotation', retention_in_days: 30 });
    expect(followReference(json, group.kms_key_id)).toMatchObject({ enable_key_rotation: true });
    expect(fn.logging_config).toEqual({ log_format: 'Text', log_group: `\${aws_cloudwatch_log_group.${Object.keys(resourcesOfType(json, 'aws_cloudwatch_log_group'))[0]}.name}` });
    expect(fn.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_cloudwatch_log_group\./), expect.stringMatching(/^aws_iam_role_policy\./)]));
  });

  it('lets only Secrets Manager invoke it, for this account and this secret', () => {
    const permission = onlyResource(json, 'aws_lambda_permission');
    expect(permission).toMatchObject({
      action: 'lambda:InvokeFunction',
      principal: 'secretsmanager.amazonaws.com',
      source_account: '${data.aws_caller_identity.caller-identity-primary.account_id}',
      source_arn: SECRET_ARN,
    });
    expect(followReference(json, permission.function_name)).toBe(fn);
  });

  it('is assumed by Lambda only', () => {
    const role = onlyResource(json, 'aws_iam_role');
    const trust = followReference(json, role.assume_role_policy).statement as { principals: { identifiers: string[] }[] }[];
    expect(trust.flatMap((s) => s.principals.flatMap((p) => p.identifiers))).toEqual(['lambda.amazonaws.com']);
    expect(role.name).toBe('txdr-dev-primary-secret-rotation');
  });

  it('may rotate this one secret, decrypt it only through Secrets Manager, and nothing else of Secrets Manager', () => {
    const all = statements();
    const secretActions = all.filter((s) => s.actions.some((a) => a.startsWith('secretsmanager:')));
    expect(secretActions).toEqual([
      expect.objectContaining({
        actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
        resources: [SECRET_ARN],
      }),
      expect.objectContaining({ actions: ['secretsmanager:GetRandomPassword'], resources: ['*'] }),
    ]);
    const key = all.find((s) => s.actions.includes('kms:Decrypt'))!;
    expect(key.actions).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey']);
    expect(key.condition).toEqual([
      { test: 'StringEquals', variable: 'kms:ViaService', values: ['secretsmanager.us-east-1.amazonaws.com'] },
      { test: 'StringEquals', variable: 'kms:EncryptionContext:SecretARN', values: [SECRET_ARN] },
    ]);
  });

  it('may manage the network interfaces of a VPC function and write its own logs and traces', () => {
    const bySid = Object.fromEntries(statements().map((s) => [s.sid, s]));
    expect(bySid.ManageNetworkInterfaces?.actions).toEqual(['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses']);
    expect(bySid.ManageNetworkInterfaces?.resources).toEqual(['arn:${data.aws_partition.partition-primary.partition}:ec2:us-east-1:${data.aws_caller_identity.caller-identity-primary.account_id}:*/*']);
    expect(bySid.DescribeNetworkInterfaces).toMatchObject({ actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'], resources: ['*'] });
    const logGroup = `\${aws_cloudwatch_log_group.${Object.keys(resourcesOfType(json, 'aws_cloudwatch_log_group'))[0]}.arn}`;
    expect(bySid.WriteOwnLogs?.resources).toEqual([logGroup, `${logGroup}:*`]);
    expect(Object.keys(bySid).sort()).toEqual(
      ['DescribeNetworkInterfaces', 'GeneratePasswords', 'ManageNetworkInterfaces', 'RotateTheMasterSecret', 'UploadTraces', 'UseTheSecretKeyForThisSecretOnly', 'WriteOwnLogs'].sort(),
    );
  });

  it('opens MySQL to the database, in both regions, and HTTPS to the interface endpoints, each side of each hop', () => {
    const group = `\${aws_security_group.${Object.keys(resourcesOfType(json, 'aws_security_group'))[0]}.id}`;
    const rules = (type: string) =>
      Object.values(resourcesOfType(json, type)).map((r) => [r.security_group_id, r.from_port, r.referenced_security_group_id ?? r.cidr_ipv4] as const);
    expect(rules('aws_vpc_security_group_egress_rule').sort()).toEqual(
      [
        [group, 3306, 'sg-database'],
        [group, 443, 'sg-endpoints'],
        [group, 3306, '10.1.128.0/21'],
        [group, 3306, '10.1.136.0/21'],
      ].sort(),
    );
    expect(rules('aws_vpc_security_group_ingress_rule').sort()).toEqual(
      [
        ['sg-database', 3306, group],
        ['sg-endpoints', 443, group],
      ].sort(),
    );
    expect(onlyResource(json, 'aws_security_group')).toMatchObject({ vpc_id: 'vpc-1', name: 'txdr-dev-primary-secret-rotation' });
  });

  it('passes the synth-time policy, its one suppression included, and holds no literal secret', () => {
    // A real synth: the suppressions live in the `//` blocks, which Testing.synth drops.
    app.synth();
    expect(enforcePolicy(app.outdir).map((refused) => refused.message)).toEqual([]);
    expect(literalSecrets(json)).toEqual([]);
  });
});

describe('SecretRotation props', () => {
  it.each([
    [{ rotationDays: 0 }, 'rotationDays: 0 is not a whole number of days from 1 to 1000'],
    [{ rotationDays: 1001 }, 'rotationDays: 1001 is not a whole number of days from 1 to 1000'],
    [{ rotationDays: 2.5 }, 'rotationDays: 2.5 is not a whole number of days from 1 to 1000'],
    [{ callTimeoutMs: 50 }, 'callTimeoutMs: 50 is not a whole number of milliseconds from 100 to 60000'],
    [{ databaseTimeoutMs: 60_001 }, 'databaseTimeoutMs: 60001 is not a whole number of milliseconds from 100 to 60000'],
    [{ timeoutSeconds: 30 }, 'timeoutSeconds: 30 s is not more than the longest step may take at these limits (37000 ms); the function would be killed mid-step'],
    [{ timeoutSeconds: 60, callTimeoutMs: 12_000 }, 'timeoutSeconds: 60 s is not more than the longest step may take at these limits (60000 ms); the function would be killed mid-step'],
  ])('refuses %j', (overrides, message) => {
    expect(() => synth(overrides)).toThrow(`SecretRotation: ${message}`);
  });

  it('stops synth when the bundle is not built, naming the command that builds it', () => {
    expect(() => synth({ codePath: join(tmpdir(), 'no-such-dir', 'secret-rotation.zip') })).toThrow(/secret-rotation Lambda bundle not found at .*: run `nx run secret-rotation:build` first/);
  });
});
