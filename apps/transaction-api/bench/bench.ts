/**
 * Throughput and latency of the built service under concurrent load on loopback, against the
 * same database work done by a bare mysql2 loop (the ceiling). Starts its own MariaDB and the
 * built bundle, prints a table, and exits non-zero on any error or when the rows in the database
 * differ from the writes the service acknowledged.
 *
 *   npx nx run transaction-api:bench [-- --connections=32 --duration=10 ...]
 *
 * Options (flag, or environment variable):
 *   --connections  BENCH_CONNECTIONS   concurrent HTTP connections, and concurrent ceiling loops (32)
 *   --duration     BENCH_DURATION      measured seconds of each scenario (10)
 *   --rounds       BENCH_ROUNDS        the ceiling and service runs alternate in this many rounds,
 *                                      duration/rounds seconds each (2)
 *   --warmup       BENCH_WARMUP        seconds of ceiling warm-up (3)
 *   --warmup-requests BENCH_WARMUP_REQUESTS  POSTs sent to warm the service up (connections x 100)
 *   --accounts     BENCH_ACCOUNTS      accounts the writes are spread over (1000)
 *   --pool-size    BENCH_POOL_SIZE     DB_POOL_SIZE of the service (unset: the service's default)
 *   --log-level    BENCH_LOG_LEVEL     LOG_LEVEL of the service (unset: the service's default)
 *
 * BENCH_BUNDLE runs another build of the service (say, of an earlier commit) instead of the one
 * in ARTIFACTS.transactionApi.dir, to compare the two on the same machine.
 * BENCH_SERVICE_NODE_ARGS adds Node.js flags to the service process, e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to see where its CPU time goes under load.
 */
import { ARTIFACTS, SERVICE_ENV } from '@txn-dr/contracts';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MariaDbServer, SCHEMA_PREFIX } from '@txn-dr/testing-mariadb';
import { createTables, runCeiling, type Endpoint } from './ceiling';
import { postTransactions, runLoad } from './load';
import { startService, type RunningService } from './service';
import { cpuSeconds, fixed, summarize, table, type ScenarioResult } from './stats';
import type { Workload } from './workload';

const WORKSPACE_ROOT = resolve(__dirname, '../../..');
/** The service must reach this share of the ceiling's throughput. */
const TARGET_RATIO = 0.7;

/** CPU seconds each named process uses between the call and calling the returned function. */
function cpuMeter(pids: Readonly<Record<string, number>>): () => Record<string, number> {
  const read = () => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const before = read();
  return () => {
    const after = read();
    return Object.fromEntries(Object.keys(pids).map((name) => [name, (after[name] ?? Number.NaN) - (before[name] ?? Number.NaN)]));
  };
}

interface BenchOptions {
  readonly connections: number;
  readonly durationS: number;
  readonly rounds: number;
  readonly warmupS: number;
  readonly warmupRequests: number;
  readonly accounts: number;
  readonly poolSize: number | undefined;
  readonly logLevel: string | undefined;
}

function readOptions(): BenchOptions {
  const { values } = parseArgs({
    options: {
      connections: { type: 'string' },
      duration: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      'warmup-requests': { type: 'string' },
      accounts: { type: 'string' },
      'pool-size': { type: 'string' },
      'log-level': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const pick = (flag: keyof typeof values, env: string): string | undefined => values[flag] ?? (process.env[env] || undefined);
  const whole = (flag: keyof typeof values, env: string, min: number, max: number, fallback: number | undefined): number | undefined => {
    const raw = pick(flag, env);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${flag} (${env}) must be a whole number from ${min} to ${max}, not ${raw}`);
    return value;
  };
  const connections = whole('connections', 'BENCH_CONNECTIONS', 1, 1_000, 32) ?? 32;
  return {
    connections,
    durationS: whole('duration', 'BENCH_DURATION', 1, 600, 10) ?? 10,
    rounds: whole('rounds', 'BENCH_ROUNDS', 1, 20, 2) ?? 2,
    warmupS: whole('warmup', 'BENCH_WARMUP', 0, 60, 3) ?? 3,
    warmupRequests: whole('warmup-requests', 'BENCH_WARMUP_REQUESTS', 0, 1_000_000, connections * 100) ?? connections * 100,
    accounts: whole('accounts', 'BENCH_ACCOUNTS', 1, 10_000_000, 1_000) ?? 1_000,
    poolSize: whole('pool-size', 'BENCH_POOL_SIZE', 1, 500, undefined),
    logLevel: pick('log-level', 'BENCH_LOG_LEVEL'),
  };
}

/** One result from the segments of a scenario: counts and times added, latencies pooled. */
function merge(name: string, parts: readonly ScenarioResult[]): ScenarioResult {
  const statuses: Record<string, number> = {};
  for (const part of parts) for (const [status, n] of Object.entries(part.statuses ?? {})) statuses[status] = (statuses[status] ?? 0) + n;
  const firstError = parts.find((p) => p.firstError !== undefined)?.firstError;
  const retries = parts.reduce((sum, p) => sum + (p.retries ?? 0), 0);
  return {
    name,
    requests: parts.reduce((sum, p) => sum + p.requests, 0),
    ok: parts.reduce((sum, p) => sum + p.ok, 0),
    unexpected: parts.reduce((sum, p) => sum + p.unexpected, 0),
    errors: parts.reduce((sum, p) => sum + p.errors, 0),
    seconds: parts.reduce((sum, p) => sum + p.seconds, 0),
    latenciesMs: parts.flatMap((p) => p.latenciesMs),
    ...(parts.some((p) => p.statuses !== undefined) ? { statuses } : {}),
    ...(retries > 0 ? { retries } : {}),
    ...(firstError === undefined ? {} : { firstError }),
  };
}

/** Undo steps, run last-in first-out once, on the normal path, on error and on SIGINT/SIGTERM. */
class Cleanup {
  private readonly steps: Array<() => Promise<unknown>> = [];
  private running: Promise<void> | undefined;

  add(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        await step().catch((error: unknown) => console.error(`cleanup: ${error instanceof Error ? error.message : String(error)}`));
      }
    })();
    return this.running;
  }
}

async function main(cleanup: Cleanup): Promise<number> {
  const options = readOptions();
  const { dir, files } = ARTIFACTS.transactionApi;
  const bundle = process.env['BENCH_BUNDLE'] ? resolve(process.env['BENCH_BUNDLE']) : join(WORKSPACE_ROOT, dir, files.bundle);
  if (!existsSync(bundle)) throw new Error(`no bundle at ${bundle}: run \`npx nx run transaction-api:build\` first (the bench target does)`);

  const workload: Workload = { runId: Date.now().toString(36), accounts: options.accounts };
  console.log(`transaction-api bench, ${new Date().toISOString()}`);
  console.log(
    `node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; bundle ${bundle} (${(statSync(bundle).size / 1024).toFixed(0)} KiB)`,
  );
  console.log(
    `${options.connections} connections, ${options.durationS} s per scenario in ${options.rounds} alternating rounds, ${options.accounts} accounts; service ` +
      `${SERVICE_ENV.dbPoolSize}=${options.poolSize ?? '(default)'} ${SERVICE_ENV.logLevel}=${options.logLevel ?? '(default)'}`,
  );

  console.log('starting a private MariaDB...');
  const server = await MariaDbServer.create();
  cleanup.add(() => server.destroy());
  const { host, port, user, password } = server.info;
  const mariadbPid = Number(readFileSync(join(server.info.dir, 'mariadbd.pid'), 'utf8').trim());
  const ceilingDb: Endpoint = { host, port, user, password, database: await server.createSchema(`${SCHEMA_PREFIX}bench_ceiling`) };
  const serviceDb: Endpoint = { host, port, user, password, database: await server.createSchema(`${SCHEMA_PREFIX}bench_service`) };

  await createTables(ceilingDb);

  // The service: the built bundle, as the instances run it; it migrates its empty schema at start.
  console.log('starting the service...');
  const service: RunningService = await startService({
    bundle,
    db: serviceDb,
    logFile: join(server.info.dir, 'transaction-api.log'),
    nodeArgs: (process.env['BENCH_SERVICE_NODE_ARGS'] ?? '').split(' ').filter(Boolean),
    env: {
      ...(options.poolSize === undefined ? {} : { [SERVICE_ENV.dbPoolSize]: String(options.poolSize) }),
      ...(options.logLevel === undefined ? {} : { [SERVICE_ENV.logLevel]: options.logLevel }),
    },
  });
  let serviceExit: string | undefined;
  cleanup.add(async () => {
    serviceExit ??= await service.stop();
  });

  const CEILING = 'ceiling: bare mysql2 inserts';
  const POST = 'service: POST /transactions';
  const HEALTH = 'service: GET /health';
  const cpu: Record<string, Record<string, number>> = {};
  /** Runs `fn`, adding the CPU time each process used meanwhile to the scenario's account. */
  const metered = async <T>(name: string, pids: Record<string, number>, fn: () => Promise<T>): Promise<T> => {
    const used = cpuMeter(pids);
    const result = await fn();
    const account = (cpu[name] ??= {});
    for (const [who, seconds] of Object.entries(used())) account[who] = (account[who] ?? 0) + seconds;
    return result;
  };
  const ceilingPids = { 'bench (mysql2 loop)': process.pid, mariadbd: mariadbPid };
  const servicePids = { 'bench (autocannon)': process.pid, service: service.pid, mariadbd: mariadbPid };

  // Warm-ups: JIT, prepared statements, buffer pool; counted in the row checks, not in the figures.
  let ceilingNext = 0;
  let ceilingCommits = 0;
  const posts = postTransactions(workload, 0);
  let acknowledged = 0;
  const problems: ScenarioResult[] = [];
  if (options.warmupS > 0) {
    console.log(`ceiling: warm-up ${options.warmupS} s...`);
    const warm = await runCeiling({ name: `${CEILING} (warm-up)`, endpoint: ceilingDb, concurrency: options.connections, durationMs: options.warmupS * 1000, workload, firstRequest: ceilingNext });
    ceilingNext = warm.nextRequest;
    ceilingCommits += warm.ok;
    if (warm.errors > 0) problems.push(warm);
  }
  let serviceRate = 0;
  if (options.warmupRequests > 0) {
    console.log(`service: warm-up ${options.warmupRequests} POST /transactions...`);
    const warm = await runLoad({ name: `${POST} (warm-up)`, url: service.url, connections: options.connections, expectStatus: 201, bound: { amount: Math.max(options.warmupRequests, options.connections) }, request: posts.request });
    acknowledged += warm.ok;
    serviceRate = warm.steadyPerSecond ?? summarize(warm).perSecond;
    if (warm.errors + warm.unexpected > 0) problems.push(warm);
  }

  // The measured runs alternate, in rounds (ceiling first in odd rounds, service first in even
  // ones), so that a load passing over the machine weighs on both sides of the ratio alike.
  const segmentS = options.durationS / options.rounds;
  const ceilings: ScenarioResult[] = [];
  const servicePosts: ScenarioResult[] = [];
  for (let round = 1; round <= options.rounds; round += 1) {
    const runCeilingSegment = async () => {
      const result = await metered(CEILING, ceilingPids, () =>
        runCeiling({ name: CEILING, endpoint: ceilingDb, concurrency: options.connections, durationMs: segmentS * 1000, workload, firstRequest: ceilingNext }),
      );
      ceilingNext = result.nextRequest;
      ceilingCommits += result.ok;
      ceilings.push(result);
    };
    const runServiceSegment = async () => {
      // A fixed number of requests, sized from the last rate to last about the segment: every
      // request is answered before the segment ends, so the acknowledged count is exact.
      const amount = Math.max(options.connections * 10, Math.round((serviceRate > 0 ? serviceRate : 500) * segmentS));
      const result = await metered(POST, servicePids, () =>
        runLoad({ name: POST, url: service.url, connections: options.connections, expectStatus: 201, bound: { amount }, request: posts.request }),
      );
      acknowledged += result.ok;
      serviceRate = summarize(result).perSecond;
      servicePosts.push(result);
    };
    console.log(`round ${round}/${options.rounds}: ceiling ${segmentS.toFixed(1)} s and service POSTs for about as long...`);
    if (round % 2 === 1) {
      await runCeilingSegment();
      await runServiceSegment();
    } else {
      await runServiceSegment();
      await runCeilingSegment();
    }
  }
  console.log(`service: GET /health for ${options.durationS} s...`);
  const health = await metered(HEALTH, servicePids, () =>
    runLoad({ name: HEALTH, url: service.url, connections: options.connections, expectStatus: 200, bound: { seconds: options.durationS }, request: { method: 'GET', path: '/health' } }),
  );
  const ceiling = merge(CEILING, ceilings);
  const post = merge(POST, servicePosts);
  const results: ScenarioResult[] = [ceiling, post, health, ...problems];

  serviceExit = await service.stop();
  const count = async (database: string, sql: string) => server.root(`USE \`${database}\`; ${sql}`);
  const serviceRows = Number(await count(serviceDb.database, 'SELECT COUNT(*) FROM transactions'));
  const ceilingRows = Number(await count(ceilingDb.database, 'SELECT COUNT(*) FROM transactions'));
  const [txSum, balanceSum] = (await count(serviceDb.database, 'SELECT (SELECT COALESCE(SUM(amount_minor), 0) FROM transactions), (SELECT COALESCE(SUM(balance_minor), 0) FROM account_balances)')).split('\t');

  // The report.
  const summaries = results.map(summarize);
  console.log('');
  console.log(
    table(
      ['scenario', 'requests', 'ok', 'seconds', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'errors/non-2xx'],
      summaries.map((s) => [s.name, String(s.requests), String(s.ok), fixed(s.seconds, 2), fixed(s.perSecond, 0), fixed(s.p50, 2), fixed(s.p99, 2), fixed(s.max, 1), String(s.failures)]),
    ),
  );
  console.log('');
  for (const r of results) {
    const used = cpu[r.name];
    if (used !== undefined && r.ok > 0) {
      const parts = Object.entries(used).map(([name, seconds]) => `${name} ${fixed(seconds, 1)} s (${fixed((seconds * 1000) / r.ok, 3)} ms/req)`);
      console.log(`${r.name}: CPU ${parts.join(', ')}`);
    }
    if (r.statuses !== undefined) console.log(`${r.name}: statuses ${JSON.stringify(r.statuses)}`);
    if (r.retries) console.log(`${r.name}: ${r.retries} deadlock/lock-wait retries`);
    if (r.firstError !== undefined) console.log(`${r.name}: first error: ${r.firstError}`);
  }
  const roundRatios = ceilings.map((c, i) => {
    const p = servicePosts[i];
    const ceilingRate = summarize(c).perSecond;
    return p === undefined || ceilingRate === 0 ? Number.NaN : summarize(p).perSecond / ceilingRate;
  });
  console.log(`service / ceiling by round: ${roundRatios.map((r) => `${(r * 100).toFixed(1)}%`).join(', ')}`);
  const servicePost = summarize(post);
  const ceilingSummary = summarize(ceiling);
  const ratio = ceilingSummary.perSecond > 0 ? servicePost.perSecond / ceilingSummary.perSecond : 0;
  console.log(
    `service / ceiling: ${fixed(servicePost.perSecond, 0)} / ${fixed(ceilingSummary.perSecond, 0)} req/s = ${(ratio * 100).toFixed(1)}% ` +
      `(target ${TARGET_RATIO * 100}%): ${ratio >= TARGET_RATIO ? 'PASS' : 'BELOW TARGET'}`,
  );
  const rowsMatch = serviceRows === acknowledged;
  console.log(`service rows in transactions: ${serviceRows}, acknowledged 201s (warm-up and run): ${acknowledged}: ${rowsMatch ? 'EQUAL' : 'DIFFERENT'}`);
  const ceilingMatch = ceilingRows === ceilingCommits;
  console.log(`ceiling rows in transactions: ${ceilingRows}, commits: ${ceilingCommits}: ${ceilingMatch ? 'EQUAL' : 'DIFFERENT'}`);
  const sumsMatch = txSum !== undefined && txSum === balanceSum;
  console.log(`service sum of amounts: ${txSum}, sum of balances: ${balanceSum}: ${sumsMatch ? 'EQUAL' : 'DIFFERENT'}`);
  console.log(`service exit after SIGTERM: ${serviceExit}; load average now ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`);

  const failures = [
    ...summaries.filter((s) => s.failures > 0).map((s) => `${s.name}: ${s.failures} errors or unexpected statuses`),
    ...(rowsMatch ? [] : [`service rows ${serviceRows} != acknowledged ${acknowledged}`]),
    ...(ceilingMatch ? [] : [`ceiling rows ${ceilingRows} != commits ${ceilingCommits}`]),
    ...(sumsMatch ? [] : ['sum of balances differs from the sum of amounts']),
    ...(serviceExit === '0' ? [] : [`the service exited with ${serviceExit} on SIGTERM, not 0`]),
  ];
  if (failures.length > 0) {
    console.log(`\nFAIL:\n  ${failures.join('\n  ')}`);
    console.log(`\nservice log (last lines):\n${service.logTail(10)}`);
    return 1;
  }
  console.log('\nOK: no errors, every acknowledged write is in the database and nothing else is.');
  return 0;
}

const cleanup = new Cleanup();
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping the service and MariaDB...`);
    void cleanup.run().finally(() => process.exit(130));
  });
}
main(cleanup)
  .then(
    (code) => code,
    (error: unknown) => {
      // After a signal, the failures of runs whose server was stopped under them are expected.
      if (!interrupted) console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      return 1;
    },
  )
  .then(async (code) => {
    await cleanup.run();
    process.exit(code);
  });
