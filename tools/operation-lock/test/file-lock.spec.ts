import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { spawnSync } from 'node:child_process';
import { FileLockStore, LockHeldError, OperationLock, OperationLockError, abandonedOnThisHost, parseRecord } from '../src';

const MIN = 60_000;
const T0 = Date.parse('2026-11-30T06:00:00.000Z');
const alice = { operator: 'alice', host: 'laptop-a', pid: 4242 };
const bob = { operator: 'bob', host: 'laptop-a', pid: 777 };

let dir: string;
let path: string;
let clock: number;
const lock = () => new OperationLock(new FileLockStore(path), { now: () => clock });
const onDisk = () => parseRecord(readFileSync(path, 'utf8'));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'operation-lock-'));
  path = join(dir, 'state', 'terraform.dev.tfstate.operations-lock.json');
  clock = T0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the lock as a file beside local state', () => {
  it('is created (with its folder) and removed on release', async () => {
    const handle = await lock().acquire({ operation: 'deploy:global', holder: alice, staleAfterMs: 60 * MIN });

    expect(onDisk()).toMatchObject({ operation: 'deploy:global', operator: 'alice', host: 'laptop-a', pid: 4242, startedAt: '2026-11-30T06:00:00.000Z' });
    expect(handle.location).toBe(path);
    await expect(handle.release()).resolves.toEqual({ outcome: 'released' });
    expect(existsSync(path)).toBe(false);
  });

  it('that cannot be written is an OperationLockError naming the path, not a raw file-system error', async () => {
    // A file where the lock's folder should be.
    writeFileSync(join(dir, 'state'), 'not a folder');
    const attempt = lock().acquire({ operation: 'failover', holder: alice, staleAfterMs: 60 * MIN });
    await expect(attempt).rejects.toBeInstanceOf(OperationLockError);
    await expect(lock().acquire({ operation: 'failover', holder: alice, staleAfterMs: 60 * MIN })).rejects.toThrow(`Cannot create the folder of the operation lock ${path}`);
  });

  it('left by a process of this host that is gone is taken over without breakStale; a live one is not', async () => {
    // A pid that surely existed and has exited: a child that ran and was reaped.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    const killedCli = { operator: 'alice', host: hostname(), pid: gone };
    await lock().acquire({ operation: 'switchover', holder: killedCli, staleAfterMs: 60 * MIN });
    clock += MIN;
    const handle = await lock().acquire({ operation: 'switchover', holder: alice, staleAfterMs: 60 * MIN });
    expect(handle.broke).toMatchObject({ reason: 'abandoned', holder: expect.objectContaining({ pid: gone }), ageMs: MIN });
    await handle.release();

    const alive = { operator: 'bob', host: hostname(), pid: process.ppid };
    await lock().acquire({ operation: 'switchover', holder: alive, staleAfterMs: 60 * MIN });
    await expect(lock().acquire({ operation: 'failover', holder: alice, staleAfterMs: 60 * MIN })).rejects.toBeInstanceOf(LockHeldError);
  });

  it.each([
    ['another host', { operator: 'x', host: 'not-this-host.example', pid: 1 }, false],
    ['this process', { operator: 'x', host: hostname(), pid: process.pid }, false],
  ])('never judges a holder on %s abandoned', (_what, holder, expected) => {
    expect(abandonedOnThisHost({ version: 1, operation: 'failover', startedAt: new Date(T0).toISOString(), id: 'i', ...holder })).toBe(expected);
  });

  it('is refused while another run holds it, naming that run', async () => {
    await lock().acquire({ operation: 'failover', holder: bob, staleAfterMs: 60 * MIN });
    clock = T0 + 3 * MIN;

    await expect(lock().acquire({ operation: 'deploy:primary', holder: alice, staleAfterMs: 60 * MIN })).rejects.toThrow(
      /^Cannot start deploy:primary: the operation lock .* is held by failover by bob on laptop-a \(pid 777\) since 2026-11-30T06:00:00\.000Z \(3 min ago\)/,
    );
    expect(onDisk()?.operator).toBe('bob');
  });

  it('goes to exactly one of two runs that ask at once', async () => {
    const results = await Promise.allSettled([
      lock().acquire({ operation: 'switchover', holder: alice, staleAfterMs: 60 * MIN }),
      lock().acquire({ operation: 'deploy:primary', holder: bob, staleAfterMs: 60 * MIN }),
    ]);

    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(LockHeldError);
    expect(onDisk()?.id).toBe((won[0] as PromiseFulfilledResult<{ record: { id: string } }>).value.record.id);
  });

  it('reads a half-written file as held', async () => {
    await lock().acquire({ operation: 'failover', holder: bob, staleAfterMs: 60 * MIN });
    writeFileSync(path, '');
    clock = Date.now(); // the file's mtime is real time

    await expect(lock().acquire({ operation: 'deploy:primary', holder: alice, staleAfterMs: 60 * MIN })).rejects.toThrow(/held by an unreadable lock record/);
  });

  it('is broken only when stale and asked to', async () => {
    await lock().acquire({ operation: 'failover', holder: bob, staleAfterMs: 60 * MIN });
    clock = T0 + 61 * MIN;

    await expect(lock().acquire({ operation: 'deploy:primary', holder: alice, staleAfterMs: 60 * MIN })).rejects.toThrow(/older than 1 h/);
    expect(onDisk()?.operator).toBe('bob');

    const handle = await lock().acquire({ operation: 'deploy:primary', holder: alice, staleAfterMs: 60 * MIN, breakStale: true });
    expect(handle.broke?.holder?.operator).toBe('bob');
    expect(onDisk()?.id).toBe(handle.record.id);
  });

  it('is never removed by a release once another run has broken it', async () => {
    const mine = await lock().acquire({ operation: 'deploy:primary', holder: alice, staleAfterMs: 60 * MIN });
    clock = T0 + 61 * MIN;
    const theirs = await lock().acquire({ operation: 'failover', holder: bob, staleAfterMs: 60 * MIN, breakStale: true });

    await expect(mine.release()).resolves.toEqual({ outcome: 'taken-over', holder: expect.objectContaining({ id: theirs.record.id }) });
    expect(onDisk()?.id).toBe(theirs.record.id);
  });
});
