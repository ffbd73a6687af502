import { DR_ROLES, defineEnvironment } from '@txn-dr/config';
import {
  HEALTH_CHECK_HANDLER,
  HEALTH_CHECK_NODE_MAJOR,
  HEALTH_CHECK_RUNTIME,
  HEALTH_ENV,
  HEALTH_METRICS,
  healthDimensions,
  healthMetricNamespace,
  healthStateParameterName,
} from './health';
import { Names } from './names';

// The longest project (8) and suffix (12) the config allows.
const longest = new Names(defineEnvironment({ name: 'abcdefghijkl', project: 'abcdefgh' }));

describe('health metric contract', () => {
  it('gives each environment its own namespace', () => {
    expect(healthMetricNamespace(new Names(defineEnvironment({ name: 'dev' })).prefix)).toBe('txdr-dev/DisasterRecovery');
    expect(healthMetricNamespace('txdr-dev')).not.toBe(healthMetricNamespace('txdr-prod'));
  });

  it('keeps the namespace within what CloudWatch accepts for the longest names', () => {
    const namespace = healthMetricNamespace(longest.prefix);
    expect(namespace.length).toBeLessThanOrEqual(255);
    expect(namespace).toMatch(/^[A-Za-z0-9.\-_/#:]+$/);
    expect(namespace.startsWith('AWS/')).toBe(false);
  });

  it('dimensions a region by its stable DR role and its region', () => {
    expect(healthDimensions('secondary', 'us-east-2')).toEqual({ Role: 'secondary', Region: 'us-east-2' });
  });

  it('names distinct metrics and distinct variables', () => {
    expect(new Set(Object.values(HEALTH_METRICS)).size).toBe(Object.keys(HEALTH_METRICS).length);
    expect(new Set(Object.values(HEALTH_ENV)).size).toBe(Object.keys(HEALTH_ENV).length);
    // Lambda reserves AWS_* and a few others; none of ours may collide.
    for (const name of Object.values(HEALTH_ENV)) expect(name).toMatch(/^DR_[A-Z_]+$/);
  });
});

describe('health-check function', () => {
  it('runs on the Node.js major its bundle targets, never the deprecated nodejs20.x', () => {
    expect(HEALTH_CHECK_RUNTIME).toBe(`nodejs${HEALTH_CHECK_NODE_MAJOR}.x`);
    expect(HEALTH_CHECK_NODE_MAJOR).toBeGreaterThanOrEqual(22);
  });

  it('names a handler as Lambda expects it: file without extension, then the export', () => {
    expect(HEALTH_CHECK_HANDLER).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z_$][\w$]*$/);
  });

  it.each(DR_ROLES)('keeps the %s state parameter beside the region’s other parameters', (role) => {
    expect(healthStateParameterName('dev', role)).toBe(`/dr/dev/${role}/health/last-state`);
  });
});
