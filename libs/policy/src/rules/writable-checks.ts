import { HEALTH_PATHS, ROUTE53_HEALTH_CHECK_METRICS } from '@txn-dr/contracts';
import { type Located, locationKey, resolveAcross } from '../engine/cross-stack';
import { breaches, evaluateExpression } from '../engine/metric-math';
import type { Stack } from '../engine/stack';
import type { Resource } from '../engine/types';
import { block, blocks, isTrue, referenced, toNumber } from './util';

const ROUTE53 = {
  namespace: ROUTE53_HEALTH_CHECK_METRICS.namespace,
  metric: ROUTE53_HEALTH_CHECK_METRICS.healthCheckStatus,
  dimension: ROUTE53_HEALTH_CHECK_METRICS.healthCheckDimension,
};

/** A Route 53 check of `HEALTH_PATHS.writable` that guards a weighted record: healthy only in the writer's region. */
export interface WritableCheck extends Located {
  /** `<stack>:<address>`, the same whichever stack refers to it. */
  readonly key: string;
}

/** Every writable check guarding a weighted record, in every stack. */
export function writableChecks(stacks: readonly Stack[]): WritableCheck[] {
  const found = new Map<string, WritableCheck>();
  for (const stack of stacks) {
    for (const record of stack.byType('aws_route53_record')) {
      if (record.body.weighted_routing_policy === undefined) continue;
      const check = referenced(stack, record.body.health_check_id, ['aws_route53_health_check']);
      if (check?.body.resource_path !== HEALTH_PATHS.writable) continue;
      const key = locationKey({ stack, resource: check });
      found.set(key, { stack, resource: check, key });
    }
  }
  return [...found.values()];
}

/** A metric alarm that reads the HealthCheckStatus of at least one writable check. */
export interface CheckAlarm {
  readonly stack: Stack;
  readonly alarm: Resource;
  readonly region: string | undefined;
  /** Keys of the writable checks it reads. */
  readonly reads: ReadonlySet<string>;
  /** Whether it fires while exactly the `healthy` checks are healthy; undefined when its expression cannot be evaluated here. */
  firesWhile(healthy: ReadonlySet<string>): boolean | undefined;
}

/** `stack address`, as findings name an alarm. */
export function alarmLabel(alarm: CheckAlarm): string {
  return `${alarm.alarm.address} (${alarm.stack.name})`;
}

/** The check a HealthCheckId dimension names, as a writable-check key, if it is one. */
function checkKey(stacks: readonly Stack[], stack: Stack, dimensions: unknown, writable: ReadonlySet<string>): string | undefined {
  const located = resolveAcross(stacks, stack, block(dimensions)[ROUTE53.dimension]);
  const key = located && locationKey(located);
  return key !== undefined && writable.has(key) ? key : undefined;
}

const readsStatus = (metric: Record<string, unknown>) => metric.namespace === ROUTE53.namespace && metric.metric_name === ROUTE53.metric;

/** One alarm read as a function of which writable checks are healthy, or undefined if it reads none. */
function checkAlarm(stacks: readonly Stack[], stack: Stack, alarm: Resource, writable: ReadonlySet<string>): CheckAlarm | undefined {
  const threshold = toNumber(alarm.body.threshold);
  const operator = alarm.body.comparison_operator;
  const judge = (value: number | undefined) => (value === undefined || threshold === undefined ? undefined : breaches(value, operator, threshold));
  const base = { stack, alarm, region: stack.regionOf(alarm) };

  if (readsStatus(alarm.body)) {
    const key = checkKey(stacks, stack, alarm.body.dimensions, writable);
    if (key === undefined) return undefined;
    return { ...base, reads: new Set([key]), firesWhile: (healthy) => judge(healthy.has(key) ? 1 : 0) };
  }

  const queries = blocks(alarm.body.metric_query);
  // Per query id: the writable check a status metric reads (null: some other metric), or the expression.
  const metrics = new Map<string, string | null>();
  const expressions = new Map<string, string>();
  for (const query of queries) {
    const id = String(query.id);
    if (typeof query.expression === 'string') expressions.set(id, query.expression);
    else {
      const metric = block(query.metric);
      metrics.set(id, readsStatus(metric) ? (checkKey(stacks, stack, metric.dimensions, writable) ?? null) : null);
    }
  }
  const reads = new Set([...metrics.values()].filter((k): k is string => k !== null));
  if (reads.size === 0) return undefined;
  const returned = queries.find((q) => isTrue(q.return_data)) ?? (expressions.size === 1 ? queries.find((q) => typeof q.expression === 'string') : undefined);

  return {
    ...base,
    reads,
    firesWhile: (healthy) => {
      const valueOf = (id: string, seen: ReadonlySet<string>): number | undefined => {
        const key = metrics.get(id);
        if (key !== undefined) return key === null ? undefined : healthy.has(key) ? 1 : 0;
        const expression = expressions.get(id);
        if (expression === undefined || seen.has(id)) return undefined;
        return evaluateExpression(expression, (other) => valueOf(other, new Set([...seen, id])));
      };
      return returned ? judge(valueOf(String(returned.id), new Set())) : undefined;
    },
  };
}

/** Every metric alarm, in every stack, that reads the status of a writable check. */
export function alarmsOnWritableChecks(stacks: readonly Stack[], checks: readonly WritableCheck[]): CheckAlarm[] {
  const writable = new Set(checks.map((c) => c.key));
  return stacks.flatMap((stack) =>
    stack.byType('aws_cloudwatch_metric_alarm').flatMap((alarm) => {
      const read = checkAlarm(stacks, stack, alarm, writable);
      return read ? [read] : [];
    }),
  );
}

/** `no region`, `only primary`, `primary and secondary`: which stacks' checks are healthy. */
function describeHealthy(checks: readonly WritableCheck[], healthy: ReadonlySet<string>): string {
  const names = checks.filter((c) => healthy.has(c.key)).map((c) => c.stack.name);
  if (names.length === 0) return 'no region';
  return names.length === 1 ? `only ${names[0]!}` : names.join(' and ');
}

/**
 * Whether an alarm fires exactly when `expected` holds of the number of healthy checks, over
 * every combination of healthy and unhealthy checks. A reason when it does not, or cannot be read.
 */
export function mismatch(alarm: CheckAlarm, checks: readonly WritableCheck[], expected: (healthyCount: number) => boolean): string | undefined {
  for (let mask = 0; mask < 2 ** checks.length; mask++) {
    const healthy = new Set(checks.filter((_, i) => mask & (2 ** i)).map((c) => c.key));
    const fires = alarm.firesWhile(healthy);
    if (fires === undefined) {
      return `${alarmLabel(alarm)} cannot be evaluated here (a comparison with a fixed threshold over + - * / MAX MIN SUM AVG FILL of the status metrics)`;
    }
    if (fires !== expected(healthy.size)) {
      return `${alarmLabel(alarm)} ${fires ? 'fires' : 'stays quiet'} while ${describeHealthy(checks, healthy)} ${healthy.size > 1 ? 'are' : 'is'} writable`;
    }
  }
  return undefined;
}
