import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createConnection } from 'mysql2/promise';
import { LocalMariaDb } from '../../src/local/mariadb';
import {
  Heartbeat,
  SwitchoverRefusedError,
  errantTransactions,
  failover,
  fence,
  initPair,
  lagMs,
  rejoin,
  replicaStatus,
  setApplyDelay,
  standbyLagMs,
  switchover,
  waitForApplied,
} from '../../src/local/replication';

jest.setTimeout(30_000);

const APP_USER = 'txn_app';
const APP_PASSWORD = randomBytes(12).toString('base64url');
const ER_OPTION_PREVENTS_STATEMENT = 1290;

let root: string;
/** Server 1: the writer every test starts from and returns to. */
let a: LocalMariaDb;
/** Server 2: the standby. */
let b: LocalMariaDb;
let label = 0;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'dr-replication-'));
  [a, b] = await Promise.all([
    LocalMariaDb.start({ dir: join(root, 'a'), serverId: 1, name: 'region-a' }),
    LocalMariaDb.start({ dir: join(root, 'b'), serverId: 2, name: 'region-b' }),
  ]);
  await initPair(a, b, { appUser: APP_USER, appPassword: APP_PASSWORD });
  // The service creates its own tables; so does this stand-in, as the application user.
  await asApp(a, (c) => c.query('CREATE TABLE ledger (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(64) NOT NULL UNIQUE)'));
});

afterAll(async () => {
  await Promise.all([a?.dispose(), b?.dispose()]);
  rmSync(root, { recursive: true, force: true });
});

async function asApp<T>(server: LocalMariaDb, use: (c: Awaited<ReturnType<typeof createConnection>>) => Promise<T>): Promise<T> {
  const connection = await createConnection({ ...server.endpoint, user: APP_USER, password: APP_PASSWORD, database: 'transactions', connectTimeout: 5_000 });
  try {
    return await use(connection);
  } finally {
    connection.destroy();
  }
}

/** Writes `count` rows, one transaction each, as the application; returns their notes (acknowledged writes). */
async function write(server: LocalMariaDb, count: number): Promise<string[]> {
  const notes = Array.from({ length: count }, (_, i) => `w${++label}-${i}`);
  await asApp(server, async (c) => {
    for (const note of notes) await c.query('INSERT INTO ledger (note) VALUES (?)', [note]);
  });
  return notes;
}

async function notesOn(server: LocalMariaDb): Promise<string[]> {
  const rows = await server.query<Array<{ note: string }>>('SELECT note FROM transactions.ledger ORDER BY note');
  return rows.map((r) => r.note);
}

/** The starting point of every test: a writes, b replicates from it without delay and has caught up. */
async function expectHealthyPair(writer: LocalMariaDb, standby: LocalMariaDb): Promise<void> {
  await expect(waitForApplied(writer, standby, 10_000)).resolves.toBe(true);
  // A replica just re-pointed may still be connecting (retried every second) after it has applied
  // everything: wait, bounded, for both threads to run.
  let status = await replicaStatus(standby);
  for (const deadline = Date.now() + 10_000; !status.replicating && Date.now() < deadline; status = await replicaStatus(standby)) {
    await delay(20);
  }
  expect(status).toMatchObject({ replicating: true, sourcePort: writer.port, readOnly: true, applyDelaySeconds: 0 });
  expect(await replicaStatus(writer)).toMatchObject({ replicating: false, readOnly: false });
}

describe('a replicating pair of local MariaDB servers', () => {
  it('replicates the writer to the standby, with a heartbeat lag of well under a second', async () => {
    await expectHealthyPair(a, b);
    const notes = await write(a, 20);
    await expect(waitForApplied(a, b, 5_000)).resolves.toBe(true);
    expect(await notesOn(b)).toEqual(expect.arrayContaining(notes));
    expect(await notesOn(b)).toEqual(await notesOn(a));

    const heartbeat = new Heartbeat(() => a, { intervalMs: 50 });
    heartbeat.start();
    try {
      const deadline = Date.now() + 5_000;
      while (heartbeat.stats.written < 4 && Date.now() < deadline) await delay(20);
      expect(heartbeat.stats).toMatchObject({ failed: 0 });
      expect(heartbeat.stats.written).toBeGreaterThanOrEqual(4);
      expect(await standbyLagMs(b)).toBeLessThan(1_000);
      expect(await lagMs(a, b)).toBeLessThan(1_000);
    } finally {
      await heartbeat.stop();
    }
    // With the heartbeat stopped, the age of the newest beat grows: that is what a recovery point means.
    const before = await standbyLagMs(b);
    await delay(120);
    expect(await standbyLagMs(b)).toBeGreaterThanOrEqual(before + 100);
  });

  it('refuses the application user on the read-only standby (errno 1290), and goes on applying', async () => {
    await expect(write(b, 1)).rejects.toMatchObject({ errno: ER_OPTION_PREVENTS_STATEMENT });
    // The heartbeat's user has no way around read_only either.
    const heartbeat = new Heartbeat(() => b, { intervalMs: 1_000 });
    heartbeat.start();
    await heartbeat.stop();
    expect(heartbeat.stats).toMatchObject({ written: 0, failed: 1 });
    expect(heartbeat.stats.lastError).toMatch(/read-only/);

    const notes = await write(a, 3);
    await expect(waitForApplied(a, b, 5_000)).resolves.toBe(true);
    expect(await notesOn(b)).toEqual(expect.arrayContaining(notes));
  });

  it('switches over without losing a row, and replicates the other way after', async () => {
    const before = await write(a, 10);
    const { position } = await switchover(a, b, { timeoutMs: 10_000 });
    expect(position).toMatch(/^0-1-\d+$/);
    await expectHealthyPair(b, a);
    expect(await notesOn(b)).toEqual(expect.arrayContaining(before));
    await expect(write(a, 1)).rejects.toMatchObject({ errno: ER_OPTION_PREVENTS_STATEMENT });

    const after = await write(b, 5);
    await expect(waitForApplied(b, a, 5_000)).resolves.toBe(true);
    expect(await notesOn(a)).toEqual(expect.arrayContaining(after));
    expect(await notesOn(a)).toEqual(await notesOn(b));

    await switchover(b, a, { timeoutMs: 10_000 });
    await expectHealthyPair(a, b);
    expect(await errantTransactions(b, a)).toEqual([]);
  });

  it('refuses a switchover the standby cannot catch up with in time, leaving the writer writable', async () => {
    await setApplyDelay(b, 30);
    try {
      expect(await replicaStatus(b)).toMatchObject({ applyDelaySeconds: 30, sourcePort: a.port });
      const held = await write(a, 2);
      const started = Date.now();
      await expect(switchover(a, b, { timeoutMs: 200 })).rejects.toBeInstanceOf(SwitchoverRefusedError);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(await replicaStatus(a)).toMatchObject({ readOnly: false, replicating: false });
      expect(await replicaStatus(b)).toMatchObject({ readOnly: true, sourcePort: a.port });
      await write(a, 1);
      expect(await notesOn(b)).not.toEqual(expect.arrayContaining(held));
    } finally {
      await setApplyDelay(b, 0);
    }
    await expectHealthyPair(a, b);
  });

  it('loses exactly the unapplied rows in a failover, finds them errant, and rebuilds the old writer on rejoin', async () => {
    await expectHealthyPair(a, b);
    await setApplyDelay(b, 60);
    const unapplied = await write(a, 7);

    await failover(b);
    const onA = await notesOn(a);
    const onB = await notesOn(b);
    expect(onA.filter((n) => !onB.includes(n))).toEqual(unapplied);
    expect(onB.filter((n) => !onA.includes(n))).toEqual([]);
    expect(await replicaStatus(b)).toMatchObject({ replicating: false, readOnly: false });
    expect((await replicaStatus(b)).sourcePort).toBeUndefined();

    // The old writer was not fenced: it goes on acknowledging writes that only it will ever have.
    const afterFailover = await write(a, 3);
    const onlyNew = await write(b, 2);
    const errant = await errantTransactions(a, b);
    expect(errant).toHaveLength(unapplied.length + afterFailover.length);
    expect(errant.every((g) => g.startsWith('0-1-'))).toBe(true);
    // Seen from the other side, the new writer's own writes are what the old one lacks.
    expect(await errantTransactions(b, a)).toEqual([expect.stringMatching(/^0-2-/), expect.stringMatching(/^0-2-/)]);

    const outcome = await rejoin(a, b);
    expect(outcome).toMatchObject({ action: 'rebuilt', discarded: errant });
    // The rebuild flushes InnoDB's log at every commit while it runs, and puts the setting back.
    expect(await a.query('SELECT @@global.innodb_flush_log_at_trx_commit AS mode')).toEqual([{ mode: 2 }]);
    expect(await notesOn(a)).toEqual(await notesOn(b));
    expect(await notesOn(a)).toEqual(expect.arrayContaining(onlyNew));
    expect(await notesOn(a)).not.toEqual(expect.arrayContaining(afterFailover));
    await expectHealthyPair(b, a);
    await expect(write(a, 1)).rejects.toMatchObject({ errno: ER_OPTION_PREVENTS_STATEMENT });
    expect(await errantTransactions(a, b)).toEqual([]);
    const later = await write(b, 2);
    await expect(waitForApplied(b, a, 5_000)).resolves.toBe(true);
    expect(await notesOn(a)).toEqual(expect.arrayContaining(later));

    await switchover(b, a, { timeoutMs: 10_000 });
    await expectHealthyPair(a, b);
  });

  it('re-points an old writer without errant transactions, after a failover from a frozen writer', async () => {
    await expectHealthyPair(a, b);
    await write(a, 3);
    await expect(waitForApplied(a, b, 5_000)).resolves.toBe(true);
    await a.freeze();
    try {
      // Beats to a frozen writer time out one at a time; those due meanwhile are skipped, not queued.
      // Stopped once the first has timed out: a second may be in flight then, a third cannot be.
      const heartbeat = new Heartbeat(() => a, { intervalMs: 25, writeTimeoutMs: 150 });
      heartbeat.start();
      for (const deadline = Date.now() + 5_000; heartbeat.stats.failed === 0 && Date.now() < deadline; ) await delay(5);
      await heartbeat.stop();
      expect(heartbeat.stats.written).toBe(0);
      expect(heartbeat.stats.failed).toBeGreaterThanOrEqual(1);
      expect(heartbeat.stats.failed).toBeLessThanOrEqual(2);
      expect(heartbeat.stats.skipped).toBeGreaterThanOrEqual(2);

      const started = Date.now();
      await expect(fence(a, 100)).resolves.toBe(false);
      await failover(b);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await a.thaw();
    }
    const onlyNew = await write(b, 2);

    const outcome = await rejoin(a, b);
    expect(outcome).toMatchObject({ action: 'repointed', discarded: [] });
    await expectHealthyPair(b, a);
    expect(await notesOn(a)).toEqual(expect.arrayContaining(onlyNew));
    expect(await notesOn(a)).toEqual(await notesOn(b));

    await switchover(b, a, { timeoutMs: 10_000 });
    await expectHealthyPair(a, b);
  });

  it('rejoins a lost writer that comes back: re-pointed when the standby had everything', async () => {
    await expectHealthyPair(a, b);
    const before = await write(a, 3);
    await expect(waitForApplied(a, b, 5_000)).resolves.toBe(true);
    await a.kill();
    await expect(fence(a, 300)).resolves.toBe(false);
    await failover(b);
    const onlyNew = await write(b, 2);

    await a.restart({ readOnly: true });
    expect(await notesOn(a)).toEqual(expect.arrayContaining(before));
    await expect(write(a, 1)).rejects.toMatchObject({ errno: ER_OPTION_PREVENTS_STATEMENT });
    await expect(rejoin(a, b)).resolves.toMatchObject({ action: 'repointed', discarded: [] });
    await expectHealthyPair(b, a);
    expect(await notesOn(a)).toEqual(expect.arrayContaining(onlyNew));

    await switchover(b, a, { timeoutMs: 10_000 });
    await expectHealthyPair(a, b);
  });

  it('fences a live server at once and reports a frozen or dead one as not fenced, within the bound', async () => {
    await b.freeze();
    try {
      const started = Date.now();
      await expect(fence(b, 100)).resolves.toBe(false);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      await b.thaw();
    }
    await expect(fence(b, 2_000)).resolves.toBe(true);

    await expect(fence(a, 2_000)).resolves.toBe(true);
    await expect(write(a, 1)).rejects.toMatchObject({ errno: ER_OPTION_PREVENTS_STATEMENT });
    await a.setReadOnly(false);

    await b.kill();
    try {
      await expect(fence(b, 300)).resolves.toBe(false);
    } finally {
      await b.restart();
    }
    await expectHealthyPair(a, b);
  });

  it('brings a killed standby back read-only, and it catches up by itself', async () => {
    await b.kill();
    const written = await write(a, 5);
    await b.restart();
    expect(await replicaStatus(b)).toMatchObject({ readOnly: true, sourcePort: a.port });
    await expect(waitForApplied(a, b, 10_000)).resolves.toBe(true);
    expect(await notesOn(b)).toEqual(expect.arrayContaining(written));
    await expectHealthyPair(a, b);
  });

  it('refuses an apply delay on a server that replicates from nobody', async () => {
    await expect(setApplyDelay(a, 5)).rejects.toThrow(/does not replicate/);
    await expect(setApplyDelay(b, -1)).rejects.toThrow(/whole seconds/);
  });
});
