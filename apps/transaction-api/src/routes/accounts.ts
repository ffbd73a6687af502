import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { HttpError } from '../errors';
import * as schemas from '../schemas';
import type { TransactionStore } from '../transactions';

export interface AccountRoutesOptions {
  /** Where the balances are read. */
  readonly store: Pick<TransactionStore, 'balances'>;
}

/** The accounts resource, meant for the prefix `/accounts`: `GET /:id/balance`. */
export const accountRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: AccountRoutesOptions }> = async (app, { store }) => {
  app.get('/:id/balance', { schema: schemas.getBalance }, async (request) => {
    const balances = await store.balances(request.params.id);
    if (balances.length === 0) throw new HttpError(404, 'ACCOUNT_NOT_FOUND', `No transactions for account ${request.params.id}`);
    return { accountId: request.params.id, balances };
  });
};
