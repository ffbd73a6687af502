import type { Stack } from '../engine/stack';
import { fail, na, pass, type Resource } from '../engine/types';
import { isFalse, referenced, resourceRule } from './util';

const ROUTING_POLICIES = ['weighted_routing_policy', 'failover_routing_policy', 'latency_routing_policy', 'geolocation_routing_policy', 'geoproximity_routing_policy'];

const HTTPS_TYPES = ['HTTPS', 'HTTPS_STR_MATCH'];

/** A record name or health-check fqdn as Route 53 compares it: lower case, no trailing dot. */
const dnsName = (value: unknown) => String(value).toLowerCase().replace(/\.$/, '');

/** The name a health check asks: its literal fqdn, or the name of the record its fqdn refers to. */
function askedName(stack: Stack, check: Resource): string | undefined {
  const fqdn = check.body.fqdn;
  if (typeof fqdn !== 'string') return undefined;
  const record = referenced(stack, fqdn, ['aws_route53_record']);
  if (record) return typeof record.body.name === 'string' ? dnsName(record.body.name) : undefined;
  return fqdn.includes('${') ? undefined : dnsName(fqdn);
}

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
  resourceRule({
    id: 'route53-health-check-not-guarded-name',
    mirrors: null,
    // "if you create a health check for which the value of FullyQualifiedDomainName matches the
    // name of the records and you then associate the health check with those records, health
    // check results will be unpredictable": ask each endpoint by a name of its own.
    // https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
    title: 'Health checks do not ask the name of the records they guard',
    severity: 'high',
    resourceTypes: ['aws_route53_health_check'],
    check: (check, stack) => {
      const guarded = stack.referrers(check, 'aws_route53_record', 'health_check_id');
      if (guarded.length === 0) return na('guards no record');
      const asked = askedName(stack, check);
      if (asked === undefined) return na('asks an address or a name known only at apply');
      const same = guarded.filter((r) => typeof r.body.name === 'string' && dnsName(r.body.name) === asked);
      return same.length === 0 ? pass() : fail(`asks ${asked}, the name of ${same.map((r) => r.address).join(', ')}, which it guards`);
    },
  }),
  resourceRule({
    id: 'route53-https-health-check-sni',
    mirrors: null,
    // With SNI Route 53 sends the fqdn in the client_hello, so the endpoint answers with the
    // certificate for that name; some endpoints fail the handshake without it.
    // https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
    title: 'HTTPS health checks ask a host name and send it as SNI',
    severity: 'medium',
    resourceTypes: ['aws_route53_health_check'],
    check: (check) => {
      if (!HTTPS_TYPES.includes(String(check.body.type))) return na('not an HTTPS health check');
      if (typeof check.body.fqdn !== 'string') return fail('asks no fqdn, so it has no name to send as SNI');
      return isFalse(check.body.enable_sni) ? fail('enable_sni is false') : pass();
    },
  }),
];
