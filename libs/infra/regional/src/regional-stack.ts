import type { DrRole, Environment } from '@txn-dr/config';
import { CustomerManagedKey, DrStack, awsContext, logsServiceGrant } from '@txn-dr/infra-core';
import { EndpointParameters, RegionalDatabase } from '@txn-dr/infra-database';
import { RegionNetwork } from '@txn-dr/infra-network';
import { Token } from 'cdktf';
import type { Construct } from 'constructs';

/**
 * A region of the warm-standby pair. The primary and the secondary are this same composition with
 * a different role: everything that differs between them is read from the role's slice of config.
 */
export class RegionalStack extends DrStack<DrRole> {
  readonly network: RegionNetwork;
  readonly database: RegionalDatabase;

  constructor(scope: Construct, env: Environment, readonly role: DrRole) {
    super(scope, { env, stack: role });
    const region = env.regions[role];
    const provider = this.provider(role);
    const global = this.readOutputs('global');

    // One key for this region's data at rest: database storage, Performance Insights, log groups.
    const dataKey = new CustomerManagedKey(this, 'data-key', {
      provider,
      alias: this.names.regional(role, 'data'),
      description: `Data at rest of ${this.names.prefix} in ${region.region}`,
      serviceGrants: [logsServiceGrant(awsContext(this, provider))],
    });

    this.network = new RegionNetwork(this, 'network', { env, role, provider, logKeyArn: dataKey.arn });

    this.database = new RegionalDatabase(this, 'database', {
      env,
      role,
      provider,
      subnetIds: this.network.subnetIds.data,
      availabilityZones: this.network.availabilityZones,
      securityGroupId: this.network.securityGroups.database.id,
      kmsKeyArn: dataKey.arn,
      globalClusterIdentifier: global.globalClusterIdentifier,
    });

    new EndpointParameters(this, 'parameters', {
      env,
      role,
      provider,
      values: {
        writerEndpoint: this.database.cluster.endpoint,
        readerEndpoint: this.database.cluster.readerEndpoint,
        port: Token.asString(this.database.cluster.port),
        databaseName: env.database.databaseName,
        secretArn: role === 'primary' ? global.databaseSecretArnPrimary : global.databaseSecretArnSecondary,
        globalWriterEndpoint: global.globalWriterEndpoint,
      },
    });

    this.publishOutputs({
      region: region.region,
      role,
      vpcId: this.network.vpc.id,
      clusterIdentifier: this.database.cluster.clusterIdentifier,
      clusterArn: this.database.cluster.arn,
      writerEndpoint: this.database.cluster.endpoint,
      readerEndpoint: this.database.cluster.readerEndpoint,
    });
  }
}
