import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ProbeResult, probeHttp } from './health-check';

/** Names the region that served a response, the balancer's own errors included. */
export const REGION_HEADER = 'x-dr-region';

export interface BalancerOptions {
  /** AWS region name, for `x-dr-region`. */
  readonly region: string;
  /** Base URLs of the targets that pass target health now. */
  readonly targets: () => readonly string[];
  /** A target that sends nothing by then gets the client a 504. */
  readonly upstreamTimeoutMs: number;
}

/**
 * One region's Application Load Balancer: round robin, the default routing algorithm of a target
 * group, over the targets that pass target health.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html
 *
 * The errors it makes itself, as an ALB does
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html):
 * 503 when no target is there to take the request, 502 when the target refuses or drops the
 * connection, 504 when it sends nothing within the timeout. A target's own status, 5xx included,
 * passes through untouched, and so does a request: method, path, query, headers and body bytes.
 */
export class Balancer {
  private turn = 0;

  constructor(private readonly options: BalancerOptions) {}

  get region(): string {
    return this.options.region;
  }

  /** The next target in turn; undefined when there is none. Health checks take turns too. */
  next(): string | undefined {
    const targets = this.options.targets();
    if (targets.length === 0) return undefined;
    const target = targets[this.turn % targets.length];
    this.turn = (this.turn + 1) % Number.MAX_SAFE_INTEGER;
    return target;
  }

  /** Proxies the request to the next target with @fastify/reply-from. */
  forward(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const { region } = this.options;
    reply.header(REGION_HEADER, region);
    const target = this.next();
    if (target === undefined) return sendError(reply, region, 503);
    return reply.from(undefined, {
      getUpstream: () => target,
      timeout: this.options.upstreamTimeoutMs,
      rewriteRequestHeaders: (_request, headers) => ({ ...headers, ...forwardedHeaders(request, headers['x-forwarded-for']) }),
      // The region is the balancer's to name: a target cannot pass for another region.
      rewriteHeaders: (headers) => ({ ...headers, [REGION_HEADER]: region }),
      onError: (_reply, { error }) => {
        sendError(reply, region, statusOf(error) === 504 ? 504 : 502);
      },
    });
  }

  /**
   * What a Route 53 health check of this balancer sees: the target's status line, 503 when there
   * is no target, 502 when the target refuses the connection, nothing at all (a failed check) when
   * it does not answer within `timeoutMs`.
   */
  async probe(path: string, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> {
    let target: string | undefined;
    try {
      target = this.next();
    } catch (error) {
      return { ok: false, error: `targets() failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (target === undefined) return { ok: false, status: 503, error: 'no healthy targets' };
    const result = await probeHttp(new URL(path, target).href, timeoutMs, signal);
    if (result.status === undefined && result.error !== undefined && CONNECTION_ERRORS.has(result.error)) {
      return { ok: false, status: 502, error: `target ${target}: ${result.error}` };
    }
    return result;
  }
}

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH']);

const STATUS_TEXT: Record<502 | 503 | 504, string> = {
  502: '502 Bad Gateway',
  503: '503 Service Temporarily Unavailable',
  504: '504 Gateway Time-out',
};

function sendError(reply: FastifyReply, region: string, status: 502 | 503 | 504): FastifyReply {
  return reply.code(status).header(REGION_HEADER, region).type('text/plain; charset=utf-8').send(STATUS_TEXT[status]);
}

/** reply-from turns every upstream timeout (headers, body, connect) into an error with status 504. */
function statusOf(error: Error): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The X-Forwarded headers an ALB adds: the client's address appended to X-Forwarded-For (the
 * default `append` mode), the protocol and the port the client connected to.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/x-forwarded-headers.html
 */
function forwardedHeaders(request: FastifyRequest, existing: string | string[] | undefined): Record<string, string> {
  const before = Array.isArray(existing) ? existing.join(', ') : existing;
  const client = request.ip;
  return {
    'x-forwarded-for': before ? `${before}, ${client}` : client,
    'x-forwarded-proto': 'http',
    'x-forwarded-port': String(request.socket.localPort ?? ''),
  };
}
