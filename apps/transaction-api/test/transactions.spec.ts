import type { MariaDbServer } from '@txn-dr/testing-mariadb';
import { countRows, freshSchema, newKey, postTransaction, sharedServer, testApp, type TestApp } from './helpers';

let server: MariaDbServer;
let t: TestApp;

beforeAll(async () => {
  server = sharedServer();
  t = await testApp(server, { database: await freshSchema(server, 'tx') });
});
afterAll(async () => {
  await t?.close();
});

const valid = { accountId: 'acc-1', amount: '12.34', currency: 'USD', reference: 'invoice 42' };

describe('POST /transactions', () => {
  it('stores a transaction and answers 201 with it', async () => {
    const res = await postTransaction(t.app, valid);
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      accountId: 'acc-1',
      amount: '12.34',
      amountMinor: 1234,
      currency: 'USD',
      reference: 'invoice 42',
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });
    expect(res.headers['location']).toBe(`/transactions/${body.id}`);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(await server.root(`SELECT amount_minor, currency, reference FROM ${t.database}.transactions WHERE id = UNHEX(REPLACE('${body.id}', '-', ''))`)).toBe(
      '1234\tUSD\tinvoice 42',
    );
  });

  it('takes integer minor units as well as a decimal string', async () => {
    const res = await postTransaction(t.app, { accountId: 'acc-minor', amountMinor: -500, currency: 'JPY', reference: 'refund' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ amount: '-500', amountMinor: -500, currency: 'JPY' });
  });

  it.each([
    ['0.10', 'EUR', 10, '0.10'],
    ['-7', 'EUR', -700, '-7.00'],
    ['1.234', 'KWD', 1234, '1.234'],
    ['90071992547409.91', 'USD', 9007199254740991, '90071992547409.91'],
  ])('converts %s %s exactly to %d minor units', async (amount, currency, minor, echoed) => {
    const res = await postTransaction(t.app, { accountId: 'acc-exact', amount, currency, reference: 'exact' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ amountMinor: minor, amount: echoed });
  });

  describe('idempotency', () => {
    it('answers a repeat with the original result and writes once', async () => {
      const key = newKey();
      const first = await postTransaction(t.app, valid, key);
      const second = await postTransaction(t.app, valid, key);
      expect(first.statusCode).toBe(201);
      expect(second.statusCode).toBe(201);
      expect(second.json()).toEqual(first.json());
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(await countRows(server, t.database, 'transactions', `idempotency_key = '${key}'`)).toBe(1);
    });

    it('treats the same amount spelt as decimal or minor units as the same request', async () => {
      const key = newKey();
      const first = await postTransaction(t.app, { ...valid, amount: '5.00' }, key);
      const second = await postTransaction(t.app, { accountId: valid.accountId, amountMinor: 500, currency: 'USD', reference: valid.reference }, key);
      expect(second.statusCode).toBe(201);
      expect(second.json().id).toBe(first.json().id);
    });

    it('refuses the same key with a different body with 409 and changes nothing', async () => {
      const key = newKey();
      const first = await postTransaction(t.app, valid, key);
      const before = await server.root(`SELECT balance_minor FROM ${t.database}.account_balances WHERE account_id = 'acc-1'`);
      const res = await postTransaction(t.app, { ...valid, amount: '99.99' }, key);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ statusCode: 409, code: 'IDEMPOTENCY_KEY_REUSED' });
      expect(await countRows(server, t.database, 'transactions', `idempotency_key = '${key}'`)).toBe(1);
      expect(await server.root(`SELECT amount_minor FROM ${t.database}.transactions WHERE idempotency_key = '${key}'`)).toBe(String(first.json().amountMinor));
      expect(await server.root(`SELECT balance_minor FROM ${t.database}.account_balances WHERE account_id = 'acc-1'`)).toBe(before);
    });

    it('writes exactly one row when many requests with one key arrive at once', async () => {
      const key = newKey();
      const account = `acc-race-${Date.now()}`;
      const body = { accountId: account, amount: '1.00', currency: 'USD', reference: 'race' };
      const replies = await Promise.all(Array.from({ length: 20 }, () => postTransaction(t.app, body, key)));
      expect(replies.map((r) => r.statusCode)).toEqual(Array(20).fill(201));
      expect(new Set(replies.map((r) => r.json().id)).size).toBe(1);
      expect(replies.filter((r) => r.headers['idempotent-replayed'] === undefined)).toHaveLength(1);
      expect(await countRows(server, t.database, 'transactions', `idempotency_key = '${key}'`)).toBe(1);
      expect(await server.root(`SELECT balance_minor FROM ${t.database}.account_balances WHERE account_id = '${account}'`)).toBe('100');
    });

    it('never writes twice when concurrent requests with one key disagree', async () => {
      const key = newKey();
      const account = `acc-race2-${Date.now()}`;
      const replies = await Promise.all(
        Array.from({ length: 10 }, (_, i) => postTransaction(t.app, { accountId: account, amountMinor: i + 1, currency: 'USD', reference: 'race' }, key)),
      );
      const codes = replies.map((r) => r.statusCode).sort();
      expect(codes.filter((c) => c === 201)).toHaveLength(1);
      expect(codes.filter((c) => c === 409)).toHaveLength(9);
      expect(await countRows(server, t.database, 'transactions', `idempotency_key = '${key}'`)).toBe(1);
    });
  });

  describe('validation', () => {
    it.each([
      ['no Idempotency-Key', valid, null, 'idempotency-key'],
      ['an empty Idempotency-Key', valid, '', 'idempotency-key'],
      ['an Idempotency-Key with spaces', valid, 'a b', 'idempotency-key'],
      ['an Idempotency-Key over 255 characters', valid, 'k'.repeat(256), 'idempotency-key'],
    ])('refuses %s', async (_what, body, key, mention) => {
      const res = await postTransaction(t.app, body, key);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
      expect(res.json().message).toContain(mention);
    });

    it.each([
      ['a float amount', { ...valid, amount: 12.34 }],
      ['amountMinor as a string', { accountId: 'a', amountMinor: '1234', currency: 'USD', reference: 'r' }],
      ['a fractional amountMinor', { accountId: 'a', amountMinor: 12.5, currency: 'USD', reference: 'r' }],
      ['amountMinor beyond 2^53', { accountId: 'a', amountMinor: 2 ** 53 + 2, currency: 'USD', reference: 'r' }],
      ['both amount and amountMinor', { ...valid, amountMinor: 1234 }],
      ['neither amount nor amountMinor', { accountId: 'a', currency: 'USD', reference: 'r' }],
      ['a zero amountMinor', { accountId: 'a', amountMinor: 0, currency: 'USD', reference: 'r' }],
      ['an amount with a plus sign', { ...valid, amount: '+1.00' }],
      ['an amount with a leading zero', { ...valid, amount: '01.00' }],
      ['an amount in exponent form', { ...valid, amount: '1e3' }],
      ['an unknown currency', { ...valid, currency: 'XXX' }],
      ['a lowercase currency', { ...valid, currency: 'usd' }],
      ['an account id with a quote', { ...valid, accountId: "a'; DROP TABLE transactions; --" }],
      ['an empty reference', { ...valid, reference: '' }],
      ['a reference with a control character', { ...valid, reference: 'a\u0000b' }],
      ['a reference over 140 characters', { ...valid, reference: 'r'.repeat(141) }],
      ['an unknown field', { ...valid, note: 'x' }],
      ['a body that is an array', [valid]],
    ])('refuses %s with 400', async (_what, body) => {
      const res = await postTransaction(t.app, body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'VALIDATION_FAILED' });
    });

    it('explains the amount rule when both or neither amount field is given', async () => {
      const res = await postTransaction(t.app, { ...valid, amountMinor: 1234 });
      expect(res.json().message).toBe('body must have exactly one of amount (a decimal string such as "12.34") or amountMinor (an integer of minor units such as 1234)');
    });

    it.each([
      ['more decimals than the currency has', { ...valid, amount: '1.005' }, 'amount has 3 decimal places; USD has 2'],
      ['decimals on a currency without minor units', { ...valid, amount: '1.5', currency: 'JPY' }, 'amount has 1 decimal places; JPY has 0'],
      ['a zero amount', { ...valid, amount: '0.00' }, 'amount must not be zero'],
      ['an amount beyond 2^53 minor units', { ...valid, amount: '90071992547409.92' }, 'amount is out of range'],
    ])('refuses %s with 400 INVALID_AMOUNT', async (_what, body, message) => {
      const res = await postTransaction(t.app, body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'INVALID_AMOUNT' });
      expect(res.json().message).toContain(message);
    });

    it('changed nothing for any refused request', async () => {
      expect(await countRows(server, t.database, 'transactions', "account_id IN ('a', '')")).toBe(0);
    });

    it('refuses malformed JSON with 400', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/transactions', headers: { 'content-type': 'application/json', 'idempotency-key': newKey() }, payload: '{"accountId":' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'INVALID_JSON' });
    });

    it('refuses a body that is not JSON with 415', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/transactions', headers: { 'content-type': 'text/plain', 'idempotency-key': newKey() }, payload: 'hello' });
      expect(res.statusCode).toBe(415);
      expect(res.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    });

    it('refuses a body over the limit with 413', async () => {
      const res = await postTransaction(t.app, { ...valid, reference: 'r'.repeat(20_000) });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ code: 'BODY_TOO_LARGE' });
    });

    it('refuses a balance that would leave the exact range with 422 and rolls back', async () => {
      const account = `acc-big-${Date.now()}`;
      const big = { accountId: account, amountMinor: Number.MAX_SAFE_INTEGER, currency: 'USD', reference: 'big' };
      expect((await postTransaction(t.app, big)).statusCode).toBe(201);
      const res = await postTransaction(t.app, { ...big, amountMinor: 1 });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ code: 'BALANCE_OUT_OF_RANGE' });
      expect(await countRows(server, t.database, 'transactions', `account_id = '${account}'`)).toBe(1);
    });
  });
});

describe('GET /transactions/:id', () => {
  it('returns a stored transaction', async () => {
    const created = (await postTransaction(t.app, valid)).json();
    const res = await t.app.inject({ method: 'GET', url: `/transactions/${created.id}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(created);
  });

  it('answers 404 for an unknown id', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/transactions/0190f0e0-0000-7000-8000-000000000000' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ statusCode: 404, code: 'TRANSACTION_NOT_FOUND', requestId: expect.any(String) });
  });

  it('answers 400 for an id that is not a UUID', async () => {
    const res = await t.app.inject({ method: 'GET', url: "/transactions/1' OR '1'='1" });
    expect(res.statusCode).toBe(400);
  });
});

describe('GET /transactions?accountId=', () => {
  const account = `acc-page-${Date.now()}`;
  let ids: string[] = [];

  beforeAll(async () => {
    ids = [];
    for (let i = 1; i <= 7; i += 1) {
      ids.push((await postTransaction(t.app, { accountId: account, amountMinor: i, currency: 'EUR', reference: `n${i}` })).json().id);
    }
    await postTransaction(t.app, { accountId: `${account}-other`, amountMinor: 1, currency: 'EUR', reference: 'other' });
  });

  it('pages through an account newest first, each transaction once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/transactions?accountId=${account}&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await t.app.inject({ method: 'GET', url: query });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.items.length).toBeLessThanOrEqual(3);
      seen.push(...body.items.map((item: { id: string; accountId: string }) => {
        expect(item.accountId).toBe(account);
        return item.id;
      }));
      cursor = body.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it('uses a default page size and says when there is no next page', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/transactions?accountId=${account}` });
    expect(res.json().items).toHaveLength(7);
    expect(res.json().nextCursor).toBeNull();
  });

  it('returns an empty page for an account without transactions', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/transactions?accountId=nobody' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ items: [], nextCursor: null });
  });

  it.each([
    ['no accountId', '/transactions'],
    ['a limit of 0', `/transactions?accountId=${account}&limit=0`],
    ['a limit over 100', `/transactions?accountId=${account}&limit=101`],
    ['a limit that is not a number', `/transactions?accountId=${account}&limit=ten`],
    ['a malformed cursor', `/transactions?accountId=${account}&cursor=not-a-cursor`],
    ['an unknown parameter', `/transactions?accountId=${account}&account_id=x`],
  ])('answers 400 for %s', async (_what, url) => {
    const res = await t.app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('GET /accounts/:id/balance', () => {
  it('sums the account per currency, exactly', async () => {
    const account = `acc-bal-${Date.now()}`;
    for (const [amount, currency] of [
      ['10.10', 'USD'],
      ['0.20', 'USD'],
      ['-5.05', 'USD'],
      ['3', 'JPY'],
    ]) {
      expect((await postTransaction(t.app, { accountId: account, amount, currency, reference: 'sum' })).statusCode).toBe(201);
    }
    const res = await t.app.inject({ method: 'GET', url: `/accounts/${account}/balance` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      accountId: account,
      balances: [
        { currency: 'JPY', balance: '3', balanceMinor: 3, updatedAt: expect.any(String) },
        { currency: 'USD', balance: '5.25', balanceMinor: 525, updatedAt: expect.any(String) },
      ],
    });
  });

  it('answers 404 for an account without transactions', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/accounts/nobody/balance' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
  });

  it('answers 400 for a malformed account id', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/accounts/a%20b/balance' });
    expect(res.statusCode).toBe(400);
  });
});

describe('every reply', () => {
  it('carries a request id, and keeps a well-formed one from the client', async () => {
    const mine = await t.app.inject({ method: 'GET', url: '/accounts/nobody/balance', headers: { 'x-request-id': 'trace-123' } });
    expect(mine.headers['x-request-id']).toBe('trace-123');
    expect(mine.json().requestId).toBe('trace-123');
    const odd = await t.app.inject({ method: 'GET', url: '/accounts/nobody/balance', headers: { 'x-request-id': 'bad id with spaces' } });
    expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes with 404 in the same error shape', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ statusCode: 404, code: 'ROUTE_NOT_FOUND', message: 'No route GET /nope' });
  });
});
