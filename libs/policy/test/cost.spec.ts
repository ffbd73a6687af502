import { DR_ROLES, ENVIRONMENTS_DIR, capacityFor, defineEnvironment, knownEnvironments } from '@txn-dr/config';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { costLines, fixedMonthlyTotal, renderCostSection } from '../src/cost/estimate';
import { costInventory, type CostInventory } from '../src/cost/inventory';
import { COST_END, COST_START, withCostSection } from '../src/cost/readme';
import { workspaceRoot } from '../src/engine/load';
import { Stack } from '../src/engine/stack';
import type { TfJson } from '../src/engine/types';
import { PROVIDERS, tf } from './fixtures/helpers';
import { synthesizedStacks } from './synthesized';

const stacks = synthesizedStacks();
const root = workspaceRoot(__dirname);

/**
 * The settings that change what the stacks create, and so the fixed costs. The table in the
 * README is counted from a synth of one environment; it holds for the others only while their
 * files leave these at the defaults.
 */
const COST_SETTINGS = [
  'regions.primary.databaseInstances',
  'regions.secondary.databaseInstances',
  'regions.primary.availabilityZones',
  'regions.secondary.availabilityZones',
  'regions.primary.natGateways',
  'regions.secondary.natGateways',
  'capacity',
  'compute.instanceType',
  'database.instanceClass',
  'healthCheck.intervalSeconds',
  'loadBalancer.https',
];

function at(object: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], object);
}

describe('the cost section of the README', () => {
  const readme = () => readFileSync(join(root, 'README.md'), 'utf8');

  it('holds the tables the synthesized stacks give (rerun `node --import tsx libs/policy/src/cost-cli.ts` when a count or price changes)', () => {
    const current = readme();
    expect(current).toContain(COST_START);
    expect(withCostSection(current, renderCostSection(costInventory(stacks()), knownEnvironments()))).toBe(current);
  });

  it.each(readdirSync(ENVIRONMENTS_DIR).filter((file) => file.endsWith('.json')))(
    'applies to environments/%s: it sets none of the settings that change the count',
    (file) => {
      const content = JSON.parse(readFileSync(join(ENVIRONMENTS_DIR, file), 'utf8')) as unknown;
      expect(COST_SETTINGS.filter((path) => at(content, path) !== undefined)).toEqual([]);
    },
  );
});

describe('the inventory of the synthesized stacks', () => {
  // The synth is of an environment whose file changes none of COST_SETTINGS (checked above), so
  // the defaults say what it must hold; the inventory is checked against config, not against itself.
  const env = defineEnvironment({ name: 'dev' });
  const inventory = (): CostInventory => costInventory(stacks());
  const regionOf = (role: (typeof DR_ROLES)[number]) => env.regions[role].region;

  it('counts the Aurora instances config asks for, in each region, of its class', () => {
    expect(inventory().auroraInstances).toEqual(
      DR_ROLES.map((role) => ({ region: regionOf(role), instanceClass: env.database.instanceClass, count: env.regions[role].databaseInstances })),
    );
  });

  it('counts every interface endpoint once per availability zone, the same services in both regions', () => {
    const endpoints = inventory().interfaceEndpoints;
    expect(endpoints.map((e) => e.region)).toEqual(DR_ROLES.map(regionOf));
    for (const [i, role] of DR_ROLES.entries()) expect(endpoints[i]!.endpointAzs).toBe(endpoints[i]!.endpoints * env.regions[role].availabilityZones);
    expect(endpoints[0]!.endpoints).toBe(endpoints[1]!.endpoints);
  });

  it('counts each fleet at the desired capacity of its duty, with the configured type', () => {
    expect(inventory().fleets.map((f) => ({ region: f.region, instanceType: f.instanceType, min: f.min, desired: f.desired, max: f.max }))).toEqual(
      DR_ROLES.map((role) => ({ region: regionOf(role), instanceType: env.compute.instanceType, ...capacityFor(env, role) })),
    );
  });

  it('counts the NAT gateways, the health checks and their options as configured', () => {
    expect(inventory().natGateways).toEqual(Object.fromEntries(DR_ROLES.filter((role) => env.regions[role].natGateways > 0).map((role) => [regionOf(role), env.regions[role].natGateways])));
    expect(inventory().healthChecks).toEqual(
      DR_ROLES.map(() => ({ type: env.loadBalancer.https ? 'HTTPS' : 'HTTP', fastInterval: env.healthCheck.intervalSeconds === 10, measureLatency: true, stringMatching: false })),
    );
  });

  it('keeps the counts the README prices (a key, alarm, dashboard or secret more or less changes the bill)', () => {
    const found = inventory();
    expect(Object.values(found.kmsKeys).reduce((sum, n) => sum + n, 0)).toBe(9);
    expect(found.alarms.reduce((sum, a) => sum + a.alarmMetrics, 0)).toBe(18);
    expect(found.alarms.reduce((sum, a) => sum + a.metricsInsightsAlarms, 0)).toBe(2);
    expect([found.hostedZones, found.dashboards, found.secrets]).toEqual([1, 1, 2]);
    expect(found.replicationRules).toEqual({ total: 2, withTimeControl: 2 });
  });
});

describe('costInventory on small stacks', () => {
  const one = (json: TfJson) => costInventory([new Stack('fixture', json)]);
  const provider = { provider: PROVIDERS };

  it('counts interface endpoints by the zones they span and leaves gateway endpoints out', () => {
    const found = one(
      tf(
        {
          aws_vpc_endpoint: {
            logs: { provider: 'aws.primary', vpc_endpoint_type: 'Interface', subnet_ids: ['a', 'b', 'c'] },
            s3: { provider: 'aws.primary', vpc_endpoint_type: 'Gateway' },
          },
        },
        provider,
      ),
    );
    expect(found.interfaceEndpoints).toEqual([{ region: 'us-east-1', endpoints: 1, endpointAzs: 3 }]);
  });

  it('counts a multi-Region replica as a key of its own region', () => {
    const found = one(
      tf({ aws_kms_key: { k: { provider: 'aws.primary', multi_region: true } }, aws_kms_replica_key: { r: { provider: 'aws.secondary', primary_key_arn: '${aws_kms_key.k.arn}' } } }, provider),
    );
    expect(found.kmsKeys).toEqual({ 'us-east-1': 1, 'us-east-2': 1 });
  });

  it('gives an internal load balancer no public address', () => {
    const found = one(
      tf(
        {
          aws_lb: {
            public: { provider: 'aws.primary', internal: false, subnets: ['a', 'b'] },
            private: { provider: 'aws.primary', internal: true, subnets: ['c', 'd'] },
          },
        },
        provider,
      ),
    );
    expect(found.loadBalancers).toEqual([{ region: 'us-east-1', count: 2, internetFacingZones: 2 }]);
  });

  it('counts the metrics a math alarm fetches, and a Metrics Insights alarm apart', () => {
    const found = one(
      tf(
        {
          aws_cloudwatch_metric_alarm: {
            plain: { provider: 'aws.primary', metric_name: 'Errors' },
            math: { provider: 'aws.primary', metric_query: [{ id: 'a', metric: {} }, { id: 'b', metric: {} }, { id: 'c', expression: 'a + b' }] },
            insights: { provider: 'aws.primary', metric_query: [{ id: 'q', expression: 'SELECT MAX(Lag) FROM "AWS/RDS"' }] },
          },
        },
        provider,
      ),
    );
    expect(found.alarms).toEqual([{ region: 'us-east-1', alarms: 3, alarmMetrics: 3, metricsInsightsAlarms: 1 }]);
  });

  it('prices each optional feature of a health check', () => {
    const found = one(
      tf(
        {
          aws_route53_health_check: {
            basic: { type: 'HTTP', request_interval: 30 },
            everything: { type: 'HTTPS_STR_MATCH', request_interval: 10, measure_latency: true, search_string: 'ok' },
          },
        },
        provider,
      ),
    );
    const line = costLines(found).find((l) => l.item === 'Route 53 health checks');
    // 2 x $0.50, and 4 options on the second ($1.00 each).
    expect(line?.monthlyUsd).toBe(5);
  });

  it('shows a class it has no price for, and leaves it out of the total', () => {
    const found = one(tf({ aws_rds_cluster_instance: { a: { provider: 'aws.primary', instance_class: 'db.x2g.16xlarge' } } }, provider));
    const lines = costLines(found);
    expect(lines.find((l) => l.item === 'Aurora instances, db.x2g.16xlarge')).toMatchObject({ unitPrice: 'not found for db.x2g.16xlarge', monthlyUsd: undefined });
    expect(fixedMonthlyTotal(lines)).toBe(0);
  });

  it('prices NAT gateways by the hour when config adds them', () => {
    const found = one(tf({ aws_nat_gateway: { a: { provider: 'aws.primary' }, b: { provider: 'aws.secondary' } } }, provider));
    expect(costLines(found).find((l) => l.item === 'NAT gateways')).toMatchObject({ counted: 'us-east-1: 1, us-east-2: 1', monthlyUsd: 65.7 });
  });

  it('refuses a resource whose region it cannot tell, rather than pricing it nowhere', () => {
    expect(() => one(tf({ aws_lb: { orphan: { provider: 'aws.elsewhere', subnets: ['a'] } } }, provider))).toThrow(/aws_lb\.orphan names no provider with a literal region/);
  });
});

describe('withCostSection', () => {
  it('replaces only the text between the markers, and refuses a README without them', () => {
    const text = `# x\n${COST_START}\nold\n${COST_END}\nafter\n`;
    expect(withCostSection(text, 'new')).toBe(`# x\n${COST_START}\nnew\n${COST_END}\nafter\n`);
    expect(() => withCostSection('# x\n', 'new')).toThrow(/no <!-- cost:start/);
  });
});
