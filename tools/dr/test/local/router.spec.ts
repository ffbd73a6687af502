import { Agent, type IncomingHttpHeaders, type Server, createServer, request } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DrRole } from '@txn-dr/config';
import { systemClock } from '../../src/clock';
import { pollUntil } from '../../src/poll';
import {
  type Candidate,
  ControlPlaneUnavailableError,
  NoSuchChangeError,
  REGION_HEADER,
  Router,
  RouterConfigError,
  type RouterOptions,
  type RecordsView,
  chooseRecord,
} from '../../src/local/router';
import { HealthCheckState } from '../../src/local/router/health-check';

const PRIMARY = 'us-east-1';
const SECONDARY = 'us-west-2';
const HEALTH = '/health/writable';

/** Virtual time for answers and changes; the health checks themselves run on small real timers. */
class ManualClock {
  t = 1_000_000;
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One request on a fresh connection, so no test depends on another's keep-alive socket. */
function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: string; agent?: Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, agent: init.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const postJson = (url: string, body: unknown) => send(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

interface Target {
  readonly url: string;
  readonly name: string;
  /** What /health/writable answers: 200 or 503. */
  healthy: boolean;
  /** Health checks received. */
  healthHits: number;
  /** Other requests received. */
  requests: number;
  close(): Promise<void>;
}

const servers: Server[] = [];
const routers: Router[] = [];

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

const closeServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** A service instance: /health/writable on command, and an echo of everything else (status 201). */
async function startTarget(name: string): Promise<Target> {
  const server = createServer((req, res) => {
    if (req.url === HEALTH) {
      target.healthHits++;
      res.writeHead(target.healthy ? 200 : 503).end();
      return;
    }
    target.requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const echo = { target: name, method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      res.writeHead(201, { 'content-type': 'application/json', location: `/from/${name}`, [REGION_HEADER]: 'not-the-target-to-say' });
      res.end(JSON.stringify(echo));
    });
  });
  const target: Target = { url: await listen(server), name, healthy: true, healthHits: 0, requests: 0, close: () => closeServer(server) };
  return target;
}

/** Takes requests and never answers. */
async function startSilentTarget(): Promise<{ url: string; received: () => number }> {
  let received = 0;
  const url = await listen(createServer(() => void received++));
  return { url, received: () => received };
}

/** An address nothing listens on. */
async function refusedUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await closeServer(server);
  return url;
}

interface Pair {
  readonly router: Router;
  readonly clock: ManualClock;
  readonly primary: Target;
  readonly secondary: Target;
}

async function startRouter(options: Partial<RouterOptions> = {}): Promise<Router> {
  const router = await Router.start({
    profile: 'ci',
    ttlMs: 60_000,
    changePropagationMs: 90_000,
    ...options,
    regions: options.regions ?? { primary: { region: PRIMARY, weight: 100, targets: () => [] }, secondary: { region: SECONDARY, weight: 0, targets: () => [] } },
    // Checks on small real timers; a generous deadline so a busy machine does not fail a healthy target.
    healthCheck: { intervalMs: 20, timeoutMs: 500, failureThreshold: 2, ...options.healthCheck },
  });
  routers.push(router);
  return router;
}

/** Weighted records 100 (primary) and 0 (secondary), one target each, TTL 60 s of virtual time. */
async function startPair(options: Partial<RouterOptions> = {}): Promise<Pair> {
  const clock = new ManualClock();
  const [primary, secondary] = await Promise.all([startTarget('p1'), startTarget('s1')]);
  const router = await startRouter({
    clock,
    regions: {
      primary: { region: PRIMARY, weight: 100, targets: () => [primary!.url] },
      secondary: { region: SECONDARY, weight: 0, targets: () => [secondary!.url] },
    },
    ...options,
  });
  return { router, clock, primary: primary!, secondary: secondary! };
}

const waitForRecords = (router: Router, done: (view: RecordsView) => boolean, what: string) =>
  pollUntil(async () => router.records(), done, { clock: systemClock, intervalMs: 10, timeoutMs: 3_000, what, describe: (v) => JSON.stringify(v.records) });

const healthOf = (view: RecordsView, role: DrRole) => view.records[role].healthy;

afterEach(async () => {
  await Promise.all(routers.splice(0).map((r) => r.close()));
  await Promise.all(servers.splice(0).map((s) => closeServer(s)));
});

describe('chooseRecord (Route 53 weighted records with health checks)', () => {
  const records = (weights: [number, number], healthy: [boolean, boolean]): Candidate[] => [
    { role: 'primary', weight: weights[0], healthy: healthy[0] },
    { role: 'secondary', weight: weights[1], healthy: healthy[1] },
  ];

  test.each([
    ['healthy 100/0: the weighted record', [100, 0], [true, true], 0.99, 'primary', 'healthy'],
    ['weight 0 is never chosen while a weighted record is healthy', [100, 0], [true, false], 0.99, 'primary', 'healthy'],
    ['weighted record unhealthy: the healthy weight-0 record', [100, 0], [false, true], 0.01, 'secondary', 'healthy-weight-zero'],
    ['all unhealthy: as if all were healthy, so weight 0 still loses', [100, 0], [false, false], 0.99, 'primary', 'all-unhealthy'],
    ['an unhealthy weighted record is skipped for the healthy one', [50, 50], [false, true], 0.01, 'secondary', 'healthy'],
    ['50/50 healthy, low draw', [50, 50], [true, true], 0.25, 'primary', 'healthy'],
    ['50/50 healthy, high draw', [50, 50], [true, true], 0.75, 'secondary', 'healthy'],
    ['1/255: in proportion to weight', [1, 255], [true, true], 0.5, 'secondary', 'healthy'],
    ['1/255: the small share', [1, 255], [true, true], 0.001, 'primary', 'healthy'],
    ['all weights 0, both healthy: equal chance (low)', [0, 0], [true, true], 0.25, 'primary', 'healthy-weight-zero'],
    ['all weights 0, both healthy: equal chance (high)', [0, 0], [true, true], 0.75, 'secondary', 'healthy-weight-zero'],
    ['all weights 0, all unhealthy: equal chance', [0, 0], [false, false], 0.75, 'secondary', 'all-unhealthy'],
  ] as const)('%s', (_name, weights, healthy, draw, role, basis) => {
    expect(chooseRecord(records([...weights], [...healthy]), () => draw)).toEqual({ role, basis });
  });
});

describe('HealthCheckState', () => {
  it('starts healthy, flips only after the threshold of consecutive failures, and recovers only after as many passes', () => {
    const state = new HealthCheckState(3);
    expect(state.view()).toMatchObject({ status: 'healthy', checks: 0, lastCheckedAt: null });
    state.record({ ok: false, status: 503 }, 1);
    state.record({ ok: false, status: 503 }, 2);
    state.record({ ok: true, status: 200 }, 3); // resets the run of failures
    state.record({ ok: false, status: 503 }, 4);
    state.record({ ok: false, status: 503 }, 5);
    expect(state.healthy).toBe(true);
    state.record({ ok: false, error: 'ECONNREFUSED' }, 6);
    expect(state.view()).toMatchObject({ status: 'unhealthy', consecutiveFailures: 3, consecutiveSuccesses: 0, checks: 6, changedAt: new Date(6).toISOString() });
    state.record({ ok: true, status: 200 }, 7);
    state.record({ ok: true, status: 302 }, 8);
    expect(state.healthy).toBe(false);
    state.record({ ok: true, status: 200 }, 9);
    expect(state.view()).toMatchObject({ status: 'healthy', consecutiveSuccesses: 3, lastCheckedAt: new Date(9).toISOString() });
  });
});

describe('Router options', () => {
  const regions = { primary: { region: PRIMARY, weight: 100, targets: () => [] }, secondary: { region: SECONDARY, weight: 0, targets: () => [] } };
  test.each([
    ['regions.primary.weight', { regions: { ...regions, primary: { ...regions.primary, weight: 256 } } }],
    ['regions.secondary.weight', { regions: { ...regions, secondary: { ...regions.secondary, weight: 1.5 } } }],
    ['regions: primary and secondary are both', { regions: { ...regions, secondary: { ...regions.secondary, region: PRIMARY } } }],
    ['healthCheck.failureThreshold', { regions, healthCheck: { failureThreshold: 11 } }],
    ['healthCheck.intervalMs', { regions, healthCheck: { intervalMs: 0 } }],
    ['healthCheck.path', { regions, healthCheck: { path: 'health' } }],
    ['ttlMs', { regions, ttlMs: -1 }],
    ['adminPort', { regions, port: 4500, adminPort: 4500 }],
  ] as const)('refuses a bad %s', async (field, options) => {
    const started = Router.start(options as RouterOptions);
    await expect(started).rejects.toThrow(RouterConfigError);
    await expect(started).rejects.toThrow(field);
  });
});

describe('Router', () => {
  it('sends all traffic to the healthy weight-100 record, resolving on every request when the TTL is 0', async () => {
    const { router, primary, secondary } = await startPair({ ttlMs: 0 });
    for (let i = 0; i < 25; i++) {
      const reply = await send(`${router.url}/transactions/${i}`);
      expect(reply.status).toBe(201);
      expect(reply.headers[REGION_HEADER]).toBe(PRIMARY);
    }
    expect(primary.requests).toBe(25);
    expect(secondary.requests).toBe(0);
    expect(router.records().answer).toMatchObject({ role: 'primary', basis: 'healthy', expired: true });
  });

  it('moves traffic to the weight-0 record after failureThreshold failed checks, but only once the cached answer expires', async () => {
    const { router, clock, primary } = await startPair();
    const first = await send(`${router.url}/a`);
    expect(first.headers[REGION_HEADER]).toBe(PRIMARY);
    expect(router.records().answer).toMatchObject({ role: 'primary', expiresAt: new Date(clock.t + 60_000).toISOString(), expired: false });

    primary.healthy = false;
    const failed = await waitForRecords(router, (v) => !healthOf(v, 'primary'), 'the primary record to turn unhealthy');
    expect(failed.records.primary.health.consecutiveFailures).toBeGreaterThanOrEqual(2);
    expect(failed.records.primary.health.lastResult).toMatchObject({ ok: false, status: 503 });

    // The resolver still holds its answer: the unhealthy region keeps the traffic for the TTL.
    expect((await send(`${router.url}/b`)).headers[REGION_HEADER]).toBe(PRIMARY);
    clock.advance(59_999);
    expect((await send(`${router.url}/c`)).headers[REGION_HEADER]).toBe(PRIMARY);
    clock.advance(1);
    const moved = await send(`${router.url}/d`);
    expect(moved.headers[REGION_HEADER]).toBe(SECONDARY);
    expect(JSON.parse(moved.body)).toMatchObject({ target: 's1', url: '/d' });
    expect(router.records().answer).toMatchObject({ role: 'secondary', basis: 'healthy-weight-zero' });

    // Recovery takes failureThreshold passes, and again a TTL before clients see it.
    primary.healthy = true;
    await waitForRecords(router, (v) => healthOf(v, 'primary'), 'the primary record to recover');
    expect((await send(`${router.url}/e`)).headers[REGION_HEADER]).toBe(SECONDARY);
    clock.advance(60_000);
    expect((await send(`${router.url}/f`)).headers[REGION_HEADER]).toBe(PRIMARY);
  });

  it('answers as if all were healthy when every record is unhealthy: the weighted record, never the weight-0 one', async () => {
    const { router, primary, secondary } = await startPair({ ttlMs: 0 });
    primary.healthy = false;
    secondary.healthy = false;
    await waitForRecords(router, (v) => !healthOf(v, 'primary') && !healthOf(v, 'secondary'), 'both records to turn unhealthy');
    for (let i = 0; i < 20; i++) expect((await send(`${router.url}/x`)).headers[REGION_HEADER]).toBe(PRIMARY);
    expect(router.records().answer).toMatchObject({ role: 'primary', basis: 'all-unhealthy' });
  });

  it('applies a weight change only once it is INSYNC, and clients see it a TTL after that', async () => {
    const { router, clock } = await startPair();
    expect((await send(`${router.url}/1`)).headers[REGION_HEADER]).toBe(PRIMARY);
    const submitted = await postJson(`${router.adminUrl}/changes`, { weights: { primary: 0, secondary: 100 } });
    expect(submitted.status).toBe(200);
    const change = JSON.parse(submitted.body) as { id: string; status: string };
    expect(change).toMatchObject({ status: 'PENDING', weights: { primary: 0, secondary: 100 } });
    const records = JSON.parse((await send(`${router.adminUrl}/records`)).body) as RecordsView;
    expect(records.records.primary.weight).toBe(100);
    expect(records.pendingChanges).toEqual([change.id]);

    // The cached answer expires while the change is still PENDING: the old weights answer again.
    clock.advance(60_000);
    expect((await send(`${router.url}/2`)).headers[REGION_HEADER]).toBe(PRIMARY);
    expect(JSON.parse((await send(`${router.adminUrl}/changes/${change.id}`)).body)).toMatchObject({ id: change.id, status: 'PENDING' });

    clock.advance(30_000); // 90 s after submission
    expect(router.getChange(change.id).status).toBe('INSYNC');
    expect(router.records().records.secondary.weight).toBe(100);
    expect((await send(`${router.url}/3`)).headers[REGION_HEADER]).toBe(PRIMARY); // held since 60 s
    clock.advance(30_000);
    expect((await send(`${router.url}/4`)).headers[REGION_HEADER]).toBe(SECONDARY);

    expect((await send(`${router.adminUrl}/changes/CNOSUCH`)).status).toBe(404);
    expect(() => router.getChange('CNOSUCH')).toThrow(NoSuchChangeError);
    const invalid = await postJson(`${router.adminUrl}/changes`, { weights: { primary: '0', secondary: 256 } });
    expect(invalid.status).toBe(400);
    expect(JSON.parse(invalid.body)).toMatchObject({ error: 'InvalidInput' });
  });

  it('answers 503 to every Route 53 API call during a control plane outage, while failover by health still happens', async () => {
    const { router, clock, primary } = await startPair();
    expect((await send(`${router.url}/before`)).headers[REGION_HEADER]).toBe(PRIMARY);
    const change = router.changeWeights({ primary: 100, secondary: 0 });

    expect(JSON.parse((await postJson(`${router.adminUrl}/faults/control-plane`, { available: false })).body)).toEqual({ available: false });
    for (const call of [
      () => send(`${router.adminUrl}/records`),
      () => postJson(`${router.adminUrl}/changes`, { weights: { primary: 0, secondary: 100 } }),
      () => postJson(`${router.adminUrl}/changes`, { nonsense: true }),
      () => send(`${router.adminUrl}/changes/${change.id}`),
    ]) {
      const reply = await call();
      expect(reply.status).toBe(503);
      expect(JSON.parse(reply.body)).toMatchObject({ error: 'ServiceUnavailable', fault: 'route53-control-plane-unavailable' });
    }
    expect(() => router.records()).toThrow(ControlPlaneUnavailableError);
    expect(() => router.changeWeights({ primary: 0, secondary: 100 })).toThrow(ControlPlaneUnavailableError);
    expect(() => router.getChange(change.id)).toThrow(ControlPlaneUnavailableError);
    expect(JSON.parse((await send(`${router.adminUrl}/faults/control-plane`)).body)).toEqual({ available: false });

    primary.healthy = false;
    const moved = await pollUntil(
      async () => {
        clock.advance(60_000);
        return (await send(`${router.url}/during`)).headers[REGION_HEADER];
      },
      (region) => region === SECONDARY,
      { clock: systemClock, intervalMs: 10, timeoutMs: 3_000, what: 'traffic to follow health during the outage' },
    );
    expect(moved).toBe(SECONDARY);

    await postJson(`${router.adminUrl}/faults/control-plane`, { available: true });
    const after = JSON.parse((await send(`${router.adminUrl}/records`)).body) as RecordsView;
    expect(after.records.primary).toMatchObject({ healthy: false, weight: 100 });
    expect(after.answer).toMatchObject({ role: 'secondary', region: SECONDARY });
  });

  it('forwards method, path, query, headers and body bytes unchanged, and names the region on the response', async () => {
    const { router } = await startPair();
    const body = '{"amountMinor":  1250 ,"currency":"EUR","note":"café"}';
    const reply = await send(`${router.url}/transactions?dryRun=1&x=%20y`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'idempotency-key': 'key-8f2c', 'x-request-id': 'req-1' },
      body,
    });
    expect(reply.status).toBe(201);
    expect(reply.headers[REGION_HEADER]).toBe(PRIMARY);
    expect(reply.headers.location).toBe('/from/p1');
    const echo = JSON.parse(reply.body) as { method: string; url: string; headers: IncomingHttpHeaders; body: string };
    expect(echo).toMatchObject({ method: 'POST', url: '/transactions?dryRun=1&x=%20y', body });
    expect(echo.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      'idempotency-key': 'key-8f2c',
      'x-request-id': 'req-1',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-proto': 'http',
    });
  });

  it('serves the public port only from the targets and the admin API only on its own port', async () => {
    const { router } = await startPair();
    const proxied = await send(`${router.url}/records`);
    expect(proxied.headers[REGION_HEADER]).toBe(PRIMARY);
    expect(JSON.parse(proxied.body)).toMatchObject({ target: 'p1', url: '/records' });
    expect((await postJson(`${router.url}/faults/control-plane`, { available: false })).headers[REGION_HEADER]).toBe(PRIMARY);
    expect(router.controlPlaneAvailable()).toBe(true);
    expect((await send(`${router.adminUrl}/transactions`)).status).toBe(404);
  });

  it('answers 503 itself, naming the region, when the region has no healthy target', async () => {
    const router = await startRouter({ clock: new ManualClock() });
    const reply = await send(`${router.url}/transactions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(reply.status).toBe(503);
    expect(reply.headers[REGION_HEADER]).toBe(PRIMARY);
    await waitForRecords(router, (v) => v.records.primary.health.checks > 0, 'a first check');
    expect(router.records().records.primary.health.lastResult).toMatchObject({ ok: false, status: 503 });
  });

  it('round-robins over the region’s targets, following the list as it changes', async () => {
    const targets = await Promise.all(['a', 'b', 'c'].map((name) => startTarget(name)));
    let current = targets.map((t) => t.url);
    const router = await startRouter({
      clock: new ManualClock(),
      healthCheck: { intervalMs: 60_000 },
      regions: { primary: { region: PRIMARY, weight: 100, targets: () => current }, secondary: { region: SECONDARY, weight: 0, targets: () => [] } },
    });
    // The first health check takes a turn too; wait for it so the sequence below is all ours.
    await waitForRecords(router, (v) => v.records.primary.health.checks === 1, 'the first check');
    const served: string[] = [];
    for (let i = 0; i < 6; i++) served.push((JSON.parse((await send(`${router.url}/rr`)).body) as { target: string }).target);
    expect(new Set(served.slice(0, 3))).toEqual(new Set(['a', 'b', 'c']));
    expect(served.slice(3)).toEqual(served.slice(0, 3));

    current = [targets[2]!.url];
    for (let i = 0; i < 3; i++) expect(JSON.parse((await send(`${router.url}/rr`)).body)).toMatchObject({ target: 'c' });
  });

  it('answers 502 for a target that refuses the connection and 504 for one that does not answer in time', async () => {
    const refused = await refusedUrl();
    const silent = await startSilentTarget();
    const router = await startRouter({
      clock: new ManualClock(),
      upstreamTimeoutMs: 150,
      healthCheck: { intervalMs: 60_000 },
      regions: { primary: { region: PRIMARY, weight: 100, targets: () => [refused] }, secondary: { region: SECONDARY, weight: 0, targets: () => [] } },
    });
    const badGateway = await send(`${router.url}/transactions`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'k' }, body: '{}' });
    expect(badGateway.status).toBe(502);
    expect(badGateway.headers[REGION_HEADER]).toBe(PRIMARY);
    await waitForRecords(router, (v) => v.records.primary.health.checks === 1, 'the first check');
    expect(router.records().records.primary.health.lastResult).toMatchObject({ ok: false, status: 502 });

    const timeout = await startRouter({
      clock: new ManualClock(),
      upstreamTimeoutMs: 150,
      healthCheck: { intervalMs: 60_000 },
      regions: { primary: { region: PRIMARY, weight: 0, targets: () => [] }, secondary: { region: SECONDARY, weight: 100, targets: () => [silent.url] } },
    });
    const started = Date.now();
    const gatewayTimeout = await send(`${timeout.url}/slow`);
    expect(gatewayTimeout.status).toBe(504);
    expect(gatewayTimeout.headers[REGION_HEADER]).toBe(SECONDARY);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('close() stops the checks and both listeners at once, without waiting for keep-alive or stuck requests', async () => {
    const target = await startTarget('p1');
    const silent = await startSilentTarget();
    let targets = [target.url];
    const router = await startRouter({
      clock: new ManualClock(),
      ttlMs: 0,
      upstreamTimeoutMs: 30_000,
      regions: { primary: { region: PRIMARY, weight: 100, targets: () => targets }, secondary: { region: SECONDARY, weight: 0, targets: () => [] } },
    });
    await waitForRecords(router, (v) => v.records.primary.health.checks >= 2, 'checks to run');

    const keepAlive = new Agent({ keepAlive: true });
    const sockets: Socket[] = [];
    const idle = new Promise<void>((resolve) => {
      const req = request(`${router.url}/ka`, { agent: keepAlive }, (res) => res.resume().on('end', resolve));
      req.on('socket', (socket) => sockets.push(socket));
      req.end();
    });
    await idle;
    const idleClosed = new Promise<void>((resolve) => sockets[0]!.once('close', () => resolve()));
    targets = [silent.url];
    const stuck = send(`${router.url}/stuck`).then(
      () => 'answered',
      () => 'connection closed',
    );
    await pollUntil(async () => silent.received(), (n) => n > 0, { clock: systemClock, intervalMs: 5, timeoutMs: 3_000, what: 'the stuck request to reach its target' });

    const started = Date.now();
    await router.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    await idleClosed;
    expect(await stuck).toBe('connection closed');
    keepAlive.destroy();

    const hits = target.healthHits;
    await sleep(100); // five check intervals
    expect(target.healthHits).toBe(hits);
    await expect(send(`${router.url}/after`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(send(`${router.adminUrl}/records`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await router.close(); // idempotent
  });
});
