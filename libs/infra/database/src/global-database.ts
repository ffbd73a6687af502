import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RdsGlobalCluster } from '@cdktf/provider-aws/lib/rds-global-cluster';
import type { Names } from '@txn-dr/contracts';
import { Construct } from 'constructs';

export const ENGINE = 'aurora-mysql';

/**
 * What every engine version of the global database starts with: Aurora MySQL 3, the MySQL 8.0
 * line, whose clusters take the `aurora-mysql8.0` parameter family RegionalDatabase uses.
 */
export const ENGINE_VERSION_PREFIX = '8.0.mysql_aurora.3.';

/** The problem with an engine version for this database, named by `field`; undefined when there is none. */
export function engineVersionProblem(field: string, version: string): string | undefined {
  return version.startsWith(ENGINE_VERSION_PREFIX) ? undefined : `${field}: ${version} is not an Aurora MySQL 3 version (${ENGINE_VERSION_PREFIX}<minor>.<patch>)`;
}

export interface GlobalDatabaseProps {
  /** The environment's deterministic names: the global cluster's identifier. */
  readonly names: Names;
  /** Provider of the primary region: the global cluster's home. */
  readonly provider: AwsProvider;
  /**
   * Engine version of the whole global database (config `database.engineVersion`): managed
   * switchover and failover need the same version in every region, so each RegionalDatabase
   * must be given the same one.
   */
  readonly engineVersion: string;
  /** The schema created with the global cluster (config `database.databaseName`). */
  readonly databaseName: string;
  /** Whether the global cluster refuses deletion (config `database.deletionProtection`). @default true */
  readonly deletionProtection?: boolean;
}

/** Every contradiction in the props, named; throws at synth. */
function validate(props: GlobalDatabaseProps): void {
  const problems = [engineVersionProblem('engineVersion', props.engineVersion)].filter((problem) => problem !== undefined);
  if (problems.length > 0) throw new Error(`GlobalDatabase: ${problems.join('; ')}`);
}

/**
 * The Aurora global cluster, created empty: the primary stack's cluster joins it as the writer,
 * the secondary stack's as a reader. One engine version for the whole global database, since
 * managed switchover and failover need the same version in every region.
 */
export class GlobalDatabase extends Construct {
  readonly cluster: RdsGlobalCluster;
  readonly identifier: string;
  /** Writer endpoint that follows the writer across regions. */
  readonly writerEndpoint: string;

  constructor(scope: Construct, id: string, props: GlobalDatabaseProps) {
    super(scope, id);
    validate(props);
    this.cluster = new RdsGlobalCluster(this, 'cluster', {
      provider: props.provider,
      globalClusterIdentifier: props.names.globalCluster(),
      engine: ENGINE,
      engineVersion: props.engineVersion,
      databaseName: props.databaseName,
      storageEncrypted: true,
      deletionProtection: props.deletionProtection ?? true,
    });
    this.identifier = this.cluster.globalClusterIdentifier;
    this.writerEndpoint = this.cluster.endpoint;
  }
}
