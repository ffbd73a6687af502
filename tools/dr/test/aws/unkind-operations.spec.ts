import { defineEnvironment } from '@txn-dr/config';
import { createAwsClients } from '../../src/aws/clients';
import { AwsWorld } from '../../src/aws/world';
import { resolveTargets } from '../../src/targets';
import type { DatabaseState } from '../../src/world';
import { FakeAws, type FakeAwsOptions, FakeClock, type FailoverStatus } from '../fake-aws';
import { type Harness, harness } from '../harness';

/**
 * Operations last, through every FailoverState status; a switchover whose source stops answering
 * is stuck, and a failover replaces it; a cancelled operation is not progress; the old primary is
 * rebuilt before it rejoins.
 */

const targets = resolveTargets(defineEnvironment({ name: 'dev' }));

function model(options: FakeAwsOptions = {}) {
  const clock = new FakeClock();
  const fake = new FakeAws(targets, clock, options).install();
  const world = (impaired?: 'primary') => new AwsWorld(targets, createAwsClients(targets, impaired ? { impaired } : {}), { http: fake.http, clock, ...(impaired ? { impaired } : {}) });
  return { clock, fake, world };
}

/** Reads every `stepMs` until `done`, noting each FailoverState status seen; bounded. */
async function watch(world: AwsWorld, clock: FakeClock, done: (db: DatabaseState) => boolean, stepMs = 1_000, limitMs = 30 * 60_000) {
  const started = clock.t;
  const statuses: string[] = [];
  for (;;) {
    const db = await world.readDatabase();
    const status = db.operation?.status;
    if (status && statuses[statuses.length - 1] !== status) statuses.push(status);
    if (done(db)) return { db, statuses, ms: clock.t - started };
    if (clock.t - started > limitMs) throw new Error(`not done after ${limitMs} ms: ${JSON.stringify(db.operation)}`);
    clock.t += stepMs;
  }
}

let m: ReturnType<typeof model>;
afterEach(() => m?.fake.restore());

describe('a switchover in the model', () => {
  it('lasts: pending, then switching-over, then the roles change; longer the larger the lag', async () => {
    m = model({ pendingMs: 2_000, switchoverMs: 10_000, lagMs: 400 });
    const world = m.world();
    await world.switchoverDatabase('secondary');
    const quick = await watch(world, m.clock, (db) => db.writer === 'secondary' && !db.operation);
    expect(quick.statuses).toEqual(['pending', 'switching-over']);
    expect(quick.ms).toBeGreaterThanOrEqual(12_400 - 1_000);
    m.fake.restore();

    m = model({ pendingMs: 2_000, switchoverMs: 10_000, lagMs: 20_000 });
    await m.world().switchoverDatabase('secondary');
    const slow = await watch(m.world(), m.clock, (db) => db.writer === 'secondary' && !db.operation);
    expect(slow.ms).toBeGreaterThan(quick.ms + 15_000);
  });

  it('is stuck while its source does not answer, and a failover to the same region replaces it', async () => {
    m = model();
    await m.world().switchoverDatabase('secondary');
    m.clock.t += 5_000;
    m.fake.impair('primary');
    const leaving = m.world('primary');
    m.clock.t += 10 * 60_000;
    const stuck = await leaving.readDatabase();
    expect(stuck).toMatchObject({ writer: 'primary', operation: { status: 'switching-over', to: 'secondary', dataLossAllowed: false } });

    await leaving.failoverDatabase('secondary');
    const replaced = await leaving.readDatabase();
    expect(replaced.operation).toMatchObject({ status: 'pending', to: 'secondary', dataLossAllowed: true });
    const done = await watch(leaving, m.clock, (db) => db.writer === 'secondary' && !db.operation, 5_000);
    expect(done.statuses).toEqual(['pending', 'failing-over']);
    expect(done.db.synchronization).toEqual({ primary: 'pending-resync', secondary: 'connected' });
  });

  it('refuses a second operation, or a switchover whose source does not answer', async () => {
    m = model();
    const world = m.world();
    await world.switchoverDatabase('secondary');
    await expect(world.switchoverDatabase('secondary')).rejects.toMatchObject({ name: 'InvalidGlobalClusterStateFault' });
    m.fake.restore();

    m = model();
    m.fake.impair('primary');
    await expect(m.world().switchoverDatabase('secondary')).rejects.toMatchObject({ name: 'InvalidGlobalClusterStateFault' });
  });
});

describe('the failover preconditions and a switchover under way', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  /** Starts a switchover to us-east-2 through the model's API, as an earlier run would have. */
  async function switchoverUnderWay() {
    const world = new AwsWorld(h.targets, createAwsClients(h.targets), { http: h.fake.http, clock: h.clock });
    await world.switchoverDatabase('secondary');
    h.clock.t += 5_000;
  }

  async function preconditions(argv: string[]) {
    const code = await h.run(['plan', ...argv, '--json']);
    const plan = JSON.parse(h.lastOutput()) as { steps: { id: string; state: string; problems?: string[] }[] };
    return { code, step: plan.steps.find((s) => s.id === 'preconditions')! };
  }

  it('go on when the switchover is stuck because us-east-1 stopped answering, instead of waiting on it', async () => {
    h = harness();
    await switchoverUnderWay();
    h.fake.impair('primary');
    const { step } = await preconditions(['failover', '--to', 'us-east-2']);
    expect(step.state).toBe('to do');
    expect(step.problems).toBeUndefined();
  });

  it('refuse while us-east-1 answers: the switchover finishes without data loss', async () => {
    h = harness({ switchoverMs: 3_600_000 });
    await switchoverUnderWay();
    const { step } = await preconditions(['failover', '--to', 'us-east-2']);
    expect(step.state).toBe('blocked');
    expect(step.problems).toEqual([expect.stringMatching(/^a switchover to us-east-2 \(switching-over\) is under way and us-east-1 answers: let it finish without data loss/)]);
  });
});

describe('a failover run over a stuck switchover', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  it('calls FailoverGlobalCluster instead of waiting on the switchover, and completes', async () => {
    h = harness({ switchoverMs: 3_600_000 });
    const world = new AwsWorld(h.targets, createAwsClients(h.targets, {}), { http: h.fake.http, clock: h.clock });
    await world.switchoverDatabase('secondary');
    h.clock.t += 5_000;
    h.fake.impair('primary');
    expect(await h.run(['failover', '--yes', '--to', 'us-east-2'])).toBe(0);
    expect(h.fake.count('FailoverGlobalCluster')).toBe(1);
    expect(h.fake.global.writer).toBe('secondary');
    expect(h.reports()[0]!.recovery.steps.find((s) => s.id === 'promote-database')!.status).toBe('done');
  });
});

describe('a promotion wait that sees its operation cancelled', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  it('stops at once with what to do, not at the end of its timeout', async () => {
    h = harness({ switchoverMs: 3_600_000, cancelMs: 3_600_000 });
    // Cancelled as the wait reads the global cluster for the first time after the call.
    let requested = false;
    h.fake.onCall = (call) => {
      if (call.command === 'SwitchoverGlobalCluster') requested = true;
      else if (requested && call.command === 'DescribeGlobalClusters' && h.fake.global.operation?.status !== 'cancelling') h.fake.cancelOperation();
    };
    const started = h.clock.t;
    expect(await h.run(['switchover', '--yes'])).toBe(1);
    expect(h.lastOutput()).toMatch(/stopped at promote-database: OperationCancelled: Aurora is cancelling the move to us-east-2: run the command again once the global cluster is stable/);
    // Far less than the 15-minute wait for the writer.
    expect(h.clock.t - started).toBeLessThan(5 * 60_000);
  });
});

describe('a cancelled operation is not progress', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  it('the switchover preconditions check again, refuse until the cancellation is over, then pass', async () => {
    h = harness({ cancelMs: 15_000 });
    const world = new AwsWorld(h.targets, createAwsClients(h.targets), { http: h.fake.http, clock: h.clock });
    await world.switchoverDatabase('secondary');
    h.fake.cancelOperation();

    expect(await h.run(['plan', 'switchover', '--json'])).toBe(0);
    const refused = (JSON.parse(h.lastOutput()) as { steps: { id: string; state: string; problems?: string[] }[] }).steps[0]!;
    expect(refused).toMatchObject({ id: 'preconditions', state: 'blocked' });
    expect(refused.problems).toContain('a switchover to us-east-2 (cancelling) is being cancelled: the clusters are returning to their previous roles; run again once it has finished');

    h.clock.t += 20_000;
    expect(await h.run(['plan', 'switchover', '--json'])).toBe(0);
    expect((JSON.parse(h.lastOutput()) as { steps: { state: string }[] }).steps[0]!.state).toBe('to do');
    expect(h.fake.global.writer).toBe('primary');
  });

  it('the failover preconditions refuse it too', async () => {
    h = harness({ cancelMs: 3_600_000 });
    const world = new AwsWorld(h.targets, createAwsClients(h.targets), { http: h.fake.http, clock: h.clock });
    await world.switchoverDatabase('secondary');
    h.fake.cancelOperation();
    h.fake.impair('primary');
    expect(await h.run(['plan', 'failover', '--to', 'us-east-2', '--json'])).toBe(5);
    const step = (JSON.parse(h.lastOutput()) as { steps: { id: string; state: string; problems?: string[] }[] }).steps[0]!;
    expect(step.state).toBe('blocked');
    expect(step.problems).toEqual(expect.arrayContaining([expect.stringContaining('is being cancelled')]));
  });
});

describe('every FailoverState status', () => {
  let h: Harness;
  afterEach(() => h.dispose());

  it.each<[FailoverStatus | 'unheard-of', string, RegExp | undefined]>([
    ['pending', 'done', undefined],
    ['switching-over', 'done', undefined],
    ['failing-over', 'done', undefined],
    ['cancelling', 'blocked', /is being cancelled/],
    ['unheard-of', 'blocked', /an operation in a state this CLI does not know \(unheard-of\)/],
  ])('%s toward us-east-2: the switchover preconditions are %s', async (status, state, problem) => {
    h = harness();
    const far = h.clock.t + 3_600_000;
    h.fake.global.operation = { kind: 'switchover', status: status as FailoverStatus, from: 'primary', to: 'secondary', dataLoss: status === 'failing-over', activeAt: far, completesAt: far, cancelledAt: far };
    expect(await h.run(['plan', 'switchover', '--json'])).toBe(0);
    const step = (JSON.parse(h.lastOutput()) as { steps: { id: string; state: string; problems?: string[] }[] }).steps[0]!;
    expect(step.state).toBe(state);
    if (problem) expect(step.problems).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });
});

describe('after a failover, the old primary', () => {
  it('is rebuilt once its region answers, and rejoins as a connected secondary only then; its lag follows', async () => {
    m = model({ rebuildMs: 20 * 60_000 });
    m.fake.impair('primary');
    const leaving = m.world('primary');
    await leaving.failoverDatabase('secondary');
    await watch(leaving, m.clock, (db) => db.writer === 'secondary' && !db.operation, 5_000);

    // Down for an hour: nothing is rebuilt while its region does not answer.
    m.clock.t += 60 * 60_000;
    m.fake.recover('primary');
    const world = m.world();
    expect((await world.readDatabase()).synchronization.primary).toBe('pending-resync');
    m.clock.t += 19 * 60_000;
    const rebuilding = await world.readDatabase();
    expect(rebuilding.synchronization.primary).toBe('pending-resync');
    expect(rebuilding.lagUnknown).toMatchObject({ role: 'primary', reason: 'missing' });

    m.clock.t += 2 * 60_000;
    const rejoined = await world.readDatabase();
    expect(rejoined.synchronization).toEqual({ primary: 'connected', secondary: 'connected' });
    m.clock.t += 3 * 60_000;
    expect((await world.readDatabase()).lag).toMatchObject({ role: 'primary' });
  });
});
