import { defineEnvironment } from '@txn-dr/config';
import { STACK_OUTPUTS } from '@txn-dr/contracts';
import { followReference, literalSecrets, onlyResource, resourcesOfType, synthesize } from '@txn-dr/infra-core/testing';
import { Testing } from 'cdktf';
import { GlobalStack } from './global-stack';

describe('GlobalStack', () => {
  const json = synthesize(new GlobalStack(Testing.app(), defineEnvironment({ name: 'dev' })));

  it('has a provider for each region of the pair', () => {
    expect(json.provider?.aws?.map((p) => [p.alias, p.region])).toEqual([
      ['primary', 'us-east-1'],
      ['secondary', 'us-east-2'],
    ]);
  });

  it('keeps its own state and reads no other stack', () => {
    expect(json.terraform.backend).toEqual({ local: { path: '../../../../stack-global/terraform.dev.tfstate' } });
    expect(json.data?.terraform_remote_state).toBeUndefined();
  });

  it('owns the global cluster, the master secret, the replicated buckets and the zone', () => {
    expect(onlyResource(json, 'aws_route53_zone').name).toBe('dr-dev.example.com');
    expect(json.data?.aws_route53_zone).toBeUndefined();
    expect(onlyResource(json, 'aws_rds_global_cluster').global_cluster_identifier).toBe('txdr-dev-global');
    expect(onlyResource(json, 'aws_secretsmanager_secret').name).toBe('txdr-dev/db/master');
    expect(Object.keys(resourcesOfType(json, 'aws_s3_bucket'))).toHaveLength(2);
    expect(Object.keys(resourcesOfType(json, 'aws_s3_bucket_replication_configuration'))).toHaveLength(2);
  });

  it('publishes the global contract from its resources', () => {
    expect(Object.keys(json.output ?? {}).sort()).toEqual([...STACK_OUTPUTS.global].sort());
    expect(json.output?.globalWriterEndpoint?.value).toMatch(/^\$\{aws_rds_global_cluster\..*\.endpoint\}$/);
    expect(json.output?.databaseSecretArnSecondary?.value).toMatch(/^\$\{replace\(aws_secretsmanager_secret\..*\.arn, ":us-east-1:", ":us-east-2:"\)\}$/);
  });

  it('lets the replication role use each data key under its bucket ARN, the context S3 Bucket Keys use', () => {
    const role = onlyResource(json, 'aws_iam_role_policy');
    expect(followReference(json, role.role).name).toBe('txdr-dev-s3-replication');
    const statements = followReference(json, role.policy).statement as { sid: string; condition?: { variable: string; values: string[] }[] }[];
    const contexts = statements.filter((s) => /^(DecryptSource|EncryptReplica)/.test(s.sid));
    expect(contexts).toHaveLength(4);
    for (const statement of contexts) {
      const allowed = statement.condition?.find((c) => c.variable === 'kms:EncryptionContext:aws:s3:arn')?.values ?? [];
      const bucketArn = allowed.find((v) => /^\$\{aws_s3_bucket\.[^}]+\.arn\}$/.test(v));
      expect(bucketArn).toBeDefined();
      expect(allowed).toEqual([bucketArn, `${bucketArn}/*`]);
    }
    const trust = followReference(json, onlyResource(json, 'aws_iam_role').assume_role_policy).statement as Record<string, unknown>[];
    expect(trust.map((s) => s.condition)).toEqual([undefined]);
  });

  it('scopes every data-bucket lifecycle rule to all objects with an explicit empty prefix', () => {
    const rules = Object.values(resourcesOfType(json, 'aws_s3_bucket_lifecycle_configuration')).flatMap((c) => c.rule as Record<string, unknown>[]);
    expect(rules.map((r) => r.filter)).toEqual([[{ prefix: '' }], [{ prefix: '' }]]);
  });

  it('holds no literal secret', () => {
    expect(literalSecrets(json)).toEqual([]);
  });
});

describe('GlobalStack with an existing hosted zone', () => {
  const env = defineEnvironment({ name: 'dev', dns: { zoneName: 'dr.payments.acme.io', existingZoneId: 'Z0123456789ABCDEFGHIJ' } });
  const json = synthesize(new GlobalStack(Testing.app(), env));

  it('creates no zone, and reads the existing one by id in the primary region', () => {
    expect(resourcesOfType(json, 'aws_route53_zone')).toEqual({});
    const lookups = Object.values(json.data?.aws_route53_zone ?? {});
    expect(lookups).toEqual([expect.objectContaining({ zone_id: 'Z0123456789ABCDEFGHIJ', provider: 'aws.primary' })]);
  });

  it('publishes the existing zone in the contract, so the regional stacks put their records in it', () => {
    expect(json.output?.hostedZoneId?.value).toMatch(/^\$\{data\.aws_route53_zone\.[^.]+\.zone_id\}$/);
    expect(json.output?.zoneNameServers?.value).toMatch(/^\$\{join\(",", data\.aws_route53_zone\.[^.]+\.name_servers\)\}$/);
    expect(json.output?.zoneName?.value).toBe('dr.payments.acme.io');
  });

  it('changes nothing else', () => {
    const created = synthesize(new GlobalStack(Testing.app(), defineEnvironment({ name: 'dev', dns: { zoneName: 'dr.payments.acme.io' } })));
    const { aws_route53_zone: zones, ...others } = created.resource ?? {};
    expect(Object.keys(zones ?? {})).toHaveLength(1);
    expect(json.resource).toEqual(others);
  });
});
