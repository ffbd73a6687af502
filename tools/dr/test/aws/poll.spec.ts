import { pollUntil } from '../../src/poll';
import { FakeClock } from '../fake-aws';

describe('pollUntil', () => {
  it('reads until the condition holds, sleeping between reads on the clock', async () => {
    const clock = new FakeClock(0);
    let n = 0;
    const seen: number[] = [];
    const value = await pollUntil(async () => ++n, (v) => v === 3, { clock, intervalMs: 5_000, timeoutMs: 60_000, what: 'three', onValue: (v) => seen.push(v) });
    expect(value).toBe(3);
    expect(seen).toEqual([1, 2, 3]);
    expect(clock.t).toBe(10_000);
  });

  it('keeps going through failed reads and times out naming what it waited for and the last value', async () => {
    const clock = new FakeClock(0);
    let n = 0;
    const read = async () => {
      n++;
      if (n === 2) throw new Error('Rate exceeded');
      return n;
    };
    await expect(pollUntil(read, () => false, { clock, intervalMs: 10_000, timeoutMs: 35_000, what: 'never', describe: (v) => `n=${v}` })).rejects.toThrow(
      'timed out after 35 s waiting for never (last seen: n=4)',
    );
    expect(n).toBe(4);
  });

  it('says the last read failed when it did', async () => {
    const clock = new FakeClock(0);
    await expect(
      pollUntil(async () => Promise.reject(new Error('Connection timed out')), () => true, { clock, intervalMs: 10_000, timeoutMs: 15_000, what: 'x' }),
    ).rejects.toThrow('timed out after 15 s waiting for x (last read failed: Connection timed out)');
  });

  it('stops at once when interrupted', async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    controller.abort();
    await expect(pollUntil(async () => 1, () => false, { clock, signal: controller.signal, intervalMs: 1, timeoutMs: 10, what: 'x' })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
