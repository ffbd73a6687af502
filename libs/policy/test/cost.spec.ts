import { costLines, fixedMonthlyTotal } from '../src/cost/estimate';
import { costInventory } from '../src/cost/inventory';
import { COST_END, COST_START, withCostSection } from '../src/cost/readme';
import { Stack } from '../src/engine/stack';
import type { TfJson } from '../src/engine/types';
import { PROVIDERS, tf } from './fixtures/helpers';

// The cost section of the README, counted from the real stacks, is checked by the policy suite
// (libs/policy/suite/test/cost.spec.ts).

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
