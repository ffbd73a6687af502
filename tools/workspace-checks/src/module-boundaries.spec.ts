import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from './nx';

type Case = [description: string, path: string, code: string, expected: RegExp | 'clean'];

const cases: Case[] = [
  ['a stack app imports the AWS provider bindings', 'apps/stack-primary/src/x.ts', "import { Vpc } from '@cdktf/provider-aws/lib/vpc';\nexport { Vpc };", /enforce-module-boundaries.*@cdktf\/provider-aws\/lib\/vpc/],
  ['an app imports another app by package', 'apps/stack-secondary/src/x.ts', "import { GlobalStack } from '@txn-dr/stack-global/src/global-stack';\nexport { GlobalStack };", /enforce-module-boundaries: Imports of apps are forbidden/],
  ['an app imports another app by path', 'apps/stack-secondary/src/x.ts', "import { GlobalStack } from '../../stack-global/src/global-stack';\nexport { GlobalStack };", /enforce-module-boundaries: Projects cannot be imported by a relative or absolute path/],
  ['a contract imports cdktf', 'libs/contracts/src/x.ts', "import { App } from 'cdktf';\nexport { App };", /enforce-module-boundaries.*cdktf/],
  ['config depends on contracts', 'libs/config/src/x.ts', "import { Names } from '@txn-dr/contracts';\nexport { Names };", /enforce-module-boundaries.*(type:config" can only depend|Circular dependency between "config" and "contracts")/],
  ['a tool imports constructs', 'tools/stack-runner/src/x.ts', "import { DrStack } from '@txn-dr/infra-core';\nexport { DrStack };", /enforce-module-boundaries.*"type:tool" can only depend on libs tagged with "type:contract", "type:config", "type:tool"/],
  ['the operation lock imports constructs', 'tools/operation-lock/src/x.ts', "import { DrStack } from '@txn-dr/infra-core';\nexport { DrStack };", /enforce-module-boundaries.*"type:tool" can only depend on libs tagged with "type:contract", "type:config", "type:tool"/],
  ['a contract imports the operation lock', 'libs/contracts/src/x.ts', "import { withOperationLock } from '@txn-dr/operation-lock';\nexport { withOperationLock };", /enforce-module-boundaries.*("type:contract" can only depend on libs tagged with "type:config"|Circular dependency between "contracts" and "operation-lock")/],
  ['a stack app imports the operation lock', 'apps/stack-primary/src/x.ts', "import { withOperationLock } from '@txn-dr/operation-lock';\nexport { withOperationLock };", /enforce-module-boundaries.*"type:stack" can only depend on libs tagged with "type:infra", "type:config", "type:contract"/],
  ['a tool takes the operation lock with config and contracts', 'tools/stack-runner/src/x.ts', "import { withOperationLock } from '@txn-dr/operation-lock';\nimport { loadEnvironment } from '@txn-dr/config';\nimport { Names } from '@txn-dr/contracts';\nexport { withOperationLock, loadEnvironment, Names };", 'clean'],
  ['the policy engine builds constructs instead of reading JSON', 'libs/policy/src/x.ts', "import { DrStack } from '@txn-dr/infra-core';\nexport { DrStack };", /enforce-module-boundaries.*("type:policy" can only depend|Circular dependency between "policy-engine" and "infra-core")/],
  ['the policy suite builds constructs instead of reading JSON', 'libs/policy/suite/test/x.ts', "import { DrStack } from '@txn-dr/infra-core';\nexport { DrStack };", /enforce-module-boundaries.*"type:policy" can only depend on libs tagged with "type:policy", "type:contract", "type:config"/],
  ['the policy engine imports cdktf', 'libs/policy/src/x.ts', "import { App } from 'cdktf';\nexport { App };", /enforce-module-boundaries.*cdktf/],
  ['the policy suite reads the stacks through the engine', 'libs/policy/suite/test/x.ts', "import { evaluate } from '@txn-dr/policy';\nimport { knownEnvironments } from '@txn-dr/config';\nexport { evaluate, knownEnvironments };", 'clean'],
  ['infra runs the policy rules at synth and writes suppressions', 'libs/infra/core/src/x.ts', "import { checkSynthesizedStack } from '@txn-dr/policy';\nexport { checkSynthesizedStack };", 'clean'],
  ['a stack app runs the policy rules itself instead of through its runner', 'apps/stack-primary/src/x.ts', "import { checkSynthesizedStack } from '@txn-dr/policy';\nexport { checkSynthesizedStack };", /enforce-module-boundaries.*"type:stack" can only depend on libs tagged with "type:infra", "type:config", "type:contract"/],
  ['infra imports the provider barrel', 'libs/infra/core/src/x.ts', "import { vpc } from '@cdktf/provider-aws';\nexport { vpc };", /no-restricted-imports.*deep path/],
  ['infra imports a provider resource by deep path', 'libs/infra/core/src/x.ts', "import { Vpc } from '@cdktf/provider-aws/lib/vpc';\nexport { Vpc };", 'clean'],
  ['a service imports the MariaDB test helper in production code', 'apps/transaction-api/src/x.ts', "import { MariaDbServer } from '@txn-dr/testing-mariadb';\nexport { MariaDbServer };", /enforce-module-boundaries.*"type:service" can only depend on libs tagged with "type:contract", "type:config"/],
  ['a Lambda\'s tests start a MariaDB server with the test helper', 'apps/secret-rotation/test/x.ts', "import { MariaDbServer } from '@txn-dr/testing-mariadb';\nexport { MariaDbServer };", 'clean'],
  ['a test helper imports a project', 'libs/testing-mariadb/src/x.ts', "import { Names } from '@txn-dr/contracts';\nexport { Names };", /enforce-module-boundaries.*"type:testing" cannot depend on any libs with tags/],
  ['a function\'s own code imports the build helpers', 'apps/health-check/src/x.ts', "import { zipOne } from '@txn-dr/function-zip';\nexport { zipOne };", /enforce-module-boundaries.*"type:lambda" can only depend on libs tagged with "type:contract", "type:config"/],
  ['a function\'s build script bundles and zips with the build helpers', 'apps/health-check/scripts/x.ts', "import { zipOne } from '@txn-dr/function-zip';\nexport { zipOne };", 'clean'],
  ['a stack app imports infra and config', 'apps/stack-primary/src/x.ts', "import { runStackApp } from '@txn-dr/infra-core';\nimport { loadEnvironment } from '@txn-dr/config';\nexport { runStackApp, loadEnvironment };", 'clean'],
];

// One ESLint process for every case: loading the config and the project graph is the slow part.
const results = JSON.parse(
  execFileSync(process.execPath, [join(__dirname, 'lint-cases.mjs'), WORKSPACE_ROOT], {
    input: JSON.stringify(cases.map(([, path, code]) => ({ path, code }))),
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
  }),
) as string[][];

describe('module boundaries are enforced by lint', () => {
  it.each(cases.map((c, i) => [...c, i] as const))('%s: %s', (_description, _path, _code, expected, index) => {
    const problems = results[index];
    if (expected === 'clean') expect(problems).toEqual([]);
    else expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });
});
