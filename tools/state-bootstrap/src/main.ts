import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { ConfigError, type Environment, loadEnvironment } from '@txn-dr/config';
import { STACK_NAMES, boundedClientConfig, stackProject, stateKey } from '@txn-dr/contracts';
import { parseArgs } from 'node:util';
import { BootstrapError, bootstrapStateBucket, type StepResult } from './bootstrap';
import { bootstrapStateReplica, replicaBucketName, replicaRegion } from './replica';

const USAGE = `usage: state-bootstrap [--bucket NAME] [--region REGION] [--replica-bucket NAME]

Creates the Terraform state bucket if it is missing and makes sure it is versioned, encrypted,
private (public access blocked, ACLs disabled) and reachable over TLS only; then does the same
for its replica in the other region of the environment, and replicates the state bucket to it
(every object and delete marker, Replication Time Control) through a role that can do only that.
Safe to re-run: a setting already in place is left alone. The bucket and region default to
TERRAFORM_STATE_BUCKET and TERRAFORM_STATE_BUCKET_REGION (default us-east-1), the variables the
stacks' backends read; the replica is <bucket>-<region> in the environment's other region
(regions.primary/secondary of ENVIRONMENT_SUFFIX's config) unless --replica-bucket names it.`;

const line = (result: StepResult) => `  ${result.setting.padEnd(28)} ${result.outcome.padEnd(8)} ${result.detail}`;

async function main(argv: string[]): Promise<number> {
  let values: { bucket?: string; region?: string; 'replica-bucket'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { bucket: { type: 'string' }, region: { type: 'string' }, 'replica-bucket': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
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

  // The replica is named and placed before any AWS call, so a bad name stops nothing halfway.
  const source = { bucket, region };
  let replica: { bucket: string; region: string };
  try {
    const toRegion = replicaRegion(region, { primary: env.regions.primary.region, secondary: env.regions.secondary.region });
    replica = { bucket: values['replica-bucket'] ?? replicaBucketName(bucket, toRegion), region: toRegion };
  } catch (error) {
    if (!(error instanceof BootstrapError)) throw error;
    console.error(error.message);
    return 2;
  }
  if (replica.bucket === bucket) {
    console.error(`The replica must be another bucket than the state bucket ${bucket}: name it with --replica-bucket.`);
    return 2;
  }

  const done: StepResult[] = [];
  const heard = (result: StepResult) => {
    done.push(result);
    console.log(line(result));
  };
  try {
    // Every call held to the operator tools' bounds: a region that does not answer stops the run
    // with an error, which says re-running is safe, instead of hanging it.
    const sourceS3 = new S3Client(boundedClientConfig(region));
    console.log(`state bucket ${bucket} (${region})`);
    await bootstrapStateBucket(sourceS3, source, heard);
    console.log(`\nreplica ${replica.bucket} (${replica.region}), replicated from ${bucket}`);
    const clients = {
      sourceS3,
      replicaS3: new S3Client(boundedClientConfig(replica.region)),
      // IAM is global; its client still signs for a region.
      iam: new IAMClient(boundedClientConfig(region)),
      sourceKms: new KMSClient(boundedClientConfig(region)),
      replicaKms: new KMSClient(boundedClientConfig(replica.region)),
    };
    await bootstrapStateReplica(clients, { source, replica }, heard);
  } catch (error) {
    const reason = error instanceof BootstrapError ? error.message : `${(error as Error).name}: ${(error as Error).message}`;
    console.error(`state-bootstrap: stopped after ${done.length} step(s): ${reason}`);
    console.error('Re-running is safe: settings already in place are left as they are.');
    return 1;
  }

  console.log(`\nEach stack keeps its own state in it (environment ${env.name}):`);
  for (const stack of STACK_NAMES) console.log(`  ${stackProject(stack).padEnd(16)} s3://${bucket}/${stateKey(env.name, stack)}`);
  console.log(`\nPoint the stacks at it before synth, diff or deploy:\n  export TERRAFORM_STATE_BUCKET=${bucket} TERRAFORM_STATE_BUCKET_REGION=${region}`);
  console.log(
    `Only while ${region} is unreachable, point them at the replica instead (README, "First: the state bucket"):\n` +
      `  export TERRAFORM_STATE_BUCKET=${replica.bucket} TERRAFORM_STATE_BUCKET_REGION=${replica.region}`,
  );
  return 0;
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
