/**
 * Runs the CLI against the in-memory model and prints what an operator would see: the sample
 * output in README.md comes from here. `node --import tsx tools/dr/test/demo.ts`
 */
import { defineEnvironment } from '@txn-dr/config';
import { harness } from './harness';

async function main(): Promise<void> {
  const show = async (title: string, argv: string[], run: () => Promise<number>) => {
    const code = await run();
    process.stdout.write(`\n===== ${title}\n$ npx dr ${argv.join(' ')}\n${h.lastOutput()}\n(exit ${code})\n`);
  };
  let h = harness();
  await show('status', ['status'], () => h.run(['status']));
  await show('plan', ['plan', 'switchover'], () => h.run(['plan', 'switchover']));
  await show('switchover', ['switchover', '--yes'], () => h.run(['switchover', '--yes']));
  h.dispose();

  h = harness({ lagMs: 45_000 });
  await show('switchover refused', ['switchover', '--yes'], () => h.run(['switchover', '--yes']));
  h.dispose();

  h = harness({ lagMs: 800 });
  h.fake.impair('primary');
  await show('failover with us-east-1 impaired', ['failover', '--yes'], () => h.run(['failover', '--yes']));
  // us-east-1 comes back half an hour later; Aurora has rejoined its cluster as a secondary.
  h.clock.t += 30 * 60_000;
  h.fake.recover('primary');
  const failedOver = () => defineEnvironment({ name: 'dev', activeRegion: 'us-east-2' });
  await show('failback', ['failback', '--yes'], () => h.run(['failback', '--yes'], { loadEnvironment: failedOver }));
  await show('budget', ['budget'], () => h.run(['budget']));
  h.dispose();
}

void main();
