import { defineEnvironment } from '@txn-dr/config';
import { LocalWorld } from '../../src/local/local-world';
import { freePort } from '../../src/local/mariadb';
import type { WorldInfo } from '../../src/local/protocol';
import { resolveTargets } from '../../src/targets';

const targets = resolveTargets(defineEnvironment({ name: 'dev' }));

/** A world whose listeners are all gone: every call is refused, as a lost region's would time out. */
async function silentWorld(): Promise<WorldInfo> {
  const url = async () => `http://127.0.0.1:${await freePort()}`;
  return {
    pid: process.pid,
    dir: '/nonexistent',
    profile: 'ci',
    dbEndpoint: 'global',
    environment: 'dev',
    publicUrl: await url(),
    route53Url: await url(),
    controlUrl: await url(),
    regions: { primary: { region: 'us-east-1', apiUrl: await url() }, secondary: { region: 'us-east-2', apiUrl: await url() } },
    startedAt: new Date().toISOString(),
  };
}

describe('LocalWorld, against a region that gives no answer', () => {
  it('reports it unreachable and impaired, as AwsWorld does', async () => {
    const world = new LocalWorld(await silentWorld(), targets, { callTimeoutMs: 500 });
    const capacity = await world.readCapacity('primary');
    expect(capacity).toMatchObject({ reachable: false, impaired: true, region: 'us-east-1' });
    const db = await world.readDatabase();
    expect(db).toMatchObject({ reachable: false, impaired: true });
    expect(db.error).toContain('us-east-1: NoAnswerError');
    expect(db.error).toContain('us-east-2: NoAnswerError');
  });

  it('stops asking the impaired region for a while once it was silent, and says so', async () => {
    const world = new LocalWorld(await silentWorld(), targets, { callTimeoutMs: 500, impaired: 'primary' });
    expect((await world.readCapacity('primary')).error).toMatch(/did not answer within 500 ms/);
    expect((await world.readCapacity('primary')).error).toMatch(/us-east-1 did not answer \d+ s ago; not asked again until 60 s have passed/);
    // The other region is still asked every time.
    expect((await world.readCapacity('secondary')).error).toMatch(/did not answer within 500 ms/);
    expect((await world.readCapacity('secondary')).error).toMatch(/did not answer within 500 ms/);
  });
});
