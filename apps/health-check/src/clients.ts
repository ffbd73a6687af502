import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { HealthCheckClients } from './check';

/**
 * Client settings shared by every client. The per-call abort in withTimeout is the limit that
 * counts; these bound each HTTP attempt as well, and two attempts leave room for one retry of a
 * throttled call inside a call's time limit.
 */
const CLIENT_CONFIG = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
};

/** One client per service, made once per container (module scope in index.ts) and reused by every invocation. */
export function createClients(): HealthCheckClients {
  return {
    rds: new RDSClient(CLIENT_CONFIG),
    cloudWatch: new CloudWatchClient(CLIENT_CONFIG),
    sns: new SNSClient(CLIENT_CONFIG),
    ssm: new SSMClient(CLIENT_CONFIG),
  };
}
