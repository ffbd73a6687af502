import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activeCapacity, capacityFor, standbyCapacity } from './capacity';
import { defineEnvironment, loadEnvironment } from './environment';
import { ALB_ALIAS_TTL_SECONDS, AURORA_GLOBAL_PROMOTION_SECONDS, INSTANCE_BOOT_SECONDS, describeRtoBudget, rtoBudget } from './rto';

const seconds = (budget: ReturnType<typeof rtoBudget>) => Object.fromEntries(budget.phases.map((p) => [p.id, p.seconds]));

describe('the RTO budget of the default environment', () => {
  const env = loadEnvironment({ env: {}, environmentsDir: mkdtempSync(join(tmpdir(), 'env-empty-')) });
  const budget = rtoBudget(env);

  it('stays within the 5-minute objective', () => {
    expect(budget.totalSeconds).toBeLessThan(300);
    expect(budget.objectiveSeconds).toBe(300);
    expect(budget.marginSeconds).toBe(300 - budget.totalSeconds);
  });

  it('adds detection, the longer of promotion and capacity, and the alias TTL', () => {
    expect(seconds(budget)).toEqual({ detection: 90, promotion: 60, capacity: 120, dns: 60 });
    expect(budget.totalSeconds).toBe(90 + 120 + 60);
    expect(describeRtoBudget(budget)).toBe('detection 90 + max(promotion 60, capacity 120) + dns 60');
    expect(budget.phases.filter((p) => !p.onCriticalPath).map((p) => p.id)).toEqual(['promotion']);
  });

  it('counts the warm-up of the instances the standby lacks: boot plus target registration', () => {
    const capacity = budget.phases.find((p) => p.id === 'capacity')!;
    expect(capacity.seconds).toBe(INSTANCE_BOOT_SECONDS + 2 * 15);
    expect(capacity.basis).toBe('standby 1 -> 2 instances: boot 90 s + target health 2 x 15 s');
  });

  it('uses the documented constants', () => {
    expect(ALB_ALIAS_TTL_SECONDS).toBe(60);
    expect(AURORA_GLOBAL_PROMOTION_SECONDS).toBe(60);
  });
});

describe('rtoBudget follows the config', () => {
  it('detects in 30 s with a 10 s interval and threshold 3', () => {
    const budget = rtoBudget(defineEnvironment({ name: 'dev', healthCheck: { intervalSeconds: 10 } }));
    expect(seconds(budget).detection).toBe(30);
    expect(budget.totalSeconds).toBe(30 + 120 + 60);
  });

  it('needs no warm-up when the standby already runs the active capacity, and promotion becomes the critical path', () => {
    const budget = rtoBudget(defineEnvironment({ name: 'dev', capacity: { standby: { min: 2, desired: 2 } } }));
    expect(seconds(budget).capacity).toBe(0);
    expect(budget.phases.find((p) => p.id === 'capacity')!.basis).toMatch(/already runs 2 instance\(s\), the active load needs 2/);
    expect(budget.phases.find((p) => p.id === 'promotion')!.onCriticalPath).toBe(true);
    expect(budget.totalSeconds).toBe(90 + 60 + 60);
  });

  it('reads a slower target health check into the capacity phase', () => {
    const budget = rtoBudget(defineEnvironment({ name: 'dev', compute: { targetHealth: { intervalSeconds: 20, healthyThreshold: 3 } } }));
    expect(seconds(budget).capacity).toBe(INSTANCE_BOOT_SECONDS + 60);
    expect(budget.totalSeconds).toBe(300);
  });

  it('is over the objective, by a negative margin, when the inputs are', () => {
    const budget = rtoBudget({
      healthCheck: { intervalSeconds: 30, failureThreshold: 10 },
      compute: { targetHealth: { intervalSeconds: 15, healthyThreshold: 2 } },
      capacity: { active: { min: 2, desired: 2, max: 4 }, standby: { min: 1, desired: 1, max: 4 } },
      objectives: { rtoSeconds: 300 },
    });
    expect(budget.totalSeconds).toBe(480);
    expect(budget.marginSeconds).toBe(-180);
  });
});

describe('active and standby capacity', () => {
  const env = defineEnvironment({ name: 'dev' });

  it('reads the active and standby sizes from config', () => {
    expect(activeCapacity(env)).toEqual({ min: 2, desired: 2, max: 4 });
    expect(standbyCapacity(env)).toEqual({ min: 1, desired: 1, max: 4 });
  });

  it('follows activeRegion, so that changing it alone resizes both regions', () => {
    expect(capacityFor(env, 'primary')).toEqual({ min: 2, desired: 2, max: 4 });
    expect(capacityFor(env, 'secondary')).toEqual({ min: 1, desired: 1, max: 4 });
    const failedOver = defineEnvironment({ name: 'dev', activeRegion: 'us-east-2' });
    expect(capacityFor(failedOver, 'secondary')).toEqual({ min: 2, desired: 2, max: 4 });
    expect(capacityFor(failedOver, 'primary')).toEqual({ min: 1, desired: 1, max: 4 });
  });
});
