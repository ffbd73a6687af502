import { defineEnvironment } from '@txn-dr/config';
import { CustomerManagedKey, DrStack, awsContext, logsServiceGrant } from '@txn-dr/infra-core';
import { App, TerraformResource } from 'cdktf';
import type { AdminFunctionPlacement, SchemaMigrationProps } from '../src';

/** The master secret's ARN as the primary stack has it: the global stack's output. */
export const SECRET_ARN = '${data.terraform_remote_state.state-global.outputs.databaseSecretArnPrimary}';
export const GLOBAL_WRITER = 'txdr-dev-global.global-abc123.global.rds.amazonaws.com';

/** A statement of a function's role policy, as the specs read it. */
export type Statement = { sid: string; actions: string[]; resources: string[]; condition?: { test: string; variable: string; values: string[] }[] };

/** What both database administration functions take, in the primary stack: where they run and log, and the writer they wait for. */
export type AdminProps = AdminFunctionPlacement & Pick<SchemaMigrationProps, 'names' | 'role' | 'databaseHost' | 'databaseReady'>;

/**
 * A primary stack of its own (synthesized into `outdir`) for one database administration function:
 * the regional data key its log group uses, a writer and its instance to wait for (`null_resource.writer`
 * and `null_resource.writer-instance`), and the props that place the function.
 */
export function adminFunctionStack(outdir: string): { app: App; stack: DrStack<'primary'>; props: AdminProps } {
  const app = new App({ outdir });
  const stack = new DrStack(app, { env: defineEnvironment({ name: 'dev' }), stack: 'primary' });
  const provider = stack.provider('primary');
  const key = new CustomerManagedKey(stack, 'data-key', { provider, alias: 'txdr-dev-primary-data', description: 'data', serviceGrants: [logsServiceGrant(awsContext(stack, provider))] });
  const cluster = new TerraformResource(stack, 'writer', { terraformResourceType: 'null_resource' });
  const instance = new TerraformResource(stack, 'writer-instance', { terraformResourceType: 'null_resource' });
  return {
    app,
    stack,
    props: {
      names: stack.names,
      role: 'primary',
      provider,
      secretArn: stack.readOutputs('global').databaseSecretArnPrimary,
      databaseHost: GLOBAL_WRITER,
      vpcId: 'vpc-1',
      subnetIds: ['subnet-private-a', 'subnet-private-b'],
      databaseSecurityGroupId: 'sg-database',
      endpointsSecurityGroupId: 'sg-endpoints',
      otherRegionDatabaseCidrs: ['10.1.128.0/21', '10.1.136.0/21'],
      logKeyArn: key.arn,
      logRetentionDays: 30,
      databaseReady: [cluster, instance],
    },
  };
}
