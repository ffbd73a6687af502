import { DR_ROLES, type DrRole, type Environment, defineEnvironment } from '@txn-dr/config';
import { TLS_POLICY } from '@txn-dr/infra-compute';
import { subnetLayout } from '@txn-dr/infra-network';
import { PARAMETER_KEYS, STACK_OUTPUTS, parameterPrefix } from '@txn-dr/contracts';
import { type SynthesizedStack, followReference, literalSecrets, onlyResource, resourcesOfType, synthesize } from '@txn-dr/infra-core/testing';
import { SCHEMA_MIGRATION_ZIP } from '@txn-dr/infra-database';
import { Testing } from 'cdktf';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { RegionalStack } from './regional-stack';

/** An e-mail address and an HTTPS endpoint, subscribed to every alert topic. */
const ALERTS = {
  subscriptions: [
    { protocol: 'email', endpoint: 'oncall@example.com' },
    { protocol: 'https', endpoint: 'https://events.example.com/sns/alerts' },
  ],
} as const;
const env = defineEnvironment({ name: 'dev', alerts: { subscriptions: [...ALERTS.subscriptions] } });

/** The weighted record of the service name (the only record with a set identifier). */
function weightedRecord(json: SynthesizedStack): Record<string, unknown> {
  const weighted = Object.values(resourcesOfType(json, 'aws_route53_record')).filter((r) => r.set_identifier !== undefined);
  expect(weighted).toHaveLength(1);
  return weighted[0]!;
}

/** The listeners of the stack's ALB, by port. */
function listeners(json: SynthesizedStack): Record<number, Record<string, unknown>> {
  return Object.fromEntries(Object.values(resourcesOfType(json, 'aws_lb_listener')).map((l) => [Number(l.port), l]));
}

/** The ports the ALB's security group opens to the internet. */
function worldPorts(json: SynthesizedStack): number[] {
  return Object.values(resourcesOfType(json, 'aws_vpc_security_group_ingress_rule'))
    .filter((r) => r.cidr_ipv4 === '0.0.0.0/0')
    .map((r) => Number(r.from_port))
    .sort((a, b) => a - b);
}

describe.each(DR_ROLES)('RegionalStack (%s)', (role) => {
  const json = synthesize(new RegionalStack(Testing.app(), env, role));
  const region = env.regions[role].region;

  it('targets its own region; only the secondary puts anything in us-east-1: the writable-region alarms and the primary\'s half of the peering', () => {
    // The primary keeps declaring the provider so that Terraform can destroy its former Route 53 alarm.
    const providers = [expect.objectContaining({ alias: role, region }), expect.objectContaining({ alias: 'route53-metrics', region: 'us-east-1' })];
    expect(json.provider?.aws).toEqual(role === 'primary' ? providers : [...providers, expect.objectContaining({ alias: 'primary', region: 'us-east-1' })]);
    const madeThrough = (provider: string) =>
      Object.entries(json.resource ?? {}).flatMap(([type, blocks]) => Object.values(blocks).filter((b) => b.provider === provider).map(() => type));
    expect(madeThrough('aws.route53-metrics').sort()).toEqual(
      role === 'primary'
        ? []
        : [
            'aws_cloudwatch_metric_alarm',
            'aws_cloudwatch_metric_alarm',
            'aws_kms_alias',
            'aws_kms_key',
            'aws_sns_topic',
            'aws_sns_topic_policy',
            'aws_sns_topic_subscription',
            'aws_sns_topic_subscription',
          ],
    );
    const counts = (types: string[]) => types.reduce<Record<string, number>>((acc, type) => ({ ...acc, [type]: (acc[type] ?? 0) + 1 }), {});
    expect(counts(madeThrough('aws.primary'))).toEqual(
      role === 'primary'
        ? expect.objectContaining({ aws_vpc: 1, aws_rds_cluster: 1 })
        : { aws_vpc_peering_connection_accepter: 1, aws_route: 4, aws_vpc_security_group_ingress_rule: 2, aws_vpc_security_group_egress_rule: 2 },
    );
    expect(json.provider?.aws?.[0]?.default_tags).toEqual([{ tags: expect.objectContaining({ DRRole: role, Stack: role }) }]);
    // What the secondary stack makes in the primary's region says so in its tags.
    if (role === 'secondary') expect(json.provider?.aws?.[2]?.default_tags).toEqual([{ tags: expect.objectContaining({ DRRole: 'primary', Stack: 'secondary' }) }]);
  });

  it('keeps its own state and reads the global stack through its contract', () => {
    expect(json.terraform.backend).toEqual({ local: { path: `../../../../stack-${role}/terraform.dev.tfstate` } });
    expect(Object.keys(json.data?.terraform_remote_state ?? {})).toContain('state-global');
    expect(onlyResource(json, 'aws_rds_cluster').global_cluster_identifier).toBe('${data.terraform_remote_state.state-global.outputs.globalClusterIdentifier}');
  });

  it('encrypts data at rest with one rotating regional key that CloudWatch Logs may use', () => {
    const cluster = onlyResource(json, 'aws_rds_cluster');
    const key = followReference(json, cluster.kms_key_id);
    expect(key).toMatchObject({ enable_key_rotation: true, provider: `aws.${role}` });
    const policy = followReference(json, key.policy).statement as { principals: { identifiers: string[] }[] }[];
    expect(policy.flatMap((s) => s.principals.flatMap((p) => p.identifiers))).toContain(`logs.${region}.amazonaws.com`);
  });

  it('keeps every parameter under /dr/<env>/<role>/: the endpoints and secret, the artifact bucket, the health state', () => {
    const parameters = Object.values(resourcesOfType(json, 'aws_ssm_parameter'));
    expect(parameters.map((p) => p.name).sort()).toEqual(
      [...Object.values(PARAMETER_KEYS), 'health/last-state'].sort().map((k) => `${parameterPrefix('dev', role)}/${k}`),
    );
    const byName = Object.fromEntries(parameters.map((p) => [p.name, p.value]));
    expect(byName[`/dr/dev/${role}/db/writer-endpoint`]).toMatch(/^\$\{aws_rds_cluster\..*\.endpoint\}$/);
    expect(byName[`/dr/dev/${role}/db/secret-arn`]).toBe(
      `\${data.terraform_remote_state.state-global.outputs.databaseSecretArn${role === 'primary' ? 'Primary' : 'Secondary'}}`,
    );
  });

  it('sends the service\'s data to the global writer endpoint and its health probes to this region\'s cluster', () => {
    const parameters = Object.values(resourcesOfType(json, 'aws_ssm_parameter'));
    const byName = Object.fromEntries(parameters.map((p) => [p.name, p.value]));
    const globalWriter = `/dr/dev/${role}/db/global-writer-endpoint`;
    const regional = `/dr/dev/${role}/db/writer-endpoint`;
    // The global cluster's `endpoint`, published by the global stack and read through its contract.
    expect(byName[globalWriter]).toBe('${data.terraform_remote_state.state-global.outputs.globalWriterEndpoint}');

    const userData = Buffer.from(onlyResource(json, 'aws_launch_template').user_data as string, 'base64').toString('utf8');
    const envFile = userData.slice(userData.indexOf("<<'ENVFILE'\n"), userData.indexOf('\nENVFILE\n'));
    expect(envFile).toContain(`\nDB_HOST_PARAMETER=${globalWriter}\n`);
    expect(envFile).toContain(`\nDB_PROBE_HOST_PARAMETER=${regional}\n`);
    expect(envFile).not.toMatch(/\$\{[A-Z_]+\}/);

    const policies = Object.values(resourcesOfType(json, 'aws_iam_role_policy'));
    const instance = policies.find((p) => String(p.name).endsWith('-service-permissions'));
    const statements = followReference(json, instance?.policy).statement as { sid: string; resources: string[] }[];
    const readable = statements.find((s) => s.sid === 'ReadOwnParameters')?.resources ?? [];
    for (const name of [globalWriter, regional]) expect(readable).toContainEqual(expect.stringMatching(new RegExp(`:ssm:[^:]*:[^:]*:parameter${name}$`)));
  });

  it('puts the service behind its ALB, in its weighted record, watched by its health check and alarms', () => {
    const record = weightedRecord(json);
    expect(record.zone_id).toBe('${data.terraform_remote_state.state-global.outputs.hostedZoneId}');
    const alb = onlyResource(json, 'aws_lb');
    expect((record.alias as { name: string }).name).toBe(`\${aws_lb.${Object.keys(resourcesOfType(json, 'aws_lb'))[0]}.dns_name}`);
    expect(alb.security_groups).toEqual([expect.stringContaining('security-groups_alb')]);
    const group = onlyResource(json, 'aws_autoscaling_group');
    expect(group.target_group_arns).toEqual([expect.stringContaining('aws_lb_target_group')]);
    const alarms = Object.values(resourcesOfType(json, 'aws_cloudwatch_metric_alarm'));
    expect(alarms.map((a) => a.metric_name)).toEqual(expect.arrayContaining(['DatabaseHealth', 'UnHealthyHostCount', 'HealthyHostCount']));
    expect(alarms.every((a) => (a.alarm_actions as string[]).length > 0)).toBe(true);
  });

  it('alarms on the writable checks only together, in the secondary: none writable, or both', () => {
    const alarms = Object.values(resourcesOfType(json, 'aws_cloudwatch_metric_alarm'));
    // No alarm reads one region's check alone: the standby's is unhealthy by design.
    expect(alarms.filter((a) => a.metric_name === 'HealthCheckStatus')).toEqual([]);
    const onChecks = alarms.filter((a) => ((a.metric_query as { metric?: { metric_name: string } }[] | undefined) ?? []).some((q) => q.metric?.metric_name === 'HealthCheckStatus'));
    if (role === 'primary') {
      expect(onChecks).toEqual([]);
      return;
    }
    expect(onChecks.map((a) => a.alarm_name).sort()).toEqual(['txdr-dev-no-writable-region', 'txdr-dev-two-writable-regions']);
    const ownCheck = followReference(json, weightedRecord(json).health_check_id);
    for (const alarm of onChecks) {
      const checks = (alarm.metric_query as { metric?: { dimensions: { HealthCheckId: string } } }[]).flatMap((q) => (q.metric ? [q.metric.dimensions.HealthCheckId] : []));
      expect(checks[0]).toBe('${data.terraform_remote_state.state-primary.outputs.healthCheckId}');
      expect(followReference(json, checks[1])).toBe(ownCheck);
      expect(alarm.provider).toBe('aws.route53-metrics');
    }
    expect(ownCheck.resource_path).toBe('/health/writable');
  });

  it('routes by the writable check and keeps instances by the serving one', () => {
    const healthCheck = followReference(json, weightedRecord(json).health_check_id);
    expect(healthCheck).toMatchObject({ resource_path: '/health/writable', request_interval: 10, failure_threshold: 3 });
    expect((onlyResource(json, 'aws_lb_target_group').health_check as { path: string }).path).toBe('/health');
  });

  it('requests its certificate in its own region, for the service name and its own name, validated by DNS in the global zone', () => {
    expect(onlyResource(json, 'aws_acm_certificate')).toMatchObject({
      provider: `aws.${role}`,
      domain_name: 'app.dr-dev.example.com',
      subject_alternative_names: [`${role}.app.dr-dev.example.com`],
      validation_method: 'DNS',
    });
    const validationRecords = Object.values(resourcesOfType(json, 'aws_route53_record')).filter((r) => r.for_each !== undefined);
    expect(validationRecords).toEqual([
      expect.objectContaining({
        provider: `aws.${role}`,
        zone_id: '${data.terraform_remote_state.state-global.outputs.hostedZoneId}',
        for_each: expect.stringMatching(/^\$\{\{ for key, val in tolist\(aws_acm_certificate\.[^.]+\.domain_validation_options\): val\.domain_name => val \}\}$/),
        type: '${each.value.resource_record_type}',
        allow_overwrite: true,
      }),
    ]);
    const validation = onlyResource(json, 'aws_acm_certificate_validation');
    expect(validation.provider).toBe(`aws.${role}`);
    expect(followReference(json, validation.certificate_arn)).toBe(onlyResource(json, 'aws_acm_certificate'));
  });

  it('serves HTTPS on 443 with the validated certificate and the recommended policy; 80 only redirects', () => {
    const byPort = listeners(json);
    expect(Object.keys(byPort).map(Number).sort((a, b) => a - b)).toEqual([80, 443]);
    expect(byPort[443]).toMatchObject({ protocol: 'HTTPS', ssl_policy: TLS_POLICY, default_action: [expect.objectContaining({ type: 'forward' })] });
    // The ARN of the validation, not of the certificate: the listener waits until ACM has issued it.
    expect(followReference(json, byPort[443]!.certificate_arn)).toBe(onlyResource(json, 'aws_acm_certificate_validation'));
    expect(byPort[80]).toMatchObject({ protocol: 'HTTP', default_action: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } }] });
    expect(worldPorts(json)).toEqual([80, 443]);
  });

  it('checks the writable endpoint over HTTPS at its own name, which its certificate holds, with SNI', () => {
    const healthCheck = followReference(json, weightedRecord(json).health_check_id);
    expect(healthCheck).toMatchObject({ type: 'HTTPS', port: 443, fqdn: `${role}.app.dr-dev.example.com`, enable_sni: true });
    expect(onlyResource(json, 'aws_acm_certificate').subject_alternative_names).toContain(healthCheck.fqdn);
    const own = Object.values(resourcesOfType(json, 'aws_route53_record')).find((r) => r.name === healthCheck.fqdn);
    expect(own).toMatchObject({ type: 'A', alias: { name: `\${aws_lb.${Object.keys(resourcesOfType(json, 'aws_lb'))[0]}.dns_name}` } });
    expect(own).not.toHaveProperty('set_identifier');
  });

  it('ships the built service: the launch template names the bundle by its content hash', () => {
    const object = onlyResource(json, 'aws_s3_object');
    const userData = Buffer.from(onlyResource(json, 'aws_launch_template').user_data as string, 'base64').toString('utf8');
    expect(object.key).toMatch(/^transaction-api\/[0-9a-f]{64}\/main\.js$/);
    expect(userData).toContain(`readonly ARTIFACT_KEY='${object.key as string}'`);
  });

  it('keeps the cross-region dashboard in the secondary only, fed by the primary\'s outputs', () => {
    const dashboards = Object.values(resourcesOfType(json, 'aws_cloudwatch_dashboard'));
    if (role === 'primary') {
      expect(dashboards).toEqual([]);
      expect(Object.keys(json.data?.terraform_remote_state ?? {})).toEqual(['state-global']);
    } else {
      expect(dashboards).toHaveLength(1);
      expect(dashboards[0]?.dashboard_body).toContain('${data.terraform_remote_state.state-primary.outputs.loadBalancerArnSuffix}');
    }
  });

  it('publishes every regional output of the contract', () => {
    expect(Object.keys(json.output ?? {}).sort()).toEqual([...STACK_OUTPUTS[role]].sort());
  });

  it('publishes what the other region needs to peer: route tables in zone order, the data table and both groups', () => {
    const output = (key: string) => json.output?.[key]?.value as string;
    const tables = Object.entries(resourcesOfType(json, 'aws_route_table'));
    const named = (what: string) => tables.filter(([, t]) => (t.tags as { Name: string }).Name === `txdr-dev-${role}-${what}`).map(([name]) => `aws_route_table.${name}.id`);
    expect(output('privateRouteTableIds')).toBe(`\${join(",", [${[...named('private-0'), ...named('private-1')].join(', ')}])}`);
    expect(output('dataRouteTableId')).toBe(`\${${named('data')[0]}}`);
    expect(followReference(json, output('databaseSecurityGroupId')).name).toBe(`txdr-dev-${role}-database`);
    expect(followReference(json, output('serviceSecurityGroupId')).name).toBe(`txdr-dev-${role}-service`);
  });

  it('peers the two VPCs from the secondary only, both sides of it, on MySQL between service and data subnets', () => {
    const peeringRoutes = Object.values(resourcesOfType(json, 'aws_route')).filter((r) => r.vpc_peering_connection_id !== undefined);
    if (role === 'primary') {
      // The primary synthesizes alone: it knows nothing of the secondary and reads the global stack only.
      expect(resourcesOfType(json, 'aws_vpc_peering_connection')).toEqual({});
      expect(resourcesOfType(json, 'aws_vpc_peering_connection_accepter')).toEqual({});
      expect(peeringRoutes).toEqual([]);
      return;
    }
    const primaryOutput = (key: string) => `\${data.terraform_remote_state.state-primary.outputs.${key}}`;
    const connection = onlyResource(json, 'aws_vpc_peering_connection');
    expect(connection).toMatchObject({ provider: 'aws.secondary', peer_region: 'us-east-1', peer_vpc_id: primaryOutput('vpcId'), tags: { Name: 'txdr-dev-secondary-to-primary' } });
    expect(followReference(json, connection.vpc_id).cidr_block).toBe('10.1.0.0/16');
    const acceptance = onlyResource(json, 'aws_vpc_peering_connection_accepter');
    expect(acceptance).toMatchObject({ provider: 'aws.primary', auto_accept: true });
    expect(followReference(json, acceptance.vpc_peering_connection_id)).toBe(connection);

    // In us-east-2, through its own tables: the private ones to the primary VPC, the data one back to its private subnets.
    const tableName = (reference: unknown) => (followReference(json, reference).tags as { Name: string }).Name;
    const ownRoutes = peeringRoutes.filter((r) => r.provider === 'aws.secondary').map((r) => [tableName(r.route_table_id), r.destination_cidr_block]);
    expect(ownRoutes.sort()).toEqual(
      [
        ['txdr-dev-secondary-private-0', '10.0.0.0/16'],
        ['txdr-dev-secondary-private-1', '10.0.0.0/16'],
        ['txdr-dev-secondary-data', '10.0.64.0/21'],
        ['txdr-dev-secondary-data', '10.0.72.0/21'],
      ].sort(),
    );
    // In us-east-1, through the primary's tables as its contract publishes them.
    const primaryRoutes = peeringRoutes.filter((r) => r.provider === 'aws.primary').map((r) => [r.route_table_id, r.destination_cidr_block]);
    const listed = (index: number) => `\${element(split(",", data.terraform_remote_state.state-primary.outputs.privateRouteTableIds), ${index})}`;
    expect(primaryRoutes.sort()).toEqual(
      [
        [listed(0), '10.1.0.0/16'],
        [listed(1), '10.1.0.0/16'],
        [primaryOutput('dataRouteTableId'), '10.1.64.0/21'],
        [primaryOutput('dataRouteTableId'), '10.1.72.0/21'],
      ].sort(),
    );
    const acceptanceName = Object.keys(resourcesOfType(json, 'aws_vpc_peering_connection_accepter'))[0];
    expect(peeringRoutes.every((r) => r.vpc_peering_connection_id === `\${aws_vpc_peering_connection_accepter.${acceptanceName}.vpc_peering_connection_id}`)).toBe(true);

    const crossing = (type: string) =>
      Object.values(resourcesOfType(json, type))
        .filter((r) => typeof r.cidr_ipv4 === 'string' && r.cidr_ipv4 !== '0.0.0.0/0')
        .map((r) => {
          const group = String(r.security_group_id).startsWith('${data.') ? String(r.security_group_id) : followReference(json, r.security_group_id).name;
          return [r.provider, group, r.ip_protocol, r.from_port, r.to_port, r.cidr_ipv4];
        });
    expect(crossing('aws_vpc_security_group_ingress_rule').sort()).toEqual(
      [
        ['aws.secondary', 'txdr-dev-secondary-database', 'tcp', 3306, 3306, '10.0.64.0/21'],
        ['aws.secondary', 'txdr-dev-secondary-database', 'tcp', 3306, 3306, '10.0.72.0/21'],
        ['aws.primary', primaryOutput('databaseSecurityGroupId'), 'tcp', 3306, 3306, '10.1.64.0/21'],
        ['aws.primary', primaryOutput('databaseSecurityGroupId'), 'tcp', 3306, 3306, '10.1.72.0/21'],
      ].sort(),
    );
    expect(crossing('aws_vpc_security_group_egress_rule').sort()).toEqual(
      [
        ['aws.secondary', 'txdr-dev-secondary-service', 'tcp', 3306, 3306, '10.0.128.0/21'],
        ['aws.secondary', 'txdr-dev-secondary-service', 'tcp', 3306, 3306, '10.0.136.0/21'],
        ['aws.primary', primaryOutput('serviceSecurityGroupId'), 'tcp', 3306, 3306, '10.1.128.0/21'],
        ['aws.primary', primaryOutput('serviceSecurityGroupId'), 'tcp', 3306, 3306, '10.1.136.0/21'],
      ].sort(),
    );
  });

  it('never routes the public tier across', () => {
    const publicTables = Object.entries(resourcesOfType(json, 'aws_route_table'))
      .filter(([, t]) => (t.tags as { Name: string }).Name.endsWith('-public'))
      .map(([name]) => `\${aws_route_table.${name}.id}`);
    expect(publicTables).toHaveLength(1);
    const routesOfPublic = Object.values(resourcesOfType(json, 'aws_route')).filter((r) => publicTables.includes(r.route_table_id as string));
    expect(routesOfPublic.map((r) => [r.destination_cidr_block, r.vpc_peering_connection_id])).toEqual([['0.0.0.0/0', undefined]]);
  });

  it('rotates the master secret every 30 days from the primary only, through the global writer endpoint', () => {
    const rotations = Object.values(resourcesOfType(json, 'aws_secretsmanager_secret_rotation'));
    const functions = Object.values(resourcesOfType(json, 'aws_lambda_function')).map((f) => f.function_name);
    if (role === 'secondary') {
      // The replica's value follows the primary's; only the health check runs here.
      expect(rotations).toEqual([]);
      expect(functions).toEqual([`txdr-dev-${role}-health-check`]);
      return;
    }
    expect(rotations).toEqual([
      expect.objectContaining({
        provider: 'aws.primary',
        secret_id: '${data.terraform_remote_state.state-global.outputs.databaseSecretArnPrimary}',
        rotation_rules: { schedule_expression: 'rate(30 days)' },
      }),
    ]);
    const rotation = rotations[0]!;
    const fn = followReference(json, rotation.rotation_lambda_arn);
    expect(fn.function_name).toBe('txdr-dev-primary-secret-rotation');
    expect((fn.environment as { variables: Record<string, string> }).variables).toMatchObject({
      DR_SECRET_ARN: '${data.terraform_remote_state.state-global.outputs.databaseSecretArnPrimary}',
      DR_DB_HOST: '${data.terraform_remote_state.state-global.outputs.globalWriterEndpoint}',
    });
    // In the private subnets, waiting for the writer and its instances before the first call.
    const subnets = (fn.vpc_config as { subnet_ids: string[] }).subnet_ids.map((id) => (followReference(json, id).tags as { Name: string }).Name);
    expect(subnets.sort()).toEqual(['txdr-dev-primary-private-0', 'txdr-dev-primary-private-1']);
    const waitsFor = (rotation.depends_on as string[]).map((address) => address.split('.')[0]);
    expect(waitsFor).toEqual(expect.arrayContaining(['aws_rds_cluster', 'aws_rds_cluster_instance', 'aws_lambda_permission']));
  });

  it('lets the rotation reach the database of both regions and the Secrets Manager endpoint, nothing else', () => {
    const groupName = (reference: unknown) => String(followReference(json, reference).name);
    const egress = Object.values(resourcesOfType(json, 'aws_vpc_security_group_egress_rule'))
      .filter((r) => !String(r.security_group_id).startsWith('${data.') && groupName(r.security_group_id) === 'txdr-dev-primary-secret-rotation')
      .map((r) => [r.from_port, r.referenced_security_group_id ? groupName(r.referenced_security_group_id) : r.cidr_ipv4]);
    const admitting = Object.values(resourcesOfType(json, 'aws_vpc_security_group_ingress_rule'))
      .filter((r) => typeof r.referenced_security_group_id === 'string' && groupName(r.referenced_security_group_id) === 'txdr-dev-primary-secret-rotation')
      .map((r) => [groupName(r.security_group_id), r.from_port]);
    if (role === 'secondary') {
      expect([egress, admitting]).toEqual([[], []]);
      return;
    }
    const standbyData = subnetLayout(env.regions.secondary.vpcCidr, env.regions.secondary.availabilityZones).data;
    expect(egress.sort()).toEqual(
      [[3306, 'txdr-dev-primary-database'], [443, 'txdr-dev-primary-endpoints'], ...standbyData.map((cidr) => [3306, cidr])].sort(),
    );
    expect(admitting.sort()).toEqual([['txdr-dev-primary-database', 3306], ['txdr-dev-primary-endpoints', 443]].sort());
  });

  it('migrates the schema from the primary only: after the writer\'s instances exist, before the service fleet, again for each new bundle', () => {
    const invocations = Object.entries(resourcesOfType(json, 'aws_lambda_invocation'));
    const group = onlyResource(json, 'aws_autoscaling_group');
    if (role === 'secondary') {
      // The standby's cluster is read-only: the schema and the user reach it by replication.
      expect(invocations).toEqual([]);
      expect((group.depends_on as string[]).filter((address) => address.startsWith('aws_lambda_invocation.'))).toEqual([]);
      return;
    }
    expect(invocations).toHaveLength(1);
    const [[name, invocation]] = invocations as [[string, Record<string, unknown>]];
    const fn = followReference(json, invocation.function_name);
    expect(fn.function_name).toBe('txdr-dev-primary-schema-migration');
    expect((fn.environment as { variables: Record<string, string> }).variables).toMatchObject({
      DB_ADMIN_SECRET_ARN: '${data.terraform_remote_state.state-global.outputs.databaseSecretArnPrimary}',
      DB_HOST: '${data.terraform_remote_state.state-global.outputs.globalWriterEndpoint}',
      DB_NAME: env.database.databaseName,
      DB_TLS: 'rds',
      SERVICE_DB_AUTH: 'iam',
    });
    const subnets = (fn.vpc_config as { subnet_ids: string[] }).subnet_ids.map((id) => (followReference(json, id).tags as { Name: string }).Name);
    expect(subnets.sort()).toEqual(['txdr-dev-primary-private-0', 'txdr-dev-primary-private-1']);
    // The bundle the build wrote, by its SHA-256: a new one runs the migration again.
    expect((invocation.triggers as Record<string, string>).bundleSha256).toBe(createHash('sha256').update(readFileSync(SCHEMA_MIGRATION_ZIP)).digest('base64'));
    const instances = Object.keys(resourcesOfType(json, 'aws_rds_cluster_instance')).map((n) => `aws_rds_cluster_instance.${n}`);
    expect(instances.length).toBeGreaterThan(0);
    expect(invocation.depends_on).toEqual(expect.arrayContaining([...instances, `aws_rds_cluster.${Object.keys(resourcesOfType(json, 'aws_rds_cluster'))[0]}`]));
    expect(group.depends_on).toEqual(expect.arrayContaining([`aws_lambda_invocation.${name}`]));
  });

  it('holds no literal secret', () => {
    expect(literalSecrets(json)).toEqual([]);
  });

  it('subscribes every configured endpoint to every alert topic it owns, in the topic\'s region', () => {
    const topics = Object.entries(resourcesOfType(json, 'aws_sns_topic'));
    // The region's topic; in the secondary also the us-east-1 topic of the writable-region alarms.
    expect(topics.map(([, topic]) => String(topic.provider)).sort()).toEqual(role === 'primary' ? ['aws.primary'] : ['aws.route53-metrics', 'aws.secondary']);
    const subscriptions = Object.values(resourcesOfType(json, 'aws_sns_topic_subscription'));
    const wanted = ALERTS.subscriptions.map((s) => `${s.protocol} ${s.endpoint}`).sort();
    for (const [name, topic] of topics) {
      const own = subscriptions.filter((s) => s.topic_arn === `\${aws_sns_topic.${name}.arn}`);
      expect(own.map((s) => `${String(s.protocol)} ${String(s.endpoint)}`).sort()).toEqual(wanted);
      for (const subscription of own) expect(subscription.provider).toBe(topic.provider);
    }
    expect(subscriptions).toHaveLength(topics.length * ALERTS.subscriptions.length);
  });

  it('backs up its own cluster continuously and its own data bucket daily, copying both to the other region\'s vault', () => {
    const other = role === 'primary' ? 'secondary' : 'primary';
    const vault = onlyResource(json, 'aws_backup_vault');
    expect(vault).toMatchObject({ name: `txdr-dev-${role}-backup`, provider: `aws.${role}` });
    expect(followReference(json, vault.kms_key_arn)).toMatchObject({ enable_key_rotation: true, provider: `aws.${role}` });
    const rules = Object.values(resourcesOfType(json, 'aws_backup_plan')).flatMap((p) => p.rule as Record<string, unknown>[]);
    expect(rules.map((r) => [r.rule_name, r.enable_continuous_backup, (r.lifecycle as { delete_after: number }).delete_after])).toEqual(
      expect.arrayContaining([
        ['continuous', true, env.backup.retentionDays],
        ['daily', undefined, env.backup.retentionDays],
      ]),
    );
    for (const rule of rules) {
      const [copy] = rule.copy_action as { destination_vault_arn: string }[];
      expect(copy!.destination_vault_arn).toMatch(new RegExp(`:backup:${env.regions[other].region}:.*:backup-vault:txdr-dev-${other}-backup$`));
    }
    const selected = Object.values(resourcesOfType(json, 'aws_backup_selection')).flatMap((s) => s.resources as string[]);
    expect(selected).toEqual(
      expect.arrayContaining([
        `\${${Object.keys(resourcesOfType(json, 'aws_rds_cluster')).map((name) => `aws_rds_cluster.${name}`)[0]}.arn}`,
        `arn:\${data.aws_partition.partition-${role}.partition}:s3:::\${data.terraform_remote_state.state-global.outputs.dataBucket${role === 'primary' ? 'Primary' : 'Secondary'}}`,
      ]),
    );
    expect(selected).toHaveLength(2);
  });

  it('locks neither vault unless config asks', () => {
    expect(resourcesOfType(json, 'aws_backup_vault_lock_configuration')).toEqual({});
  });
});

/** Addresses (type.name) of resources whose synthesized attributes differ between two stacks. */
function changedResources(before: SynthesizedStack, after: SynthesizedStack): string[] {
  const flatten = (json: SynthesizedStack) =>
    new Map(Object.entries(json.resource ?? {}).flatMap(([type, blocks]) => Object.entries(blocks).map(([name, block]) => [`${type}.${name}`, JSON.stringify(block)])));
  const [a, b] = [flatten(before), flatten(after)];
  return [...new Set([...a.keys(), ...b.keys()])].filter((address) => a.get(address) !== b.get(address)).sort();
}

describe('switching activeRegion', () => {
  const failedOver = defineEnvironment({ name: 'dev', activeRegion: 'us-east-2', alerts: { subscriptions: [...ALERTS.subscriptions] } });

  it.each(DR_ROLES)('changes in the %s stack only the weight, the group sizes and the dashboard', (role) => {
    const before = synthesize(new RegionalStack(Testing.app(), env, role));
    const after = synthesize(new RegionalStack(Testing.app(), failedOver, role));
    const types = changedResources(before, after).map((address) => address.split('.')[0]);
    expect(types.sort()).toEqual(role === 'primary' ? ['aws_autoscaling_group', 'aws_route53_record'] : ['aws_autoscaling_group', 'aws_cloudwatch_dashboard', 'aws_route53_record']);
    const weight = (json: SynthesizedStack) => (weightedRecord(json).weighted_routing_policy as { weight: number }).weight;
    expect([weight(before), weight(after)]).toEqual(role === 'primary' ? [100, 0] : [0, 100]);
  });
});

describe('peering with the primary outside us-east-1', () => {
  it('accepts in the configured primary region through that region\'s provider, not the us-east-1 metrics one', () => {
    const moved = defineEnvironment({ name: 'dev', regions: { primary: { region: 'us-west-2' } } });
    const json = synthesize(new RegionalStack(Testing.app(), moved, 'secondary'));
    expect(onlyResource(json, 'aws_vpc_peering_connection').peer_region).toBe('us-west-2');
    expect(onlyResource(json, 'aws_vpc_peering_connection_accepter').provider).toBe('aws.primary');
    expect(json.provider?.aws).toContainEqual(expect.objectContaining({ alias: 'primary', region: 'us-west-2' }));
  });
});

describe('certificates and plain HTTP', () => {
  const CERTIFICATE = 'arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012';
  const synth = (environment: Environment, role: DrRole) => synthesize(new RegionalStack(Testing.app(), environment, role));
  const acmTypes = (json: SynthesizedStack) => Object.keys(json.resource ?? {}).filter((type) => type.startsWith('aws_acm_'));

  it('uses a certificate config brings for a region and requests none there, while the other region still requests its own', () => {
    const brought = defineEnvironment({ name: 'dev', loadBalancer: { certificates: { secondary: CERTIFICATE } } });
    const secondary = synth(brought, 'secondary');
    expect(acmTypes(secondary)).toEqual([]);
    expect(listeners(secondary)[443]).toMatchObject({ protocol: 'HTTPS', certificate_arn: CERTIFICATE, ssl_policy: TLS_POLICY });
    expect(Object.values(resourcesOfType(secondary, 'aws_route53_record')).filter((r) => r.for_each !== undefined)).toEqual([]);
    expect(followReference(secondary, weightedRecord(secondary).health_check_id)).toMatchObject({ type: 'HTTPS', port: 443, fqdn: 'secondary.app.dr-dev.example.com', enable_sni: true });
    expect(acmTypes(synth(brought, 'primary')).sort()).toEqual(['aws_acm_certificate', 'aws_acm_certificate_validation']);
  });

  it('serves plain HTTP on 80, checked over HTTP at the ALB, with no certificate, when config turns HTTPS off', () => {
    const json = synth(defineEnvironment({ name: 'dev', loadBalancer: { https: false } }), 'primary');
    expect(acmTypes(json)).toEqual([]);
    const byPort = listeners(json);
    expect(Object.keys(byPort)).toEqual(['80']);
    expect(byPort[80]).toMatchObject({ protocol: 'HTTP', default_action: [expect.objectContaining({ type: 'forward' })] });
    expect(followReference(json, weightedRecord(json).health_check_id)).toMatchObject({ type: 'HTTP', port: 80, fqdn: `\${aws_lb.${Object.keys(resourcesOfType(json, 'aws_lb'))[0]}.dns_name}` });
    expect(worldPorts(json)).toEqual([80]);
  });
});
