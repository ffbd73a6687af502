import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RdsCluster, type RdsClusterConfig } from '@cdktf/provider-aws/lib/rds-cluster';
import { RdsClusterInstance } from '@cdktf/provider-aws/lib/rds-cluster-instance';
import { RdsClusterParameterGroup } from '@cdktf/provider-aws/lib/rds-cluster-parameter-group';
import type { DrRole, Environment } from '@txn-dr/config';
import { Names } from '@txn-dr/contracts';
import { EphemeralResource, ServiceRole, awsContext, suppress } from '@txn-dr/infra-core';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { ENGINE } from './global-database';

/** Log types exported to CloudWatch Logs (audit needs the server_audit parameters below). */
export const LOG_EXPORTS = ['audit', 'error', 'slowquery'] as const;

/** Aurora MySQL 3 parameter group family. */
const PARAMETER_FAMILY = 'aurora-mysql8.0';

export interface RegionalDatabaseProps {
  readonly env: Environment;
  readonly role: DrRole;
  readonly provider: AwsProvider;
  /** Subnets of the data tier (no route out). */
  readonly subnetIds: string[];
  /** Availability zones, by subnet index: instance n goes to zone n modulo their count. */
  readonly availabilityZones: string[];
  readonly securityGroupId: string;
  /** This region's customer-managed key: storage, Performance Insights and the log groups. */
  readonly kmsKeyArn: string;
  /** The global cluster this region's cluster joins. */
  readonly globalClusterIdentifier: string;
}

/**
 * This region's cluster of the global database and its instances. The primary role creates the
 * writer (database name, master user, password read ephemerally from the master secret); the
 * secondary joins as a reader and sets none of those, as the provider requires of secondaries.
 */
export class RegionalDatabase extends Construct {
  readonly cluster: RdsCluster;
  readonly instances: RdsClusterInstance[];
  readonly identifier: string;

  constructor(scope: Construct, id: string, props: RegionalDatabaseProps) {
    super(scope, id);
    const { env, role, provider } = props;
    const names = new Names(env);
    const db = env.database;
    const { accountId, partition, region } = awsContext(this, provider);
    this.identifier = names.cluster(role);

    const subnetGroup = new DbSubnetGroup(this, 'subnets', {
      provider,
      name: names.regional(role, 'db'),
      description: `Data-tier subnets of ${this.identifier}`,
      subnetIds: props.subnetIds,
    });

    const parameters = new RdsClusterParameterGroup(this, 'parameters', {
      provider,
      name: names.regional(role, 'aurora-mysql8'),
      family: PARAMETER_FAMILY,
      description: `Cluster parameters of ${this.identifier}`,
      parameter: [
        // Credentials and data never cross the network in clear text.
        { name: 'require_secure_transport', value: 'ON' },
        // Without these the audit log export stays empty.
        { name: 'server_audit_logging', value: '1' },
        { name: 'server_audit_events', value: 'CONNECT,QUERY_DCL,QUERY_DDL' },
        { name: 'slow_query_log', value: '1' },
        { name: 'long_query_time', value: '1' },
      ],
    });

    // Created before the cluster so that RDS writes into groups with a retention and our key,
    // instead of creating unencrypted, never-expiring ones itself.
    const logGroups = LOG_EXPORTS.map(
      (type) =>
        new CloudwatchLogGroup(this, `log-${type}`, {
          provider,
          name: `/aws/rds/cluster/${this.identifier}/${type}`,
          retentionInDays: env.logs.retentionDays,
          kmsKeyId: props.kmsKeyArn,
        }),
    );

    const common: RdsClusterConfig = {
      provider,
      clusterIdentifier: this.identifier,
      engine: ENGINE,
      engineVersion: db.engineVersion,
      globalClusterIdentifier: props.globalClusterIdentifier,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [props.securityGroupId],
      dbClusterParameterGroupName: parameters.name,
      storageEncrypted: true,
      kmsKeyId: props.kmsKeyArn,
      backupRetentionPeriod: db.backupRetentionDays,
      preferredBackupWindow: '03:00-04:00',
      preferredMaintenanceWindow: 'sun:04:30-sun:05:30',
      copyTagsToSnapshot: true,
      deletionProtection: db.deletionProtection,
      enabledCloudwatchLogsExports: [...LOG_EXPORTS],
      iamDatabaseAuthenticationEnabled: true,
      dependsOn: logGroups,
      lifecycle: {
        ignoreChanges: [
          // After a switchover or failover AWS moves membership and replication around; a plan must
          // never detach or recreate a cluster because of it.
          // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/rds_global_cluster#new-global-cluster-from-existing-db-cluster
          'global_cluster_identifier',
          // Set by AWS on secondaries of a global cluster; Terraform would otherwise try to clear it.
          // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/rds_cluster#replication_source_identifier
          'replication_source_identifier',
        ],
      },
    };

    this.cluster =
      role === 'primary'
        ? new RdsCluster(this, 'cluster', { ...common, ...this.writerSettings(env, names, provider) })
        : new RdsCluster(this, 'cluster', {
            ...common,
            // The secondary copies everything from the primary: no name, user or password of its own.
            sourceRegion: env.regions.primary.region,
            // A replica cluster cannot take a final snapshot; the writer's backups are the data's.
            skipFinalSnapshot: true,
          });

    const monitoring = new ServiceRole(this, 'monitoring', {
      provider,
      name: names.regional(role, 'rds-monitoring'),
      description: `Enhanced monitoring of ${this.identifier}`,
      service: 'monitoring.rds.amazonaws.com',
      trustConditions: [{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [accountId] }],
      // The statements of the AWS-managed AmazonRDSEnhancedMonitoringRole, scoped to this account and region.
      statements: [
        {
          sid: 'EnhancedMonitoringLogGroup',
          actions: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy'],
          resources: [`arn:${partition}:logs:${region}:${accountId}:log-group:RDS*`],
        },
        {
          sid: 'EnhancedMonitoringLogStreams',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams', 'logs:GetLogEvents'],
          resources: [`arn:${partition}:logs:${region}:${accountId}:log-group:RDS*:log-stream:*`],
        },
      ],
    });

    const zones = props.availabilityZones;
    this.instances = Array.from({ length: env.regions[role].databaseInstances }, (_, index) => {
      const instance = new RdsClusterInstance(this, `instance-${index + 1}`, {
        provider,
        identifier: names.clusterInstance(role, index + 1),
        clusterIdentifier: this.cluster.id,
        instanceClass: db.instanceClass,
        engine: ENGINE,
        engineVersion: db.engineVersion,
        dbSubnetGroupName: subnetGroup.name,
        // Writer and replica in different zones: a zone failure promotes the replica in place.
        availabilityZone: zones[index % zones.length],
        promotionTier: index,
        publiclyAccessible: false,
        // The 3.10 line is long-term support, and a global database needs one version everywhere:
        // upgrades are deliberate, through config, never automatic.
        // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Update.SpecialVersions.html
        autoMinorVersionUpgrade: false,
        caCertIdentifier: 'rds-ca-rsa2048-g1',
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: props.kmsKeyArn,
        performanceInsightsRetentionPeriod: 7,
        monitoringInterval: 60,
        monitoringRoleArn: monitoring.arn,
        copyTagsToSnapshot: true,
      });
      suppress(instance, [
        {
          id: 'rds-auto-minor-version-upgrade',
          reason: 'Global database: engine versions must stay identical across regions (dr-engine-version-match), so minor upgrades are planned in config and applied to both regions together',
        },
      ]);
      return instance;
    });
  }

  /**
   * What only the writer's cluster sets: name, master user, and the password, read ephemerally
   * from the master secret (written by the global stack) into the write-only argument.
   */
  private writerSettings(env: Environment, names: Names, provider: AwsProvider): Partial<RdsClusterConfig> {
    const secret = new EphemeralResource(this, 'aws_secretsmanager_secret_version', 'database_master', provider, {
      secret_id: names.databaseSecret(),
    });
    return {
      databaseName: env.database.databaseName,
      masterUsername: env.database.masterUsername,
      masterPasswordWo: Fn.lookup(Fn.jsondecode(secret.get('secret_string')), 'password'),
      masterPasswordWoVersion: env.database.passwordVersion,
      skipFinalSnapshot: !env.database.deletionProtection,
      finalSnapshotIdentifier: `${this.identifier}-final`,
    };
  }
}
