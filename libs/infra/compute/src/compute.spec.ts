import { spawnSync } from 'node:child_process';
import { DR_ROLES, type DrRole, type EnvironmentOverrides, capacityFor, defineEnvironment } from '@txn-dr/config';
import { SERVICE_DB_USER } from '@txn-dr/contracts';
import { DrStack } from '@txn-dr/infra-core';
import { type SynthesizedStack, followReference, onlyResource, resourcesOfType, synthesize } from '@txn-dr/infra-core/testing';
import { Testing } from 'cdktf';
import { createHash } from 'node:crypto';
import { ServiceArtifact } from './artifact';
import { ServiceLoadBalancer, type ServiceLoadBalancerProps } from './load-balancer';
import { ServiceFleet, type ServiceFleetProps, architectureOf, databaseUserArns } from './service-fleet';
import { USER_DATA_LIMIT_BYTES, environmentValue } from './user-data';
import { fixtureArtifact } from '../test/fixture';

const BUNDLE = "console.log('transaction-api v1');\n";
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0f0e0d0c-0b0a-0908-0706-050403020100';

interface Built {
  readonly json: SynthesizedStack;
  /** The user data as the instance receives it. */
  readonly script: string;
  /** What the load balancer says clients (and Route 53) use. */
  readonly endpoint: ServiceLoadBalancer['endpoint'];
}

interface PropsInstead {
  readonly loadBalancer?: Partial<ServiceLoadBalancerProps>;
  readonly fleet?: Partial<ServiceFleetProps>;
}

/** A region's compute with the values a regional stack passes from its environment, or `props` instead. */
function build(role: DrRole, overrides: Partial<EnvironmentOverrides> = {}, bundle = BUNDLE, certificateArn?: string, extraEnv?: string, props: PropsInstead = {}): Built {
  const env = defineEnvironment({ name: 'dev', ...overrides });
  const stack = new DrStack(Testing.app(), { env, stack: role });
  const provider = stack.provider(role);
  const kmsKeyArn = 'arn:aws:kms:region:123456789012:key/data';
  const names = stack.names;
  const artifact = new ServiceArtifact(stack, 'artifact', { names, environmentName: env.name, role, provider, kmsKeyArn, sourceDir: fixtureArtifact(bundle, extraEnv) });
  const alb = new ServiceLoadBalancer(stack, 'alb', {
    names,
    role,
    provider,
    vpcId: 'vpc-1',
    subnetIds: ['pub-a', 'pub-b'],
    securityGroupId: 'sg-alb',
    certificateArn,
    appPort: env.compute.appPort,
    targetHealth: env.compute.targetHealth,
    logRetentionDays: env.logs.retentionDays,
    deletionProtection: env.loadBalancer.deletionProtection,
    ...props.loadBalancer,
  });
  const fleet = new ServiceFleet(stack, 'fleet', {
    names,
    project: env.project,
    environmentName: env.name,
    role,
    provider,
    region: env.regions[role].region,
    databaseRegions: DR_ROLES.map((r) => env.regions[r].region),
    subnetIds: ['priv-a', 'priv-b'],
    securityGroupId: 'sg-service',
    targetGroupArn: alb.targetGroup.arn,
    kmsKeyArn,
    artifact,
    appPort: env.compute.appPort,
    instanceType: env.compute.instanceType,
    nodeMajorVersion: env.compute.nodeMajorVersion,
    capacity: capacityFor(env, role),
    targetCpuPercent: env.compute.targetCpuPercent,
    logRetentionDays: env.logs.retentionDays,
    ...props.fleet,
  });
  return { json: synthesize(stack), script: fleet.userData, endpoint: alb.endpoint };
}

const values = (json: SynthesizedStack, type: string) => Object.values(resourcesOfType(json, type));

describe.each(DR_ROLES)('the %s region\'s compute', (role) => {
  const { json, script, endpoint } = build(role);
  const template = onlyResource(json, 'aws_launch_template');
  const group = onlyResource(json, 'aws_autoscaling_group');

  describe('user data', () => {
    it('is shipped exactly as rendered', () => {
      expect(Buffer.from(template.user_data as string, 'base64').toString('utf8')).toBe(script);
    });

    it('stays under the 16 KB EC2 limit', () => {
      expect(Buffer.byteLength(script, 'utf8')).toBeLessThan(USER_DATA_LIMIT_BYTES);
    });

    it('passes shellcheck', () => {
      const result = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '-'], { input: script, encoding: 'utf8' });
      if (result.error) throw new Error(`shellcheck is required for this test (apt-get install shellcheck): ${result.error.message}`);
      expect(result.stdout + result.stderr).toBe('');
      expect(result.status).toBe(0);
    });

    it('fetches exactly the artifact it names and checks its content hash', () => {
      const sha256 = createHash('sha256').update(BUNDLE).digest('hex');
      expect(script).toContain(`readonly ARTIFACT_BUCKET_PARAMETER='/dr/dev/${role}/service/artifact-bucket'`);
      expect(script).toContain(`readonly ARTIFACT_SHA256='${sha256}'`);
      expect(script).toContain(`readonly ARTIFACT_KEY='transaction-api/${sha256}/main.js'`);
      expect(script).toMatch(/sha256sum --check --strict/);
    });

    it('installs Node.js, the service unit restarting on failure, and this region\'s role', () => {
      expect(script).toContain("readonly NODE_MAJOR='22'");
      expect(script).toContain('dnf install -y "nodejs$NODE_MAJOR" amazon-cloudwatch-agent');
      expect(script).toContain('Restart=on-failure');
      expect(script).toContain(`DR_ROLE=${role}\n`);
      expect(script).toContain(`DB_HOST_PARAMETER=/dr/dev/${role}/db/global-writer-endpoint\n`);
      expect(script).toContain(`DB_PROBE_HOST_PARAMETER=/dr/dev/${role}/db/writer-endpoint\n`);
      expect(script).toContain("readonly ENV_FILE='/etc/transaction-api/transaction-api.env'");
      expect(script).toContain(`readonly DR_ROLE='${role}'`);
      expect(script).toContain('systemctl enable --now "$SERVICE.service"');
    });

    it('keeps the literal ${...} of systemd and the agent intact', () => {
      expect(script).toContain('ExecReload=/bin/kill -HUP ${MAINPID}');
      expect(script).toContain('"InstanceId": "${aws:InstanceId}"');
    });
  });

  describe('launch template', () => {
    it('boots Amazon Linux 2023 from the public SSM parameter', () => {
      expect(followReference(json, template.image_id)).toMatchObject({ name: '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64' });
    });

    it('requires IMDSv2 with a hop limit of 1, and gives no public address', () => {
      expect(template.metadata_options).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 1, http_endpoint: 'enabled' });
      expect(template.network_interfaces).toEqual([expect.objectContaining({ associate_public_ip_address: 'false', security_groups: ['sg-service'] })]);
    });

    it('encrypts a gp3 root volume', () => {
      expect(template.block_device_mappings).toEqual([{ device_name: '/dev/xvda', ebs: expect.objectContaining({ volume_type: 'gp3', encrypted: 'true' }) }]);
    });

    it('runs with an instance role limited to its parameters, its database user, artifact, logs and metrics', () => {
      const profile = followReference(json, (template.iam_instance_profile as { arn: string }).arn);
      const role_ = followReference(json, profile.role);
      expect(followReference(json, role_.assume_role_policy).statement).toEqual([
        { actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['ec2.amazonaws.com'] }] },
      ]);
      const statements = followReference(json, onlyResource(json, 'aws_iam_role_policy').policy).statement as { sid: string; actions: string[]; resources: string[] }[];
      expect(statements.map((s) => s.sid)).toEqual(['ReadOwnParameters', 'ConnectAsServiceUser', 'ReadArtifact', 'DecryptArtifact', 'WriteOwnLogs', 'PutAgentMetrics']);
      const parameters = statements.find((s) => s.sid === 'ReadOwnParameters');
      expect(parameters?.actions).toEqual(['ssm:GetParameter', 'ssm:GetParameters']);
      // By ARN, each one the instances read, and no wildcard: not the health state, the reader
      // endpoint or the master secret's ARN.
      expect(parameters?.resources.map((arn) => arn.slice(arn.indexOf(':parameter/') + ':parameter'.length)).sort()).toEqual(
        ['db/global-writer-endpoint', 'db/writer-endpoint', 'db/port', 'db/name', 'service/artifact-bucket'].map((key) => `/dr/dev/${role}/${key}`).sort(),
      );
      expect(parameters?.resources.every((arn) => arn.startsWith('arn:${data.aws_partition.') && !arn.includes('*'))).toBe(true);
      const wildcard = statements.filter((s) => s.resources.includes('*'));
      expect(wildcard.map((s) => s.actions)).toEqual([['cloudwatch:PutMetricData']]);
    });

    it('connects to the database as the service user alone, with IAM tokens, in either region, and reads no secret', () => {
      const statements = followReference(json, onlyResource(json, 'aws_iam_role_policy').policy).statement as { sid: string; actions: string[]; resources: string[] }[];
      const connect = statements.find((s) => s.sid === 'ConnectAsServiceUser');
      expect(connect?.actions).toEqual(['rds-db:connect']);
      // The writer may be either region's cluster (the global writer endpoint follows it).
      expect(connect?.resources.map((arn) => arn.split(':'))).toEqual(
        ['us-east-1', 'us-east-2'].map((region) => [
          'arn',
          expect.stringContaining('data.aws_partition'),
          'rds-db',
          region,
          expect.stringContaining('data.aws_caller_identity'),
          'dbuser',
          `*/${SERVICE_DB_USER}`,
        ]),
      );
      expect(statements.flatMap((s) => s.actions).filter((a) => a.startsWith('secretsmanager:') || a === 'rds-db:*')).toEqual([]);
    });

    it('tells the service to log in with IAM tokens over TLS, naming no secret', () => {
      expect(environmentValue(script, 'DB_AUTH')).toBe('iam');
      expect(environmentValue(script, 'DB_TLS')).toBe('rds');
      expect(script).not.toContain('DB_SECRET_ARN_PARAMETER');
      expect(script).not.toContain('secret-arn');
    });
  });

  describe('auto scaling group', () => {
    it('sizes the region by its duty: active or standby', () => {
      const expected = role === 'primary' ? { min_size: 2, desired_capacity: 2, max_size: 4 } : { min_size: 1, desired_capacity: 1, max_size: 4 };
      expect(group).toMatchObject(expected);
    });

    it('spreads over the private subnets, trusts the ALB health check and refreshes on a new template version', () => {
      expect(group).toMatchObject({
        vpc_zone_identifier: ['priv-a', 'priv-b'],
        health_check_type: 'ELB',
        instance_refresh: { strategy: 'Rolling', preferences: expect.objectContaining({ min_healthy_percentage: 50 }) },
        launch_template: { id: expect.stringContaining('aws_launch_template'), version: expect.stringContaining('latest_version') },
      });
      expect(group.target_group_arns).toEqual([expect.stringContaining('aws_lb_target_group')]);
    });

    it('leaves the desired count to scaling and the DR tooling once created', () => {
      expect(group.lifecycle).toEqual({ ignore_changes: ['desired_capacity'] });
    });

    it('tracks CPU', () => {
      expect(onlyResource(json, 'aws_autoscaling_policy')).toMatchObject({
        policy_type: 'TargetTrackingScaling',
        target_tracking_configuration: { predefined_metric_specification: { predefined_metric_type: 'ASGAverageCPUUtilization' }, target_value: 60 },
      });
    });
  });

  describe('load balancer', () => {
    const alb = onlyResource(json, 'aws_lb');

    it('is internet-facing in the public subnets, drops invalid headers, keeps deletion protection and access logs', () => {
      expect(alb).toMatchObject({
        internal: false,
        load_balancer_type: 'application',
        subnets: ['pub-a', 'pub-b'],
        security_groups: ['sg-alb'],
        drop_invalid_header_fields: true,
        enable_deletion_protection: true,
        access_logs: { enabled: true, prefix: 'alb', bucket: expect.stringContaining('aws_s3_bucket') },
      });
    });

    it('checks /health (serving, writer or reader), not the writable check, on the service port with the configured thresholds', () => {
      expect(onlyResource(json, 'aws_lb_target_group')).toMatchObject({
        port: 8080,
        protocol: 'HTTP',
        health_check: { path: '/health', matcher: '200', interval: 15, timeout: 5, healthy_threshold: 2, unhealthy_threshold: 2 },
      });
    });

    it('forwards plain HTTP on 80 alone when given no certificate', () => {
      expect(values(json, 'aws_lb_listener')).toEqual([expect.objectContaining({ port: 80, protocol: 'HTTP', default_action: [expect.objectContaining({ type: 'forward' })] })]);
      expect(endpoint).toEqual({ port: 80, protocol: 'HTTP' });
    });
  });

  describe('artifact', () => {
    it('uploads the bundle as an asset under its content hash to an encrypted regional bucket', () => {
      const object = onlyResource(json, 'aws_s3_object');
      const sha256 = createHash('sha256').update(BUNDLE).digest('hex');
      expect(object).toMatchObject({ key: `transaction-api/${sha256}/main.js`, source_hash: sha256, source: expect.stringMatching(/^assets\/.*main\.js$/) });
      const bucket = followReference(json, object.bucket);
      expect(bucket.bucket).toMatch(new RegExp(`^txdr-dev-${role}-artifacts-`));
    });

    it('publishes the bucket name where the instances look for it, before they launch', () => {
      const parameter = onlyResource(json, 'aws_ssm_parameter');
      expect(parameter).toMatchObject({ name: `/dr/dev/${role}/service/artifact-bucket`, type: 'String', value: expect.stringContaining('aws_s3_bucket') });
      expect(group.depends_on).toEqual([expect.stringContaining('aws_ssm_parameter')]);
    });
  });
});

describe('compute options', () => {
  it('terminates TLS on 443 with the given certificate and the recommended policy, and only redirects on 80', () => {
    const { json, endpoint } = build('primary', {}, BUNDLE, CERTIFICATE);
    const listeners = values(json, 'aws_lb_listener').sort((a, b) => Number(b.port) - Number(a.port));
    const targetGroup = `\${aws_lb_target_group.${Object.keys(resourcesOfType(json, 'aws_lb_target_group'))[0]}.arn}`;
    expect(listeners).toEqual([
      expect.objectContaining({
        port: 443,
        protocol: 'HTTPS',
        certificate_arn: CERTIFICATE,
        ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09',
        default_action: [{ type: 'forward', target_group_arn: targetGroup }],
      }),
      expect.objectContaining({ port: 80, protocol: 'HTTP', default_action: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } }] }),
    ]);
    expect(listeners[1]).not.toHaveProperty('certificate_arn');
    expect(endpoint).toEqual({ port: 443, protocol: 'HTTPS' });
  });

  it('follows activeRegion: after a failover the secondary runs the active capacity', () => {
    const { json } = build('secondary', { activeRegion: 'us-east-2' });
    expect(onlyResource(json, 'aws_autoscaling_group')).toMatchObject({ min_size: 2, desired_capacity: 2, max_size: 4 });
  });

  it('changes the artifact key, and so the launch template, when the bundle changes', () => {
    const before = build('primary').script;
    const after = build('primary', {}, "console.log('transaction-api v2');\n").script;
    expect(after).not.toBe(before);
    expect(after.match(/ARTIFACT_SHA256='([0-9a-f]{64})'/)?.[1]).toBe(createHash('sha256').update("console.log('transaction-api v2');\n").digest('hex'));
  });

  it.each([
    ['no DB_AUTH', '', 'it sets nothing'],
    ['a static password', 'DB_AUTH=static\nDB_USER=app\n', 'it sets static'],
    ['a secret', 'DB_AUTH=secret\n', 'it sets secret'],
  ])('stops synth on an env template with %s, which the instance role would not let the service use', (_what, extraEnv, detail) => {
    expect(() => build('primary', {}, BUNDLE, undefined, extraEnv)).toThrow(`the service's env template must set DB_AUTH=iam (${detail})`);
  });

  it('grants the user the env file names, when it names one', () => {
    const { json } = build('primary', {}, BUNDLE, undefined, 'DB_AUTH=iam\nDB_USER=txn_other\n');
    const statements = followReference(json, onlyResource(json, 'aws_iam_role_policy').policy).statement as { sid: string; resources: string[] }[];
    expect(statements.find((s) => s.sid === 'ConnectAsServiceUser')?.resources.every((arn) => arn.endsWith(':dbuser:*/txn_other'))).toBe(true);
  });

  it('names one database user ARN per region it is given', () => {
    expect(databaseUserArns(['us-east-1', 'us-east-2'], 'aws', '123456789012')).toEqual([
      `arn:aws:rds-db:us-east-1:123456789012:dbuser:*/${SERVICE_DB_USER}`,
      `arn:aws:rds-db:us-east-2:123456789012:dbuser:*/${SERVICE_DB_USER}`,
    ]);
  });

  it('picks the arm64 image for Graviton types', () => {
    expect(architectureOf('t4g.micro')).toBe('arm64');
    expect(architectureOf('c7gn.large')).toBe('arm64');
    expect(architectureOf('t3.micro')).toBe('x86_64');
    expect(architectureOf('m6i.2xlarge')).toBe('x86_64');
  });

  it('stops synth with the build command when the service was not built', () => {
    const stack = new DrStack(Testing.app(), { env: defineEnvironment({ name: 'dev' }), stack: 'primary' });
    expect(
      () =>
        new ServiceArtifact(stack, 'artifact', {
          names: stack.names,
          environmentName: 'dev',
          role: 'primary',
          provider: stack.provider('primary'),
          kmsKeyArn: 'k',
          sourceDir: '/nonexistent',
        }),
    ).toThrow('/nonexistent/main.js is missing: build the service first (nx run transaction-api:build)');
  });
});

describe('compute props', () => {
  it('keeps deletion protection on, Node.js 22 and a CPU target of 60 % when those props are left out', () => {
    const { json, script } = build('primary', { loadBalancer: { deletionProtection: false }, compute: { nodeMajorVersion: 24, targetCpuPercent: 40 } }, BUNDLE, undefined, undefined, {
      loadBalancer: { deletionProtection: undefined },
      fleet: { nodeMajorVersion: undefined, targetCpuPercent: undefined },
    });
    expect(onlyResource(json, 'aws_lb').enable_deletion_protection).toBe(true);
    expect(script).toContain("readonly NODE_MAJOR='22'");
    expect((onlyResource(json, 'aws_autoscaling_policy').target_tracking_configuration as { target_value: number }).target_value).toBe(60);
  });

  it('takes the values it is given over config', () => {
    const { json, script } = build('secondary', {}, BUNDLE, undefined, undefined, {
      loadBalancer: { appPort: 9090, targetHealth: { intervalSeconds: 30, timeoutSeconds: 10, healthyThreshold: 3, unhealthyThreshold: 4 }, logRetentionDays: 7 },
      fleet: { project: 'acme', environmentName: 'qa', appPort: 9090, instanceType: 't4g.small', capacity: { min: 3, desired: 3, max: 6 }, logRetentionDays: 7 },
    });
    expect(onlyResource(json, 'aws_lb_target_group')).toMatchObject({
      port: 9090,
      health_check: { interval: 30, timeout: 10, healthy_threshold: 3, unhealthy_threshold: 4 },
    });
    expect(onlyResource(json, 'aws_cloudwatch_log_group')).toMatchObject({ name: '/acme/qa/secondary/transaction-api', retention_in_days: 7 });
    expect(onlyResource(json, 'aws_launch_template').instance_type).toBe('t4g.small');
    expect(onlyResource(json, 'aws_autoscaling_group')).toMatchObject({ min_size: 3, desired_capacity: 3, max_size: 6 });
    expect(environmentValue(script, 'APP_PORT')).toBe('9090');
    expect(environmentValue(script, 'DB_HOST_PARAMETER')).toBe('/dr/qa/secondary/db/global-writer-endpoint');
  });

  const health = { intervalSeconds: 15, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 2 };
  it.each<[string, DrRole, PropsInstead, string]>([
    [
      'a certificate of another region',
      'primary',
      { loadBalancer: { certificateArn: CERTIFICATE.replace(':us-east-1:', ':eu-west-1:') } },
      'ServiceLoadBalancer (primary): certificateArn: is in eu-west-1, but the provider is for us-east-1',
    ],
    ['a port no socket has', 'primary', { loadBalancer: { appPort: 70000 } }, 'appPort: 70000 is not a port from 1 to 65535'],
    ['a check interval under 5 s', 'secondary', { loadBalancer: { targetHealth: { ...health, intervalSeconds: 4, timeoutSeconds: 2 } } }, 'targetHealth.intervalSeconds: 4 is not a whole number of seconds from 5 to 300'],
    ['a check timeout over 120 s', 'primary', { loadBalancer: { targetHealth: { ...health, intervalSeconds: 300, timeoutSeconds: 121 } } }, 'targetHealth.timeoutSeconds: 121 is not a whole number of seconds from 2 to 120'],
    [
      'a check timeout as long as the interval',
      'primary',
      { loadBalancer: { targetHealth: { ...health, intervalSeconds: 10, timeoutSeconds: 10 } } },
      'targetHealth.timeoutSeconds: 10 s is not shorter than targetHealth.intervalSeconds 10 s',
    ],
    ['a healthy threshold of 1', 'primary', { loadBalancer: { targetHealth: { ...health, healthyThreshold: 1 } } }, 'targetHealth.healthyThreshold: 1 is not a whole number from 2 to 10'],
    ['an unhealthy threshold over 10', 'primary', { loadBalancer: { targetHealth: { ...health, unhealthyThreshold: 11 } } }, 'targetHealth.unhealthyThreshold: 11 is not a whole number from 2 to 10'],
    ['a region its provider is not for', 'secondary', { fleet: { region: 'eu-west-1' } }, 'ServiceFleet (secondary): provider: is for us-east-2, but region is eu-west-1'],
    [
      "database regions without the fleet's own",
      'secondary',
      { fleet: { databaseRegions: ['us-east-1'] } },
      'databaseRegions: us-east-1 leave out region us-east-2, where the global writer is whenever this region is active',
    ],
    ['a desired count above the maximum', 'primary', { fleet: { capacity: { min: 1, desired: 5, max: 4 } } }, 'capacity: min 1, desired 5, max 4 are not whole numbers with 0 <= min <= desired <= max'],
    ['a minimum above the desired count', 'primary', { fleet: { capacity: { min: 3, desired: 2, max: 4 } } }, 'capacity: min 3, desired 2, max 4'],
    ['a maximum of 0', 'primary', { fleet: { capacity: { min: 0, desired: 0, max: 0 } } }, 'capacity: min 0, desired 0, max 0'],
    ['a CPU target of 100 %', 'primary', { fleet: { targetCpuPercent: 100 } }, 'targetCpuPercent: 100 is not a percentage above 0 and below 100'],
  ])('refuses %s, naming the field', (_case, role, props, message) => {
    expect(() => build(role, {}, BUNDLE, undefined, undefined, props)).toThrow(message);
  });
});
