import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { classifyDbError, DbClientError } from './db/errors';
import { AmountError } from './money';
import { BalanceRangeError, IdempotencyConflictError } from './transactions';

/** An error meant for the client: its status, code and message are safe to send. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The one body shape of every error reply. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  requestId: string;
}

export const MESSAGES = {
  readOnly: "This region's database is a read-only replica, so it takes no writes now; the active region does. Retry later or there.",
  unavailable: 'The database is not answering. Retry later.',
  schemaPending: 'The database schema is not ready yet. Retry later.',
  internal: 'Internal error. The request id identifies it in the service logs.',
} as const;

/**
 * Turns any error into a reply that tells the client what it can act on and nothing else: no
 * stack, no SQL, no driver text. The details go to the log with the request id.
 */
export function errorHandler(retryAfterSeconds: number) {
  return function handle(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const send = (statusCode: number, code: string, message: string) => {
      const body: ErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', code, message, requestId: String(request.id) };
      if (statusCode === 503) reply.header('retry-after', String(retryAfterSeconds));
      return reply.code(statusCode).send(body);
    };

    if (error instanceof HttpError) return send(error.statusCode, error.code, error.message);
    if (error.validation) {
      request.log.info({ validation: error.validation }, 'request failed validation');
      return send(400, 'VALIDATION_FAILED', validationMessage(error));
    }
    if (error instanceof AmountError) return send(400, 'INVALID_AMOUNT', error.message);
    if (error instanceof IdempotencyConflictError) {
      return send(409, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a different request. Use a new key for a new request.');
    }
    if (error instanceof BalanceRangeError) return send(422, 'BALANCE_OUT_OF_RANGE', 'The transaction would take the balance out of the supported range.');

    // Fastify's own client errors (body too large, bad JSON, wrong media type) carry safe messages.
    if (typeof error.code === 'string' && error.code.startsWith('FST_') && error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return send(error.statusCode, FASTIFY_CODES[error.code] ?? 'BAD_REQUEST', error.message);
    }

    // The database layer logs the credential outage as it happens; one line per refused request
    // would be a stack trace per request, at the rate requests arrive.
    if (error instanceof DbClientError && error.code === 'DB_CREDENTIALS_UNAVAILABLE') {
      request.log.warn({ code: error.code }, 'refused: no working database credential yet');
      return send(503, 'DB_UNAVAILABLE', MESSAGES.unavailable);
    }
    switch (classifyDbError(error)) {
      case 'read-only':
        request.log.warn({ err: error }, 'write refused: the database is read-only');
        return send(503, 'DB_READ_ONLY', MESSAGES.readOnly);
      case 'unavailable':
      case 'retryable':
        request.log.error({ err: error }, 'database unavailable');
        return send(503, 'DB_UNAVAILABLE', MESSAGES.unavailable);
      default:
        request.log.error({ err: error }, 'request failed');
        return send(500, 'INTERNAL', MESSAGES.internal);
    }
  };
}

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'EMPTY_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_CONTENT_LENGTH',
};

function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  // ajv's "must match exactly one schema in oneOf" does not say what to do.
  if (error.validationContext === 'body' && first?.keyword === 'oneOf' && first.instancePath === '') {
    return 'body must have exactly one of amount (a decimal string such as "12.34") or amountMinor (an integer of minor units such as 1234)';
  }
  return error.message;
}
