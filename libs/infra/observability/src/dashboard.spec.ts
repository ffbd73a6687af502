import { type EnvironmentOverrides, defineEnvironment } from '@txn-dr/config';
import { DrStack } from '@txn-dr/infra-core';
import { onlyResource, synthesize } from '@txn-dr/infra-core/testing';
import { Testing } from 'cdktf';
import { DrDashboard, type DrDashboardProps } from './dashboard';

const REGIONS = {
  primary: {
    clusterIdentifier: 'txdr-dev-primary-aurora',
    loadBalancerArnSuffix: 'app/txdr-dev-pri-alb/aaaa',
    targetGroupArnSuffix: 'targetgroup/txdr-dev-pri-tg/bbbb',
    route53HealthCheckId: 'abcdef01-2345-6789-abcd-ef0123456789',
  },
  secondary: {
    clusterIdentifier: 'txdr-dev-secondary-aurora',
    loadBalancerArnSuffix: 'app/txdr-dev-sec-alb/cccc',
    targetGroupArnSuffix: 'targetgroup/txdr-dev-sec-tg/dddd',
    route53HealthCheckId: '99999999-2345-6789-abcd-ef0123456789',
  },
};

type Line = (string | Record<string, unknown>)[];
interface Widget {
  type: string;
  x: number;
  y: number;
  width: number;
  properties: { title?: string; markdown?: string; metrics?: Line[]; view?: string; region?: string; stat?: string; annotations?: { horizontal: { value: number }[] } };
}

/** The dashboard as the secondary stack would make it from its environment, or with `props` instead, parsed. */
function dashboard(overrides: Partial<EnvironmentOverrides> = {}, props: Partial<DrDashboardProps> = {}) {
  const env = defineEnvironment({ name: 'dev', ...overrides });
  const stack = new DrStack(Testing.app(), { env, stack: 'secondary' });
  new DrDashboard(stack, 'dashboard', {
    names: stack.names,
    provider: stack.provider('secondary'),
    activeRegion: env.activeRegion,
    rpoSeconds: env.objectives.rpoSeconds,
    rtoSeconds: env.objectives.rtoSeconds,
    regions: { primary: { ...REGIONS.primary, region: env.regions.primary.region }, secondary: { ...REGIONS.secondary, region: env.regions.secondary.region } },
    ...props,
  });
  const resource = onlyResource(synthesize(stack), 'aws_cloudwatch_dashboard');
  const widgets = (JSON.parse(resource.dashboard_body as string) as { widgets: Widget[] }).widgets;
  return { resource, widgets };
}

const titled = (widgets: Widget[], title: string): Widget => {
  const found = widgets.find((w) => w.properties.title?.startsWith(title));
  if (!found) throw new Error(`no widget titled ${title}: ${widgets.map((w) => w.properties.title).join(', ')}`);
  return found;
};
const options = (line: Line) => line.at(-1) as { region: string; label: string; color?: string; id?: string; expression?: string; stat?: string };

describe('DrDashboard', () => {
  const { resource, widgets } = dashboard();

  it('is one dashboard, named by the naming contract, in the stack’s region', () => {
    expect(resource).toMatchObject({ dashboard_name: 'txdr-dev-dr', provider: 'aws.secondary' });
  });

  it('names the active region from config in a banner at the top', () => {
    const banner = widgets.find((w) => w.type === 'text')!;
    expect(banner).toMatchObject({ x: 0, y: 0, width: 24 });
    expect(banner.properties.markdown).toMatch(/^# Active region: us-east-1 \(primary\)\nStandby: us-east-2 \(secondary\)/);
  });

  it('puts the active region’s panel first and labels every line of it ACTIVE', () => {
    const panels = widgets.filter((w) => w.properties.view === 'singleValue').sort((a, b) => a.x - b.x);
    expect(panels.map((p) => p.properties.title)).toEqual(['us-east-1 primary: ACTIVE', 'us-east-2 secondary: standby']);
    const health = titled(widgets, 'Database health').properties.metrics!;
    expect(health.map((line) => options(line).label)).toEqual(['us-east-1 primary (ACTIVE)', 'us-east-2 secondary (standby)']);
    expect(options(health[0]!).color).not.toBe(options(health[1]!).color);
  });

  it.each([
    ['Database health', ['txdr-dev/DisasterRecovery', 'DatabaseHealth', 'Role', 'primary', 'Region', 'us-east-1'], ['txdr-dev/DisasterRecovery', 'DatabaseHealth', 'Role', 'secondary', 'Region', 'us-east-2']],
    ['Global writer', ['txdr-dev/DisasterRecovery', 'DatabaseIsWriter', 'Role', 'primary', 'Region', 'us-east-1'], ['txdr-dev/DisasterRecovery', 'DatabaseIsWriter', 'Role', 'secondary', 'Region', 'us-east-2']],
    ['ALB requests', ['AWS/ApplicationELB', 'RequestCount', 'LoadBalancer', 'app/txdr-dev-pri-alb/aaaa'], ['AWS/ApplicationELB', 'RequestCount', 'LoadBalancer', 'app/txdr-dev-sec-alb/cccc']],
    ['ALB target latency', ['AWS/ApplicationELB', 'TargetResponseTime', 'LoadBalancer', 'app/txdr-dev-pri-alb/aaaa'], ['AWS/ApplicationELB', 'TargetResponseTime', 'LoadBalancer', 'app/txdr-dev-sec-alb/cccc']],
    ['ALB 5xx', ['AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count', 'LoadBalancer', 'app/txdr-dev-pri-alb/aaaa'], ['AWS/ApplicationELB', 'HTTPCode_ELB_5XX_Count', 'LoadBalancer', 'app/txdr-dev-sec-alb/cccc']],
    [
      'Healthy and unhealthy hosts',
      ['AWS/ApplicationELB', 'HealthyHostCount', 'TargetGroup', 'targetgroup/txdr-dev-pri-tg/bbbb', 'LoadBalancer', 'app/txdr-dev-pri-alb/aaaa'],
      ['AWS/ApplicationELB', 'UnHealthyHostCount', 'TargetGroup', 'targetgroup/txdr-dev-sec-tg/dddd', 'LoadBalancer', 'app/txdr-dev-sec-alb/cccc'],
    ],
    ['Health-check function errors', ['AWS/Lambda', 'Errors', 'FunctionName', 'txdr-dev-primary-health-check'], ['AWS/Lambda', 'Errors', 'FunctionName', 'txdr-dev-secondary-health-check']],
  ])('graphs %s for both regions, each read in its own region', (title, primaryLine, secondaryLine) => {
    const lines = titled(widgets, title).properties.metrics!;
    const find = (wanted: string[], region: string) => lines.find((line) => wanted.every((part, i) => line[i] === part) && options(line).region === region);
    expect(find(primaryLine, 'us-east-1')).toBeDefined();
    expect(find(secondaryLine, 'us-east-2')).toBeDefined();
  });

  it("graphs each cluster's replication lag with the alarm's own query, in its own region", () => {
    const lines = titled(widgets, 'Global replication lag').properties.metrics!;
    expect(lines.map((line) => ({ expression: options(line).expression, region: options(line).region }))).toEqual([
      { expression: `SELECT MAX(AuroraGlobalDBRPOLag) FROM "AWS/RDS" WHERE DBClusterIdentifier = 'txdr-dev-primary-aurora'`, region: 'us-east-1' },
      { expression: `SELECT MAX(AuroraGlobalDBRPOLag) FROM "AWS/RDS" WHERE DBClusterIdentifier = 'txdr-dev-secondary-aurora'`, region: 'us-east-2' },
    ]);
  });

  it('shows the Route 53 checks as what they are: writable, read in us-east-1, and how many regions are', () => {
    const widget = titled(widgets, 'Writable per Route 53 (/health/writable');
    expect(widget.properties).toMatchObject({ region: 'us-east-1', stat: 'Average' });
    const [first, second, count] = widget.properties.metrics!;
    expect(first).toEqual(['AWS/Route53', 'HealthCheckStatus', 'HealthCheckId', REGIONS.primary.route53HealthCheckId, expect.objectContaining({ region: 'us-east-1', id: 'writable_primary' })]);
    expect(second).toEqual(['AWS/Route53', 'HealthCheckStatus', 'HealthCheckId', REGIONS.secondary.route53HealthCheckId, expect.objectContaining({ region: 'us-east-1', id: 'writable_secondary' })]);
    expect([first, second].map((line) => options(line!).label)).toEqual(['writable us-east-1 primary (ACTIVE)', 'writable us-east-2 secondary (standby)']);
    expect(options(count!)).toMatchObject({ expression: 'writable_primary + writable_secondary', label: expect.stringMatching(/^Writable regions \(1 expected/) });
    for (const panel of widgets.filter((w) => w.properties.view === 'singleValue')) {
      const line = panel.properties.metrics!.find((l) => l[0] === 'AWS/Route53')!;
      expect(options(line)).toMatchObject({ region: 'us-east-1', label: 'Writable per Route 53 (/health/writable, 1 = takes writes)' });
    }
    // Nothing calls the writable check a health status.
    const labels = widgets.flatMap((w) => (w.properties.metrics ?? []).filter((l) => l[0] === 'AWS/Route53').map((l) => options(l).label));
    expect(labels).toHaveLength(4);
    for (const label of labels) expect(label.toLowerCase()).toContain('writable');
  });

  it('draws the RPO on the replication lag graph, in milliseconds', () => {
    expect(titled(widgets, 'Global replication lag').properties.annotations?.horizontal).toEqual([expect.objectContaining({ value: 60_000, label: 'RPO 60 s' })]);
  });

  it('keeps every widget inside the 24-column grid without overlaps', () => {
    const cells = new Set<string>();
    for (const w of widgets as (Widget & { height: number })[]) {
      expect(w.x + w.width).toBeLessThanOrEqual(24);
      for (let x = w.x; x < w.x + w.width; x++) {
        for (let y = w.y; y < w.y + w.height; y++) {
          const cell = `${x},${y}`;
          expect(cells.has(cell)).toBe(false);
          cells.add(cell);
        }
      }
    }
  });
});

describe('DrDashboard after a failover (activeRegion us-east-2)', () => {
  const { widgets } = dashboard({ activeRegion: 'us-east-2' });

  it('moves the banner, the first panel and the ACTIVE label to the secondary region', () => {
    expect(widgets.find((w) => w.type === 'text')!.properties.markdown).toMatch(/^# Active region: us-east-2 \(secondary\)\nStandby: us-east-1 \(primary\)/);
    const first = widgets.filter((w) => w.properties.view === 'singleValue').sort((a, b) => a.x - b.x)[0]!;
    expect(first.properties.title).toBe('us-east-2 secondary: ACTIVE');
    expect(titled(widgets, 'Database health').properties.metrics!.map((line) => options(line).label)).toEqual([
      'us-east-2 secondary (ACTIVE)',
      'us-east-1 primary (standby)',
    ]);
  });
});

describe('DrDashboard props', () => {
  it('shows the objectives it is given in the banner and on the lag graph', () => {
    const { widgets } = dashboard({}, { rpoSeconds: 30, rtoSeconds: 240 });
    expect(widgets.find((w) => w.type === 'text')!.properties.markdown).toContain('RPO 30 s, RTO 240 s.');
    expect(titled(widgets, 'Global replication lag').properties.annotations?.horizontal).toEqual([expect.objectContaining({ value: 30_000, label: 'RPO 30 s' })]);
  });

  it.each([
    ['an active region that is neither region', { activeRegion: 'eu-west-1' }, 'DrDashboard: activeRegion: eu-west-1 is neither region (us-east-1, us-east-2)'],
    [
      'one region twice',
      { regions: { primary: { ...REGIONS.primary, region: 'us-east-1' }, secondary: { ...REGIONS.secondary, region: 'us-east-1' } } },
      'DrDashboard: regions: primary and secondary are both us-east-1',
    ],
  ])('refuses %s, naming the field', (_case, props, message) => {
    expect(() => dashboard({}, props)).toThrow(message);
  });
});
