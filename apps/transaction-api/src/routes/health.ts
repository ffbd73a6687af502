import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { DrRole } from '@txn-dr/config';
import { HEALTH_PATHS } from '@txn-dr/contracts';
import type { FastifyRequest } from 'fastify';
import type { Database } from '../db/database';
import type { SchemaState } from '../db/schema-state';
import { HealthProbe, healthView, type HealthView } from '../health';
import * as schemas from '../schemas';

/** A database the health endpoints ask, and the state of its schema. */
export interface HealthTarget {
  readonly db: Database;
  readonly schema: SchemaState;
}

export interface HealthRoutesOptions {
  /** The database the status is judged on: the region's own cluster when the probes have an endpoint of their own. */
  readonly probed: HealthTarget;
  /**
   * The data endpoint, when it is not `probed`: asked beside it, within the same limit, only to
   * report it as `writer`.
   * @default none
   */
  readonly writer?: HealthTarget;
  /** AWS region, reported. */
  readonly region: string;
  /** DR role the instance was launched with, reported beside the database's own answer. */
  readonly role: DrRole;
  /** Limit of the database probe. */
  readonly healthTimeoutMs: number;
  /** `Retry-After` of a 503. */
  readonly retryAfterSeconds: number;
}

/**
 * The two health endpoints, at their absolute paths (`HEALTH_PATHS` of @txn-dr/contracts, which
 * the target group and the Route 53 health check read too): register without a prefix.
 */
export const healthRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: HealthRoutesOptions }> = async (app, options) => {
  const { probed, writer, retryAfterSeconds } = options;
  const probe = new HealthProbe(probed.db, options.healthTimeoutMs);
  const writerProbe = writer !== undefined ? new HealthProbe(writer.db, options.healthTimeoutMs) : undefined;
  const identity = { region: options.region, configuredRole: options.role };

  /** Both endpoints share one bounded probe; they differ only in what they call healthy. */
  const observe = async (request: FastifyRequest): Promise<HealthView> => {
    const [outcome, writerOutcome] = await Promise.all([probe.check(), writerProbe?.check()]);
    if (!outcome.ok) request.log.warn({ err: outcome.error, latencyMs: outcome.latencyMs }, 'health: database unreachable');
    if (writerOutcome !== undefined && !writerOutcome.ok) request.log.warn({ err: writerOutcome.error, latencyMs: writerOutcome.latencyMs }, 'health: data endpoint unreachable');
    return healthView(
      { outcome, schemaReady: schemaReady(probed.schema) },
      identity,
      writer !== undefined && writerOutcome !== undefined ? { outcome: writerOutcome, schemaReady: schemaReady(writer.schema) } : undefined,
    );
  };

  // Both at warn: every load balancer node and every Route 53 checker asks several times a minute,
  // and a reader's 503 on the writable check is the normal state of a standby region.
  app.get(HEALTH_PATHS.target, { schema: schemas.health, logLevel: 'warn' }, async (request, reply) => {
    const { serving, report } = await observe(request);
    if (!serving) reply.header('retry-after', String(retryAfterSeconds));
    return reply.code(serving ? 200 : 503).send({ ...report, status: serving ? 'ok' : 'unavailable' });
  });

  app.get(HEALTH_PATHS.writable, { schema: schemas.health, logLevel: 'warn' }, async (request, reply) => {
    const { writable, report } = await observe(request);
    if (!writable) reply.header('retry-after', String(retryAfterSeconds));
    return reply.code(writable ? 200 : 503).send({ ...report, status: writable ? 'ok' : 'unavailable' });
  });
};

/** Whether the schema is current; when it is not, makes sure something keeps looking. */
function schemaReady(schema: SchemaState): boolean {
  if (!schema.ready) schema.keepTrying();
  return schema.ready;
}
