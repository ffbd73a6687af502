import type { DrRole, Environment } from '@txn-dr/config';

/** The fields of an environment that names are made from. */
export type NamingInput = Pick<Environment, 'project' | 'name' | 'dns'>;

const SHORT_ROLE: Record<DrRole, string> = { primary: 'pri', secondary: 'sec' };

/**
 * Every deterministic resource name, in one place. Stacks create resources under these names and
 * the operator CLI finds them by the same names, so neither hard-codes the other's.
 * Lengths are within AWS limits for the longest project (8) and suffix (12): see names.spec.ts.
 */
export class Names {
  /** `<project>-<env>`, the start of every name. */
  readonly prefix: string;

  constructor(private readonly env: NamingInput) {
    this.prefix = `${env.project}-${env.name}`;
  }

  /** `<project>-<env>-<role>-<what>`: the general shape (limit 64 for most resources). */
  regional(role: DrRole, what: string): string {
    return `${this.prefix}-${role}-${what}`;
  }

  /** Aurora global cluster identifier. */
  globalCluster(): string {
    return `${this.prefix}-global`;
  }

  /** Aurora regional cluster identifier. */
  cluster(role: DrRole): string {
    return this.regional(role, 'aurora');
  }

  /** Aurora instance identifier, numbered from 1. */
  clusterInstance(role: DrRole, index: number): string {
    return this.regional(role, `aurora-${index}`);
  }

  /** ALB name (limit 32, hence the short role). */
  loadBalancer(role: DrRole): string {
    return `${this.prefix}-${SHORT_ROLE[role]}-alb`;
  }

  /** Target group name (limit 32). */
  targetGroup(role: DrRole): string {
    return `${this.prefix}-${SHORT_ROLE[role]}-tg`;
  }

  autoScalingGroup(role: DrRole): string {
    return this.regional(role, 'asg');
  }

  launchTemplate(role: DrRole): string {
    return this.regional(role, 'service');
  }

  healthFunction(role: DrRole): string {
    return this.regional(role, 'health-check');
  }

  alertTopic(role: DrRole): string {
    return this.regional(role, 'alerts');
  }

  /** Secrets Manager name of the database master secret (one secret, replicated to both regions). */
  databaseSecret(): string {
    return `${this.prefix}/db/master`;
  }

  /** Cross-region dashboard. */
  dashboard(): string {
    return `${this.prefix}-dr`;
  }

  /** Public name of the service: the weighted records of both regions. */
  serviceFqdn(): string {
    return `${this.env.dns.recordName}.${this.env.dns.zoneName}`;
  }

  /**
   * A region's own name, `<role>.<recordName>.<zoneName>`: a simple alias to that region's load
   * balancer, on the region's certificate beside the service name. The region's Route 53 health
   * check asks this name, never the weighted service name: resolving that one could reach the other
   * region, and a check on the name of the records it guards gives unpredictable results.
   * https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
   */
  regionalServiceFqdn(role: DrRole): string {
    return `${role}.${this.serviceFqdn()}`;
  }

  /** Set identifier of a region's weighted record. */
  recordSetIdentifier(role: DrRole): string {
    return role;
  }
}
