import { DR_ROLES, type DrRole, type EnvironmentOverrides, defineEnvironment } from '@txn-dr/config';
import { DrStack } from '@txn-dr/infra-core';
import { type SynthesizedStack, followReference, onlyResource, resourcesOfType, synthesize } from '@txn-dr/infra-core/testing';
import { Testing } from 'cdktf';
import { GlobalDatabase, type GlobalDatabaseProps } from './global-database';
import { MasterCredentials, type MasterCredentialsProps } from './master-credentials';
import { LOG_EXPORTS, RegionalDatabase, type RegionalDatabaseProps } from './regional-database';

interface GlobalProps {
  readonly database?: Partial<GlobalDatabaseProps>;
  readonly credentials?: Partial<MasterCredentialsProps>;
}

/** The global database and credentials with the values the global stack passes from its environment, or `props` instead. */
function synthGlobal(overrides: Partial<EnvironmentOverrides> = {}, props: GlobalProps = {}): SynthesizedStack {
  const env = defineEnvironment({ name: 'dev', ...overrides });
  const stack = new DrStack(Testing.app(), { env, stack: 'global' });
  const providers = { primary: stack.provider('primary'), secondary: stack.provider('secondary') };
  new GlobalDatabase(stack, 'database', {
    names: stack.names,
    provider: providers.primary,
    engineVersion: env.database.engineVersion,
    databaseName: env.database.databaseName,
    deletionProtection: env.database.deletionProtection,
    ...props.database,
  });
  new MasterCredentials(stack, 'credentials', {
    names: stack.names,
    providers,
    regions: { primary: env.regions.primary.region, secondary: env.regions.secondary.region },
    masterUsername: env.database.masterUsername,
    passwordVersion: env.database.passwordVersion,
    ...props.credentials,
  });
  return synthesize(stack);
}

/** A region's database with the values a regional stack passes from its environment, or `props` instead. */
function synthRegional(role: DrRole, overrides: Partial<EnvironmentOverrides> = {}, props: Partial<RegionalDatabaseProps> = {}): SynthesizedStack {
  const env = defineEnvironment({ name: 'dev', ...overrides });
  const stack = new DrStack(Testing.app(), { env, stack: role });
  new RegionalDatabase(stack, 'database', {
    names: stack.names,
    role,
    provider: stack.provider(role),
    primaryRegion: env.regions.primary.region,
    subnetIds: ['subnet-a', 'subnet-b'],
    availabilityZones: ['zone-a', 'zone-b'],
    securityGroupId: 'sg-db',
    kmsKeyArn: 'arn:aws:kms:region:123456789012:key/data',
    globalClusterIdentifier: 'txdr-dev-global',
    engineVersion: env.database.engineVersion,
    instanceClass: env.database.instanceClass,
    instanceCount: env.regions[role].databaseInstances,
    backupRetentionDays: env.database.backupRetentionDays,
    deletionProtection: env.database.deletionProtection,
    logRetentionDays: env.logs.retentionDays,
    databaseName: env.database.databaseName,
    masterUsername: env.database.masterUsername,
    passwordVersion: env.database.passwordVersion,
    ...props,
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

describe('defaults', () => {
  it('keeps deletion protection on and the first password version when those props are left out', () => {
    const json = synthGlobal({ database: { deletionProtection: false, passwordVersion: 4 } }, { database: { deletionProtection: undefined }, credentials: { passwordVersion: undefined } });
    expect(onlyResource(json, 'aws_rds_global_cluster')).toMatchObject({ deletion_protection: true });
    expect(onlyResource(json, 'aws_secretsmanager_secret_version').secret_string_wo_version).toBe(1);
  });

  it('keeps a week of backups, deletion protection and a final snapshot of the writer when those props are left out', () => {
    const json = synthRegional('primary', { database: { deletionProtection: false, backupRetentionDays: 21, passwordVersion: 4 } }, {
      backupRetentionDays: undefined,
      deletionProtection: undefined,
      passwordVersion: undefined,
    });
    expect(onlyResource(json, 'aws_rds_cluster')).toMatchObject({
      backup_retention_period: 7,
      deletion_protection: true,
      skip_final_snapshot: false,
      master_password_wo_version: 1,
    });
  });

  it('takes the values it is given over config', () => {
    const json = synthRegional('primary', {}, { instanceClass: 'db.r7g.xlarge', instanceCount: 3, logRetentionDays: 90, masterUsername: 'admin2' });
    expect(values(json, 'aws_rds_cluster_instance').map((i) => i.instance_class)).toEqual(['db.r7g.xlarge', 'db.r7g.xlarge', 'db.r7g.xlarge']);
    expect(values(json, 'aws_cloudwatch_log_group').every((g) => g.retention_in_days === 90)).toBe(true);
    expect(onlyResource(json, 'aws_rds_cluster').master_username).toBe('admin2');
  });
});

describe('contradictory props stop synth, naming the field', () => {
  it.each([
    ['an engine version of another line', { engineVersion: '5.7.mysql_aurora.2.12.1' }, 'GlobalDatabase: engineVersion: 5.7.mysql_aurora.2.12.1 is not an Aurora MySQL 3 version'],
  ])('GlobalDatabase refuses %s', (_case, props, message) => {
    expect(() => synthGlobal({}, { database: props })).toThrow(message);
  });

  it.each([
    ['one region for both roles', { regions: { primary: 'us-east-1', secondary: 'us-east-1' } }, 'MasterCredentials: regions: primary and secondary are both us-east-1'],
    ['a region its provider is not for', { regions: { primary: 'us-east-1', secondary: 'eu-west-1' } }, 'providers.secondary: is for us-east-2, but regions.secondary is eu-west-1'],
    ['a password version below 1', { passwordVersion: 0 }, 'passwordVersion: 0 is not a whole number from 1'],
  ])('MasterCredentials refuses %s', (_case, props, message) => {
    expect(() => synthGlobal({}, { credentials: props })).toThrow(message);
  });

  it.each<[string, DrRole, Partial<RegionalDatabaseProps>, string]>([
    ['a primary region its provider is not for', 'primary', { primaryRegion: 'eu-west-1' }, "RegionalDatabase (primary): primaryRegion: is eu-west-1, but the primary's provider is for us-east-1"],
    ['a secondary that replicates from its own region', 'secondary', { primaryRegion: 'us-east-2' }, "RegionalDatabase (secondary): primaryRegion: us-east-2 is the secondary's own region"],
    ['an engine version of another line', 'primary', { engineVersion: '8.0.mysql_aurora.2.12.1' }, 'engineVersion: 8.0.mysql_aurora.2.12.1 is not an Aurora MySQL 3 version'],
    ['a subnet group in one zone', 'primary', { subnetIds: ['subnet-a'] }, 'subnetIds: 1 given; a DB subnet group needs subnets in at least two availability zones'],
    ['no zone to place instances in', 'secondary', { availabilityZones: [] }, 'availabilityZones: none given'],
    ['no instance', 'primary', { instanceCount: 0 }, 'instanceCount: 0 is not a whole number from 1 to 16'],
    ['more instances than a cluster holds', 'secondary', { instanceCount: 17 }, 'instanceCount: 17 is not a whole number from 1 to 16'],
    ['backups kept longer than Aurora allows', 'primary', { backupRetentionDays: 36 }, 'backupRetentionDays: 36 is not a whole number of days from 1 to 35'],
    ['a fractional password version', 'primary', { passwordVersion: 1.5 }, 'passwordVersion: 1.5 is not a whole number from 1'],
  ])('RegionalDatabase refuses %s', (_case, role, props, message) => {
    expect(() => synthRegional(role, {}, props)).toThrow(message);
  });

  it('names every problem at once', () => {
    expect(() => synthRegional('primary', {}, { instanceCount: 0, backupRetentionDays: 0 })).toThrow(/instanceCount: 0 .*; backupRetentionDays: 0 /);
  });
});
