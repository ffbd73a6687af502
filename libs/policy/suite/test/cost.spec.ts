import { DR_ROLES, ENVIRONMENTS_DIR, capacityFor, defineEnvironment, knownEnvironments } from '@txn-dr/config';
import { COST_START, costInventory, renderCostSection, withCostSection, workspaceRoot, type CostInventory } from '@txn-dr/policy';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { synthesizedStacks } from './synthesized';

// The README's table is counted from dev; the test below holds the others to the same count.
const stacks = synthesizedStacks('dev');
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
    expect(Object.values(found.kmsKeys).reduce((sum, n) => sum + n, 0)).toBe(11);
    expect(found.alarms.reduce((sum, a) => sum + a.alarmMetrics, 0)).toBe(18);
    expect(found.alarms.reduce((sum, a) => sum + a.metricsInsightsAlarms, 0)).toBe(2);
    expect([found.hostedZones, found.dashboards, found.secrets]).toEqual([1, 1, 2]);
    expect(found.replicationRules).toEqual({ total: 2, withTimeControl: 2 });
  });
});
