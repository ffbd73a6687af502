import type { DrRole } from '@txn-dr/config';
import Ajv, { type Options as AjvOptions } from 'ajv';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Database } from './db/database';
import type { SchemaState } from './db/schema-state';
import { HttpError, MESSAGES, errorHandler } from './errors';
import { accountRoutes } from './routes/accounts';
import { healthRoutes } from './routes/health';
import { transactionRoutes } from './routes/transactions';
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
 * `inject`. The routes are one plugin per resource (`routes/`), each given what it uses as
 * options; every route declares its request and reply schemas, which type its handler.
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
  const app = Fastify({ ...serverOptions, ...(options.logger ? { loggerInstance: options.logger } : { logger: false }) });

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

  app.register(healthRoutes, {
    probed: options.probe ?? { db: options.db, schema: options.schema },
    ...(options.probe !== undefined ? { writer: { db: options.db, schema: options.schema } } : {}),
    region: options.region,
    role: options.role,
    healthTimeoutMs: options.healthTimeoutMs,
    retryAfterSeconds: options.retryAfterSeconds,
  });

  // Every other route needs the schema.
  app.register(async (api) => {
    api.addHook('preHandler', async () => {
      if (!options.schema.ready) {
        options.schema.keepTrying();
        throw new HttpError(503, 'SCHEMA_PENDING', MESSAGES.schemaPending);
      }
    });
    const store = new TransactionStore(options.db);
    api.register(transactionRoutes, { prefix: '/transactions', store });
    api.register(accountRoutes, { prefix: '/accounts', store });
  });

  return app;
}
