import { DR_ROLES, defineEnvironment } from '@txn-dr/config';
import { PARAMETER_KEYS, STACK_OUTPUTS, parameterPrefix } from '@txn-dr/contracts';
import { type SynthesizedStack, followReference, literalSecrets, onlyResource, resourcesOfType, synthesize } from '@txn-dr/infra-core/testing';
import { Testing } from 'cdktf';
import { RegionalStack } from './regional-stack';

const env = defineEnvironment({ name: 'dev' });

describe.each(DR_ROLES)('RegionalStack (%s)', (role) => {
  const json = synthesize(new RegionalStack(Testing.app(), env, role));
  const region = env.regions[role].region;

  it('targets its own region; only the secondary puts anything in us-east-1, the writable-region alarms', () => {
    // The primary keeps declaring the provider so that Terraform can destroy its former Route 53 alarm.
    expect(json.provider?.aws).toEqual([expect.objectContaining({ alias: role, region }), expect.objectContaining({ alias: 'route53-metrics', region: 'us-east-1' })]);
    const inUsEast1 = Object.entries(json.resource ?? {}).flatMap(([type, blocks]) =>
      Object.values(blocks).filter((b) => b.provider === 'aws.route53-metrics').map(() => type),
    );
    expect(inUsEast1.sort()).toEqual(
      role === 'primary' ? [] : ['aws_cloudwatch_metric_alarm', 'aws_cloudwatch_metric_alarm', 'aws_kms_alias', 'aws_kms_key', 'aws_sns_topic', 'aws_sns_topic_policy'],
    );
    expect(json.provider?.aws?.[0]?.default_tags).toEqual([{ tags: expect.objectContaining({ DRRole: role, Stack: role }) }]);
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
    const record = onlyResource(json, 'aws_route53_record');
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
    const ownCheck = followReference(json, onlyResource(json, 'aws_route53_record').health_check_id);
    for (const alarm of onChecks) {
      const checks = (alarm.metric_query as { metric?: { dimensions: { HealthCheckId: string } } }[]).flatMap((q) => (q.metric ? [q.metric.dimensions.HealthCheckId] : []));
      expect(checks[0]).toBe('${data.terraform_remote_state.state-primary.outputs.healthCheckId}');
      expect(followReference(json, checks[1])).toBe(ownCheck);
      expect(alarm.provider).toBe('aws.route53-metrics');
    }
    expect(ownCheck.resource_path).toBe('/health/writable');
  });

  it('routes by the writable check and keeps instances by the serving one', () => {
    const healthCheck = followReference(json, onlyResource(json, 'aws_route53_record').health_check_id);
    expect(healthCheck).toMatchObject({ resource_path: '/health/writable', request_interval: 10, failure_threshold: 3 });
    expect((onlyResource(json, 'aws_lb_target_group').health_check as { path: string }).path).toBe('/health');
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

  it('holds no literal secret', () => {
    expect(literalSecrets(json)).toEqual([]);
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
  const failedOver = defineEnvironment({ name: 'dev', activeRegion: 'us-east-2' });

  it.each(DR_ROLES)('changes in the %s stack only the weight, the group sizes and the dashboard', (role) => {
    const before = synthesize(new RegionalStack(Testing.app(), env, role));
    const after = synthesize(new RegionalStack(Testing.app(), failedOver, role));
    const types = changedResources(before, after).map((address) => address.split('.')[0]);
    expect(types.sort()).toEqual(role === 'primary' ? ['aws_autoscaling_group', 'aws_route53_record'] : ['aws_autoscaling_group', 'aws_cloudwatch_dashboard', 'aws_route53_record']);
    const weight = (json: SynthesizedStack) => (onlyResource(json, 'aws_route53_record').weighted_routing_policy as { weight: number }).weight;
    expect([weight(before), weight(after)]).toEqual(role === 'primary' ? [100, 0] : [0, 100]);
  });
});
