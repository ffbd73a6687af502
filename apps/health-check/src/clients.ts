import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { FUNCTION_CALLS, boundedCalls } from '@txn-dr/contracts';
import type { HealthCheckClients } from './check';

/**
 * Client settings shared by every client, in the function's own region (AWS_REGION). The per-call
 * abort in withTimeout is the limit that counts; these bound each HTTP attempt as well. A
 * function's bounds (FUNCTION_CALLS), far shorter than the operator tools' on purpose: four calls
 * one after another must fit in the function's timeout, and a run that gives up is replaced by the
 * next one a minute later.
 */
const CLIENT_CONFIG = boundedCalls(FUNCTION_CALLS);

/** One client per service, made once per container (module scope in index.ts) and reused by every invocation. */
export function createClients(): HealthCheckClients {
  return {
    rds: new RDSClient(CLIENT_CONFIG),
    cloudWatch: new CloudWatchClient(CLIENT_CONFIG),
    sns: new SNSClient(CLIENT_CONFIG),
    ssm: new SSMClient(CLIENT_CONFIG),
  };
}
