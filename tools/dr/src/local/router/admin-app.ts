import Fastify, { type FastifyInstance } from 'fastify';
import { DR_ROLES } from '@txn-dr/config';
import { type ChangeInfo, ControlPlaneUnavailableError, Route53ApiError } from './control-plane';
import { MAX_WEIGHT } from './options';
import type { RecordsView } from './views';

/** What the admin listener serves: Route 53's API, and the drill's switch for its outage. */
export interface AdminApi {
  records(): RecordsView;
  changeWeights(weights: unknown): ChangeInfo;
  getChange(id: string): ChangeInfo;
  /** Throws the outage's 503 while the control plane is down. */
  assertControlPlaneAvailable(): void;
  controlPlaneAvailable(): boolean;
  setControlPlaneAvailable(available: boolean): void;
}

const weight = { type: 'integer', minimum: 0, maximum: MAX_WEIGHT } as const;
const changeBody = {
  type: 'object',
  required: ['weights'],
  additionalProperties: false,
  properties: {
    weights: { type: 'object', required: [...DR_ROLES], additionalProperties: false, properties: Object.fromEntries(DR_ROLES.map((role) => [role, weight])) },
  },
} as const;
const faultBody = { type: 'object', required: ['available'], additionalProperties: false, properties: { available: { type: 'boolean' } } } as const;
const changeInfo = {
  type: 'object',
  required: ['id', 'status', 'submittedAt', 'weights'],
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: ['PENDING', 'INSYNC'] },
    submittedAt: { type: 'string' },
    weights: { type: 'object', required: [...DR_ROLES], properties: Object.fromEntries(DR_ROLES.map((role) => [role, weight])) },
  },
} as const;
const faultState = { type: 'object', required: ['available'], properties: { available: { type: 'boolean' } } } as const;
const changeParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 64 } } } as const;

/**
 * Route 53's API on a listener of its own: GET /records, POST /changes, GET /changes/:id answer 503
 * while the control plane is down, before anything else about the call is looked at. The fault
 * switch, /faults/control-plane, is the drill's hand and always answers.
 */
export function buildAdminApp(api: AdminApi): FastifyInstance {
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    // A weight of "100" is not a weight: no coercion, no silently dropped fields.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  });

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof ControlPlaneUnavailableError) {
      return reply.code(error.statusCode).send({ error: error.code, message: error.message, fault: error.fault });
    }
    if (error instanceof Route53ApiError) return reply.code(error.statusCode).send({ error: error.code, message: error.message });
    if ((error as { validation?: unknown }).validation) return reply.code(400).send({ error: 'InvalidInput', message: (error as Error).message });
    return reply.code(500).send({ error: 'InternalFailure', message: 'The request processing has failed because of an unknown error.' });
  });

  void app.register(async (route53) => {
    // onRequest runs before body validation: an outage answers 503 even to a malformed call.
    route53.addHook('onRequest', async () => api.assertControlPlaneAvailable());
    route53.get('/records', async () => api.records());
    route53.post('/changes', { schema: { body: changeBody, response: { 200: changeInfo } } }, async (request) => api.changeWeights((request.body as { weights: unknown }).weights));
    route53.get('/changes/:id', { schema: { params: changeParams, response: { 200: changeInfo } } }, async (request) => api.getChange((request.params as { id: string }).id));
  });

  app.get('/faults/control-plane', { schema: { response: { 200: faultState } } }, async () => ({ available: api.controlPlaneAvailable() }));
  app.post('/faults/control-plane', { schema: { body: faultBody, response: { 200: faultState } } }, async (request) => {
    api.setControlPlaneAvailable((request.body as { available: boolean }).available);
    return { available: api.controlPlaneAvailable() };
  });
  return app;
}
