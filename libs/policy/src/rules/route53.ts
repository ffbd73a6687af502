import { fail, na, pass } from '../engine/types';
import { referenced, resourceRule } from './util';

const ROUTING_POLICIES = ['weighted_routing_policy', 'failover_routing_policy', 'latency_routing_policy', 'geolocation_routing_policy', 'geoproximity_routing_policy'];

export const route53Rules = [
  resourceRule({
    id: 'route53-health-checked-records',
    mirrors: null,
    title: 'Route 53 records that share traffic (weighted, failover, latency, geo, multivalue) have a health check',
    severity: 'high',
    resourceTypes: ['aws_route53_record'],
    check: (record, stack) => {
      const routed = ROUTING_POLICIES.some((p) => record.body[p] !== undefined) || record.body.multivalue_answer_routing_policy === true;
      if (!routed) return na('simple routing: no traffic to take away');
      return referenced(stack, record.body.health_check_id, ['aws_route53_health_check'])
        ? pass()
        : fail('health_check_id does not reference an aws_route53_health_check of the stack');
    },
  }),
];
