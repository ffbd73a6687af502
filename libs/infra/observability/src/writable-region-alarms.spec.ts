import { AURORA_GLOBAL_PROMOTION_SECONDS, type AlertSubscription, type EnvironmentOverrides, defineEnvironment } from '@txn-dr/config';
import { DrStack } from '@txn-dr/infra-core';
import { followReference, onlyResource, resourcesOfType, synthesize } from '@txn-dr/infra-core/testing';
import { Testing } from 'cdktf';
import { WritableRegionAlarms, plannedSwitchoverGapMinutes, type WritableRegionAlarmsProps } from './writable-region-alarms';

const SUBSCRIPTIONS: AlertSubscription[] = [
  { protocol: 'email', endpoint: 'oncall@example.com' },
  { protocol: 'https', endpoint: 'https://events.example.com/sns/alerts' },
];
const CHECKS = { primary: 'abcdef01-2345-6789-abcd-ef0123456789', secondary: '99999999-2345-6789-abcd-ef0123456789' };

/** The alarms as the secondary stack makes them from its environment (or with `props` instead): through its us-east-1 provider. */
function alarms(overrides: Partial<EnvironmentOverrides> = {}, props: Partial<WritableRegionAlarmsProps> = {}) {
  const env = defineEnvironment({ name: 'dev', alerts: { subscriptions: SUBSCRIPTIONS }, ...overrides });
  const stack = new DrStack(Testing.app(), { env, stack: 'secondary' });
  const construct = new WritableRegionAlarms(stack, 'writable', {
    names: stack.names,
    provider: stack.route53MetricsProvider(),
    regions: { primary: env.regions.primary.region, secondary: env.regions.secondary.region },
    healthCheckIds: CHECKS,
    healthCheck: env.healthCheck,
    alertSubscriptions: env.alerts.subscriptions,
    ...props,
  });
  return { env, construct, json: synthesize(stack) };
}

interface Query {
  id: string;
  expression?: string;
  return_data?: boolean;
  metric?: { namespace: string; metric_name: string; dimensions: Record<string, string>; stat: string; period: number };
}

/** Every data point of a region's HealthCheckStatus in one minute: healthy from `from` to `to` seconds (or never). */
type Healthy = (second: number) => boolean;

/** The alarm's value in each minute: its expression (a sum of the ids) over each region's statistic of the minute. */
function minuteValues(queries: Query[], regions: Record<string, Healthy>, minutes: number): number[] {
  const expression = queries.find((q) => q.return_data)!.expression!;
  const terms = expression.split('+').map((t) => t.trim());
  return Array.from({ length: minutes }, (_, minute) =>
    terms.reduce((sum, id) => {
      const query = queries.find((q) => q.id === id)!;
      // Route 53 health checkers report many times a minute; one sample a second stands for them.
      const samples = Array.from({ length: 60 }, (__, s) => (regions[id]!(minute * 60 + s) ? 1 : 0));
      return sum + (query.metric!.stat === 'Maximum' ? Math.max(...samples) : Math.min(...samples));
    }, 0),
  );
}

/** The longest run of minutes in which the alarm's condition holds. */
function longestBreach(values: number[], breaches: (value: number) => boolean): number {
  let longest = 0;
  let run = 0;
  for (const value of values) {
    run = breaches(value) ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

const DEFAULT = alarms();
// 30 s x 2, not x 3: with the failover's fencing counted, 30 s x 3 puts the RTO budget over 300 s (config refuses it).
const SLOW_CHECKS = alarms({ healthCheck: { intervalSeconds: 30, failureThreshold: 2 } });

describe('WritableRegionAlarms', () => {
  const { json, construct } = DEFAULT;
  const byName = (name: string) => Object.values(resourcesOfType(json, 'aws_cloudwatch_metric_alarm')).find((a) => a.alarm_name === name)!;
  const none = byName('txdr-dev-no-writable-region');
  const both = byName('txdr-dev-two-writable-regions');
  const topicArn = `\${aws_sns_topic.${Object.keys(resourcesOfType(json, 'aws_sns_topic'))[0]}.arn}`;

  it('are two alarms in us-east-1, where Route 53 publishes, notifying a topic there on alarm and on recovery', () => {
    expect(Object.keys(resourcesOfType(json, 'aws_cloudwatch_metric_alarm'))).toHaveLength(2);
    for (const alarm of [none, both]) expect(alarm).toMatchObject({ provider: 'aws.route53-metrics', alarm_actions: [topicArn], ok_actions: [topicArn] });
    expect(construct.alarmNames).toEqual({ noWritableRegion: 'txdr-dev-no-writable-region', bothRegionsWritable: 'txdr-dev-two-writable-regions' });
  });

  it.each([
    ['no writable region', 'Maximum'],
    ['two writable regions', 'Minimum'],
  ])('%s: reads the writable check of both regions, the %s of each minute, and adds them up', (name, stat) => {
    const alarm = name === 'no writable region' ? none : both;
    expect(alarm.metric_query).toEqual([
      { id: 'primary', return_data: false, metric: { namespace: 'AWS/Route53', metric_name: 'HealthCheckStatus', dimensions: { HealthCheckId: CHECKS.primary }, stat, period: 60 } },
      { id: 'secondary', return_data: false, metric: { namespace: 'AWS/Route53', metric_name: 'HealthCheckStatus', dimensions: { HealthCheckId: CHECKS.secondary }, stat, period: 60 } },
      expect.objectContaining({ id: 'writable', expression: 'primary + secondary', return_data: true }),
    ]);
    expect(alarm.metric_name).toBeUndefined();
  });

  it('fires when no region was writable for 2 minutes running (10 s x 3 checks), silence counting as none', () => {
    expect(none).toMatchObject({ threshold: 1, comparison_operator: 'LessThanThreshold', evaluation_periods: 2, datapoints_to_alarm: 2, treat_missing_data: 'breaching' });
    expect(construct.noWritableRegionMinutes).toBe(2);
  });

  it('fires on two writers for one whole minute, silence counting as none', () => {
    expect(both).toMatchObject({ threshold: 2, comparison_operator: 'GreaterThanOrEqualToThreshold', evaluation_periods: 1, datapoints_to_alarm: 1, treat_missing_data: 'notBreaching' });
  });

  describe.each([
    ['10 s x 3 checks', DEFAULT],
    ['30 s x 2 checks', SLOW_CHECKS],
  ])('over a timeline (%s)', (_name, { env, json: timelineJson }) => {
    const flip = env.healthCheck.intervalSeconds * env.healthCheck.failureThreshold;
    const queryOf = (name: string) => Object.values(resourcesOfType(timelineJson, 'aws_cloudwatch_metric_alarm')).find((a) => a.alarm_name === name)!;
    const noneAlarm = queryOf('txdr-dev-no-writable-region');
    const bothAlarm = queryOf('txdr-dev-two-writable-regions');
    const periods = noneAlarm.evaluation_periods as number;
    // Starts of the switchover at every second of a minute, so that no alignment with the periods escapes.
    const starts = Array.from({ length: 60 }, (_, s) => 300 + s);

    it('a planned switchover fires neither alarm, whatever second it starts at', () => {
      for (const start of starts) {
        // The old writer turns read-only at `start`; Route 53 marks it unhealthy `flip` later, and
        // the new writer healthy `flip` after its promotion.
        const regions = {
          primary: (t: number) => t < start + flip,
          secondary: (t: number) => t >= start + AURORA_GLOBAL_PROMOTION_SECONDS + flip,
        };
        const minutes = Math.ceil((start + 600) / 60);
        expect(longestBreach(minuteValues(noneAlarm.metric_query as Query[], regions, minutes), (v) => v < 1)).toBeLessThan(periods);
        expect(longestBreach(minuteValues(bothAlarm.metric_query as Query[], regions, minutes), (v) => v >= 2)).toBe(0);
      }
    });

    it('an outage with no writer fires the no-writable alarm within its minutes plus one', () => {
      for (const start of starts) {
        const regions = { primary: (t: number) => t < start, secondary: () => false };
        const values = minuteValues(noneAlarm.metric_query as Query[], regions, Math.ceil(start / 60) + periods + 1);
        expect(longestBreach(values, (v) => v < 1)).toBeGreaterThanOrEqual(periods);
      }
    });

    it('an unfenced old writer beside the promoted one fires the two-writers alarm', () => {
      const regions = { primary: () => true, secondary: (t: number) => t >= 300 };
      expect(longestBreach(minuteValues(bothAlarm.metric_query as Query[], regions, 8), (v) => v >= 2)).toBeGreaterThanOrEqual(bothAlarm.evaluation_periods as number);
    });
  });

  it('encrypts its topic with a us-east-1 key that alarms may use, and subscribes every configured endpoint there', () => {
    const topic = onlyResource(json, 'aws_sns_topic');
    expect(topic).toMatchObject({ name: 'txdr-dev-writable-region-alerts', provider: 'aws.route53-metrics' });
    const key = followReference(json, topic.kms_master_key_id);
    expect(key).toMatchObject({ provider: 'aws.route53-metrics', enable_key_rotation: true });
    const policy = followReference(json, key.policy).statement as { principals?: { identifiers: string[] }[]; actions?: string[] }[];
    expect(policy.find((s) => s.principals?.[0]?.identifiers.includes('cloudwatch.amazonaws.com'))?.actions).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(Object.values(resourcesOfType(json, 'aws_sns_topic_subscription'))).toEqual([
      { provider: 'aws.route53-metrics', topic_arn: topicArn, protocol: 'email', endpoint: 'oncall@example.com' },
      { provider: 'aws.route53-metrics', topic_arn: topicArn, protocol: 'https', endpoint: 'https://events.example.com/sns/alerts', endpoint_auto_confirms: false },
    ]);
  });

  it('waits longer when the checks flip more slowly', () => {
    expect(plannedSwitchoverGapMinutes({ intervalSeconds: 10, failureThreshold: 3 })).toBe(1);
    expect(plannedSwitchoverGapMinutes({ intervalSeconds: 30, failureThreshold: 3 })).toBe(2);
    expect(SLOW_CHECKS.construct.noWritableRegionMinutes).toBe(3);
  });

  it('subscribes nobody unless it is given endpoints', () => {
    expect(resourcesOfType(alarms({}, { alertSubscriptions: undefined }).json, 'aws_sns_topic_subscription')).toEqual({});
  });

  it('takes the minutes it is given', () => {
    const { json: custom } = alarms({}, { noWritableRegionMinutes: 5, bothWritableMinutes: 2 });
    const found = Object.values(resourcesOfType(custom, 'aws_cloudwatch_metric_alarm'));
    expect(found.map((a) => [a.alarm_name, a.evaluation_periods, a.datapoints_to_alarm])).toEqual([
      ['txdr-dev-no-writable-region', 5, 5],
      ['txdr-dev-two-writable-regions', 2, 2],
    ]);
  });
});

describe('WritableRegionAlarms input checks', () => {
  it('refuses a provider outside us-east-1, saying why', () => {
    const env = defineEnvironment({ name: 'dev' });
    const stack = new DrStack(Testing.app(), { env, stack: 'secondary' });
    const props = { names: stack.names, regions: { primary: 'us-east-1', secondary: 'us-east-2' }, healthCheckIds: CHECKS, healthCheck: env.healthCheck };
    expect(() => new WritableRegionAlarms(stack, 'w', { ...props, provider: stack.provider('secondary') })).toThrow(
      'WritableRegionAlarms: provider: Route 53 publishes health-check metrics in us-east-1 only; pass a provider for us-east-1 (got us-east-2)',
    );
  });

  it.each([
    [{ noWritableRegionMinutes: 0 }, 'noWritableRegionMinutes: 0 must be a whole number of minutes from 1 to 60'],
    [{ noWritableRegionMinutes: 1.5 }, 'noWritableRegionMinutes: 1.5 must be a whole number of minutes from 1 to 60'],
    [{ noWritableRegionMinutes: 61 }, 'noWritableRegionMinutes: 61 must be a whole number'],
    [{ bothWritableMinutes: 0 }, 'bothWritableMinutes: 0 must be a whole number of minutes from 1 to 60'],
    [{ healthCheckIds: { primary: CHECKS.primary, secondary: CHECKS.primary } }, `healthCheckIds: both regions name the same check (${CHECKS.primary})`],
  ])('refuses %j', (props, message) => {
    expect(() => alarms({}, props)).toThrow(message);
  });
});
