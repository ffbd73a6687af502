import { CURRENCIES, DECIMAL_AMOUNT_PATTERN, MAX_MINOR_UNITS } from './money';
import { CURSOR_PATTERN } from './transactions';

/** JSON Schemas of every request and reply. Fastify validates and serializes with them. */

export const ACCOUNT_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
/** Visible ASCII: what a client can put in a header without encoding trouble. */
const IDEMPOTENCY_KEY_PATTERN = '^[\\x21-\\x7e]{1,255}$';
/** No control characters (a reference ends up in statements and logs). */
const REFERENCE_PATTERN = '^[^\\u0000-\\u001f\\u007f]+$';

export const errorReply = {
  type: 'object',
  required: ['statusCode', 'error', 'code', 'message'],
  additionalProperties: false,
  properties: {
    statusCode: { type: 'integer' },
    /** HTTP reason phrase. */
    error: { type: 'string' },
    /** Stable machine-readable cause, e.g. DB_READ_ONLY. */
    code: { type: 'string' },
    message: { type: 'string' },
    requestId: { type: 'string' },
  },
} as const;

const errorReplies = { '4xx': errorReply, '5xx': errorReply } as const;

const minorUnits = { type: 'integer', minimum: -MAX_MINOR_UNITS, maximum: MAX_MINOR_UNITS } as const;

export const transactionReply = {
  type: 'object',
  required: ['id', 'accountId', 'amount', 'amountMinor', 'currency', 'reference', 'createdAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    accountId: { type: 'string' },
    amount: { type: 'string', description: 'exact decimal in the major unit' },
    amountMinor: minorUnits,
    currency: { type: 'string' },
    reference: { type: 'string' },
    createdAt: { type: 'string', description: 'ISO 8601, UTC' },
  },
} as const;

export const createTransaction = {
  headers: {
    type: 'object',
    required: ['idempotency-key'],
    properties: { 'idempotency-key': { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN } },
  },
  body: {
    type: 'object',
    required: ['accountId', 'currency', 'reference'],
    additionalProperties: false,
    properties: {
      accountId: { type: 'string', pattern: ACCOUNT_ID_PATTERN },
      /** Decimal string in the major unit ("12.34")... */
      amount: { type: 'string', pattern: DECIMAL_AMOUNT_PATTERN },
      /** ...or integer minor units (1234): exactly one of the two. */
      amountMinor: { ...minorUnits, not: { const: 0 } },
      currency: { type: 'string', enum: CURRENCIES },
      reference: { type: 'string', minLength: 1, maxLength: 140, pattern: REFERENCE_PATTERN },
    },
    oneOf: [{ required: ['amount'] }, { required: ['amountMinor'] }],
  },
  response: { 201: transactionReply, ...errorReplies },
} as const;

export const getTransaction = {
  params: {
    type: 'object',
    required: ['id'],
    additionalProperties: false,
    properties: { id: { type: 'string', pattern: UUID_PATTERN } },
  },
  response: { 200: transactionReply, ...errorReplies },
} as const;

export const listTransactions = {
  querystring: {
    type: 'object',
    required: ['accountId'],
    additionalProperties: false,
    properties: {
      accountId: { type: 'string', pattern: ACCOUNT_ID_PATTERN },
      limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
      cursor: { type: 'string', pattern: CURSOR_PATTERN },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['items', 'nextCursor'],
      additionalProperties: false,
      properties: {
        items: { type: 'array', items: transactionReply },
        /** Pass as `cursor` for the next page; null on the last page. */
        nextCursor: { type: ['string', 'null'] },
      },
    },
    ...errorReplies,
  },
} as const;

export const getBalance = {
  params: {
    type: 'object',
    required: ['id'],
    additionalProperties: false,
    properties: { id: { type: 'string', pattern: ACCOUNT_ID_PATTERN } },
  },
  response: {
    200: {
      type: 'object',
      required: ['accountId', 'balances'],
      additionalProperties: false,
      properties: {
        accountId: { type: 'string' },
        balances: {
          type: 'array',
          items: {
            type: 'object',
            required: ['currency', 'balance', 'balanceMinor', 'updatedAt'],
            additionalProperties: false,
            properties: {
              currency: { type: 'string' },
              balance: { type: 'string' },
              balanceMinor: minorUnits,
              updatedAt: { type: 'string' },
            },
          },
        },
      },
    },
    ...errorReplies,
  },
} as const;

/** One database as the health endpoints report it. */
const dbStatus = {
  type: 'object',
  required: ['reachable', 'readOnly', 'latencyMs', 'schemaReady'],
  additionalProperties: false,
  properties: {
    reachable: { type: 'boolean' },
    readOnly: { type: ['boolean', 'null'] },
    latencyMs: { type: 'integer' },
    schemaReady: { type: 'boolean' },
  },
} as const;

const healthReply = {
  type: 'object',
  required: ['status', 'region', 'role', 'configuredRole', 'db'],
  additionalProperties: false,
  properties: {
    /** `ok` with 200, `unavailable` with 503: what the endpoint asked judged healthy or not. */
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    region: { type: 'string' },
    /** From the probed database itself: `writer`, `reader`, or `unknown` when it does not answer. */
    role: { type: 'string', enum: ['writer', 'reader', 'unknown'] },
    /** The DR role the instance was launched with (primary or secondary). */
    configuredRole: { type: 'string' },
    /** The probed database (the region's own cluster when the probes have an endpoint of their own): the status is judged on it. */
    db: dbStatus,
    /** The data endpoint, only when it is not the probed one; information, never part of the status. */
    writer: dbStatus,
  },
} as const;

/** Both health endpoints (`HEALTH_PATHS` of @txn-dr/contracts) answer the same body; they differ in when it is 200. */
export const health = {
  response: { 200: healthReply, 503: healthReply },
} as const;
