import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every spec in aws/ (the operator CLI, the SDK clients and AwsWorld against the in-memory AWS
 * model) runs as a part of this one test file. Jest loads every module anew for each test file,
 * and each of those specs loads the AWS SDK's clients, the model and the CLI: a quarter of a CPU
 * second each time, more than most of them take to run. Each part is loaded inside a describe
 * block named after its file, so that its hooks apply to its own tests only.
 *
 * One part alone: `npx jest --config tools/dr/jest.config.cjs tools/dr/test/aws.spec.ts -t '^switchover.spec.ts '`.
 */
const parts = readdirSync(join(__dirname, 'aws'))
  .filter((file) => file.endsWith('.spec.ts'))
  .sort();

for (const part of parts) {
  describe(part, () => {
    // Required here, not imported at the top, so that the part's hooks and tests land in this block.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(join(__dirname, 'aws', part));
  });
}
