/**
 * Where Route 53 lives, whatever region a stack or a tool is about. Route 53 is a global service
 * with one home region: its health-check metrics and its API are both there.
 */

/**
 * Route 53 publishes health-check metrics in us-east-1 only ("Route 53 metrics are not available
 * if you select any other region"): alarms on them are made there, dashboards read them there, and
 * an alarm on them anywhere else never sees a data point.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html
 */
export const ROUTE53_METRICS_REGION = 'us-east-1';

/**
 * The region a Route 53 API client signs for: the endpoint is global (route53.amazonaws.com), and
 * outside the China regions requests are signed for us-east-1. Its control plane is there too,
 * which is why recovery never needs it.
 * https://docs.aws.amazon.com/general/latest/gr/r53.html
 */
export const ROUTE53_API_REGION = 'us-east-1';

/**
 * The health-check metric: 1 while the check is healthy, 0 while it is not, one series per check
 * (dimension HealthCheckId), in ROUTE53_METRICS_REGION.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html
 */
export const ROUTE53_HEALTH_CHECK_METRICS = {
  namespace: 'AWS/Route53',
  healthCheckStatus: 'HealthCheckStatus',
  healthCheckDimension: 'HealthCheckId',
} as const;
