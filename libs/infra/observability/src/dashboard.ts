import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DR_ROLES, otherRole, type DrRole } from '@txn-dr/config';
import { HEALTH_METRICS, HEALTH_PATHS, healthDimensions, healthMetricNamespace, type Names } from '@txn-dr/contracts';
import { Construct } from 'constructs';
import { AWS_METRICS, rpoLagQuery } from './aws-metrics';

/** What the dashboard shows of one region; plain strings (names or Terraform references). */
export interface DashboardRegionInputs {
  /** AWS region code of the region: its metrics are read there. */
  readonly region: string;
  /** Identifier of the region's Aurora cluster. */
  readonly clusterIdentifier: string;
  /** ARN suffix of the region's ALB (`app/<name>/<id>`). */
  readonly loadBalancerArnSuffix: string;
  /** ARN suffix of the region's target group (`targetgroup/<name>/<id>`). */
  readonly targetGroupArnSuffix: string;
  /** Name of the region's health-check function. @default `Names.healthFunction(role)` */
  readonly healthFunctionName?: string;
  /**
   * ID of the region's Route 53 health check. It asks `HEALTH_PATHS.writable`, so it reads 1 only
   * where the database is the global writer: the dashboard labels it "writable", never "healthy".
   */
  readonly route53HealthCheckId: string;
}

export interface DrDashboardProps {
  /** The environment's deterministic names: the dashboard, the health metrics' namespace, the functions. */
  readonly names: Names;
  /** Provider of the region the dashboard is kept in (it shows both regions wherever it lives). */
  readonly provider: AwsProvider;
  /** Both regions' inputs: the dashboard lives in one stack and receives the other region's values. */
  readonly regions: Readonly<Record<DrRole, DashboardRegionInputs>>;
  /** The region config names active (`activeRegion`): one of the two regions' `region`. It leads every row. */
  readonly activeRegion: string;
  /** The recovery point objective in seconds (config `objectives.rpoSeconds`): a line on the lag graph, and the banner. */
  readonly rpoSeconds: number;
  /** The recovery time objective in seconds (config `objectives.rtoSeconds`): in the banner. */
  readonly rtoSeconds: number;
  /** @default `Names.dashboard()` */
  readonly dashboardName?: string;
}

type MetricLine = (string | Record<string, unknown>)[];

interface Widget {
  readonly type: 'metric' | 'text';
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: Record<string, unknown>;
}

// The active region draws in green, the standby in grey: the eye finds the active one first.
const ACTIVE_COLOR = '#2ca02c';
const STANDBY_COLOR = '#7f7f7f';

/** The role whose region is `activeRegion`; throws, naming the field, when it is neither. */
function activeRoleOf(props: DrDashboardProps): DrRole {
  const { primary, secondary } = props.regions;
  if (primary.region === secondary.region) {
    throw new Error(`DrDashboard: regions: primary and secondary are both ${primary.region}; the dashboard shows two regions`);
  }
  const active = DR_ROLES.find((role) => props.regions[role].region === props.activeRegion);
  if (!active) throw new Error(`DrDashboard: activeRegion: ${props.activeRegion} is neither region (${primary.region}, ${secondary.region})`);
  return active;
}

/**
 * One CloudWatch dashboard for both regions: database health and writer role, replication lag
 * against the RPO, ALB requests, latency, 5xx and hosts, the health-check function's errors, and
 * which regions Route 53 finds writable (with their count, which the writable-region alarms
 * watch). The active region comes from config (`activeRegion`): it leads every row, is named in
 * the banner, and is labelled ACTIVE on every line.
 */
export class DrDashboard extends Construct {
  readonly dashboardName: string;
  readonly dashboardArn: string;

  constructor(scope: Construct, id: string, props: DrDashboardProps) {
    super(scope, id);
    const { names, rpoSeconds, rtoSeconds } = props;
    const active = activeRoleOf(props);
    // Active first, so that the left-hand column is always the region taking traffic.
    const roles: DrRole[] = [active, otherRole(active)];
    const home = props.provider.region ?? props.regions.secondary.region;
    const namespace = healthMetricNamespace(names.prefix);

    const regionOf = (role: DrRole) => props.regions[role].region;
    const label = (role: DrRole, what?: string) =>
      `${what ? `${what} ` : ''}${regionOf(role)} ${role}${role === active ? ' (ACTIVE)' : ' (standby)'}`;
    const style = (role: DrRole, what?: string, extra: Record<string, unknown> = {}) => ({
      region: regionOf(role),
      label: label(role, what),
      color: role === active ? ACTIVE_COLOR : STANDBY_COLOR,
      ...extra,
    });
    const inputs = (role: DrRole) => props.regions[role];
    const dims = (values: Record<string, string>) => Object.entries(values).flat();
    const health = (metric: string) => (role: DrRole): MetricLine => [namespace, metric, ...dims(healthDimensions(role, regionOf(role))), style(role)];
    const albMetric = (metric: string, role: DrRole, what?: string, extra?: Record<string, unknown>): MetricLine => [
      AWS_METRICS.alb.namespace,
      metric,
      AWS_METRICS.alb.loadBalancerDimension,
      inputs(role).loadBalancerArnSuffix,
      style(role, what, extra),
    ];
    const targetMetric = (metric: string, role: DrRole, what: string, extra?: Record<string, unknown>): MetricLine => [
      AWS_METRICS.alb.namespace,
      metric,
      AWS_METRICS.alb.targetGroupDimension,
      inputs(role).targetGroupArnSuffix,
      AWS_METRICS.alb.loadBalancerDimension,
      inputs(role).loadBalancerArnSuffix,
      style(role, what, extra),
    ];

    const graph = (x: number, y: number, width: number, title: string, metrics: MetricLine[], extra: Record<string, unknown> = {}): Widget => ({
      type: 'metric',
      x,
      y,
      width,
      height: 6,
      properties: { title, view: 'timeSeries', stacked: false, region: home, period: 60, metrics, ...extra },
    });
    const rpoMs = rpoSeconds * 1000;
    const standby = otherRole(active);
    // Route 53 publishes health-check metrics in us-east-1 only, whichever region the check is for.
    const route53Region = AWS_METRICS.route53.region;
    const writable = (role: DrRole, options: Record<string, unknown>): MetricLine => [
      AWS_METRICS.route53.namespace,
      AWS_METRICS.route53.healthCheckStatus,
      AWS_METRICS.route53.healthCheckDimension,
      inputs(role).route53HealthCheckId,
      { ...options, region: route53Region },
    ];

    const widgets: Widget[] = [
      {
        type: 'text',
        x: 0,
        y: 0,
        width: 24,
        height: 2,
        properties: {
          markdown:
            `# Active region: ${regionOf(active)} (${active})\n` +
            `Standby: ${regionOf(standby)} (${standby}). From config \`activeRegion\`: after a switchover or failover, set it to the new active region and redeploy. ` +
            `RPO ${rpoSeconds} s, RTO ${rtoSeconds} s.`,
        },
      },
      // At a glance: one number panel per region, active on the left.
      ...roles.map(
        (role, i): Widget => ({
          type: 'metric',
          x: i * 12,
          y: 2,
          width: 12,
          height: 4,
          properties: {
            title: `${regionOf(role)} ${role}: ${role === active ? 'ACTIVE' : 'standby'}`,
            view: 'singleValue',
            region: home,
            period: 60,
            metrics: [
              [namespace, HEALTH_METRICS.databaseHealth, ...dims(healthDimensions(role, regionOf(role))), { region: regionOf(role), label: 'Database health', stat: 'Minimum' }],
              [namespace, HEALTH_METRICS.databaseIsWriter, ...dims(healthDimensions(role, regionOf(role))), { region: regionOf(role), label: 'Writer (1) or reader (0)', stat: 'Maximum' }],
              [
                AWS_METRICS.alb.namespace,
                AWS_METRICS.alb.healthyHosts,
                AWS_METRICS.alb.targetGroupDimension,
                inputs(role).targetGroupArnSuffix,
                AWS_METRICS.alb.loadBalancerDimension,
                inputs(role).loadBalancerArnSuffix,
                { region: regionOf(role), label: 'Healthy hosts', stat: 'Minimum' },
              ],
              [AWS_METRICS.alb.namespace, AWS_METRICS.alb.requests, AWS_METRICS.alb.loadBalancerDimension, inputs(role).loadBalancerArnSuffix, { region: regionOf(role), label: 'Requests/min', stat: 'Sum' }],
              writable(role, { label: `Writable per Route 53 (${HEALTH_PATHS.writable}, 1 = takes writes)`, stat: 'Minimum' }),
            ],
          },
        }),
      ),
      graph(0, 6, 8, 'Database health (1 = healthy)', roles.map(health(HEALTH_METRICS.databaseHealth)), { stat: 'Minimum', yAxis: { left: { min: 0, max: 1 } } }),
      graph(8, 6, 8, 'Global writer (1 = writer)', roles.map(health(HEALTH_METRICS.databaseIsWriter)), { stat: 'Maximum', yAxis: { left: { min: 0, max: 1 } } }),
      graph(
        16,
        6,
        8,
        'Global replication lag (ms, the secondary cluster reports it)',
        // The alarm's own query, so the graph shows the series whatever other dimensions it carries.
        roles.map((role) => [style(role, undefined, { expression: rpoLagQuery(inputs(role).clusterIdentifier), id: `lag_${role}` })]),
        { stat: 'Maximum', annotations: { horizontal: [{ label: `RPO ${rpoSeconds} s`, value: rpoMs, color: '#d62728' }] }, yAxis: { left: { min: 0 } } },
      ),
      graph(0, 12, 8, 'ALB requests', roles.map((role) => albMetric(AWS_METRICS.alb.requests, role)), { stat: 'Sum' }),
      graph(8, 12, 8, 'ALB target latency (p99, s)', roles.map((role) => albMetric(AWS_METRICS.alb.targetResponseTime, role)), { stat: 'p99' }),
      graph(
        16,
        12,
        8,
        'ALB 5xx',
        roles.flatMap((role) => [albMetric(AWS_METRICS.alb.elb5xx, role, 'ELB'), albMetric(AWS_METRICS.alb.target5xx, role, 'targets')]),
        { stat: 'Sum' },
      ),
      graph(
        0,
        18,
        12,
        'Healthy and unhealthy hosts',
        roles.flatMap((role) => [
          targetMetric(AWS_METRICS.alb.healthyHosts, role, 'healthy'),
          targetMetric(AWS_METRICS.alb.unhealthyHosts, role, 'unhealthy', { color: role === active ? '#d62728' : '#ff9896' }),
        ]),
        { stat: 'Minimum' },
      ),
      graph(
        12,
        18,
        12,
        'Health-check function errors',
        roles.map((role) => [
          AWS_METRICS.lambda.namespace,
          AWS_METRICS.lambda.errors,
          AWS_METRICS.lambda.functionDimension,
          inputs(role).healthFunctionName ?? names.healthFunction(role),
          style(role),
        ]),
        { stat: 'Sum' },
      ),
      // The standby's line sits at 0 by design: the check asks whether the region may take writes.
      // Averages over the minute, so a switchover shows as a dip or a bump, not a false 0 or 2.
      graph(
        0,
        24,
        24,
        `Writable per Route 53 (${HEALTH_PATHS.writable}; 1 = takes writes, the standby reads 0 by design)`,
        [
          ...roles.map((role) => writable(role, { ...style(role, 'writable'), id: `writable_${role}` })),
          [{ expression: roles.map((role) => `writable_${role}`).join(' + '), id: 'writable_regions', label: 'Writable regions (1 expected; 0 = none, 2 = two writers)', color: '#1f77b4' }],
        ],
        {
          stat: 'Average',
          region: route53Region,
          yAxis: { left: { min: 0, max: 2 } },
          annotations: { horizontal: [{ label: 'Two writers', value: 2, color: '#d62728' }] },
        },
      ),
    ];

    this.dashboardName = props.dashboardName ?? names.dashboard();
    const dashboard = new CloudwatchDashboard(this, 'dashboard', {
      provider: props.provider,
      dashboardName: this.dashboardName,
      // Values are identifiers and ARN suffixes (no quotes), so references interpolate into valid JSON.
      dashboardBody: JSON.stringify({ widgets }),
    });
    this.dashboardArn = dashboard.dashboardArn;
  }
}

