/**
 * Runs the CLI against the in-memory model and prints what an operator would see, standard output
 * and standard error in the order they were written: the sample output in README.md comes from
 * here. `node --import tsx tools/dr/test/demo.ts`
 *
 * Each sample ends with the exit code. The temporary folder standing in for the workspace root is
 * printed as `<workspace>`.
 */
import { defineEnvironment } from '@txn-dr/config';
import { type Harness, harness } from './harness';

let h: Harness;

/** Runs `dr <argv>` and prints its transcript under a title. */
async function show(title: string, argv: string[], deps: Parameters<Harness['run']>[1] = {}): Promise<number> {
  const lines: string[] = [];
  const push = (text: string) => lines.push(...text.split('\n'));
  const code = await h.run(argv, { out: push, err: push, ...deps });
  const transcript = lines.join('\n').split(h.root).join('<workspace>');
  process.stdout.write(`\n===== ${title}\n$ npx dr ${argv.join(' ')}\n${transcript}\n(exit ${code})\n`);
  return code;
}

async function main(): Promise<void> {
  h = harness();
  await show('status', ['status']);
  await show('plan', ['plan', 'switchover']);
  await show('switchover', ['switchover', '--yes']);
  h.dispose();

  h = harness({ lagMs: 45_000 });
  await show('switchover refused: lag', ['switchover', '--yes']);
  h.dispose();

  h = harness();
  h.fake.credentials = 'missing';
  await show('plan refused: no credentials', ['plan', 'switchover']);
  h.dispose();

  h = harness({ lagMs: 800 });
  // us-east-1 fails, and Route 53's API (its control plane) with it; health checks and DNS go on.
  h.fake.impair('primary', { route53: true });
  await show('status with us-east-1 impaired', ['status']);
  await show('failover with us-east-1 impaired', ['failover', '--yes']);
  const failover = h.reports().find((r) => r.operation === 'failover');
  process.stdout.write(`\n===== failover report\n${JSON.stringify(failover, null, 2)}\n`);

  // The operator has set activeRegion to us-east-2, as the failover said.
  const failedOver = defineEnvironment({ name: 'dev', activeRegion: 'us-east-2' });
  // us-east-1 answers again half an hour later: the deferred fence can be done; Aurora starts
  // rebuilding its cluster as a secondary.
  h.clock.t += 30 * 60_000;
  h.fake.recover('primary');
  await show('failover rerun: the deferred fence', ['failover', '--to', 'us-east-2', '--yes'], { loadEnvironment: () => failedOver });
  await show('failback refused: the old primary is being rebuilt', ['failback', '--yes'], { loadEnvironment: () => failedOver });
  // The rebuild is over and us-east-1's replication lag is published again.
  h.clock.t += 22 * 60_000;
  await show('failback', ['failback', '--yes'], { loadEnvironment: () => failedOver });
  await show('budget', ['budget']);
  h.dispose();

  // Rows were damaged at 02:31: restore the writer's cluster to just before, into a new cluster.
  h = harness();
  await show('plan restore', ['plan', 'restore', '--to-time', '2026-11-20T02:30:00Z']);
  await show('restore', ['restore', '--to-time', '2026-11-20T02:30:00Z', '--yes']);
  await show('restore refused: outside the restorable window', ['restore', '--to-time', '2026-11-01T00:00:00Z', '--yes']);
  h.dispose();
}

void main();
