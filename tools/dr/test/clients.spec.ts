import { defineEnvironment } from '@txn-dr/config';
import { IMPAIRED_CALLS, NORMAL_CALLS, createAwsClients } from '../src/aws/clients';
import { resolveTargets } from '../src/targets';

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
