import type { DrRole, Environment } from '@txn-dr/config';
import { ServiceArtifact, ServiceFleet, ServiceLoadBalancer } from '@txn-dr/infra-compute';
import { CustomerManagedKey, DrStack, awsContext, logsServiceGrant } from '@txn-dr/infra-core';
import { EndpointParameters, RegionalDatabase } from '@txn-dr/infra-database';
import { RegionalRecord } from '@txn-dr/infra-edge';
import { RegionNetwork } from '@txn-dr/infra-network';
import { DrDashboard, RegionalObservability, WritableRegionAlarms } from '@txn-dr/infra-observability';
import { Token } from 'cdktf';
import type { Construct } from 'constructs';

/**
 * A region of the warm-standby pair. The primary and the secondary are this same composition with
 * a different role: everything that differs between them is read from the role's slice of config.
 * It reads the global stack's outputs (zone, global cluster, secret) and, in the secondary, the
 * primary's (for the dashboard and the writable-region alarms of both regions).
 */
export class RegionalStack extends DrStack<DrRole> {
  readonly network: RegionNetwork;
  readonly database: RegionalDatabase;
  readonly loadBalancer: ServiceLoadBalancer;
  readonly fleet: ServiceFleet;
  readonly record: RegionalRecord;
  readonly observability: RegionalObservability;
  /** The alarms over both regions' writable checks: in the secondary stack only. */
  readonly writableRegionAlarms?: WritableRegionAlarms;

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

    this.network = new RegionNetwork(this, 'network', { env, role, provider, logKeyArn: dataKey.arn });
    const groups = this.network.securityGroups;

    this.database = new RegionalDatabase(this, 'database', {
      env,
      role,
      provider,
      subnetIds: this.network.subnetIds.data,
      availabilityZones: this.network.availabilityZones,
      securityGroupId: groups.database.id,
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

    const artifact = new ServiceArtifact(this, 'artifact', { env, role, provider, kmsKeyArn: dataKey.arn });
    this.loadBalancer = new ServiceLoadBalancer(this, 'load-balancer', {
      env,
      role,
      provider,
      vpcId: this.network.vpc.id,
      subnetIds: this.network.subnetIds.public,
      securityGroupId: groups.loadBalancer.id,
    });
    this.fleet = new ServiceFleet(this, 'service', {
      env,
      role,
      provider,
      subnetIds: this.network.subnetIds.private,
      securityGroupId: groups.service.id,
      targetGroupArn: this.loadBalancer.targetGroup.arn,
      kmsKeyArn: dataKey.arn,
      artifact,
    });

    // The record's health check asks the writable endpoint, the target group the serving one
    // (HEALTH_PATHS): traffic follows the database writer while a standby keeps its instances.
    const alb = this.loadBalancer.loadBalancer;
    this.record = new RegionalRecord(this, 'dns', {
      env,
      role,
      provider,
      zoneId: global.hostedZoneId,
      target: { dnsName: alb.dnsName, zoneId: alb.zoneId, ...this.loadBalancer.endpoint },
    });

    this.observability = new RegionalObservability(this, 'observability', {
      env,
      role,
      provider,
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
        env,
        provider: route53Metrics,
        healthCheckIds: { primary: primary.healthCheckId, secondary: this.record.healthCheck.id },
      });

      new DrDashboard(this, 'dashboard', {
        env,
        provider,
        regions: {
          primary: {
            clusterIdentifier: primary.clusterIdentifier,
            loadBalancerArnSuffix: primary.loadBalancerArnSuffix,
            targetGroupArnSuffix: primary.targetGroupArnSuffix,
            healthFunctionName: primary.healthFunctionName,
            route53HealthCheckId: primary.healthCheckId,
          },
          secondary: {
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
