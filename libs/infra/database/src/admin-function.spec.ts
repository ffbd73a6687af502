import { defineEnvironment } from '@txn-dr/config';
import { DrStack } from '@txn-dr/infra-core';
import { followReference, onlyResource, synthesize } from '@txn-dr/infra-core/testing';
import { App } from 'cdktf';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseAdminFunction, type DatabaseAdminFunctionProps } from './admin-function';

const folder = mkdtempSync(join(tmpdir(), 'admin-function-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const CODE = join(folder, 'function.zip');
writeFileSync(CODE, 'not really a zip');
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:txdr-dev/db/master-AbCdEf';

type Statement = { sid: string; actions: string[]; resources: string[] };

function synth(overrides: Partial<DatabaseAdminFunctionProps> = {}) {
  const app = new App({ outdir: join(folder, 'app') });
  const stack = new DrStack(app, { env: defineEnvironment({ name: 'dev' }), stack: 'primary' });
  const admin = new DatabaseAdminFunction(stack, 'admin', {
    provider: stack.provider('primary'),
    functionName: 'txdr-dev-primary-admin',
    purpose: 'Database admin',
    ruleIdWord: 'admin',
    description: 'does admin work',
    roleDescription: 'does admin work',
    secretArn: SECRET_ARN,
    vpcId: 'vpc-1',
    subnetIds: ['subnet-a'],
    databaseSecurityGroupId: 'sg-database',
    endpointsSecurityGroupId: 'sg-endpoints',
    logKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k',
    logRetentionDays: 30,
    codePath: CODE,
    buildProject: 'admin-app',
    handler: 'index.handler',
    runtime: 'nodejs22.x',
    environment: { SOMETHING_ARN: SECRET_ARN },
    timeoutSeconds: 60,
    reservedConcurrentExecutions: 2,
    ...overrides,
  });
  return { json: synthesize(stack), admin };
}

describe('DatabaseAdminFunction', () => {
  it('reads the one master secret by default, and may be given other secret statements instead', () => {
    const statements = (json: ReturnType<typeof synth>['json']) => followReference(json, onlyResource(json, 'aws_iam_role_policy').policy).statement as Statement[];
    const byDefault = statements(synth().json);
    expect(byDefault.slice(0, 2).map((s) => [s.sid, s.actions])).toEqual([
      ['ReadTheMasterSecret', ['secretsmanager:GetSecretValue']],
      ['DecryptTheMasterSecretOnly', ['kms:Decrypt']],
    ]);
    const given = statements(synth({ secretStatements: [{ sid: 'Other', actions: ['secretsmanager:DescribeSecret'], resources: [SECRET_ARN] }] }).json);
    expect(given.map((s) => s.sid)).toEqual(['Other', 'DescribeNetworkInterfaces', 'ManageNetworkInterfaces', 'UploadTraces', 'WriteOwnLogs']);
  });

  it('names the function, its role, security group and log group alike, and exposes its network rules', () => {
    const { json, admin } = synth();
    expect(onlyResource(json, 'aws_iam_role').name).toBe('txdr-dev-primary-admin');
    expect(onlyResource(json, 'aws_security_group').name).toBe('txdr-dev-primary-admin');
    expect(onlyResource(json, 'aws_cloudwatch_log_group').name).toBe('/aws/lambda/txdr-dev-primary-admin');
    expect(onlyResource(json, 'aws_lambda_function')).toMatchObject({ timeout: 60, reserved_concurrent_executions: 2, memory_size: 256, architectures: ['arm64'] });
    expect(admin.networkRules).toHaveLength(4);
  });

  it.each([
    [{ timeoutSeconds: 0 }, 'timeoutSeconds: 0 is not a whole number of seconds from 1 to 900'],
    [{ timeoutSeconds: 901 }, 'timeoutSeconds: 901 is not a whole number of seconds from 1 to 900'],
    [{ memorySize: 64 }, 'memorySize: 64 is not a whole number of MB from 128 to 10240'],
    [{ reservedConcurrentExecutions: 0 }, 'reservedConcurrentExecutions: 0 is not a whole number of at least 1 (0 would throttle every invocation)'],
    [{ ruleIdWord: 'Two words' }, 'ruleIdWord: "Two words" is not one lower-case word'],
  ])('refuses %j', (overrides, message) => {
    expect(() => synth(overrides)).toThrow(`DatabaseAdminFunction txdr-dev-primary-admin: ${message}`);
  });
});
