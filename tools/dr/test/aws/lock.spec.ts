import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileLockStore, OperationLock } from '@txn-dr/operation-lock';
import { type Harness, harness } from '../harness';

let h: Harness;
afterEach(() => h.dispose());

const OTHER = { operator: 'arn:aws:sts::123456789012:assumed-role/dr-operator/alice', host: 'laptop-alice', pid: 4242 };

/** The lock file the CLI uses for an environment without a state bucket, under the run's root. */
const lockPath = (h: Harness) => join(h.root, 'apps', 'stack-global', 'terraform.dev.tfstate.operations-lock.json');

async function takenBySomeoneElse(h: Harness, ageMs = 0): Promise<void> {
  const lock = new OperationLock(new FileLockStore(lockPath(h)), { now: () => Date.now() - ageMs });
  await lock.acquire({ operation: 'failover', holder: OTHER, staleAfterMs: 60 * 60_000 });
}

describe('the operation lock', () => {
  it('is taken for the run and released after it', async () => {
    h = harness();
    expect(await h.run(['switchover', '--yes'])).toBe(0);
    expect(h.err.join('\n')).toMatch(/Took the operation lock .*operations-lock\.json for switchover as arn:aws:sts::123456789012:assumed-role\/dr-operator\/test/);
    expect(h.err.join('\n')).toMatch(/Released the operation lock/);
    // Released: the next run takes it (and finds everything done).
    expect(await h.run(['switchover', '--yes', '--to', 'us-east-2'])).toBe(0);
    expect(h.fake.count('SwitchoverGlobalCluster')).toBe(1);
  });

  it('refuses a run while someone else holds it, naming them, and changes nothing', async () => {
    h = harness();
    await takenBySomeoneElse(h);
    expect(await h.run(['switchover', '--yes'])).toBe(3);
    expect(h.err.join('\n')).toContain('alice');
    expect(h.err.join('\n')).toContain('failover');
    expect(h.fake.writes()).toEqual([]);
  });

  it('breaks a stale lock only when told to', async () => {
    h = harness();
    await takenBySomeoneElse(h, 2 * 60 * 60_000);
    expect(await h.run(['switchover', '--yes'])).toBe(3);
    expect(h.err.join('\n')).toContain('--break-stale-lock');
    expect(h.fake.writes()).toEqual([]);
    expect(await h.run(['switchover', '--yes', '--break-stale-lock'])).toBe(0);
    expect(h.err.join('\n')).toMatch(/Broke the operation lock .* \(stale; /);
  });

  it('that cannot be reached stops a switchover, but not a failover, which warns and goes on', async () => {
    h = harness({ lagMs: 800 });
    // A file where the lock's folder should be: the lock can be neither read nor written.
    mkdirSync(join(h.root, 'apps'), { recursive: true });
    writeFileSync(join(h.root, 'apps', 'stack-global'), 'not a folder');
    expect(await h.run(['switchover', '--yes'])).toBe(1);
    expect(h.err.join('\n')).toContain('this switchover does not start');
    expect(h.fake.writes()).toEqual([]);

    h.fake.impair('primary');
    expect(await h.run(['failover', '--yes'])).toBe(0);
    expect(h.err.join('\n')).toContain('The failover goes on WITHOUT the operation lock');
    expect(h.fake.global.writer).toBe('secondary');
  });
});
