import { Readable } from 'node:stream';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeGlobalClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetChangeCommand, Route53Client } from '@aws-sdk/client-route-53';
import { defineEnvironment } from '@txn-dr/config';
import { IMPAIRED_CALLS, NORMAL_CALLS, createAwsClients } from '../../src/aws/clients';
import { classifyAwsError } from '../../src/errors';
import { resolveTargets } from '../../src/targets';

const targets = resolveTargets(defineEnvironment({ name: 'dev' }));

async function settings(client: { config: { region: () => Promise<string>; maxAttempts: () => Promise<number>; retryMode: unknown; requestHandler: unknown } }) {
  const handler = (await (client.config.requestHandler as { configProvider: Promise<Record<string, unknown>> }).configProvider) as Record<string, unknown>;
  return {
    region: await client.config.region(),
    maxAttempts: await client.config.maxAttempts(),
    retryMode: typeof client.config.retryMode === 'function' ? await (client.config.retryMode as () => Promise<string>)() : client.config.retryMode,
    connectionTimeout: handler.connectionTimeout,
    requestTimeout: handler.requestTimeout,
    throwOnRequestTimeout: handler.throwOnRequestTimeout,
  };
}

describe('createAwsClients', () => {
  it('builds one set of clients per region with deliberate timeouts and standard retries', async () => {
    const clients = createAwsClients(targets);
    for (const client of [clients.regional.primary.rds, clients.regional.primary.autoScaling, clients.regional.primary.elb, clients.regional.primary.cloudWatch]) {
      expect(await settings(client as never)).toEqual({ region: 'us-east-1', maxAttempts: 3, retryMode: 'standard', connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true });
    }
    expect((await settings(clients.regional.secondary.rds as never)).region).toBe('us-east-2');
    expect(await settings(clients.route53 as never)).toMatchObject({ region: 'us-east-1', maxAttempts: 3 });
  });

  it('gives up sooner on the region a failover moves away from', async () => {
    const clients = createAwsClients(targets, { impaired: 'primary' });
    expect(await settings(clients.regional.primary.rds as never)).toMatchObject({ maxAttempts: 2, connectionTimeout: 2_000, requestTimeout: 4_000, throwOnRequestTimeout: true });
    expect(await settings(clients.regional.secondary.rds as never)).toMatchObject({ maxAttempts: 3, requestTimeout: 10_000 });
    expect(IMPAIRED_CALLS.maxAttempts * IMPAIRED_CALLS.requestTimeoutMs).toBeLessThan(NORMAL_CALLS.maxAttempts * NORMAL_CALLS.requestTimeoutMs);
  });
});

/**
 * The error names errors.ts sorts on, as the real SDK clients raise them: each client sends to a
 * stub request handler (nothing leaves the process) that answers as the service would, and the
 * SDK's own retry strategy runs, on Jest's fake timers.
 */
describe('AWS errors as the SDK raises them', () => {
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
  const queryError = (code: string) =>
    `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${code} message</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`;

  /** A request handler that answers every attempt the same way, and counts them. */
  function stub(answer: () => { status: number; body: string; contentType: string } | Error) {
    const handler = {
      attempts: 0,
      handle: async () => {
        handler.attempts++;
        const a = answer();
        if (a instanceof Error) throw a;
        return { response: { statusCode: a.status, headers: { 'content-type': a.contentType }, body: Readable.from([Buffer.from(a.body)]) } };
      },
    };
    return handler;
  }
  const xml = (status: number, code: string) => () => ({ status, body: queryError(code), contentType: 'text/xml' });
  const json = (status: number, type: string) => () => ({ status, body: JSON.stringify({ __type: type, message: `${type} message` }), contentType: 'application/x-amz-json-1.0' });

  /**
   * Sends one command, letting the SDK's backoff run on fake timers; returns what it threw. Between
   * steps of fake time, real I/O (the SDK loads some modules lazily) gets its turn.
   */
  async function failure(send: () => Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number; attempts?: number } }> {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask', 'hrtime'] });
    try {
      let settled: Error | undefined;
      void send().then(
        () => (settled = new Error('the call succeeded')),
        (error: unknown) => (settled = error as Error),
      );
      // The fake time is bounded (500 s); the real time too, for a machine so busy that the SDK's
      // first module loads take longer than 500 turns of the event loop.
      const started = process.hrtime.bigint();
      const realMs = () => Number(process.hrtime.bigint() - started) / 1e6;
      for (let step = 0; !settled && realMs() < 30_000; step++) {
        await new Promise((resolve) => setImmediate(resolve));
        if (step < 500) await jest.advanceTimersByTimeAsync(1_000);
      }
      if (!settled) throw new Error('the call did not settle within 500 s of fake time');
      return settled;
    } finally {
      jest.useRealTimers();
    }
  }

  const rds = (handler: object, settings = NORMAL_CALLS) =>
    new RDSClient({ region: 'us-east-1', credentials, maxAttempts: settings.maxAttempts, retryMode: 'standard', requestHandler: handler as never });
  const cloudWatch = (handler: object) => new CloudWatchClient({ region: 'us-east-2', credentials, maxAttempts: NORMAL_CALLS.maxAttempts, retryMode: 'standard', requestHandler: handler as never });
  const route53 = (handler: object) => new Route53Client({ region: 'us-east-1', credentials, maxAttempts: NORMAL_CALLS.maxAttempts, retryMode: 'standard', requestHandler: handler as never });
  const describeGlobal = new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: 'txdr-dev-global' });
  const lag = new GetMetricStatisticsCommand({ Namespace: 'AWS/RDS', MetricName: 'AuroraGlobalDBRPOLag', StartTime: new Date(0), EndTime: new Date(60_000), Period: 60, Statistics: ['Maximum'] });

  it.each([
    ['RDS (Query protocol)', 'Throttling', (h: object) => rds(h).send(describeGlobal), xml(400, 'Throttling')],
    ['CloudWatch (JSON protocol)', 'ThrottlingException', (h: object) => cloudWatch(h).send(lag), json(400, 'ThrottlingException')],
    ['Route 53 (REST-XML protocol)', 'Throttling', (h: object) => route53(h).send(new GetChangeCommand({ Id: 'C1' })), xml(400, 'Throttling')],
  ])('%s: throttling is retried on every attempt, then reaches the caller as %s, which counts as impaired', async (_service, name, send, answer) => {
    const handler = stub(answer);
    const error = await failure(() => send(handler));
    expect(handler.attempts).toBe(NORMAL_CALLS.maxAttempts);
    expect(error.name).toBe(name);
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400, attempts: NORMAL_CALLS.maxAttempts });
    expect(classifyAwsError(error)).toMatchObject({ kind: 'throttled', impaired: true, operator: false });
  });

  it.each([
    ['RDS', 'ExpiredToken', (h: object) => rds(h).send(describeGlobal), xml(403, 'ExpiredToken'), 'credentials'],
    ['CloudWatch', 'ExpiredTokenException', (h: object) => cloudWatch(h).send(lag), json(403, 'ExpiredTokenException'), 'credentials'],
    ['RDS', 'InvalidClientTokenId', (h: object) => rds(h).send(describeGlobal), xml(403, 'InvalidClientTokenId'), 'credentials'],
    ['CloudWatch', 'UnrecognizedClientException', (h: object) => cloudWatch(h).send(lag), json(403, 'UnrecognizedClientException'), 'credentials'],
    ['RDS', 'SignatureDoesNotMatch', (h: object) => rds(h).send(describeGlobal), xml(403, 'SignatureDoesNotMatch'), 'credentials'],
    ['RDS', 'AccessDenied', (h: object) => rds(h).send(describeGlobal), xml(403, 'AccessDenied'), 'authorisation'],
    ['CloudWatch', 'AccessDeniedException', (h: object) => cloudWatch(h).send(lag), json(400, 'AccessDeniedException'), 'authorisation'],
    ['RDS', 'InvalidParameterValue', (h: object) => rds(h).send(describeGlobal), xml(400, 'InvalidParameterValue'), 'validation'],
    ['RDS', 'GlobalClusterNotFoundFault', (h: object) => rds(h).send(describeGlobal), xml(404, 'GlobalClusterNotFoundFault'), 'not-found'],
    ['Route 53', 'NoSuchHostedZone', (h: object) => route53(h).send(new GetChangeCommand({ Id: 'C1' })), xml(404, 'NoSuchHostedZone'), 'not-found'],
  ])('%s: %s is answered once, not retried, and is the operator\'s to fix', async (_service, name, send, answer, kind) => {
    const handler = stub(answer);
    const error = await failure(() => send(handler));
    expect(handler.attempts).toBe(1);
    expect(error.name).toBe(name);
    expect(classifyAwsError(error)).toMatchObject({ kind, impaired: false, operator: true });
  });

  it('a 5xx is retried, then counts as impaired', async () => {
    const handler = stub(xml(503, 'ServiceUnavailable'));
    const error = await failure(() => rds(handler).send(describeGlobal));
    expect(handler.attempts).toBe(NORMAL_CALLS.maxAttempts);
    expect(classifyAwsError(error)).toMatchObject({ kind: 'server', httpStatus: 503, impaired: true });
  });

  it('a timeout leaves no HTTP status, is retried, and counts as impaired', async () => {
    // What the SDK's Node.js handler raises when the request timeout passes (throwOnRequestTimeout).
    const handler = stub(() => Object.assign(new Error(`Connection timed out after ${IMPAIRED_CALLS.requestTimeoutMs} ms`), { name: 'TimeoutError', code: 'ETIMEDOUT' }));
    const error = await failure(() => rds(handler, IMPAIRED_CALLS).send(describeGlobal));
    expect(handler.attempts).toBe(IMPAIRED_CALLS.maxAttempts);
    expect(error.$metadata?.httpStatusCode).toBeUndefined();
    expect(classifyAwsError(error)).toMatchObject({ kind: 'unreachable', impaired: true, attempts: IMPAIRED_CALLS.maxAttempts });
  });

  it('with no credentials nothing is sent, and the provider chain\'s error reaches the caller as it is', async () => {
    const handler = stub(xml(200, 'unused'));
    const client = new RDSClient({
      region: 'us-east-1',
      requestHandler: handler as never,
      credentials: async () => {
        throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
      },
    });
    const error = await failure(() => client.send(describeGlobal));
    expect(handler.attempts).toBe(0);
    expect(error.name).toBe('CredentialsProviderError');
    expect(classifyAwsError(error)).toMatchObject({ kind: 'credentials', operator: true, impaired: false });
  });
});
