import { SCHEMA_MIGRATION_ENV, SCHEMA_MIGRATION_HANDLER, SCHEMA_MIGRATION_RUNTIME } from '@txn-dr/contracts';
import { enforcePolicy } from '@txn-dr/infra-core';
import { type SynthesizedStack, followReference, literalSecrets, onlyResource, resourcesOfType, synthesize } from '@txn-dr/infra-core/testing';
import type { App } from 'cdktf';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GLOBAL_WRITER, SECRET_ARN, type Statement, adminFunctionStack } from '../test/admin-fixture';
import { SchemaMigration, type SchemaMigrationProps } from './schema-migration';

const folder = mkdtempSync(join(tmpdir(), 'schema-migration-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A stand-in zip: the construct reads only that a file is there, and its hash. */
function zip(contents: string): string {
  const path = join(folder, `migrate-function-${createHash('sha256').update(contents).digest('hex').slice(0, 8)}.zip`);
  writeFileSync(path, contents);
  return path;
}
const CODE = zip('not really a zip');
const sha256 = (contents: string) => createHash('sha256').update(contents).digest('base64');
let apps = 0;

/** The construct in a primary stack of its own, with the regional key its log group uses and a writer to wait for. */
function synth(overrides: Partial<SchemaMigrationProps> = {}): { json: SynthesizedStack; migration: SchemaMigration; app: App } {
  const { app, stack, props } = adminFunctionStack(join(folder, `app-${++apps}`));
  const migration = new SchemaMigration(stack, 'schema-migration', { ...props, databaseName: 'transactions', codePath: CODE, ...overrides });
  return { json: synthesize(stack), migration, app };
}

const address = (json: SynthesizedStack, type: string) => `${type}.${Object.keys(resourcesOfType(json, type))[0]}`;

describe('SchemaMigration', () => {
  const { json, app, migration } = synth();
  const fn = onlyResource(json, 'aws_lambda_function');
  const invocation = onlyResource(json, 'aws_lambda_invocation');
  const statements = () => followReference(json, onlyResource(json, 'aws_iam_role_policy').policy).statement as Statement[];

  it('runs the migrate bundle in the private subnets, under its own security group, one run at a time, for up to 15 minutes', () => {
    expect(fn).toMatchObject({
      function_name: 'txdr-dev-primary-schema-migration',
      handler: SCHEMA_MIGRATION_HANDLER,
      runtime: SCHEMA_MIGRATION_RUNTIME,
      timeout: 900,
      reserved_concurrent_executions: 1,
      tracing_config: { mode: 'Active' },
      vpc_config: { subnet_ids: ['subnet-private-a', 'subnet-private-b'], security_group_ids: [`\${${address(json, 'aws_security_group')}.id}`] },
    });
  });

  it('logs in as the master user from the secret named by its ARN, to the global writer endpoint, over TLS, with bounded connects and statements', () => {
    expect((fn.environment as { variables: Record<string, string> }).variables).toEqual({
      [SCHEMA_MIGRATION_ENV.adminSecretArn]: SECRET_ARN,
      DB_HOST: GLOBAL_WRITER,
      DB_PORT: '3306',
      DB_NAME: 'transactions',
      DB_TLS: 'rds',
      DB_CONNECT_TIMEOUT_MS: '3000',
      DB_QUERY_TIMEOUT_MS: '5000',
      SERVICE_DB_USER: 'txn_service',
      SERVICE_DB_AUTH: 'iam',
    });
    expect(literalSecrets(json)).toEqual([]);
  });

  it('may read the master secret and decrypt it through Secrets Manager, and nothing else of Secrets Manager', () => {
    const all = statements();
    expect(all.filter((s) => s.actions.some((a) => a.startsWith('secretsmanager:')))).toEqual([
      expect.objectContaining({ sid: 'ReadTheMasterSecret', actions: ['secretsmanager:GetSecretValue'], resources: [SECRET_ARN] }),
    ]);
    expect(all.find((s) => s.actions.some((a) => a.startsWith('kms:')))).toEqual(
      expect.objectContaining({
        actions: ['kms:Decrypt'],
        condition: [
          { test: 'StringEquals', variable: 'kms:ViaService', values: ['secretsmanager.us-east-1.amazonaws.com'] },
          { test: 'StringEquals', variable: 'kms:EncryptionContext:SecretARN', values: [SECRET_ARN] },
        ],
      }),
    );
    expect(all.map((s) => s.sid).sort()).toEqual(
      ['DecryptTheMasterSecretOnly', 'DescribeNetworkInterfaces', 'ManageNetworkInterfaces', 'ReadTheMasterSecret', 'UploadTraces', 'WriteOwnLogs'].sort(),
    );
  });

  it('logs to its own encrypted log group with a retention, made before the function', () => {
    const group = onlyResource(json, 'aws_cloudwatch_log_group');
    expect(group).toMatchObject({ name: '/aws/lambda/txdr-dev-primary-schema-migration', retention_in_days: 30 });
    expect(followReference(json, group.kms_key_id)).toMatchObject({ enable_key_rotation: true });
    expect(fn.depends_on).toEqual(expect.arrayContaining([address(json, 'aws_cloudwatch_log_group'), address(json, 'aws_iam_role_policy')]));
  });

  it('opens MySQL to the database in both regions and HTTPS to the interface endpoints, each side of each hop', () => {
    const group = `\${${address(json, 'aws_security_group')}.id}`;
    const rules = (type: string) =>
      Object.values(resourcesOfType(json, type)).map((r) => [r.security_group_id, r.from_port, r.referenced_security_group_id ?? r.cidr_ipv4, r.description] as const);
    expect(rules('aws_vpc_security_group_egress_rule').sort()).toEqual(
      [
        [group, 3306, 'sg-database', 'Schema migration to Aurora MySQL'],
        [group, 443, 'sg-endpoints', 'Schema migration to Secrets Manager through its interface endpoint'],
        [group, 3306, '10.1.128.0/21', "Schema migration to the other region's Aurora MySQL through the peering, after a switchover"],
        [group, 3306, '10.1.136.0/21', "Schema migration to the other region's Aurora MySQL through the peering, after a switchover"],
      ].sort(),
    );
    expect(rules('aws_vpc_security_group_ingress_rule').sort()).toEqual(
      [
        ['sg-database', 3306, group, 'MySQL from the schema migration function'],
        ['sg-endpoints', 443, group, 'Secrets Manager calls from the schema migration function'],
      ].sort(),
    );
  });

  it('invokes the function with the bundle\'s SHA-256, again whenever the bundle or the environment changes, never on destroy', () => {
    expect(migration.bundleSha256).toBe(sha256('not really a zip'));
    expect(invocation).toMatchObject({
      function_name: `\${${address(json, 'aws_lambda_function')}.function_name}`,
      lifecycle_scope: 'CREATE_ONLY',
      triggers: {
        bundleSha256: sha256('not really a zip'),
        environmentSha256: `\${sha256(jsonencode(${address(json, 'aws_lambda_function')}.environment[0]))}`,
      },
    });
    expect(JSON.parse(invocation.input as string)).toEqual({ bundleSha256: sha256('not really a zip') });
    expect(invocation).not.toHaveProperty('qualifier');
  });

  it('invokes it only once the writer and its instances, the function\'s network rules and its permissions exist', () => {
    const rules = [...Object.keys(resourcesOfType(json, 'aws_vpc_security_group_egress_rule')).map((n) => `aws_vpc_security_group_egress_rule.${n}`),
      ...Object.keys(resourcesOfType(json, 'aws_vpc_security_group_ingress_rule')).map((n) => `aws_vpc_security_group_ingress_rule.${n}`)];
    expect(rules).toHaveLength(6);
    expect((invocation.depends_on as string[]).sort()).toEqual(['null_resource.writer', 'null_resource.writer-instance', address(json, 'aws_iam_role_policy'), ...rules].sort());
  });

  it('passes the synth-time policy, its one suppression included', () => {
    // A real synth: the suppressions live in the `//` blocks, which Testing.synth drops.
    app.synth();
    expect(enforcePolicy(app.outdir).map((refused) => refused.message)).toEqual([]);
  });
});

describe('SchemaMigration bundles', () => {
  it('gives the same bundle the same triggers, and a new bundle new ones', () => {
    const triggers = (path: string) => onlyResource(synth({ codePath: path }).json, 'aws_lambda_invocation').triggers as Record<string, string>;
    const same = triggers(zip('bundle one'));
    expect(triggers(zip('bundle one'))).toEqual(same);
    const changed = triggers(zip('bundle two'));
    expect(changed.bundleSha256).toBe(sha256('bundle two'));
    expect(changed.bundleSha256).not.toBe(same.bundleSha256);
  });

  it('stops synth when the bundle is not built, naming the command that builds it', () => {
    expect(() => synth({ codePath: join(tmpdir(), 'no-such-dir', 'migrate-function.zip') })).toThrow(
      /transaction-api Lambda bundle not found at .*: run `nx run transaction-api:build` first/,
    );
  });
});

describe('SchemaMigration props', () => {
  it.each([
    [{ timeoutSeconds: 901 }, 'timeoutSeconds: 901 is not a whole number of seconds above what a run may spend before its first migration (94000 ms) and at most 900'],
    [{ timeoutSeconds: 94 }, 'timeoutSeconds: 94 is not a whole number of seconds above what a run may spend before its first migration (94000 ms) and at most 900'],
    [{ connectTimeoutMs: 50 }, 'connectTimeoutMs: 50 is not a whole number of milliseconds from 100 to 60000'],
    [{ queryTimeoutMs: 300_001 }, 'queryTimeoutMs: 300001 is not a whole number of milliseconds from 100 to 300000'],
    [{ serviceUser: 'txn-service' }, 'serviceUser: "txn-service" is not 1 to 32 letters, digits or underscores'],
  ])('refuses %j', (overrides, message) => {
    expect(() => synth(overrides)).toThrow(`SchemaMigration: ${message}`);
  });

  it('takes the time limits and the service user from its props', () => {
    const { json } = synth({ timeoutSeconds: 300, connectTimeoutMs: 2_000, queryTimeoutMs: 10_000, serviceUser: 'txn_app' });
    const fn = onlyResource(json, 'aws_lambda_function');
    expect(fn.timeout).toBe(300);
    expect((fn.environment as { variables: Record<string, string> }).variables).toMatchObject({ DB_CONNECT_TIMEOUT_MS: '2000', DB_QUERY_TIMEOUT_MS: '10000', SERVICE_DB_USER: 'txn_app' });
  });
});
