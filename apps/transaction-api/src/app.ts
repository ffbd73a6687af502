import type { DrRole } from '@txn-dr/config';
import { HEALTH_PATHS } from '@txn-dr/contracts';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import Ajv, { type Options as AjvOptions } from 'ajv';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Database } from './db/database';
import type { SchemaState } from './db/schema-state';
import { HttpError, MESSAGES, errorHandler } from './errors';
import { HealthProbe, healthView, type HealthReport, type HealthView } from './health';
import { checkMinor, decimalToMinor, type Currency } from './money';
import * as schemas from './schemas';
import { TransactionStore } from './transactions';

export interface AppOptions {
  /** Every read and write (in AWS: through the Aurora global writer endpoint). */
  readonly db: Database;
  readonly schema: SchemaState;
  /**
   * The database the health endpoints judge, when it is not `db`: the region's own cluster, with a
   * schema state that only checks. The health then says whether this region's cluster answers and
   * is the writer, whatever `db` points at, and reports `db` beside it as `writer`.
   * @default `db` and `schema`
   */
  readonly probe?: { readonly db: Database; readonly schema: SchemaState };
  /** AWS region, reported by the health endpoints. */
  readonly region: string;
  /** DR role the instance was launched with, reported by the health endpoints beside the database's own answer. */
  readonly role: DrRole;
  /** Limit of the health endpoints' database probe. */
  readonly healthTimeoutMs: number;
  /** `Retry-After` of every 503. */
  readonly retryAfterSeconds: number;
  /** @default 16384 */
  readonly bodyLimitBytes?: number;
  /** A pino logger (the server's), or false for none. @default false */
  readonly logger?: FastifyBaseLogger | false;
  /** Longer than the load balancer's idle timeout (60 s), so the balancer closes first. @default 65000 */
  readonly keepAliveTimeoutMs?: number;
}

/**
 * One log line per request, written when it completes, instead of Fastify's two (incoming and
 * completed): the completion line carries the request (method, url, remote address) as well as
 * the status and duration, so nothing is lost, and every request is bounded in time (the
 * statement and acquire limits, `requestTimeout`), so every request does reach it. Half the
 * lines, serializations and blocking writes to stdout at info level.
 */
class AccessLog extends LogController {
  override incomingRequest(): void {
    // Logged on completion, with the outcome.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

/** Client-supplied request ids are kept when they are short and plain, so logs can be joined. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Ajv per part of the request. Query strings and parameters arrive as text and are coerced to
 * the schema's types; a JSON body never is, so `"amountMinor": "12"` or `"amount": 12.5` is a 400
 * rather than silently becoming something else.
 */
function validatorCompiler() {
  // strictSchema catches a misspelt keyword in our schemas; strictRequired would reject the
  // `oneOf: [{ required: ['amount'] }, ...]` idiom, which is valid JSON Schema.
  const common: AjvOptions = { allErrors: false, useDefaults: true, removeAdditional: false, strictSchema: true, strictNumbers: true, strictTypes: false, strictRequired: false, allowUnionTypes: true };
  const body = new Ajv({ ...common, coerceTypes: false });
  const text = new Ajv({ ...common, coerceTypes: 'array' });
  return ({ schema, httpPart }: { schema: object; httpPart?: string }) => (httpPart === 'body' ? body : text).compile(schema);
}

/**
 * Builds the service as a Fastify instance that does not listen: `server.ts` listens, tests
 * `inject`. Every route declares its request and reply schemas.
 */
export function buildApp(options: AppOptions): FastifyInstance {
  const serverOptions: FastifyServerOptions = {
    bodyLimit: options.bodyLimitBytes ?? 16_384,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 65_000,
    requestTimeout: 30_000,
    // The instances are reachable only from their load balancer, which sets X-Forwarded-For.
    trustProxy: true,
    requestIdHeader: false,
    logController: new AccessLog({ requestIdLogLabel: 'requestId' }),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  };
  const app = Fastify({ ...serverOptions, ...(options.logger ? { loggerInstance: options.logger } : { logger: false }) }).withTypeProvider<JsonSchemaToTsProvider>();

  app.setValidatorCompiler(validatorCompiler());
  app.setErrorHandler(errorHandler(options.retryAfterSeconds));
  // JSON only: without this, text/plain bodies reach validation as strings.
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ statusCode: 404, error: 'Not Found', code: 'ROUTE_NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}`, requestId: request.id });
  });

  const store = new TransactionStore(options.db);
  const probed = options.probe ?? { db: options.db, schema: options.schema };
  const probe = new HealthProbe(probed.db, options.healthTimeoutMs);
  // Asked beside the probe, within the same limit, only to report it.
  const writerProbe = options.probe !== undefined ? new HealthProbe(options.db, options.healthTimeoutMs) : undefined;

  const identity = { region: options.region, configuredRole: options.role };
  const schemaReady = (schema: SchemaState) => {
    if (!schema.ready) schema.keepTrying();
    return schema.ready;
  };
  /** Both health endpoints share one bounded probe; they differ only in what they call healthy. */
  const observeHealth = async (request: FastifyRequest): Promise<HealthView> => {
    const [outcome, writerOutcome] = await Promise.all([probe.check(), writerProbe?.check()]);
    if (!outcome.ok) request.log.warn({ err: outcome.error, latencyMs: outcome.latencyMs }, 'health: database unreachable');
    if (writerOutcome !== undefined && !writerOutcome.ok) request.log.warn({ err: writerOutcome.error, latencyMs: writerOutcome.latencyMs }, 'health: data endpoint unreachable');
    return healthView(
      { outcome, schemaReady: schemaReady(probed.schema) },
      identity,
      writerOutcome !== undefined ? { outcome: writerOutcome, schemaReady: schemaReady(options.schema) } : undefined,
    );
  };
  const sendHealth = (reply: FastifyReply, healthy: boolean, report: HealthReport) => {
    if (!healthy) reply.header('retry-after', String(options.retryAfterSeconds));
    return reply.code(healthy ? 200 : 503).send({ ...report, status: healthy ? 'ok' : 'unavailable' });
  };

  // Both at warn: every load balancer node and every Route 53 checker asks several times a minute,
  // and a reader's 503 on the writable check is the normal state of a standby region.
  app.get(HEALTH_PATHS.target, { schema: schemas.health, logLevel: 'warn' }, async (request, reply) => {
    const { serving, report } = await observeHealth(request);
    return sendHealth(reply, serving, report);
  });

  app.get(HEALTH_PATHS.writable, { schema: schemas.health, logLevel: 'warn' }, async (request, reply) => {
    const { writable, report } = await observeHealth(request);
    return sendHealth(reply, writable, report);
  });

  // Every other route needs the schema.
  app.register(async (instance) => {
    const api = instance.withTypeProvider<JsonSchemaToTsProvider>();
    api.addHook('preHandler', async () => {
      if (!options.schema.ready) {
        options.schema.keepTrying();
        throw new HttpError(503, 'SCHEMA_PENDING', MESSAGES.schemaPending);
      }
    });

    api.post('/transactions', { schema: schemas.createTransaction }, async (request, reply) => {
      const { accountId, currency, reference } = request.body;
      const code = currency as Currency;
      const amountMinor = request.body.amount !== undefined ? decimalToMinor(request.body.amount, code) : checkMinor(request.body.amountMinor as number);
      const { created, transaction } = await store.create(request.headers['idempotency-key'] as string, { accountId, amountMinor, currency: code, reference });
      if (!created) reply.header('idempotent-replayed', 'true');
      return reply.code(201).header('location', `/transactions/${transaction.id}`).send(transaction);
    });

    api.get('/transactions/:id', { schema: schemas.getTransaction }, async (request) => {
      const transaction = await store.get(request.params.id);
      if (transaction === undefined) throw new HttpError(404, 'TRANSACTION_NOT_FOUND', `No transaction ${request.params.id}`);
      return transaction;
    });

    api.get('/transactions', { schema: schemas.listTransactions }, async (request) => {
      const { accountId, limit, cursor } = request.query;
      const page = await store.list(accountId, limit, cursor);
      return { items: page.items, nextCursor: page.nextCursor ?? null };
    });

    api.get('/accounts/:id/balance', { schema: schemas.getBalance }, async (request) => {
      const balances = await store.balances(request.params.id);
      if (balances.length === 0) throw new HttpError(404, 'ACCOUNT_NOT_FOUND', `No transactions for account ${request.params.id}`);
      return { accountId: request.params.id, balances };
    });
  });

  return app;
}
