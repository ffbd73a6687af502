import { ROUTE53_API_REGION, ROUTE53_HEALTH_CHECK_METRICS, ROUTE53_METRICS_REGION } from './route53';

describe('Route 53 home region', () => {
  it('reads health-check metrics and signs API calls in us-east-1, wherever the check is for', () => {
    expect(ROUTE53_METRICS_REGION).toBe('us-east-1');
    expect(ROUTE53_API_REGION).toBe('us-east-1');
  });

  it('names the health-check metric in the AWS/Route53 namespace, one series per check', () => {
    expect(ROUTE53_HEALTH_CHECK_METRICS).toEqual({ namespace: 'AWS/Route53', healthCheckStatus: 'HealthCheckStatus', healthCheckDimension: 'HealthCheckId' });
  });
});
