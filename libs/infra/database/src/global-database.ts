import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { RdsGlobalCluster } from '@cdktf/provider-aws/lib/rds-global-cluster';
import type { Environment } from '@txn-dr/config';
import { Names } from '@txn-dr/contracts';
import { Construct } from 'constructs';

export const ENGINE = 'aurora-mysql';

export interface GlobalDatabaseProps {
  readonly env: Environment;
  /** Provider of the primary region: the global cluster's home. */
  readonly provider: AwsProvider;
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
    const { env } = props;
    this.cluster = new RdsGlobalCluster(this, 'cluster', {
      provider: props.provider,
      globalClusterIdentifier: new Names(env).globalCluster(),
      engine: ENGINE,
      engineVersion: env.database.engineVersion,
      databaseName: env.database.databaseName,
      storageEncrypted: true,
      deletionProtection: env.database.deletionProtection,
    });
    this.identifier = this.cluster.globalClusterIdentifier;
    this.writerEndpoint = this.cluster.endpoint;
  }
}
