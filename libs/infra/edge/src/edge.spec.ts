import { DR_ROLES, type DrRole, type EnvironmentOverrides, defineEnvironment } from '@txn-dr/config';
import { DrStack } from '@txn-dr/infra-core';
import { type SynthesizedStack, followReference, onlyResource, resourcesOfType, synthesize } from '@txn-dr/infra-core/testing';
import { TerraformOutput, Testing } from 'cdktf';
import { HostedZone } from './hosted-zone';
import { RegionalRecord } from './regional-record';

function synthRecord(role: DrRole, overrides: Partial<EnvironmentOverrides> = {}, protocol: 'HTTP' | 'HTTPS' = 'HTTP'): SynthesizedStack {
  const stack = new DrStack(Testing.app(), { env: defineEnvironment({ name: 'dev', ...overrides }), stack: role });
  new RegionalRecord(stack, 'dns', {
    env: stack.env,
    role,
    provider: stack.provider(role),
    zoneId: 'Z0123456789',
    target: { dnsName: `${role}-alb.elb.amazonaws.com`, zoneId: 'Z35SXDOTRQ7X7K', port: protocol === 'HTTPS' ? 443 : 80, protocol },
  });
  return synthesize(stack);
}

/** The zone's id and name servers as outputs, to read them as Terraform will. */
function publish(stack: DrStack<'global'>, zone: HostedZone): void {
  new TerraformOutput(stack, 'zone-id', { value: zone.zoneId }).overrideLogicalId('zoneId');
  new TerraformOutput(stack, 'name-servers', { value: zone.nameServers }).overrideLogicalId('nameServers');
}

describe('HostedZone, created', () => {
  const stack = new DrStack(Testing.app(), { env: defineEnvironment({ name: 'dev' }), stack: 'global' });
  const zone = new HostedZone(stack, 'zone', { provider: stack.provider('primary'), zoneName: 'dr.payments.acme.io' });
  publish(stack, zone);
  const json = synthesize(stack);

  it('is a public zone of the given name, in the given provider, and reads none', () => {
    expect(onlyResource(json, 'aws_route53_zone')).toMatchObject({
      name: 'dr.payments.acme.io',
      provider: 'aws.primary',
      comment: 'Transaction service, weighted across both regions',
    });
    expect(onlyResource(json, 'aws_route53_zone')).not.toHaveProperty('vpc');
    expect(json.data?.aws_route53_zone).toBeUndefined();
    expect(zone.created).toBe(true);
  });

  it('gives its id and name servers, for the outputs', () => {
    expect(json.output?.zoneId?.value).toMatch(/^\$\{aws_route53_zone\.zone_[^.]+\.zone_id\}$/);
    expect(json.output?.nameServers?.value).toMatch(/^\$\{join\(",", aws_route53_zone\.zone_[^.]+\.name_servers\)\}$/);
  });
});

describe('HostedZone, existing', () => {
  const stack = new DrStack(Testing.app(), { env: defineEnvironment({ name: 'dev' }), stack: 'global' });
  const zone = new HostedZone(stack, 'zone', { provider: stack.provider('primary'), zoneName: 'dr.payments.acme.io', existingZoneId: 'Z0123456789ABCDEFGHIJ' });
  publish(stack, zone);
  const json = synthesize(stack);
  const lookup = Object.values(json.data?.aws_route53_zone ?? {});

  it('creates no zone', () => {
    expect(resourcesOfType(json, 'aws_route53_zone')).toEqual({});
    expect(zone.created).toBe(false);
  });

  it('reads the zone by id alone (given a name too, the data source would read nothing)', () => {
    expect(lookup).toHaveLength(1);
    expect(lookup[0]).toMatchObject({ zone_id: 'Z0123456789ABCDEFGHIJ', provider: 'aws.primary' });
    expect(lookup[0]).not.toHaveProperty('name');
  });

  it('stops the plan when the zone is not the public zone of zoneName', () => {
    expect((lookup[0]!.lifecycle as { postcondition: unknown }).postcondition).toEqual([
      {
        condition: '${self.name == "dr.payments.acme.io" && !self.private_zone}',
        error_message: 'Hosted zone Z0123456789ABCDEFGHIJ (dns.existingZoneId) must be the public zone of dr.payments.acme.io (dns.zoneName).',
      },
    ]);
  });

  it('gives the looked-up id and name servers, so the outputs read the same as for a created zone', () => {
    expect(json.output?.zoneId?.value).toMatch(/^\$\{data\.aws_route53_zone\.zone_[^.]+\.zone_id\}$/);
    expect(json.output?.nameServers?.value).toMatch(/^\$\{join\(",", data\.aws_route53_zone\.zone_[^.]+\.name_servers\)\}$/);
  });
});

describe.each(DR_ROLES)('RegionalRecord (%s)', (role) => {
  const json = synthRecord(role);
  const record = onlyResource(json, 'aws_route53_record');
  const healthCheck = onlyResource(json, 'aws_route53_health_check');

  it('is a weighted alias to its ALB, guarded by its health check', () => {
    expect(record).toMatchObject({
      zone_id: 'Z0123456789',
      name: 'app.dr-dev.example.com',
      type: 'A',
      set_identifier: role,
      alias: { name: `${role}-alb.elb.amazonaws.com`, zone_id: 'Z35SXDOTRQ7X7K' },
    });
    expect(followReference(json, record.health_check_id)).toBe(healthCheck);
  });

  it('takes its health from the writable check alone, not also from the ALB’s target health (a second gate in a failover, which the RTO budget does not count)', () => {
    expect(record.alias).toEqual({ name: `${role}-alb.elb.amazonaws.com`, zone_id: 'Z35SXDOTRQ7X7K', evaluate_target_health: false });
  });

  it('weighs 100 when its region is active and 0 when standby, from config alone', () => {
    expect(record.weighted_routing_policy).toEqual({ weight: role === 'primary' ? 100 : 0 });
  });

  it('checks the writable endpoint through the ALB, every 10 s, 3 failures, by default', () => {
    expect(healthCheck).toMatchObject({
      type: 'HTTP',
      fqdn: `${role}-alb.elb.amazonaws.com`,
      port: 80,
      resource_path: '/health/writable',
      request_interval: 10,
      failure_threshold: 3,
    });
  });

  it('creates a replacement check before deleting the old one (the interval cannot change in place)', () => {
    expect(healthCheck.lifecycle).toEqual({ create_before_destroy: true });
  });
});

describe('RegionalRecord options', () => {
  it('flips both weights when activeRegion moves, and changes nothing else', () => {
    const failedOver = { activeRegion: 'us-east-2' };
    for (const role of DR_ROLES) {
      const before = synthRecord(role);
      const after = synthRecord(role, failedOver);
      const weight = (json: SynthesizedStack) => (onlyResource(json, 'aws_route53_record').weighted_routing_policy as { weight: number }).weight;
      expect(weight(after)).toBe(role === 'primary' ? 0 : 100);
      expect(weight(after)).not.toBe(weight(before));
      const withoutWeight = (json: SynthesizedStack) => JSON.stringify({ ...json.resource, aws_route53_record: null });
      expect(withoutWeight(after)).toBe(withoutWeight(before));
    }
  });

  it('follows config for the check interval and threshold, and checks HTTPS behind a certificate', () => {
    const json = synthRecord('primary', { healthCheck: { intervalSeconds: 30, failureThreshold: 2 } }, 'HTTPS');
    expect(onlyResource(json, 'aws_route53_health_check')).toMatchObject({ type: 'HTTPS', port: 443, request_interval: 30, failure_threshold: 2 });
  });

  it('asks another path when given one', () => {
    const stack = new DrStack(Testing.app(), { env: defineEnvironment({ name: 'dev' }), stack: 'primary' });
    new RegionalRecord(stack, 'dns', {
      env: stack.env,
      role: 'primary',
      provider: stack.provider('primary'),
      zoneId: 'Z0123456789',
      target: { dnsName: 'primary-alb.elb.amazonaws.com', zoneId: 'Z35SXDOTRQ7X7K', port: 80, protocol: 'HTTP' },
      healthPath: '/elsewhere',
    });
    expect(onlyResource(synthesize(stack), 'aws_route53_health_check').resource_path).toBe('/elsewhere');
  });
});
