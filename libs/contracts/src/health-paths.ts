/**
 * The transaction service's two health endpoints. They answer two questions for two askers, and
 * mixing them up breaks the disaster recovery: the service routes, the target groups and the
 * Route 53 health checks all take their paths from here.
 */
export const HEALTH_PATHS = {
  /**
   * Can this instance serve at all? 200 while the database answers within the probe's limit and
   * the schema is current, whether the database is the writer or a read-only replica. The load
   * balancer's target health check asks it, so a standby's instances stay in service (and are not
   * replaced by their Auto Scaling group) for being a standby.
   */
  target: '/health',
  /**
   * May this region take writes? 200 only when, in addition, the database is not read-only (the
   * global database's writer). Each region's Route 53 health check asks it through the region's
   * load balancer, so DNS answers follow the writer after a switchover or failover, with no
   * record change: Route 53's data plane moves the traffic, not its control plane.
   */
  writable: '/health/writable',
} as const;
export type HealthPathKey = keyof typeof HEALTH_PATHS;
export type HealthPath = (typeof HEALTH_PATHS)[HealthPathKey];
