import { type DrRole, type Environment, capacityFor, otherRole } from '@txn-dr/config';
import { OUTPUT_LIST_SEPARATOR } from '@txn-dr/contracts';
import { RegionalBackup } from '@txn-dr/infra-backup';
import { ServiceArtifact, ServiceFleet, ServiceLoadBalancer } from '@txn-dr/infra-compute';
import { CustomerManagedKey, DrStack, awsContext, logsServiceGrant } from '@txn-dr/infra-core';
import { EndpointParameters, RegionalDatabase, SchemaMigration, type SchemaMigrationProps, SecretRotation, type SecretRotationProps } from '@txn-dr/infra-database';
import { RegionalRecord, ServiceCertificate } from '@txn-dr/infra-edge';
import { RegionNetwork, RegionPeering, subnetLayout } from '@txn-dr/infra-network';
import { DrDashboard, RegionalObservability, WritableRegionAlarms } from '@txn-dr/infra-observability';
import { Fn, Token } from 'cdktf';
import type { Construct } from 'constructs';

/**
 * A region of the warm-standby pair. The primary and the secondary are this same composition with
 * a different role: everything that differs between them is read from the role's slice of config.
 * It reads the global stack's outputs (zone, global cluster, secret) and, in the secondary, the
 * primary's (for the dashboard, the writable-region alarms of both regions and the peering of
 * the two VPCs).
 */
export class RegionalStack extends DrStack<DrRole> {
  readonly network: RegionNetwork;
  readonly database: RegionalDatabase;
  /** The rotation of the database master secret: in the primary stack only, the secret's own region. */
  readonly secretRotation?: SecretRotation;
  /** The schema and the service's database user, brought up to date on every apply with a new migrate bundle: in the primary stack only. */
  readonly schemaMigration?: SchemaMigration;
  readonly backup: RegionalBackup;
  readonly loadBalancer: ServiceLoadBalancer;
  /** The certificate this region requested from ACM: absent when config brings one, or turns HTTPS off. */
  readonly certificate?: ServiceCertificate;
  readonly fleet: ServiceFleet;
  readonly record: RegionalRecord;
  readonly observability: RegionalObservability;
  /** The alarms over both regions' writable checks: in the secondary stack only. */
  readonly writableRegionAlarms?: WritableRegionAlarms;
  /** The path between the two VPCs, both sides of it: in the secondary stack only. */
  readonly peering?: RegionPeering;

  constructor(scope: Construct, env: Environment, readonly role: DrRole) {
    super(scope, { env, stack: role });
    const region = env.regions[role];
    const provider = this.provider(role);
    const global = this.readOutputs('global');

    // One key for this region's data at rest: database storage, Performance Insights, log groups, artifacts.
    const dataKey = new CustomerManagedKey(this, 'data-key', {
      provider,
      alias: this.names.regional(role, 'data'),
      description: `Data at rest of ${this.names.prefix} in ${region.region}`,
      serviceGrants: [logsServiceGrant(awsContext(this, provider))],
    });

    this.network = new RegionNetwork(this, 'network', {
      names: this.names,
      role,
      provider,
      region: region.region,
      vpcCidr: region.vpcCidr,
      availabilityZones: region.availabilityZones,
      natGateways: region.natGateways,
      appPort: env.compute.appPort,
      https: env.loadBalancer.https,
      logRetentionDays: env.logs.retentionDays,
      logKeyArn: dataKey.arn,
    });
    const groups = this.network.securityGroups;

    this.database = new RegionalDatabase(this, 'database', {
      names: this.names,
      role,
      provider,
      primaryRegion: env.regions.primary.region,
      subnetIds: this.network.subnetIds.data,
      availabilityZones: this.network.availabilityZones,
      securityGroupId: groups.database.id,
      kmsKeyArn: dataKey.arn,
      globalClusterIdentifier: global.globalClusterIdentifier,
      engineVersion: env.database.engineVersion,
      instanceClass: env.database.instanceClass,
      instanceCount: region.databaseInstances,
      backupRetentionDays: env.database.backupRetentionDays,
      deletionProtection: env.database.deletionProtection,
      logRetentionDays: env.logs.retentionDays,
      databaseName: env.database.databaseName,
      masterUsername: env.database.masterUsername,
      passwordVersion: env.database.passwordVersion,
    });

    // The data bucket is the global stack's; its name is in the global contract, its ARN the form S3 gives every bucket.
    const { partition } = awsContext(this, provider);
    const dataBucket = role === 'primary' ? global.dataBucketPrimary : global.dataBucketSecondary;
    const copyTo = otherRole(role);
    this.backup = new RegionalBackup(this, 'backup', {
      provider,
      role,
      names: this.names,
      copyTo: { role: copyTo, region: env.regions[copyTo].region },
      clusterArn: this.database.cluster.arn,
      dataBucketArn: `arn:${partition}:s3:::${dataBucket}`,
      retentionDays: env.backup.retentionDays,
      ...(env.backup.vaultLock ? { vaultLock: env.backup.vaultLock } : {}),
    });

    new EndpointParameters(this, 'parameters', {
      environmentName: env.name,
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

    if (role === 'primary') {
      // The master secret rotates where it lives: the global stack makes it in the primary's region,
      // and a replica cannot be rotated (its value follows the primary's). The function logs in
      // through the global writer endpoint, which names the secondary's cluster after a switchover:
      // it may then reach the secondary's data subnets across the peering, whose other side admits
      // this region's private subnets.
      const standby = env.regions[otherRole(role)];
      // Where both database functions run and log, and how they reach the writer: the same for both.
      const admin: SecretRotationProps & Omit<SchemaMigrationProps, 'databaseName'> = {
        names: this.names,
        role,
        provider,
        secretArn: global.databaseSecretArnPrimary,
        databaseHost: global.globalWriterEndpoint,
        vpcId: this.network.vpc.id,
        subnetIds: this.network.subnetIds.private,
        databaseSecurityGroupId: groups.database.id,
        endpointsSecurityGroupId: groups.endpoints.id,
        otherRegionDatabaseCidrs: subnetLayout(standby.vpcCidr, standby.availabilityZones).data,
        logKeyArn: dataKey.arn,
        logRetentionDays: env.logs.retentionDays,
        databaseReady: [this.database.cluster, ...this.database.instances],
      };
      this.secretRotation = new SecretRotation(this, 'secret-rotation', admin);

      // The schema and the service's own user, made by the master user once the writer exists and
      // again for every new migrate bundle, before any instance starts (the fleet waits for it).
      // Only here: a standby's cluster is read-only, and both reach it by replication. Like the
      // rotation it logs in through the global writer endpoint, so an apply after a switchover
      // migrates the writer in the other region.
      this.schemaMigration = new SchemaMigration(this, 'schema-migration', { ...admin, databaseName: env.database.databaseName });
    }

    const artifact = new ServiceArtifact(this, 'artifact', { names: this.names, environmentName: env.name, role, provider, kmsKeyArn: dataKey.arn });

    // HTTPS unless config turns it off, with the certificate config brings for this region or, by
    // default, one this region requests through its own provider: ACM certificates are regional.
    // It names the service and the region's own name, which the region's health check asks.
    // https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html
    const given = env.loadBalancer.certificates[role];
    if (env.loadBalancer.https && given === undefined) {
      this.certificate = new ServiceCertificate(this, 'certificate', {
        provider,
        zoneId: global.hostedZoneId,
        domainName: this.names.serviceFqdn(),
        alternativeNames: [this.names.regionalServiceFqdn(role)],
        name: this.names.regional(role, 'service'),
      });
    }
    this.loadBalancer = new ServiceLoadBalancer(this, 'load-balancer', {
      names: this.names,
      role,
      provider,
      vpcId: this.network.vpc.id,
      subnetIds: this.network.subnetIds.public,
      securityGroupId: groups.loadBalancer.id,
      certificateArn: env.loadBalancer.https ? (given ?? this.certificate?.certificateArn) : undefined,
      appPort: env.compute.appPort,
      targetHealth: env.compute.targetHealth,
      logRetentionDays: env.logs.retentionDays,
      deletionProtection: env.loadBalancer.deletionProtection,
    });
    this.fleet = new ServiceFleet(this, 'service', {
      names: this.names,
      project: env.project,
      environmentName: env.name,
      role,
      provider,
      region: region.region,
      databaseRegions: [env.regions.primary.region, env.regions.secondary.region],
      subnetIds: this.network.subnetIds.private,
      securityGroupId: groups.service.id,
      targetGroupArn: this.loadBalancer.targetGroup.arn,
      kmsKeyArn: dataKey.arn,
      artifact,
      bootAfter: this.schemaMigration ? [this.schemaMigration.invocation] : [],
      appPort: env.compute.appPort,
      instanceType: env.compute.instanceType,
      nodeMajorVersion: env.compute.nodeMajorVersion,
      capacity: capacityFor(env, role),
      targetCpuPercent: env.compute.targetCpuPercent,
      logRetentionDays: env.logs.retentionDays,
    });

    // The record's health check asks the writable endpoint, the target group the serving one
    // (HEALTH_PATHS): traffic follows the database writer while a standby keeps its instances.
    const alb = this.loadBalancer.loadBalancer;
    this.record = new RegionalRecord(this, 'dns', {
      names: this.names,
      role,
      provider,
      zoneId: global.hostedZoneId,
      active: env.activeRegion === region.region,
      healthCheck: env.healthCheck,
      target: { dnsName: alb.dnsName, zoneId: alb.zoneId, ...this.loadBalancer.endpoint },
    });

    this.observability = new RegionalObservability(this, 'observability', {
      names: this.names,
      environmentName: env.name,
      role,
      provider,
      region: region.region,
      rpoSeconds: env.objectives.rpoSeconds,
      logRetentionDays: env.logs.retentionDays,
      alertSubscriptions: env.alerts.subscriptions,
      clusterIdentifier: this.database.identifier,
      loadBalancerArnSuffix: alb.arnSuffix,
      targetGroupArnSuffix: this.loadBalancer.targetGroup.arnSuffix,
    });

    // A us-east-1 provider in both regional stacks. The secondary makes its writable-region alarms
    // through it. The primary no longer uses it, but its former per-region Route 53 alarm was made
    // through it, and Terraform can destroy an object only while the provider configuration that
    // made it is still declared ("Provider configuration not present"): drop it from the primary
    // once every environment has applied the removal.
    const route53Metrics = this.route53MetricsProvider();

    if (role === 'secondary') {
      // The dashboard of both regions lives in the standby: the region an operator turns to when
      // the primary is in trouble. The primary's values come from its contracted outputs.
      const primary = this.readOutputs('primary');

      // The alarms over both writable checks need both checks' IDs, which Route 53 makes at
      // creation: the global stack deploys before either exists, and the primary deploys before
      // the secondary and may not read it (the graph would have a cycle). So the secondary owns
      // them, reading the primary's `healthCheckId` output, as it does for the dashboard. Route 53
      // publishes health-check metrics in us-east-1 only, so they live there, through the
      // us-east-1 provider: with the topic and key they notify, the secondary's only resources
      // outside its region.
      // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html
      this.writableRegionAlarms = new WritableRegionAlarms(this, 'writable-regions', {
        names: this.names,
        provider: route53Metrics,
        regions: { primary: env.regions.primary.region, secondary: env.regions.secondary.region },
        healthCheckIds: { primary: primary.healthCheckId, secondary: this.record.healthCheck.id },
        healthCheck: env.healthCheck,
        alertSubscriptions: env.alerts.subscriptions,
      });

      // Both sides of the peering live here for the same reason: the primary deploys first and
      // cannot know the secondary's VPC, while the secondary reads the primary's VPC, route tables
      // and groups from its contract. The primary's half (the acceptance, its routes and rules) is
      // made in the primary's region through that region's provider; an inter-region request must
      // be accepted from the accepter's region.
      // https://docs.aws.amazon.com/vpc/latest/peering/create-vpc-peering-connection.html
      // The subnet blocks come from config, the layout both stacks compute, so that every block
      // that may cross is literal in the plan; the ids exist only once the primary is deployed.
      // The service sends its data to the global writer endpoint, which resolves to whichever
      // region's cluster is the writer, so without this path the standby's data connection fails
      // and, after a switchover, the old region's writes time out.
      // https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html#global-writer-endpoint-considerations
      const primaryRegion = env.regions.primary;
      const primaryLayout = subnetLayout(primaryRegion.vpcCidr, primaryRegion.availabilityZones);
      this.peering = new RegionPeering(this, 'peering', {
        name: this.names.regional(role, 'to-primary'),
        requester: {
          provider,
          region: region.region,
          vpcId: this.network.vpc.id,
          vpcCidr: region.vpcCidr,
          privateRouteTableIds: this.network.privateRouteTableIds,
          dataRouteTableIds: [this.network.dataRouteTableId],
          privateSubnetCidrs: this.network.subnetCidrs.private,
          dataSubnetCidrs: this.network.subnetCidrs.data,
          databaseSecurityGroupId: groups.database.id,
          serviceSecurityGroupId: groups.service.id,
        },
        accepter: {
          // The primary region's own provider, not the Route 53 metrics one: that is us-east-1
          // whatever the config says, while the acceptance belongs wherever the primary is.
          provider: this.provider('primary'),
          region: primaryRegion.region,
          vpcId: primary.vpcId,
          vpcCidr: primaryRegion.vpcCidr,
          // One private route table per availability zone, so config says how many the list holds.
          privateRouteTableIds: listItems(primary.privateRouteTableIds, primaryLayout.private.length),
          dataRouteTableIds: [primary.dataRouteTableId],
          privateSubnetCidrs: primaryLayout.private,
          dataSubnetCidrs: primaryLayout.data,
          databaseSecurityGroupId: primary.databaseSecurityGroupId,
          serviceSecurityGroupId: primary.serviceSecurityGroupId,
        },
      });

      new DrDashboard(this, 'dashboard', {
        names: this.names,
        provider,
        activeRegion: env.activeRegion,
        rpoSeconds: env.objectives.rpoSeconds,
        rtoSeconds: env.objectives.rtoSeconds,
        regions: {
          primary: {
            region: env.regions.primary.region,
            clusterIdentifier: primary.clusterIdentifier,
            loadBalancerArnSuffix: primary.loadBalancerArnSuffix,
            targetGroupArnSuffix: primary.targetGroupArnSuffix,
            healthFunctionName: primary.healthFunctionName,
            route53HealthCheckId: primary.healthCheckId,
          },
          secondary: {
            region: env.regions.secondary.region,
            clusterIdentifier: this.database.identifier,
            loadBalancerArnSuffix: alb.arnSuffix,
            targetGroupArnSuffix: this.loadBalancer.targetGroup.arnSuffix,
            healthFunctionName: this.observability.functionName,
            route53HealthCheckId: this.record.healthCheck.id,
          },
        },
      });
    }

    this.publishOutputs({
      region: region.region,
      role,
      vpcId: this.network.vpc.id,
      privateRouteTableIds: Fn.join(OUTPUT_LIST_SEPARATOR, this.network.privateRouteTableIds),
      dataRouteTableId: this.network.dataRouteTableId,
      databaseSecurityGroupId: groups.database.id,
      serviceSecurityGroupId: groups.service.id,
      clusterIdentifier: this.database.cluster.clusterIdentifier,
      clusterArn: this.database.cluster.arn,
      writerEndpoint: this.database.cluster.endpoint,
      readerEndpoint: this.database.cluster.readerEndpoint,
      loadBalancerDnsName: alb.dnsName,
      loadBalancerArnSuffix: alb.arnSuffix,
      targetGroupArnSuffix: this.loadBalancer.targetGroup.arnSuffix,
      autoScalingGroupName: this.fleet.group.name,
      healthCheckId: this.record.healthCheck.id,
      alertTopicArn: this.observability.topicArn,
      healthFunctionName: this.observability.functionName,
      artifactKey: artifact.key,
    });
  }
}

/** The items of a list output of another stack (OUTPUT_LIST_SEPARATOR), as references Terraform resolves. */
function listItems(output: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => Fn.element(Fn.split(OUTPUT_LIST_SEPARATOR, output), index));
}
