import { HEALTH_PATHS } from './health-paths';

describe('HEALTH_PATHS', () => {
  it('gives the load balancer and Route 53 two different absolute paths', () => {
    expect(HEALTH_PATHS.target).not.toBe(HEALTH_PATHS.writable);
    for (const path of Object.values(HEALTH_PATHS)) expect(path).toMatch(/^\/[a-z/]+$/);
  });

  it('keeps the target check on /health, where the balancer, the benchmark and operators already look', () => {
    expect(HEALTH_PATHS.target).toBe('/health');
  });
});
