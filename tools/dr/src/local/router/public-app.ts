import replyFrom from '@fastify/reply-from';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Balancer } from './balancer';

export interface PublicAppOptions {
  /** The balancer the resolver's current answer points at. */
  readonly route: () => Balancer;
}

/**
 * The public name as a client reaches it: one resolver picks a region (for a TTL), and that
 * region's balancer forwards the request. Nothing else is served here; the admin API has its own
 * listener.
 */
export async function buildPublicApp(options: PublicAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    // close() must not wait for keep-alive clients or for a request stuck on a silent target.
    forceCloseConnections: true,
  });
  // Bodies are forwarded as the raw stream, so the target gets the very bytes the client sent
  // (a JSON body is not parsed and serialized again) with its own Content-Type and Content-Length.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  await app.register(replyFrom, {
    disableRequestLogging: true,
    // An ALB forwards once: reply-from would otherwise resend a GET that got a 503.
    retryMethods: [],
    destroyAgent: true,
  });
  app.setErrorHandler((error, _request, reply) => {
    // A request the proxy refuses (a path with '..') keeps its 4xx; anything else is the router's
    // fault. Generic bodies either way; x-dr-region stays if the balancer had set it.
    const status = (error as { statusCode?: number }).statusCode;
    const code = typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
    void reply.code(code).type('text/plain; charset=utf-8').send(code === 500 ? '500 Internal Server Error' : `${code} Bad Request`);
  });
  app.all('/*', (request, reply) => options.route().forward(request, reply));
  return app;
}
