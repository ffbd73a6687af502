import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RdsCluster, type RdsClusterConfig } from '@cdktf/provider-aws/lib/rds-cluster';
import { RdsClusterInstance } from '@cdktf/provider-aws/lib/rds-cluster-instance';
import { RdsClusterParameterGroup } from '@cdktf/provider-aws/lib/rds-cluster-parameter-group';
import type { DrRole } from '@txn-dr/config';
import type { Names } from '@txn-dr/contracts';
import { EphemeralResource, ServiceRole, awsContext, suppress } from '@txn-dr/infra-core';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { ENGINE, engineVersionProblem } from './global-database';

/** Log types exported to CloudWatch Logs (audit needs the server_audit parameters below). */
export const LOG_EXPORTS = ['audit', 'error', 'slowquery'] as const;

/** Aurora MySQL 3 parameter group family. */
const PARAMETER_FAMILY = 'aurora-mysql8.0';

/**
 * A writer and up to 15 Aurora Replicas in one cluster.
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Overview.html
 */
const MAX_INSTANCES = 16;

/**
 * Aurora keeps continuous backups for 1 to 35 days.
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Managing.Backups.html
 */
const BACKUP_RETENTION_DAYS = { min: 1, max: 35 } as const;

export interface RegionalDatabaseProps {
  /** The environment's deterministic names: the cluster, its instances, groups, monitoring role and the master secret it reads. */
  readonly names: Names;
  /** The region this cluster is for: the primary's is the writer, the secondary's a reader. */
  readonly role: DrRole;
  /** Provider of the role's region. */
  readonly provider: AwsProvider;
  /**
   * AWS region code of the primary region: a secondary's cluster replicates from there (its
   * `source_region`), and the primary's provider must be for it.
   */
  readonly primaryRegion: string;
  /** Subnets of the data tier (no route out), in at least two availability zones. */
  readonly subnetIds: string[];
  /** Availability zones, by subnet index: instance n goes to zone n modulo their count. */
  readonly availabilityZones: string[];
  /** The database's security group. */
  readonly securityGroupId: string;
  /** This region's customer-managed key: storage, Performance Insights and the log groups. */
  readonly kmsKeyArn: string;
  /** The global cluster this region's cluster joins. */
  readonly globalClusterIdentifier: string;
  /** Engine version (config `database.engineVersion`): the global cluster's, the same in every region. */
  readonly engineVersion: string;
  /** Class of every instance (config `database.instanceClass`). */
  readonly instanceClass: string;
  /** Instances in this region's cluster, the first the writer in the primary (config `regions.<role>.databaseInstances`). */
  readonly instanceCount: number;
  /** Days the cluster keeps its continuous backups, 1 to 35 (config `database.backupRetentionDays`). @default 7 */
  readonly backupRetentionDays?: number;
  /**
   * Whether the cluster refuses deletion (config `database.deletionProtection`); without it the
   * writer is deleted without a final snapshot. @default true
   */
  readonly deletionProtection?: boolean;
  /** Days the exported log groups keep their events: one of CloudWatch Logs' retention periods (config `logs.retentionDays`). */
  readonly logRetentionDays: number;
  /** The writer's schema (config `database.databaseName`); a secondary copies the writer's and sets none. */
  readonly databaseName: string;
  /** The writer's master user (config `database.masterUsername`), as MasterCredentials writes it; a secondary sets none. */
  readonly masterUsername: string;
  /** Version of the master password (config `database.passwordVersion`), as MasterCredentials writes it; a secondary sets none. @default 1 */
  readonly passwordVersion?: number;
}

interface Resolved {
  readonly backupRetentionDays: number;
  readonly deletionProtection: boolean;
  readonly passwordVersion: number;
}

/** Defaults filled in one place, then every contradiction named; throws at synth. */
function resolveProps(props: RegionalDatabaseProps): Resolved {
  const { role, primaryRegion } = props;
  const resolved: Resolved = {
    backupRetentionDays: props.backupRetentionDays ?? 7,
    deletionProtection: props.deletionProtection ?? true,
    passwordVersion: props.passwordVersion ?? 1,
  };
  const providerRegion = literal(props.provider.region);
  const rules: [boolean, string][] = [
    [role === 'primary' && providerRegion !== undefined && providerRegion !== primaryRegion, `primaryRegion: is ${primaryRegion}, but the primary's provider is for ${providerRegion}`],
    [
      role === 'secondary' && providerRegion === primaryRegion,
      `primaryRegion: ${primaryRegion} is the secondary's own region; a secondary cluster replicates from another region`,
    ],
    [
      // A DB subnet group must cover at least two availability zones.
      // https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBSubnetGroup.html
      props.subnetIds.length < 2,
      `subnetIds: ${props.subnetIds.length} given; a DB subnet group needs subnets in at least two availability zones`,
    ],
    [props.availabilityZones.length === 0, 'availabilityZones: none given; every instance is placed in one'],
    [
      !(Number.isInteger(props.instanceCount) && props.instanceCount >= 1 && props.instanceCount <= MAX_INSTANCES),
      `instanceCount: ${props.instanceCount} is not a whole number from 1 to ${MAX_INSTANCES} (a writer and up to 15 replicas)`,
    ],
    [
      !(Number.isInteger(resolved.backupRetentionDays) && resolved.backupRetentionDays >= BACKUP_RETENTION_DAYS.min && resolved.backupRetentionDays <= BACKUP_RETENTION_DAYS.max),
      `backupRetentionDays: ${resolved.backupRetentionDays} is not a whole number of days from ${BACKUP_RETENTION_DAYS.min} to ${BACKUP_RETENTION_DAYS.max}`,
    ],
    [!(Number.isInteger(resolved.passwordVersion) && resolved.passwordVersion >= 1), `passwordVersion: ${resolved.passwordVersion} is not a whole number from 1`],
  ];
  const problems = [engineVersionProblem('engineVersion', props.engineVersion), ...rules.filter(([broken]) => broken).map(([, message]) => message)].filter(
    (problem) => problem !== undefined,
  );
  if (problems.length > 0) throw new Error(`RegionalDatabase (${role}): ${problems.join('; ')}`);
  return resolved;
}

/** A provider's region when it is a literal, undefined when it is unknown until apply. */
function literal(region: string | undefined): string | undefined {
  return region !== undefined && !Token.isUnresolved(region) ? region : undefined;
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
    const resolved = resolveProps(props);
    const { names, role, provider } = props;
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
          retentionInDays: props.logRetentionDays,
          kmsKeyId: props.kmsKeyArn,
        }),
    );

    const common: RdsClusterConfig = {
      provider,
      clusterIdentifier: this.identifier,
      engine: ENGINE,
      engineVersion: props.engineVersion,
      globalClusterIdentifier: props.globalClusterIdentifier,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [props.securityGroupId],
      dbClusterParameterGroupName: parameters.name,
      storageEncrypted: true,
      kmsKeyId: props.kmsKeyArn,
      backupRetentionPeriod: resolved.backupRetentionDays,
      preferredBackupWindow: '03:00-04:00',
      preferredMaintenanceWindow: 'sun:04:30-sun:05:30',
      copyTagsToSnapshot: true,
      deletionProtection: resolved.deletionProtection,
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
        ? new RdsCluster(this, 'cluster', { ...common, ...this.writerSettings(props, resolved) })
        : new RdsCluster(this, 'cluster', {
            ...common,
            // The secondary copies everything from the primary: no name, user or password of its own.
            sourceRegion: props.primaryRegion,
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
    this.instances = Array.from({ length: props.instanceCount }, (_, index) => {
      const instance = new RdsClusterInstance(this, `instance-${index + 1}`, {
        provider,
        identifier: names.clusterInstance(role, index + 1),
        clusterIdentifier: this.cluster.id,
        instanceClass: props.instanceClass,
        engine: ENGINE,
        engineVersion: props.engineVersion,
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
  private writerSettings(props: RegionalDatabaseProps, resolved: Resolved): Partial<RdsClusterConfig> {
    const secret = new EphemeralResource(this, 'aws_secretsmanager_secret_version', 'database_master', props.provider, {
      secret_id: props.names.databaseSecret(),
    });
    return {
      databaseName: props.databaseName,
      masterUsername: props.masterUsername,
      masterPasswordWo: Fn.lookup(Fn.jsondecode(secret.get('secret_string')), 'password'),
      masterPasswordWoVersion: resolved.passwordVersion,
      skipFinalSnapshot: !resolved.deletionProtection,
      finalSnapshotIdentifier: `${this.identifier}-final`,
    };
  }
}
