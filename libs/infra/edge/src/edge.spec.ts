import { DR_ROLES, type DrRole, type EnvironmentOverrides, activeRole, defineEnvironment } from '@txn-dr/config';
import { DrStack } from '@txn-dr/infra-core';
import { type SynthesizedStack, followReference, onlyResource, resourcesOfType, synthesize } from '@txn-dr/infra-core/testing';
import { TerraformOutput, Testing } from 'cdktf';
import { HostedZone } from './hosted-zone';
import { RegionalRecord } from './regional-record';
import { ServiceCertificate } from './service-certificate';

/** A region's record with the values a regional stack passes from its environment. */
function synthRecord(role: DrRole, overrides: Partial<EnvironmentOverrides> = {}, protocol: 'HTTP' | 'HTTPS' = 'HTTPS'): SynthesizedStack {
  const env = defineEnvironment({ name: 'dev', ...overrides });
  const stack = new DrStack(Testing.app(), { env, stack: role });
  new RegionalRecord(stack, 'dns', {
    names: stack.names,
    role,
    provider: stack.provider(role),
    zoneId: 'Z0123456789',
    active: activeRole(env) === role,
    healthCheck: env.healthCheck,
    target: { dnsName: `${role}-alb.elb.amazonaws.com`, zoneId: 'Z35SXDOTRQ7X7K', port: protocol === 'HTTPS' ? 443 : 80, protocol },
  });
  return synthesize(stack);
}

/** The weighted record of the service name (the one with a set identifier). */
function weightedRecord(json: SynthesizedStack): Record<string, unknown> {
  const weighted = Object.values(resourcesOfType(json, 'aws_route53_record')).filter((r) => r.set_identifier !== undefined);
  expect(weighted).toHaveLength(1);
  return weighted[0]!;
}

/** The region's own record (no routing policy). */
function ownRecord(json: SynthesizedStack): [name: string, body: Record<string, unknown>] {
  const own = Object.entries(resourcesOfType(json, 'aws_route53_record')).filter(([, r]) => r.set_identifier === undefined);
  expect(own).toHaveLength(1);
  return own[0]!;
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
  const record = weightedRecord(json);
  const healthCheck = onlyResource(json, 'aws_route53_health_check');
  const [ownName, own] = ownRecord(json);

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

  it('gives the region its own name, a simple alias to its ALB with no health check of its own', () => {
    expect(own).toEqual({
      provider: `aws.${role}`,
      zone_id: 'Z0123456789',
      name: `${role}.app.dr-dev.example.com`,
      type: 'A',
      alias: { name: `${role}-alb.elb.amazonaws.com`, zone_id: 'Z35SXDOTRQ7X7K', evaluate_target_health: false },
    });
  });

  it('checks the writable endpoint over HTTPS on 443 at the region\'s own name, sent as SNI, every 10 s, 3 failures, by default', () => {
    expect(healthCheck).toMatchObject({
      type: 'HTTPS',
      fqdn: `${role}.app.dr-dev.example.com`,
      enable_sni: true,
      port: 443,
      resource_path: '/health/writable',
      request_interval: 10,
      failure_threshold: 3,
    });
    // Never the weighted name it guards: that resolves to whichever region DNS picks.
    expect(healthCheck.fqdn).not.toBe(record.name);
    expect(healthCheck).not.toHaveProperty('ip_address');
    expect(healthCheck.depends_on).toEqual([`aws_route53_record.${ownName}`]);
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
      const weight = (json: SynthesizedStack) => (weightedRecord(json).weighted_routing_policy as { weight: number }).weight;
      expect(weight(after)).toBe(role === 'primary' ? 0 : 100);
      expect(weight(after)).not.toBe(weight(before));
      const withoutWeight = (json: SynthesizedStack) => JSON.stringify({ ...json.resource, aws_route53_record: null });
      expect(withoutWeight(after)).toBe(withoutWeight(before));
    }
  });

  it('follows config for the check interval and threshold', () => {
    const json = synthRecord('primary', { healthCheck: { intervalSeconds: 30, failureThreshold: 2 } });
    expect(onlyResource(json, 'aws_route53_health_check')).toMatchObject({ type: 'HTTPS', port: 443, request_interval: 30, failure_threshold: 2 });
  });

  it('checks plain HTTP on 80 at the ALB\'s own DNS name when the load balancer serves no HTTPS', () => {
    const json = synthRecord('secondary', { loadBalancer: { https: false } }, 'HTTP');
    const healthCheck = onlyResource(json, 'aws_route53_health_check');
    expect(healthCheck).toMatchObject({ type: 'HTTP', fqdn: 'secondary-alb.elb.amazonaws.com', port: 80, resource_path: '/health/writable' });
    expect(healthCheck).not.toHaveProperty('enable_sni');
    expect(healthCheck).not.toHaveProperty('depends_on');
  });

  it('asks another path when given one', () => {
    const stack = new DrStack(Testing.app(), { env: defineEnvironment({ name: 'dev' }), stack: 'primary' });
    new RegionalRecord(stack, 'dns', {
      names: stack.names,
      role: 'primary',
      provider: stack.provider('primary'),
      zoneId: 'Z0123456789',
      active: true,
      healthCheck: { intervalSeconds: 10, failureThreshold: 3 },
      target: { dnsName: 'primary-alb.elb.amazonaws.com', zoneId: 'Z35SXDOTRQ7X7K', port: 80, protocol: 'HTTP' },
      healthPath: '/elsewhere',
    });
    expect(onlyResource(synthesize(stack), 'aws_route53_health_check').resource_path).toBe('/elsewhere');
  });
});

describe.each(DR_ROLES)('ServiceCertificate (%s)', (role) => {
  const stack = new DrStack(Testing.app(), { env: defineEnvironment({ name: 'dev' }), stack: role });
  const certificate = new ServiceCertificate(stack, 'certificate', {
    provider: stack.provider(role),
    zoneId: 'Z0123456789',
    domainName: 'app.dr.payments.acme.io',
    alternativeNames: [`${role}.app.dr.payments.acme.io`],
    name: `txdr-dev-${role}-service`,
  });
  new TerraformOutput(stack, 'certificate-arn', { value: certificate.certificateArn }).overrideLogicalId('certificateArn');
  const json = synthesize(stack);
  const cert = onlyResource(json, 'aws_acm_certificate');
  const [[recordName, record]] = Object.entries(resourcesOfType(json, 'aws_route53_record')) as [[string, Record<string, unknown>]];
  const validation = onlyResource(json, 'aws_acm_certificate_validation');
  const certAddress = `aws_acm_certificate.${Object.keys(resourcesOfType(json, 'aws_acm_certificate'))[0]}`;

  it('requests the certificate in its own region, for the service name and the region\'s own name, validated by DNS', () => {
    expect(cert).toEqual({
      provider: `aws.${role}`,
      domain_name: 'app.dr.payments.acme.io',
      subject_alternative_names: [`${role}.app.dr.payments.acme.io`],
      validation_method: 'DNS',
      tags: { Name: `txdr-dev-${role}-service` },
      lifecycle: { create_before_destroy: true },
    });
  });

  it('writes one CNAME per name on the certificate into the zone, overwriting the same record of the other region', () => {
    expect(record).toEqual({
      provider: `aws.${role}`,
      for_each: `\${{ for key, val in tolist(${certAddress}.domain_validation_options): val.domain_name => val }}`,
      zone_id: 'Z0123456789',
      name: '${each.value.resource_record_name}',
      type: '${each.value.resource_record_type}',
      records: ['${each.value.resource_record_value}'],
      ttl: 60,
      allow_overwrite: true,
    });
  });

  it('waits for issuance on those records, and gives the issued ARN for the listener', () => {
    expect(validation).toEqual({
      provider: `aws.${role}`,
      certificate_arn: `\${${certAddress}.arn}`,
      validation_record_fqdns: `\${[ for key, val in aws_route53_record.${recordName}: val.fqdn]}`,
    });
    const validationAddress = `aws_acm_certificate_validation.${Object.keys(resourcesOfType(json, 'aws_acm_certificate_validation'))[0]}`;
    expect(json.output?.certificateArn?.value).toBe(`\${${validationAddress}.certificate_arn}`);
  });
});
