import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// The command as an operator runs it. Only the paths that stop before any AWS call are run here;
// the AWS calls themselves are tested through the SDK's mock in bootstrap.spec.ts.
const BIN = join(__dirname, '..', 'bin', 'state-bootstrap.cjs');

function run(args: string[], vars: NodeJS.ProcessEnv = {}) {
  // The state variables of whoever runs the tests must not leak in.
  const { TERRAFORM_STATE_BUCKET: _bucket, TERRAFORM_STATE_BUCKET_REGION: _region, ...inherited } = process.env;
  const env = { ...inherited, ...vars };
  const result = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

it('explains itself', () => {
  expect(run(['--help'])).toEqual({ status: 0, output: expect.stringMatching(/^usage: state-bootstrap \[--bucket NAME\] \[--region REGION\]/) });
});

it('asks for a bucket when none is named', () => {
  expect(run([])).toEqual({ status: 2, output: expect.stringMatching(/^No state bucket named: set TERRAFORM_STATE_BUCKET or pass --bucket/) });
});

it('refuses an invalid bucket name or region as the stacks would, naming the variable', () => {
  expect(run(['--bucket', 'Not_A_Bucket'])).toEqual({ status: 1, output: expect.stringContaining('state.bucket (TERRAFORM_STATE_BUCKET): must be an S3 bucket name') });
  expect(run([], { TERRAFORM_STATE_BUCKET: 'acme-tf-state', TERRAFORM_STATE_BUCKET_REGION: 'virginia' })).toEqual({
    status: 1,
    output: expect.stringContaining('state.region (TERRAFORM_STATE_BUCKET_REGION): must be an AWS region code'),
  });
});

it('refuses an unknown option', () => {
  expect(run(['--bucket-name', 'x'])).toEqual({ status: 2, output: expect.stringMatching(/Unknown option '--bucket-name'/) });
});

it('names the replica before any AWS call, and refuses one it could not create', () => {
  expect(run(['--bucket', 'a'.repeat(60)])).toEqual({
    status: 2,
    output: expect.stringContaining(`the replica's default name ${'a'.repeat(60)}-us-east-2 is longer than 63 characters: name the replica with --replica-bucket`),
  });
  expect(run(['--bucket', 'acme-tf-state', '--replica-bucket', 'acme-tf-state'])).toEqual({
    status: 2,
    output: expect.stringContaining('The replica must be another bucket than the state bucket acme-tf-state'),
  });
});
