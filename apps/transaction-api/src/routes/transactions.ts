import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { HttpError } from '../errors';
import { AmountError, checkMinor, decimalToMinor, type Currency } from '../money';
import * as schemas from '../schemas';
import type { TransactionStore } from '../transactions';

export interface TransactionRoutesOptions {
  /** Where transactions are recorded and read. */
  readonly store: Pick<TransactionStore, 'create' | 'get' | 'list'>;
}

/**
 * The transactions resource, meant for the prefix `/transactions`: `POST` and `GET` on the
 * collection, `GET /:id` on one. Request and reply types come from the route schemas.
 */
export const transactionRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: TransactionRoutesOptions }> = async (app, { store }) => {
  // Under a prefix, Fastify registers `/` as both `/transactions` and `/transactions/` unless told
  // otherwise (`prefixTrailingSlash`); the collection has one URL.
  app.post('/', { prefixTrailingSlash: 'no-slash', schema: schemas.createTransaction }, async (request, reply) => {
    const { accountId, currency, reference } = request.body;
    const amountMinor = minorUnits(request.body);
    const { created, transaction } = await store.create(request.headers['idempotency-key'], { accountId, amountMinor, currency, reference });
    if (!created) reply.header('idempotent-replayed', 'true');
    return reply.code(201).header('location', `${app.prefix}/${transaction.id}`).send(transaction);
  });

  app.get('/:id', { schema: schemas.getTransaction }, async (request) => {
    const transaction = await store.get(request.params.id);
    if (transaction === undefined) throw new HttpError(404, 'TRANSACTION_NOT_FOUND', `No transaction ${request.params.id}`);
    return transaction;
  });

  app.get('/', { prefixTrailingSlash: 'no-slash', schema: schemas.listTransactions }, async (request) => {
    const { accountId, limit, cursor } = request.query;
    const page = await store.list(accountId, limit, cursor);
    return { items: page.items, nextCursor: page.nextCursor ?? null };
  });
};

/** The amount of a request body in minor units, from whichever of `amount` and `amountMinor` it has. */
function minorUnits(body: { readonly amount?: string; readonly amountMinor?: number; readonly currency: Currency }): number {
  if (body.amount !== undefined) return decimalToMinor(body.amount, body.currency);
  if (body.amountMinor !== undefined) return checkMinor(body.amountMinor);
  // The body schema's oneOf lets no such body through; this keeps the handler honest without it.
  throw new AmountError('body must have exactly one of amount or amountMinor');
}
