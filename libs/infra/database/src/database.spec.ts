import { DR_ROLES, type DrRole, type EnvironmentOverrides, defineEnvironment } from '@txn-dr/config';
import { DrStack } from '@txn-dr/infra-core';
import { type SynthesizedStack, followReference, onlyResource, resourcesOfType, synthesize } from '@txn-dr/infra-core/testing';
import { Testing } from 'cdktf';
import { GlobalDatabase } from './global-database';
import { MasterCredentials } from './master-credentials';
import { LOG_EXPORTS, RegionalDatabase } from './regional-database';

function synthGlobal(overrides: Partial<EnvironmentOverrides> = {}): SynthesizedStack {
  const stack = new DrStack(Testing.app(), { env: defineEnvironment({ name: 'dev', ...overrides }), stack: 'global' });
  const providers = { primary: stack.provider('primary'), secondary: stack.provider('secondary') };
  new GlobalDatabase(stack, 'database', { env: stack.env, provider: providers.primary });
  new MasterCredentials(stack, 'credentials', { env: stack.env, providers });
  return synthesize(stack);
}

function synthRegional(role: DrRole, overrides: Partial<EnvironmentOverrides> = {}): SynthesizedStack {
  const stack = new DrStack(Testing.app(), { env: defineEnvironment({ name: 'dev', ...overrides }), stack: role });
  new RegionalDatabase(stack, 'database', {
    env: stack.env,
    role,
    provider: stack.provider(role),
    subnetIds: ['subnet-a', 'subnet-b'],
    availabilityZones: ['zone-a', 'zone-b'],
    securityGroupId: 'sg-db',
    kmsKeyArn: 'arn:aws:kms:region:123456789012:key/data',
    globalClusterIdentifier: 'txdr-dev-global',
  });
  return synthesize(stack);
}

const values = (json: SynthesizedStack, type: string) => Object.values(resourcesOfType(json, type));

describe('GlobalDatabase', () => {
  const json = synthGlobal();

  it('creates an encrypted Aurora MySQL global cluster on the supported LTS engine in the primary region', () => {
    expect(onlyResource(json, 'aws_rds_global_cluster')).toMatchObject({
      global_cluster_identifier: 'txdr-dev-global',
      engine: 'aurora-mysql',
      engine_version: '8.0.mysql_aurora.3.10.4',
      storage_encrypted: true,
      deletion_protection: true,
      provider: 'aws.primary',
    });
  });

  it('follows config for the engine version and deletion protection', () => {
    const custom = synthGlobal({ database: { engineVersion: '8.0.mysql_aurora.3.10.3', deletionProtection: false } });
    expect(onlyResource(custom, 'aws_rds_global_cluster')).toMatchObject({ engine_version: '8.0.mysql_aurora.3.10.3', deletion_protection: false });
  });
});

describe('MasterCredentials', () => {
  const json = synthGlobal();
  const secret = onlyResource(json, 'aws_secretsmanager_secret');
  const version = onlyResource(json, 'aws_secretsmanager_secret_version');

  it('generates the password ephemerally, so no plan or state holds it', () => {
    expect(json.ephemeral).toEqual({
      aws_secretsmanager_random_password: {
        database_master: { password_length: 40, exclude_punctuation: true, require_each_included_type: true, provider: 'aws.primary' },
      },
    });
  });

  it('writes it to Secrets Manager only through the write-only argument, versioned from config', () => {
    expect(version.secret_string).toBeUndefined();
    expect(version.secret_string_wo).toBe(
      '${jsonencode({"username" = "dradmin", "password" = ephemeral.aws_secretsmanager_random_password.database_master.random_password})}',
    );
    expect(version.secret_string_wo_version).toBe(1);
  });

  it('keeps the version it wrote through rotations: a label of its own, and the stages rotation moves are not drift', () => {
    expect(version.version_stages).toEqual(['AWSCURRENT', 'TERRAFORM']);
    expect(version.lifecycle).toEqual({ ignore_changes: ['version_stages'] });
  });

  it('encrypts the secret with a customer-managed multi-region key and replicates it to the standby region', () => {
    expect(secret).toMatchObject({ name: 'txdr-dev/db/master', provider: 'aws.primary' });
    expect(followReference(json, secret.kms_key_id)).toMatchObject({ multi_region: true, enable_key_rotation: true });
    const replica = (secret.replica as Record<string, unknown>[])[0];
    expect(replica).toMatchObject({ region: 'us-east-2' });
    expect(followReference(json, replica?.kms_key_id)).toMatchObject({ provider: 'aws.secondary' });
  });
});

describe.each(DR_ROLES)('RegionalDatabase (%s)', (role) => {
  const json = synthRegional(role);
  const cluster = onlyResource(json, 'aws_rds_cluster');

  it('joins the global cluster, encrypted with the regional key, on the same engine version', () => {
    expect(cluster).toMatchObject({
      cluster_identifier: `txdr-dev-${role}-aurora`,
      global_cluster_identifier: 'txdr-dev-global',
      engine: 'aurora-mysql',
      engine_version: '8.0.mysql_aurora.3.10.4',
      storage_encrypted: true,
      kms_key_id: 'arn:aws:kms:region:123456789012:key/data',
      vpc_security_group_ids: ['sg-db'],
    });
  });

  it('keeps backups, deletion protection, snapshot tags, log exports and IAM authentication on', () => {
    expect(cluster).toMatchObject({
      backup_retention_period: 7,
      deletion_protection: true,
      copy_tags_to_snapshot: true,
      enabled_cloudwatch_logs_exports: ['audit', 'error', 'slowquery'],
      iam_database_authentication_enabled: true,
    });
  });

  it('never detaches or recreates a cluster after a failover', () => {
    expect((cluster.lifecycle as { ignore_changes: string[] }).ignore_changes).toEqual(['global_cluster_identifier', 'replication_source_identifier']);
  });

  it('pre-creates encrypted log groups with a retention for each export, before the cluster', () => {
    const groups = values(json, 'aws_cloudwatch_log_group');
    expect(groups.map((g) => g.name)).toEqual(LOG_EXPORTS.map((type) => `/aws/rds/cluster/txdr-dev-${role}-aurora/${type}`));
    expect(groups.every((g) => g.retention_in_days === 30 && g.kms_key_id === 'arn:aws:kms:region:123456789012:key/data')).toBe(true);
    expect(cluster.depends_on).toHaveLength(LOG_EXPORTS.length);
  });

  it('requires TLS and turns the audit log on in its parameter group', () => {
    const parameters = onlyResource(json, 'aws_rds_cluster_parameter_group');
    expect(parameters.family).toBe('aurora-mysql8.0');
    expect(parameters.parameter).toEqual(
      expect.arrayContaining([{ name: 'require_secure_transport', value: 'ON' }, { name: 'server_audit_logging', value: '1' }]),
    );
    expect(cluster.db_cluster_parameter_group_name).toContain('aws_rds_cluster_parameter_group');
  });

  it('runs private instances of the configured class with monitoring and encrypted Performance Insights', () => {
    const instances = values(json, 'aws_rds_cluster_instance');
    expect(instances).toHaveLength(role === 'primary' ? 2 : 1);
    for (const instance of instances) {
      expect(instance).toMatchObject({
        instance_class: 'db.r6g.large',
        publicly_accessible: false,
        auto_minor_version_upgrade: false,
        performance_insights_enabled: true,
        performance_insights_kms_key_id: 'arn:aws:kms:region:123456789012:key/data',
        monitoring_interval: 60,
      });
    }
  });
});

describe('the writer and the reader differ only where the provider requires', () => {
  const primary = onlyResource(synthRegional('primary'), 'aws_rds_cluster');
  const secondaryJson = synthRegional('secondary');
  const secondary = onlyResource(secondaryJson, 'aws_rds_cluster');

  it('gives the writer the database name, master user and a write-only password read ephemerally from the secret', () => {
    expect(primary).toMatchObject({
      database_name: 'transactions',
      master_username: 'dradmin',
      master_password_wo: '${jsondecode(ephemeral.aws_secretsmanager_secret_version.database_master.secret_string).password}',
      master_password_wo_version: 1,
      final_snapshot_identifier: 'txdr-dev-primary-aurora-final',
      skip_final_snapshot: false,
    });
    expect(primary.master_password).toBeUndefined();
  });

  it('gives the reader no name, user or password, and its source region', () => {
    for (const attribute of ['database_name', 'master_username', 'master_password', 'master_password_wo']) {
      expect(secondary[attribute]).toBeUndefined();
    }
    expect(secondary).toMatchObject({ source_region: 'us-east-1', skip_final_snapshot: true });
    expect(secondaryJson.ephemeral).toBeUndefined();
  });

  it('puts the writer and its replica in different zones', () => {
    const zones = values(synthRegional('primary'), 'aws_rds_cluster_instance').map((i) => i.availability_zone);
    expect(zones).toEqual(['zone-a', 'zone-b']);
  });
});
