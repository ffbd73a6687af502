import { type AlertSubscription, type DrRole, type Environment, type EnvironmentOverrides, defineEnvironment } from '@txn-dr/config';
import { HEALTH_CHECK_HANDLER, HEALTH_ENV, HEALTH_STATE_INITIAL, Names } from '@txn-dr/contracts';
import { DrStack } from '@txn-dr/infra-core';
import { followReference, onlyResource, resourcesOfType, synthesize, type SynthesizedStack } from '@txn-dr/infra-core/testing';
import { TerraformOutput, Testing } from 'cdktf';
import { createHash } from 'node:crypto';
import { ACTIONS_WITHOUT_RESOURCE_SCOPE } from './health-check-function';
import { wildcardFindings, type SynthesizedStatement } from '../test/iam-findings';
import { RegionalObservability, type RegionalObservabilityProps } from './regional-observability';

/*
 * The actions the health-check role may have on Resource "*", each because IAM offers no resource
 * type for it (Service Authorization Reference). Kept here, apart from the construct, so that a
 * new entry is a visible change to this test.
 */
const ALLOWED_ON_ANY_RESOURCE = [
  'cloudwatch:PutMetricData', // no resource type; scoped by the cloudwatch:namespace condition instead
  'xray:PutTraceSegments', // no resource type
  'xray:PutTelemetryRecords', // no resource type
];

const PRIMARY_INPUTS = {
  clusterIdentifier: 'txdr-dev-primary-aurora',
  loadBalancerArnSuffix: 'app/txdr-dev-pri-alb/0123456789abcdef',
  targetGroupArnSuffix: 'targetgroup/txdr-dev-pri-tg/fedcba9876543210',
};
const SECONDARY_INPUTS = {
  clusterIdentifier: 'txdr-dev-secondary-aurora',
  loadBalancerArnSuffix: 'app/txdr-dev-sec-alb/1111111111111111',
  targetGroupArnSuffix: 'targetgroup/txdr-dev-sec-tg/2222222222222222',
};

/** An e-mail and an HTTPS endpoint, as an environment lists them (placeholders are fine in dev). */
const SUBSCRIPTIONS: AlertSubscription[] = [
  { protocol: 'email', endpoint: 'oncall@example.com' },
  { protocol: 'https', endpoint: 'https://events.example.com/sns/alerts' },
];

const ACCOUNT = '${data.aws_caller_identity.caller-identity-primary.account_id}';
const PARTITION = '${data.aws_partition.partition-primary.partition}';

/** The values a regional stack passes from its environment for a role. */
function fromEnvironment(stack: DrStack<DrRole>, env: Environment, role: DrRole) {
  return {
    names: stack.names,
    environmentName: env.name,
    role,
    provider: stack.provider(role),
    region: env.regions[role].region,
    rpoSeconds: env.objectives.rpoSeconds,
    logRetentionDays: env.logs.retentionDays,
    alertSubscriptions: env.alerts.subscriptions,
  };
}

function primary(overrides: Partial<EnvironmentOverrides> = {}, props: Partial<RegionalObservabilityProps> = {}) {
  const env = defineEnvironment({ name: 'dev', alerts: { subscriptions: SUBSCRIPTIONS }, ...overrides });
  const stack = new DrStack(Testing.app(), { env, stack: 'primary' });
  const observability = new RegionalObservability(stack, 'observability', { ...fromEnvironment(stack, env, 'primary'), ...PRIMARY_INPUTS, ...props });
  exposeFields(stack, observability);
  return { env, observability, json: synthesize(stack) };
}

/** Outputs of the fields other layers read, as a consuming stack would use them. */
function exposeFields(stack: DrStack<'primary' | 'secondary'>, observability: RegionalObservability): void {
  const fields = ['functionName', 'topicArn', 'failureQueueArn', 'keyArn', 'stateParameterName'] as const;
  for (const field of fields) new TerraformOutput(stack, field, { value: observability[field] });
}

function exposed(json: SynthesizedStack, field: string): unknown {
  return json.output?.[field]?.value;
}

function secondary(props: Partial<RegionalObservabilityProps> = {}) {
  const env = defineEnvironment({ name: 'dev', alerts: { subscriptions: SUBSCRIPTIONS } });
  const stack = new DrStack(Testing.app(), { env, stack: 'secondary' });
  const observability = new RegionalObservability(stack, 'observability', { ...fromEnvironment(stack, env, 'secondary'), ...SECONDARY_INPUTS, ...props });
  exposeFields(stack, observability);
  return { env, observability, json: synthesize(stack) };
}

function byName(json: SynthesizedStack, type: string, key: string, value: string): Record<string, unknown> {
  const found = Object.values(resourcesOfType(json, type)).filter((r) => r[key] === value);
  if (found.length !== 1) throw new Error(`expected one ${type} with ${key} ${value}, found ${found.length}`);
  return found[0]!;
}

function ref(json: SynthesizedStack, type: string, attribute: string, match: (r: Record<string, unknown>) => boolean = () => true): string {
  const entries = Object.entries(resourcesOfType(json, type)).filter(([, r]) => match(r));
  if (entries.length !== 1) throw new Error(`expected one ${type}, found ${entries.length}`);
  return `\${${type}.${entries[0]![0]}.${attribute}}`;
}

function rolePolicy(json: SynthesizedStack): SynthesizedStatement[] {
  return followReference(json, onlyResource(json, 'aws_iam_role_policy').policy).statement as SynthesizedStatement[];
}

describe('RegionalObservability (primary)', () => {
  const { env, observability, json } = primary();
  const names = new Names(env);
  const fn = onlyResource(json, 'aws_lambda_function');
  const keyArn = ref(json, 'aws_kms_key', 'arn');
  const topicArn = ref(json, 'aws_sns_topic', 'arn');

  describe('the health-check function', () => {
    it('runs the built zip on Node.js 22 with the contract handler, traced, one at a time, outside any VPC', () => {
      expect(fn).toMatchObject({
        function_name: names.healthFunction('primary'),
        runtime: 'nodejs22.x',
        handler: HEALTH_CHECK_HANDLER,
        reserved_concurrent_executions: 1,
        tracing_config: { mode: 'Active' },
        timeout: 30,
        provider: 'aws.primary',
      });
      expect(fn.filename).toMatch(/^assets\/.+\/health-check\.zip$/);
      expect(fn.source_code_hash).toBe(`\${filebase64sha256("${fn.filename as string}")}`);
      expect(fn.vpc_config).toBeUndefined();
    });

    it('is told its cluster, role, topic, namespace and state through the contract variables', () => {
      expect((fn.environment as { variables: Record<string, string> }).variables).toEqual({
        [HEALTH_ENV.clusterIdentifier]: PRIMARY_INPUTS.clusterIdentifier,
        [HEALTH_ENV.globalClusterIdentifier]: names.globalCluster(),
        [HEALTH_ENV.role]: 'primary',
        [HEALTH_ENV.environment]: 'txdr-dev',
        [HEALTH_ENV.metricNamespace]: 'txdr-dev/DisasterRecovery',
        [HEALTH_ENV.alertTopicArn]: topicArn,
        [HEALTH_ENV.stateParameter]: ref(json, 'aws_ssm_parameter', 'name'),
        [HEALTH_ENV.stateKeyArn]: keyArn,
        [HEALTH_ENV.callTimeoutMs]: '5000',
      });
    });

    it('writes to its own log group, kept for the configured days and encrypted with the key', () => {
      expect(onlyResource(json, 'aws_cloudwatch_log_group')).toEqual(
        expect.objectContaining({ name: `/aws/lambda/${names.healthFunction('primary')}`, retention_in_days: 30, kms_key_id: keyArn }),
      );
      expect(fn.logging_config).toEqual({ log_format: 'Text', log_group: ref(json, 'aws_cloudwatch_log_group', 'name') });
      expect(fn.depends_on).toContain(`aws_cloudwatch_log_group.${Object.keys(resourcesOfType(json, 'aws_cloudwatch_log_group'))[0]}`);
    });

    it('runs every minute from an EventBridge schedule that may invoke it and nothing else', () => {
      expect(onlyResource(json, 'aws_cloudwatch_event_rule')).toMatchObject({ schedule_expression: 'rate(1 minute)' });
      expect(onlyResource(json, 'aws_lambda_permission')).toMatchObject({
        action: 'lambda:InvokeFunction',
        principal: 'events.amazonaws.com',
        source_arn: ref(json, 'aws_cloudwatch_event_rule', 'arn'),
      });
    });

    it('sends failed runs to an encrypted queue: the async on-failure destination and the schedule dead-letter queue', () => {
      const queueArn = ref(json, 'aws_sqs_queue', 'arn');
      expect(onlyResource(json, 'aws_sqs_queue')).toMatchObject({ kms_master_key_id: keyArn });
      expect(onlyResource(json, 'aws_lambda_function_event_invoke_config')).toMatchObject({
        maximum_retry_attempts: 0,
        destination_config: { on_failure: { destination: queueArn } },
      });
      expect(onlyResource(json, 'aws_cloudwatch_event_target')).toMatchObject({ arn: ref(json, 'aws_lambda_function', 'arn'), dead_letter_config: { arn: queueArn } });
      const queuePolicy = followReference(json, onlyResource(json, 'aws_sqs_queue_policy').policy).statement as Record<string, unknown>[];
      expect(queuePolicy).toContainEqual(
        expect.objectContaining({
          principals: [{ type: 'Service', identifiers: ['events.amazonaws.com'] }],
          actions: ['sqs:SendMessage'],
          condition: [{ test: 'ArnEquals', variable: 'aws:SourceArn', values: [ref(json, 'aws_cloudwatch_event_rule', 'arn')] }],
        }),
      );
    });

    it('keeps its last state in an encrypted parameter that Terraform creates and then leaves to it', () => {
      expect(onlyResource(json, 'aws_ssm_parameter')).toMatchObject({
        name: '/dr/dev/primary/health/last-state',
        type: 'SecureString',
        key_id: keyArn,
        value: HEALTH_STATE_INITIAL,
        lifecycle: { ignore_changes: ['value'] },
      });
    });

    it('exposes what other layers need', () => {
      expect(exposed(json, 'functionName')).toBe(ref(json, 'aws_lambda_function', 'function_name'));
      expect(exposed(json, 'topicArn')).toBe(topicArn);
      expect(exposed(json, 'failureQueueArn')).toBe(ref(json, 'aws_sqs_queue', 'arn'));
      expect(exposed(json, 'keyArn')).toBe(keyArn);
      expect(exposed(json, 'stateParameterName')).toBe(ref(json, 'aws_ssm_parameter', 'name'));
      expect(observability.metricNamespace).toBe('txdr-dev/DisasterRecovery');
    });
  });

  describe("the function's IAM policy", () => {
    const statements = rolePolicy(json);
    const bySid = Object.fromEntries(statements.map((s) => [s.sid, s]));

    it('has no wildcard action and no Resource "*" outside the named allow-list', () => {
      expect(statements.length).toBeGreaterThan(5);
      expect(wildcardFindings(statements, ALLOWED_ON_ANY_RESOURCE)).toEqual([]);
      // The construct names the same actions as needing Resource "*": neither list may drift.
      expect([...ACTIONS_WITHOUT_RESOURCE_SCOPE].sort()).toEqual([...ALLOWED_ON_ANY_RESOURCE].sort());
    });

    it('describes its own cluster and global cluster only, by ARNs built from the account and partition', () => {
      expect(bySid.DescribeOwnCluster).toMatchObject({
        actions: ['rds:DescribeDBClusters'],
        resources: [`arn:${PARTITION}:rds:us-east-1:${ACCOUNT}:cluster:${PRIMARY_INPUTS.clusterIdentifier}`],
      });
      expect(bySid.DescribeGlobalCluster).toMatchObject({
        actions: ['rds:DescribeGlobalClusters'],
        resources: [`arn:${PARTITION}:rds::${ACCOUNT}:global-cluster:${names.globalCluster()}`],
      });
    });

    it('puts metrics into its own namespace only', () => {
      expect(bySid.PutHealthMetrics).toMatchObject({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        condition: [{ test: 'StringEquals', variable: 'cloudwatch:namespace', values: ['txdr-dev/DisasterRecovery'] }],
      });
    });

    it('publishes to its own topic, keeps its own parameter, writes its own logs and failure queue', () => {
      expect(bySid.PublishAlerts).toMatchObject({ actions: ['sns:Publish'], resources: [topicArn] });
      expect(bySid.KeepLastState).toMatchObject({ actions: ['ssm:GetParameter', 'ssm:PutParameter'], resources: [ref(json, 'aws_ssm_parameter', 'arn')] });
      expect(bySid.RecordFailedRuns).toMatchObject({ actions: ['sqs:SendMessage'], resources: [ref(json, 'aws_sqs_queue', 'arn')] });
      const logGroupArn = ref(json, 'aws_cloudwatch_log_group', 'arn');
      expect(bySid.WriteOwnLogs).toMatchObject({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroupArn, `${logGroupArn}:*`] });
    });

    it('uses the key only through SNS, SQS and Parameter Store (this parameter)', () => {
      const kms = statements.filter((s) => s.actions?.some((a) => a.startsWith('kms:')));
      expect(kms.map((s) => s.resources)).toEqual([[keyArn], [keyArn], [keyArn]]);
      expect(kms.map((s) => (s as { condition: { variable: string; values: string[] }[] }).condition.find((c) => c.variable === 'kms:ViaService')?.values)).toEqual([
        ['sns.us-east-1.amazonaws.com'],
        ['sqs.us-east-1.amazonaws.com'],
        ['ssm.us-east-1.amazonaws.com'],
      ]);
      expect(bySid.KeyForStateParameter).toMatchObject({
        condition: expect.arrayContaining([{ test: 'StringEquals', variable: 'kms:EncryptionContext:PARAMETER_ARN', values: [ref(json, 'aws_ssm_parameter', 'arn')] }]),
      });
    });

    it('is assumed by Lambda only', () => {
      const role = onlyResource(json, 'aws_iam_role');
      expect(followReference(json, role.assume_role_policy).statement).toEqual([
        expect.objectContaining({ actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }] }),
      ]);
    });

    it('is a ServiceRole like every other role: described, with one inline policy named after it', () => {
      const roleName = names.healthFunction('primary');
      expect(onlyResource(json, 'aws_iam_role')).toMatchObject({ name: roleName, description: expect.stringContaining(roleName) });
      expect(onlyResource(json, 'aws_iam_role_policy')).toMatchObject({ name: `${roleName}-permissions`, role: ref(json, 'aws_iam_role', 'id') });
      expect(observability.healthCheck.roleArn).toBe(observability.healthCheck.executionRole.arn);
    });

    it('keeps the Terraform address the role had before, so a deploy changes it in place', () => {
      // cdktf's logical id: the path below the stack, then the first 8 hex digits of its MD5.
      const path = ['observability', 'health-check', 'role'];
      const hash = createHash('md5').update(path.join('/')).digest('hex').slice(0, 8).toUpperCase();
      expect(Object.keys(resourcesOfType(json, 'aws_iam_role'))).toEqual([`${path.join('_')}_${hash}`]);
    });

    it('waits for its permissions before the function and its async configuration exist', () => {
      const policyAddress = `aws_iam_role_policy.${Object.keys(resourcesOfType(json, 'aws_iam_role_policy'))[0]}`;
      expect(fn.depends_on).toContain(policyAddress);
      expect(onlyResource(json, 'aws_lambda_function_event_invoke_config').depends_on).toEqual([policyAddress]);
    });
  });

  describe('the alert topic and key', () => {
    it('encrypts the topic with the key and subscribes every configured endpoint, the HTTPS one without waiting for its confirmation', () => {
      expect(onlyResource(json, 'aws_sns_topic')).toMatchObject({ name: names.alertTopic('primary'), kms_master_key_id: keyArn });
      expect(Object.values(resourcesOfType(json, 'aws_sns_topic_subscription'))).toEqual([
        { provider: 'aws.primary', topic_arn: topicArn, protocol: 'email', endpoint: 'oncall@example.com' },
        { provider: 'aws.primary', topic_arn: topicArn, protocol: 'https', endpoint: 'https://events.example.com/sns/alerts', endpoint_auto_confirms: false },
      ]);
    });

    it('subscribes the endpoints it is given instead of the configured ones', () => {
      const pager: AlertSubscription = { protocol: 'email', endpoint: 'dr-pager@payments.acme.io' };
      const { json: given } = primary({}, { alertSubscriptions: [pager] });
      expect(onlyResource(given, 'aws_sns_topic_subscription')).toMatchObject(pager);
    });

    it('lets this account’s alarms publish, over TLS only', () => {
      const statements = followReference(json, onlyResource(json, 'aws_sns_topic_policy').policy).statement as Record<string, unknown>[];
      expect(statements).toEqual([
        expect.objectContaining({
          principals: [{ type: 'Service', identifiers: ['cloudwatch.amazonaws.com'] }],
          actions: ['sns:Publish'],
          resources: [topicArn],
          condition: expect.arrayContaining([{ test: 'StringEquals', variable: 'aws:SourceAccount', values: [ACCOUNT] }]),
        }),
        expect.objectContaining({ effect: 'Deny', condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }] }),
      ]);
    });

    it('lets CloudWatch Logs (for this log group), alarms and the schedule use the key', () => {
      const policy = followReference(json, onlyResource(json, 'aws_kms_key').policy).statement as { principals?: { identifiers: string[] }[]; condition?: unknown[] }[];
      const grant = (service: string) => policy.find((s) => s.principals?.[0]?.identifiers.includes(service));
      expect(grant('logs.us-east-1.amazonaws.com')?.condition).toEqual([
        {
          test: 'ArnEquals',
          variable: 'kms:EncryptionContext:aws:logs:arn',
          values: [`arn:${PARTITION}:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/${names.healthFunction('primary')}`],
        },
      ]);
      expect(grant('cloudwatch.amazonaws.com')).toMatchObject({ actions: ['kms:Decrypt', 'kms:GenerateDataKey*'] });
      expect(grant('events.amazonaws.com')?.condition).toEqual([
        { test: 'ArnEquals', variable: 'aws:SourceArn', values: [`arn:${PARTITION}:events:us-east-1:${ACCOUNT}:rule/txdr-dev-primary-health-check-schedule`] },
      ]);
    });

    it('subscribes nobody when no address is configured', () => {
      expect(resourcesOfType(primary({ alerts: {} }).json, 'aws_sns_topic_subscription')).toEqual({});
    });

    it('subscribes nobody unless it is given endpoints', () => {
      expect(resourcesOfType(primary({}, { alertSubscriptions: undefined }).json, 'aws_sns_topic_subscription')).toEqual({});
    });
  });

  describe('the alarms', () => {
    const alarm = (suffix: string) => byName(json, 'aws_cloudwatch_metric_alarm', 'alarm_name', `txdr-dev-primary-${suffix}`);

    it('all notify the region’s topic, on alarm and on recovery', () => {
      const alarms = Object.values(resourcesOfType(json, 'aws_cloudwatch_metric_alarm'));
      expect(alarms).toHaveLength(7);
      for (const a of alarms) expect(a).toMatchObject({ alarm_actions: [topicArn], ok_actions: [topicArn], provider: 'aws.primary' });
      expect(Object.values(observability.alarmNames).sort()).toEqual(alarms.map((a) => a.alarm_name).sort());
    });

    it('keeps an RPO alarm on its own cluster, in us-east-1, that stays OK while the cluster is the writer and publishes no lag', () => {
      const lag = alarm('replication-lag');
      expect(lag).toMatchObject({
        provider: 'aws.primary',
        metric_query: [
          {
            id: 'lag',
            expression: `SELECT MAX(AuroraGlobalDBRPOLag) FROM "AWS/RDS" WHERE DBClusterIdentifier = '${PRIMARY_INPUTS.clusterIdentifier}'`,
            period: 60,
            return_data: true,
          },
        ],
        evaluation_periods: 1,
        threshold: 60_000,
        comparison_operator: 'GreaterThanThreshold',
        treat_missing_data: 'notBreaching',
      });
      expect(json.provider?.aws?.find((p) => p.alias === 'primary')?.region).toBe('us-east-1');
    });

    it('raises the health alarm on DatabaseHealth below 1 for 2 periods, missing data breaching', () => {
      expect(alarm('database-health')).toMatchObject({
        namespace: 'txdr-dev/DisasterRecovery',
        metric_name: 'DatabaseHealth',
        dimensions: { Role: 'primary', Region: 'us-east-1' },
        statistic: 'Minimum',
        period: 60,
        threshold: 1,
        comparison_operator: 'LessThanThreshold',
        evaluation_periods: 2,
        datapoints_to_alarm: 2,
        treat_missing_data: 'breaching',
      });
    });

    it('watches the ALB’s unhealthy and healthy hosts of the service’s target group', () => {
      const dimensions = { LoadBalancer: PRIMARY_INPUTS.loadBalancerArnSuffix, TargetGroup: PRIMARY_INPUTS.targetGroupArnSuffix };
      expect(alarm('alb-unhealthy-hosts')).toMatchObject({ namespace: 'AWS/ApplicationELB', metric_name: 'UnHealthyHostCount', dimensions, threshold: 1, comparison_operator: 'GreaterThanOrEqualToThreshold' });
      expect(alarm('alb-no-healthy-hosts')).toMatchObject({ metric_name: 'HealthyHostCount', dimensions, comparison_operator: 'LessThanThreshold', treat_missing_data: 'breaching' });
    });

    it('adds the load balancer’s and the targets’ 5xx into one alarm', () => {
      const a = alarm('alb-5xx');
      expect(a).toMatchObject({ threshold: 10, comparison_operator: 'GreaterThanThreshold', evaluation_periods: 2 });
      expect(a.metric_query).toEqual([
        expect.objectContaining({ id: 'elb', metric: expect.objectContaining({ metric_name: 'HTTPCode_ELB_5XX_Count', dimensions: { LoadBalancer: PRIMARY_INPUTS.loadBalancerArnSuffix }, stat: 'Sum' }) }),
        expect.objectContaining({ id: 'target', metric: expect.objectContaining({ metric_name: 'HTTPCode_Target_5XX_Count' }) }),
        expect.objectContaining({ id: 'total', expression: 'FILL(elb, 0) + FILL(target, 0)', return_data: true }),
      ]);
    });

    it('raises an alarm on any error of the function and on any failed run waiting in the queue', () => {
      expect(alarm('health-check-errors')).toMatchObject({
        namespace: 'AWS/Lambda',
        metric_name: 'Errors',
        dimensions: { FunctionName: ref(json, 'aws_lambda_function', 'function_name') },
        threshold: 1,
        comparison_operator: 'GreaterThanOrEqualToThreshold',
      });
      expect(alarm('health-check-failed-runs')).toMatchObject({ namespace: 'AWS/SQS', dimensions: { QueueName: ref(json, 'aws_sqs_queue', 'name') } });
    });

    it('reads no Route 53 metric: the writable check is unhealthy in a standby by design, so it is alarmed across regions', () => {
      const alarms = Object.values(resourcesOfType(json, 'aws_cloudwatch_metric_alarm'));
      const namespaces = alarms.flatMap((a) => [a.namespace, ...((a.metric_query as { metric?: { namespace: string } }[] | undefined) ?? []).map((q) => q.metric?.namespace)]);
      expect(namespaces).toContain('AWS/ApplicationELB');
      expect(namespaces).not.toContain('AWS/Route53');
    });
  });
});

describe('RegionalObservability (secondary)', () => {
  const { json, observability } = secondary();
  const topics = resourcesOfType(json, 'aws_sns_topic');

  it('keeps everything in its own region, with one topic that every alarm notifies', () => {
    const resources = Object.values(json.resource ?? {}).flatMap((blocks) => Object.values(blocks));
    expect(resources.length).toBeGreaterThan(10);
    for (const r of resources) expect(r.provider).toBe('aws.secondary');
    expect(Object.values(topics).map((t) => t.name)).toEqual(['txdr-dev-secondary-alerts']);
    const topicArn = ref(json, 'aws_sns_topic', 'arn');
    for (const a of Object.values(resourcesOfType(json, 'aws_cloudwatch_metric_alarm'))) expect(a.alarm_actions).toEqual([topicArn]);
    expect(Object.keys(observability.alarmNames)).toHaveLength(7);
    expect(onlyResource(json, 'aws_lambda_function')).toMatchObject({ provider: 'aws.secondary', function_name: 'txdr-dev-secondary-health-check' });
  });

  it('scopes its policy to the secondary cluster in us-east-2', () => {
    const statements = rolePolicy(json);
    expect(statements.find((s) => s.sid === 'DescribeOwnCluster')?.resources).toEqual([
      `arn:\${data.aws_partition.partition-secondary.partition}:rds:us-east-2:\${data.aws_caller_identity.caller-identity-secondary.account_id}:cluster:${SECONDARY_INPUTS.clusterIdentifier}`,
    ]);
    expect(wildcardFindings(statements, ALLOWED_ON_ANY_RESOURCE)).toEqual([]);
  });

  describe('the RPO alarm', () => {
    const lag = byName(json, 'aws_cloudwatch_metric_alarm', 'alarm_name', 'txdr-dev-secondary-replication-lag');
    const [query] = lag.metric_query as Record<string, unknown>[];

    it('reads AuroraGlobalDBRPOLag in the AWS/RDS namespace of the secondary cluster, whatever other dimensions Aurora files it under', () => {
      expect(lag.metric_query).toHaveLength(1);
      expect(query).toEqual({
        id: 'lag',
        expression: `SELECT MAX(AuroraGlobalDBRPOLag) FROM "AWS/RDS" WHERE DBClusterIdentifier = '${SECONDARY_INPUTS.clusterIdentifier}'`,
        label: `AuroraGlobalDBRPOLag of ${SECONDARY_INPUTS.clusterIdentifier} (ms)`,
        period: 60,
        return_data: true,
      });
      // A query alarm names no metric of its own: CloudWatch refuses both at once.
      for (const key of ['namespace', 'metric_name', 'dimensions', 'statistic', 'period']) expect(lag).not.toHaveProperty(key);
    });

    it('lives in us-east-2, the secondary region, where Aurora publishes the lag', () => {
      expect(lag.provider).toBe('aws.secondary');
      expect(json.provider?.aws?.find((p) => p.alias === 'secondary')?.region).toBe('us-east-2');
    });

    it('fires above the RPO in milliseconds, and no data is not a breach (the metric stops while this cluster is the writer)', () => {
      expect(lag).toMatchObject({ threshold: 60_000, comparison_operator: 'GreaterThanThreshold', evaluation_periods: 1, treat_missing_data: 'notBreaching' });
    });
  });

  it('watches the DatabaseHealth of the secondary role in us-east-2', () => {
    expect(byName(json, 'aws_cloudwatch_metric_alarm', 'alarm_name', 'txdr-dev-secondary-database-health')).toMatchObject({ dimensions: { Role: 'secondary', Region: 'us-east-2' } });
  });
});

describe('RegionalObservability input checks', () => {
  it.each([
    [{ replicationLagThresholdSeconds: 90 }, 'replicationLagThresholdSeconds: 90 must be above 0 and at most the RPO (rpoSeconds 60)'],
    [{ replicationLagThresholdSeconds: 0 }, 'replicationLagThresholdSeconds: 0 must be above 0'],
    [{ server5xxPerMinute: 0 }, 'server5xxPerMinute: 0 must be a whole number of at least 1'],
    [{ callTimeoutMs: 50 }, 'callTimeoutMs: 50 must be a whole number of milliseconds between 100 and 60000'],
    [{ callTimeoutMs: 8_000 }, 'callTimeoutMs: 4 calls of 8000 ms one after another do not fit in timeoutSeconds 30'],
  ])('refuses %j', (props, message) => {
    expect(() => primary({}, props)).toThrow(message);
  });

  it('refuses a provider for another region than the role’s', () => {
    const env = defineEnvironment({ name: 'dev' });
    const stack = new DrStack(Testing.app(), { env, stack: 'primary' });
    expect(() => new RegionalObservability(stack, 'o', { ...fromEnvironment(stack, env, 'primary'), provider: stack.provider('secondary'), ...PRIMARY_INPUTS })).toThrow(
      'provider: is for us-east-2, but the primary region is us-east-1',
    );
  });

  it('lowers the lag alarm with a tighter RPO from config', () => {
    const { json } = primary({ objectives: { rpoSeconds: 30 } });
    expect(byName(json, 'aws_cloudwatch_metric_alarm', 'alarm_name', 'txdr-dev-primary-replication-lag').threshold).toBe(30_000);
  });

  it('stops synth with the build command when the Lambda zip is missing', () => {
    expect(() => primary({}, { healthCheckCodePath: '/nonexistent/health-check.zip' })).toThrow(
      'health-check Lambda bundle not found at /nonexistent/health-check.zip: run `nx run health-check:build` first',
    );
  });
});
