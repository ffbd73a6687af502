import { RDSClient } from '@aws-sdk/client-rds';
import { STSClient } from '@aws-sdk/client-sts';
import { ENVIRONMENTS_DIR, loadEnvironment } from '@txn-dr/config';
import { OPERATOR_CALLS, boundedClientConfig } from '@txn-dr/contracts';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { runStackRunner } from './cli';
import { checkCredentials, checkTerraform, initStack } from './preflight';
import { runTerraform } from './terraform';

const cdktfBin = () => join(dirname(require.resolve('cdktf-cli/package.json')), 'bundle', 'bin', 'cdktf');

// The live-writer question sits before every regional deploy: a region that does not connect in
// 3 s or answer in 10 s (OPERATOR_CALLS) is skipped for the other one, rather than holding the
// deploy up. Two attempts, not the operator tools' three: the other region answers the same
// question, so a third wait on a silent region only delays the deploy. The account question gets
// the same bounds. Both clients take credentials from the SDK's default chain.
const bounds = { ...OPERATOR_CALLS, maxAttempts: 2 };
const rds = (region: string) => new RDSClient(boundedClientConfig(region, bounds));
const sts = (region: string) => new STSClient(boundedClientConfig(region, bounds));

runStackRunner(process.argv.slice(2), {
  cwd: process.cwd(),
  // Nx runs the stack targets in apps/<stack>.
  workspaceRoot: resolve(process.cwd(), '..', '..'),
  environmentsDir: ENVIRONMENTS_DIR,
  vars: process.env,
  out: (text) => console.log(text),
  err: (text) => console.error(text),
  preflight: () => {
    checkTerraform();
    checkCredentials(process.env);
  },
  init: (stackDir) => initStack(stackDir),
  loadEnvironment: () => loadEnvironment(),
  sts,
  rds,
  cdktf: (action, args) => spawnSync(process.execPath, [cdktfBin(), action, '--skip-synth', ...args], { stdio: 'inherit' }).status ?? 1,
  terraform: runTerraform,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
