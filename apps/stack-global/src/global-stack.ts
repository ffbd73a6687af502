import type { Environment } from '@txn-dr/config';
import { DrStack } from '@txn-dr/infra-core';
import { GlobalDatabase, MasterCredentials } from '@txn-dr/infra-database';
import { HostedZone } from '@txn-dr/infra-edge';
import { ReplicatedBuckets } from '@txn-dr/infra-storage';
import type { Construct } from 'constructs';

/**
 * What both regions share and neither owns: the Aurora global cluster, the database master
 * secret (replicated to both regions), the replicated bucket pair and the hosted zone (created, or
 * an existing one named by `dns.existingZoneId`; each regional stack adds its own record to it).
 * Deployed first; the regional stacks read it through its contracted outputs.
 */
export class GlobalStack extends DrStack<'global'> {
  readonly database: GlobalDatabase;
  readonly credentials: MasterCredentials;
  readonly storage: ReplicatedBuckets;
  readonly zone: HostedZone;

  constructor(scope: Construct, env: Environment) {
    super(scope, { env, stack: 'global' });
    const providers = { primary: this.provider('primary'), secondary: this.provider('secondary') };
    const regions = { primary: env.regions.primary.region, secondary: env.regions.secondary.region };
    this.database = new GlobalDatabase(this, 'database', {
      names: this.names,
      provider: providers.primary,
      engineVersion: env.database.engineVersion,
      databaseName: env.database.databaseName,
      deletionProtection: env.database.deletionProtection,
    });
    this.credentials = new MasterCredentials(this, 'credentials', {
      names: this.names,
      providers,
      regions,
      masterUsername: env.database.masterUsername,
      passwordVersion: env.database.passwordVersion,
    });
    this.storage = new ReplicatedBuckets(this, 'storage', {
      names: this.names,
      providers,
      regions,
    });
    this.zone = new HostedZone(this, 'zone', {
      provider: providers.primary,
      zoneName: env.dns.zoneName,
      existingZoneId: env.dns.existingZoneId,
      comment: `Transaction service of ${env.project}-${env.name}, weighted across both regions`,
    });
    this.publishOutputs({
      environment: env.name,
      primaryRegion: env.regions.primary.region,
      secondaryRegion: env.regions.secondary.region,
      globalClusterIdentifier: this.database.identifier,
      globalWriterEndpoint: this.database.writerEndpoint,
      databaseSecretArnPrimary: this.credentials.arns.primary,
      databaseSecretArnSecondary: this.credentials.arns.secondary,
      dataBucketPrimary: this.storage.buckets.primary.name,
      dataBucketSecondary: this.storage.buckets.secondary.name,
      hostedZoneId: this.zone.zoneId,
      zoneName: env.dns.zoneName,
      zoneNameServers: this.zone.nameServers,
    });
  }
}
