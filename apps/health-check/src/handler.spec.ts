import { CloudWatchClient, PutMetricDataCommand, type PutMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import {
  DBClusterNotFoundFault,
  DescribeDBClustersCommand,
  DescribeGlobalClustersCommand,
  RDSClient,
  RDSServiceException,
  type FailoverStatus,
  type GlobalClusterMember,
} from '@aws-sdk/client-rds';
import { PublishCommand, SNSClient, type PublishCommandInput } from '@aws-sdk/client-sns';
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient, SSMServiceException } from '@aws-sdk/client-ssm';
import { HEALTH_ENV, HEALTH_STATE_INITIAL } from '@txn-dr/contracts';
import { mockClient } from 'aws-sdk-client-mock';
import type { Logger } from '@txn-dr/function-runtime';
import type { HealthCheckResult } from './check';
import { createHandler } from './handler';

const REGION = 'us-east-2';
const CLUSTER = 'txdr-dev-secondary-aurora';
const CLUSTER_ARN = `arn:aws:rds:${REGION}:111122223333:cluster:${CLUSTER}`;
const OTHER_ARN = 'arn:aws:rds:us-east-1:111122223333:cluster:txdr-dev-primary-aurora';
const GLOBAL = 'txdr-dev-global';
const TOPIC = `arn:aws:sns:${REGION}:111122223333:txdr-dev-secondary-alerts`;
const PARAMETER = '/dr/dev/secondary/health/last-state';
const KEY = `arn:aws:kms:${REGION}:111122223333:key/0f0e0d0c-0b0a-0908-0706-050403020100`;
const NAMESPACE = 'txdr-dev/DisasterRecovery';
const TIMEOUT_MS = 2_000;
const NOW = new Date('2026-11-20T10:00:00Z');

const VARS = {
  AWS_REGION: REGION,
  [HEALTH_ENV.clusterIdentifier]: CLUSTER,
  [HEALTH_ENV.globalClusterIdentifier]: GLOBAL,
  [HEALTH_ENV.role]: 'secondary',
  [HEALTH_ENV.environment]: 'txdr-dev',
  [HEALTH_ENV.metricNamespace]: NAMESPACE,
  [HEALTH_ENV.alertTopicArn]: TOPIC,
  [HEALTH_ENV.stateParameter]: PARAMETER,
  [HEALTH_ENV.stateKeyArn]: KEY,
  [HEALTH_ENV.callTimeoutMs]: String(TIMEOUT_MS),
};

// Real clients with their send() stubbed: nothing leaves the process.
const clients = {
  rds: new RDSClient({ region: REGION }),
  cloudWatch: new CloudWatchClient({ region: REGION }),
  sns: new SNSClient({ region: REGION }),
  ssm: new SSMClient({ region: REGION }),
};
const rds = mockClient(clients.rds);
const cloudWatch = mockClient(clients.cloudWatch);
const sns = mockClient(clients.sns);
const ssm = mockClient(clients.ssm);

const logged: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
const log: Logger = {
  info: (message, fields) => logged.push({ level: 'info', message, fields }),
  error: (message, fields) => logged.push({ level: 'error', message, fields }),
};

function member(arn: string, isWriter: boolean, extra: Partial<GlobalClusterMember> = {}): GlobalClusterMember {
  return { DBClusterArn: arn, IsWriter: isWriter, Readers: [], SynchronizationStatus: 'connected', ...extra };
}

/** The cluster as RDS describes it, and the global cluster's members. */
function givenCluster(status: string, members: GlobalClusterMember[], failover?: FailoverStatus): void {
  rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: CLUSTER }).resolves({ DBClusters: [{ DBClusterIdentifier: CLUSTER, DBClusterArn: CLUSTER_ARN, Status: status }] });
  rds.on(DescribeGlobalClustersCommand, { GlobalClusterIdentifier: GLOBAL }).resolves({
    GlobalClusters: [{ GlobalClusterIdentifier: GLOBAL, Status: 'available', GlobalClusterMembers: members, ...(failover ? { FailoverState: { Status: failover } } : {}) }],
  });
}
const healthyReader = () => givenCluster('available', [member(OTHER_ARN, true, { SynchronizationStatus: undefined }), member(CLUSTER_ARN, false)]);
const healthyWriter = () => givenCluster('available', [member(CLUSTER_ARN, true), member(OTHER_ARN, false)]);

/** The state parameter as the check last left it. */
function givenPreviousState(value: string): void {
  ssm.on(GetParameterCommand, { Name: PARAMETER, WithDecryption: true }).resolves({ Parameter: { Name: PARAMETER, Value: value } });
}

const run = (): Promise<HealthCheckResult> => createHandler(clients, VARS, { log, now: () => NOW })() as Promise<HealthCheckResult>;

function metricsSent(): PutMetricDataCommandInput[] {
  return cloudWatch.commandCalls(PutMetricDataCommand).map((call) => call.args[0].input);
}
function metric(name: string): number | undefined {
  const [input] = metricsSent();
  return input?.MetricData?.find((d) => d.MetricName === name)?.Value;
}
function alertsSent(): PublishCommandInput[] {
  return sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
}
function statesSaved(): (string | undefined)[] {
  return ssm.commandCalls(PutParameterCommand).map((call) => call.args[0].input.Value);
}

beforeEach(() => {
  for (const mock of [rds, cloudWatch, sns, ssm]) mock.reset();
  logged.length = 0;
  cloudWatch.on(PutMetricDataCommand).resolves({});
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  ssm.on(PutParameterCommand).resolves({ Version: 2 });
  givenPreviousState('healthy/reader');
});

afterEach(() => {
  jest.useRealTimers();
});

describe('a healthy region', () => {
  it('reports a healthy reader in one PutMetricData call, with role and region dimensions, and no alert', async () => {
    healthyReader();
    const result = await run();
    expect(result).toMatchObject({ state: 'healthy/reader', databaseHealth: 1, metricsPublished: true, alert: 'none', stateSaved: false, problems: [] });
    expect(metricsSent()).toEqual([
      {
        Namespace: NAMESPACE,
        MetricData: [
          expect.objectContaining({ MetricName: 'DatabaseHealth', Value: 1, Timestamp: NOW, Dimensions: [{ Name: 'Role', Value: 'secondary' }, { Name: 'Region', Value: REGION }] }),
          expect.objectContaining({ MetricName: 'DatabaseIsWriter', Value: 0 }),
        ],
      },
    ]);
    expect(alertsSent()).toEqual([]);
    expect(statesSaved()).toEqual([]);
  });

  it('reports a healthy writer', async () => {
    givenPreviousState('healthy/writer');
    healthyWriter();
    const result = await run();
    expect(result).toMatchObject({ state: 'healthy/writer', databaseHealth: 1, alert: 'none' });
    expect(metric('DatabaseHealth')).toBe(1);
    expect(metric('DatabaseIsWriter')).toBe(1);
  });

  it('asks RDS for its own cluster and global cluster only', async () => {
    healthyReader();
    await run();
    expect(rds.commandCalls(DescribeDBClustersCommand).map((c) => c.args[0].input)).toEqual([{ DBClusterIdentifier: CLUSTER }]);
    expect(rds.commandCalls(DescribeGlobalClustersCommand).map((c) => c.args[0].input)).toEqual([{ GlobalClusterIdentifier: GLOBAL }]);
  });

  it('gives every AWS call an abort signal', async () => {
    givenPreviousState('healthy/writer');
    healthyReader();
    await run();
    const calls = [rds, cloudWatch, sns, ssm].flatMap((mock) => mock.send.getCalls());
    expect(calls.length).toBeGreaterThanOrEqual(5);
    for (const call of calls) {
      const options = (call.args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined;
      expect(options?.abortSignal).toBeInstanceOf(AbortSignal);
    }
  });
});

describe('an unhealthy region', () => {
  it.each([
    ['not available', () => givenCluster('failing-over', [member(CLUSTER_ARN, false), member(OTHER_ARN, true)]), /cluster status is failing-over/],
    ['detached from the global cluster', () => givenCluster('available', [member(OTHER_ARN, true)]), /not a member of global cluster txdr-dev-global/],
    ['waiting for a resync', () => givenCluster('available', [member(OTHER_ARN, true), member(CLUSTER_ARN, false, { SynchronizationStatus: 'pending-resync' })]), /waiting for a resync/],
  ])('publishes DatabaseHealth 0 and alerts when the cluster is %s', async (_case, given, why) => {
    given();
    const result = await run();
    expect(result).toMatchObject({ databaseHealth: 0, metricsPublished: true, alert: 'sent', alertReason: 'changed', stateSaved: true });
    expect(result.state).toMatch(/^unhealthy/);
    expect(metric('DatabaseHealth')).toBe(0);
    const [alert] = alertsSent();
    expect(alert).toMatchObject({ TopicArn: TOPIC, Subject: expect.stringContaining('txdr-dev us-east-2 (secondary): database UNHEALTHY') });
    expect(alert?.Message).toMatch(why);
    expect(alert?.Subject!.length).toBeLessThanOrEqual(100);
    expect(statesSaved()).toEqual([result.state]);
  });

  it('takes a cluster RDS does not know as unhealthy, not as a failed check', async () => {
    rds.on(DescribeDBClustersCommand).rejects(new DBClusterNotFoundFault({ message: `DBCluster ${CLUSTER} not found.`, $metadata: {} }));
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [{ GlobalClusterIdentifier: GLOBAL, GlobalClusterMembers: [member(OTHER_ARN, true)] }] });
    const result = await run();
    expect(result).toMatchObject({ state: 'unhealthy', databaseHealth: 0, alert: 'sent', problems: [] });
    expect(alertsSent()[0]?.Message).toMatch(`cluster ${CLUSTER} not found`);
  });

  it('mentions a switchover in progress', async () => {
    givenCluster('available', [member(CLUSTER_ARN, true), member(OTHER_ARN, false)], 'failing-over');
    const result = await run();
    expect(result).toMatchObject({ state: 'healthy/writer', alert: 'sent' });
    expect(alertsSent()[0]?.Message).toMatch('switchover or failover failing-over');
  });
});

describe('a check that fails', () => {
  it('publishes DatabaseHealth 0 and alerts when the RDS API fails', async () => {
    rds.on(DescribeDBClustersCommand).rejects(new RDSServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: {} }));
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [] });
    const result = await run();
    expect(result).toMatchObject({ state: 'check-failed', databaseHealth: 0, metricsPublished: true, alert: 'sent', stateSaved: true });
    expect(result.problems).toEqual(['database check failed: ThrottlingException: Rate exceeded']);
    expect(metric('DatabaseHealth')).toBe(0);
    expect(metric('DatabaseIsWriter')).toBeUndefined();
    expect(alertsSent()[0]).toMatchObject({ Subject: 'txdr-dev us-east-2 (secondary): health check FAILED', Message: expect.stringContaining('Rate exceeded') });
    expect(statesSaved()).toEqual(['check-failed']);
  });

  it('gives up on an RDS call that never answers, aborts it, and still publishes DatabaseHealth 0', async () => {
    jest.useFakeTimers({ now: NOW });
    rds.on(DescribeDBClustersCommand).callsFake(() => new Promise(() => undefined));
    rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [] });
    let settled: HealthCheckResult | undefined;
    const pending = run().then((result) => (settled = result));

    await jest.advanceTimersByTimeAsync(TIMEOUT_MS - 1);
    expect(settled).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);
    const result = await pending;

    expect(result).toMatchObject({ state: 'check-failed', databaseHealth: 0, metricsPublished: true, alert: 'sent' });
    expect(result.problems).toEqual([`database check failed: CallTimeoutError: RDS DescribeDBClusters timed out after ${TIMEOUT_MS} ms`]);
    expect(metric('DatabaseHealth')).toBe(0);
    const describeCall = rds.send.getCalls().find((call) => call.args[0] instanceof DescribeDBClustersCommand)!;
    expect(((describeCall.args as unknown[])[1] as { abortSignal: AbortSignal }).abortSignal.aborted).toBe(true);
  });

  it('keeps going when CloudWatch refuses the metrics, and alerts that the alarms are blind', async () => {
    healthyReader();
    cloudWatch.on(PutMetricDataCommand).rejects(new Error('Service unavailable'));
    const result = await run();
    expect(result).toMatchObject({ state: 'check-failed', databaseHealth: 1, metricsPublished: false, alert: 'sent', stateSaved: true });
    expect(result.problems).toEqual(['metrics not published: Service unavailable']);
    expect(cloudWatch.commandCalls(PutMetricDataCommand)).toHaveLength(1);
    expect(alertsSent()[0]?.Message).toMatch('metrics not published: Service unavailable');
  });

  it('keeps the old state when the alert cannot be sent, so the next check sends it again', async () => {
    givenCluster('stopped', [member(CLUSTER_ARN, false), member(OTHER_ARN, true)]);
    sns.on(PublishCommand).rejects(new Error('KMS key disabled'));
    const first = await run();
    expect(first).toMatchObject({ state: 'unhealthy/reader', metricsPublished: true, alert: 'failed', stateSaved: false });
    expect(first.problems).toEqual(['alert not sent: KMS key disabled']);
    expect(statesSaved()).toEqual([]);

    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
    const second = await run();
    expect(second).toMatchObject({ alert: 'sent', stateSaved: true });
    expect(statesSaved()).toEqual(['unhealthy/reader']);
  });

  it('alerts when SNS never answers, without throwing', async () => {
    jest.useFakeTimers({ now: NOW });
    givenCluster('stopped', [member(CLUSTER_ARN, false), member(OTHER_ARN, true)]);
    sns.on(PublishCommand).callsFake(() => new Promise(() => undefined));
    const pending = run();
    await jest.advanceTimersByTimeAsync(TIMEOUT_MS);
    const result = await pending;
    expect(result).toMatchObject({ alert: 'failed', stateSaved: false });
    expect(result.problems).toEqual([`alert not sent: CallTimeoutError: SNS Publish timed out after ${TIMEOUT_MS} ms`]);
  });

  it('records the problem when the state cannot be saved, and still reports', async () => {
    givenCluster('stopped', [member(CLUSTER_ARN, false), member(OTHER_ARN, true)]);
    ssm.on(PutParameterCommand).rejects(new SSMServiceException({ name: 'AccessDeniedException', $fault: 'client', message: 'not authorized', $metadata: {} }));
    const result = await run();
    expect(result).toMatchObject({ alert: 'sent', stateSaved: false, metricsPublished: true });
    expect(result.problems).toEqual(['state not saved: AccessDeniedException: not authorized']);
    expect(logged.at(-1)).toMatchObject({ level: 'error', message: 'health check' });
  });

  it('runs nothing and names every bad variable when the environment is broken', async () => {
    const broken = createHandler(clients, { ...VARS, [HEALTH_ENV.role]: 'tertiary', [HEALTH_ENV.alertTopicArn]: '' }, { log });
    await expect(broken()).resolves.toEqual({
      state: 'misconfigured',
      problems: ['DR_ROLE must be primary or secondary, got tertiary', 'DR_ALERT_TOPIC_ARN is not set'],
    });
    expect([rds, cloudWatch, sns, ssm].flatMap((mock) => mock.send.getCalls())).toEqual([]);
  });
});

describe('alerting only on a change of state', () => {
  it('alerts once per change over a series of checks, reading back what it stored', async () => {
    // The parameter as SSM would keep it between invocations (and cold starts).
    let stored = HEALTH_STATE_INITIAL;
    ssm.on(GetParameterCommand).callsFake(() => ({ Parameter: { Value: stored } }));
    ssm.on(PutParameterCommand).callsFake((input: { Value: string }) => {
      stored = input.Value;
      return { Version: 1 };
    });

    const seen: string[] = [];
    for (const given of [healthyReader, healthyReader, () => givenCluster('rebooting', [member(CLUSTER_ARN, false), member(OTHER_ARN, true)]), () => givenCluster('rebooting', [member(CLUSTER_ARN, false), member(OTHER_ARN, true)]), healthyReader, healthyWriter, healthyWriter]) {
      given();
      const result = await run();
      seen.push(`${result.state}:${result.alert}`);
    }

    expect(seen).toEqual([
      'healthy/reader:none', // first report, healthy: nobody is paged
      'healthy/reader:none',
      'unhealthy/reader:sent',
      'unhealthy/reader:none',
      'healthy/reader:sent', // recovered
      'healthy/writer:sent', // promoted: a switchover or failover reached this region
      'healthy/writer:none',
    ]);
    expect(alertsSent().map((a) => a.Subject)).toEqual([
      'txdr-dev us-east-2 (secondary): database UNHEALTHY (reader)',
      'txdr-dev us-east-2 (secondary): database healthy (reader)',
      'txdr-dev us-east-2 (secondary): database healthy (writer)',
    ]);
    expect(alertsSent()[1]?.Message).toMatch('unhealthy/reader -> healthy/reader');
    expect(ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input)).toContainEqual({
      Name: PARAMETER,
      Value: 'healthy/writer',
      Type: 'SecureString',
      KeyId: KEY,
      Overwrite: true,
    });
  });

  it('alerts on the first report only when it is not healthy', async () => {
    givenPreviousState(HEALTH_STATE_INITIAL);
    givenCluster('stopped', [member(CLUSTER_ARN, false), member(OTHER_ARN, true)]);
    await expect(run()).resolves.toMatchObject({ alert: 'sent', alertReason: 'first-report' });
  });

  it('takes a missing state parameter as the first report', async () => {
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
    healthyReader();
    await expect(run()).resolves.toMatchObject({ previousState: HEALTH_STATE_INITIAL, alert: 'none', stateSaved: true, problems: [] });
  });

  it.each([
    ['an unhealthy region', () => givenCluster('stopped', [member(CLUSTER_ARN, false), member(OTHER_ARN, true)]), 'sent'],
    ['a healthy region', healthyReader, 'none'],
  ])('with the previous state unreadable, risks a duplicate alert rather than a missed one: %s gives alert %s', async (_case, given, alert) => {
    ssm.on(GetParameterCommand).rejects(new Error('Rate exceeded'));
    given();
    const result = await run();
    expect(result.alert).toBe(alert);
    expect(result.previousState).toBeUndefined();
    expect(result.problems).toEqual(['previous state unreadable: Rate exceeded']);
  });
});
