import { S3Client } from '@aws-sdk/client-s3';
import { ConfigError, type Environment, loadEnvironment } from '@txn-dr/config';
import { STACK_NAMES, stackProject, stateKey } from '@txn-dr/contracts';
import { parseArgs } from 'node:util';
import { BootstrapError, bootstrapStateBucket, type StepResult } from './bootstrap';

const USAGE = `usage: state-bootstrap [--bucket NAME] [--region REGION]

Creates the Terraform state bucket if it is missing and makes sure it is versioned, encrypted,
private (public access blocked, ACLs disabled) and reachable over TLS only. Safe to re-run: a
setting already in place is left alone. The bucket and region default to TERRAFORM_STATE_BUCKET
and TERRAFORM_STATE_BUCKET_REGION (default us-east-1), the variables the stacks' backends read.`;

const line = (result: StepResult) => `  ${result.setting.padEnd(20)} ${result.outcome.padEnd(8)} ${result.detail}`;

async function main(argv: string[]): Promise<number> {
  let values: { bucket?: string; region?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { bucket: { type: 'string' }, region: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  // The flags go through the same validation as the variables the stacks read.
  let env: Environment;
  try {
    env = loadEnvironment({
      env: {
        ...process.env,
        ...(values.bucket ? { TERRAFORM_STATE_BUCKET: values.bucket } : {}),
        ...(values.region ? { TERRAFORM_STATE_BUCKET_REGION: values.region } : {}),
      },
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const { bucket, region } = env.state;
  if (!bucket) {
    console.error(`No state bucket named: set TERRAFORM_STATE_BUCKET or pass --bucket.\n\n${USAGE}`);
    return 2;
  }

  console.log(`state bucket ${bucket} (${region})`);
  const done: StepResult[] = [];
  try {
    await bootstrapStateBucket(new S3Client({ region }), { bucket, region }, (result) => {
      done.push(result);
      console.log(line(result));
    });
  } catch (error) {
    const reason = error instanceof BootstrapError ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
    console.error(`state-bootstrap: stopped after ${done.length} step(s): ${reason}`);
    console.error('Re-running is safe: settings already in place are left as they are.');
    return 1;
  }

  console.log(`\nEach stack keeps its own state in it (environment ${env.name}):`);
  for (const stack of STACK_NAMES) console.log(`  ${stackProject(stack).padEnd(16)} s3://${bucket}/${stateKey(env.name, stack)}`);
  console.log(`\nPoint the stacks at it before synth, diff or deploy:\n  export TERRAFORM_STATE_BUCKET=${bucket} TERRAFORM_STATE_BUCKET_REGION=${region}`);
  return 0;
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
