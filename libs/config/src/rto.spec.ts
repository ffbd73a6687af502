import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activeCapacity, capacityFor, standbyCapacity } from './capacity';
import { defineEnvironment, loadEnvironment, type EnvironmentOverrides } from './environment';
import { ALB_ALIAS_TTL_SECONDS, AURORA_GLOBAL_PROMOTION_SECONDS, FENCE_WAIT_SECONDS, INSTANCE_BOOT_SECONDS, TARGET_DEREGISTRATION_DELAY_SECONDS, describeRtoBudget, rtoBudget } from './rto';

const seconds = (budget: ReturnType<typeof rtoBudget>) => Object.fromEntries(budget.phases.map((p) => [p.id, p.seconds]));

describe('the RTO budget of the default environment', () => {
  const env = loadEnvironment({ env: {}, environmentsDir: mkdtempSync(join(tmpdir(), 'env-empty-')) });
  const budget = rtoBudget(env);

  it('stays within the 5-minute objective', () => {
    expect(budget.totalSeconds).toBeLessThan(300);
    expect(budget.objectiveSeconds).toBe(300);
    expect(budget.marginSeconds).toBe(300 - budget.totalSeconds);
  });

  it('adds detection and the longer of two branches: fencing, promotion, routing and the alias TTL, or capacity', () => {
    expect(seconds(budget)).toEqual({ detection: 30, fencing: 45, promotion: 60, capacity: 120, routing: 30, dns: 60 });
    expect(budget.totalSeconds).toBe(30 + 45 + 60 + 30 + 60);
    expect(describeRtoBudget(budget)).toBe('detection 30 + max(fencing 45 + promotion 60 + routing 30 + dns 60, capacity 120)');
    expect(budget.phases.filter((p) => !p.onCriticalPath).map((p) => p.id)).toEqual(['capacity']);
  });

  it('moves traffic through the health checks, with no record change', () => {
    const routing = budget.phases.find((p) => p.id === 'routing')!;
    expect(routing.basis).toBe('writable checks flip after the promotion: 10 s interval x 3; Route 53 then answers the weight-0 record');
    expect(routing.source).toMatch(/^healthCheck\.intervalSeconds, healthCheck\.failureThreshold; https:\/\/docs\.aws\.amazon\.com\/Route53\//);
    expect(budget.phases.find((p) => p.id === 'detection')!.basis).toBe("the active region's writable Route 53 check fails: 10 s interval x 3 failures");
  });

  it('counts the warm-up of the instances the standby lacks: boot plus target registration', () => {
    const capacity = budget.phases.find((p) => p.id === 'capacity')!;
    expect(capacity.seconds).toBe(INSTANCE_BOOT_SECONDS + 2 * 15);
    expect(capacity.basis).toBe('standby 1 -> 2 instances: boot 90 s + target health 2 x 15 s');
  });

  it('uses the documented constants', () => {
    expect(ALB_ALIAS_TTL_SECONDS).toBe(60);
    expect(AURORA_GLOBAL_PROMOTION_SECONDS).toBe(60);
    expect(FENCE_WAIT_SECONDS).toBe(TARGET_DEREGISTRATION_DELAY_SECONDS + 15);
  });

  it('waits for the fencing of the old region, bounded, before the promotion', () => {
    const fencing = budget.phases.find((p) => p.id === 'fencing')!;
    expect(fencing).toMatchObject({ seconds: 45, onCriticalPath: true });
    expect(fencing.basis).toBe("the old region's capacity to zero, its instances gone within 45 s (deregistration delay 30 s + stop), before the promotion");
  });
});

describe('rtoBudget follows the config', () => {
  const boot = INSTANCE_BOOT_SECONDS;
  it.each<[string, Partial<EnvironmentOverrides>, Record<string, number>, number, string[]]>([
    ['the defaults', {}, { detection: 30, fencing: 45, promotion: 60, capacity: boot + 30, routing: 30, dns: 60 }, 225, ['capacity']],
    // Both detection and routing are interval x threshold: the slow interval costs twice.
    ['30 s checks, over the objective', { healthCheck: { intervalSeconds: 30 } }, { detection: 90, fencing: 45, promotion: 60, capacity: boot + 30, routing: 90, dns: 60 }, 345, ['capacity']],
    ['a threshold of 10', { healthCheck: { failureThreshold: 10 } }, { detection: 100, fencing: 45, promotion: 60, capacity: boot + 30, routing: 100, dns: 60 }, 365, ['capacity']],
    ['a standby that already runs the active capacity', { capacity: { standby: { min: 2, desired: 2 } } }, { detection: 30, fencing: 45, promotion: 60, capacity: 0, routing: 30, dns: 60 }, 225, ['capacity']],
    [
      'a slow target health check, which puts capacity on the critical path',
      { compute: { targetHealth: { intervalSeconds: 60, healthyThreshold: 4 } } },
      { detection: 30, fencing: 45, promotion: 60, capacity: boot + 240, routing: 30, dns: 60 },
      30 + boot + 240,
      ['fencing', 'promotion', 'routing', 'dns'],
    ],
  ])('%s', (_description, overrides, phases, total, offCriticalPath) => {
    const budget = rtoBudget(defineEnvironment({ name: 'dev', objectives: { rtoSeconds: 3600 }, ...overrides }));
    expect(seconds(budget)).toEqual(phases);
    expect(budget.totalSeconds).toBe(total);
    expect(budget.phases.filter((p) => !p.onCriticalPath).map((p) => p.id)).toEqual(offCriticalPath);
  });

  it('says why no warm-up is needed when the standby already runs the active capacity', () => {
    const budget = rtoBudget(defineEnvironment({ name: 'dev', capacity: { standby: { min: 2, desired: 2 } } }));
    expect(budget.phases.find((p) => p.id === 'capacity')!.basis).toMatch(/already runs 2 instance\(s\), the active load needs 2/);
  });

  it('is over the objective, by a negative margin, when the inputs are', () => {
    const budget = rtoBudget({
      healthCheck: { intervalSeconds: 30, failureThreshold: 10 },
      compute: { targetHealth: { intervalSeconds: 15, healthyThreshold: 2 } },
      capacity: { active: { min: 2, desired: 2, max: 4 }, standby: { min: 1, desired: 1, max: 4 } },
      objectives: { rtoSeconds: 300 },
    });
    expect(budget.totalSeconds).toBe(300 + 45 + 60 + 300 + 60);
    expect(budget.marginSeconds).toBe(-465);
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
