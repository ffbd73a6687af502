import { type Server, type Socket, connect, createServer } from 'node:net';

/**
 * The Aurora global writer endpoint, locally: one TCP address that leads to whichever database is
 * the writer. Aurora updates the endpoint's DNS record after a switchover or failover
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html,
 * "Considerations when using the global writer endpoint"); clients see the change once their
 * cached answer expires (a 5 s TTL). Here a re-point takes effect after `ttlMs`, and closes the
 * connections made through the old answer, as the demoted writer's restart does in Aurora, so the
 * service's pool reconnects to the new writer.
 */
export class GlobalWriterEndpoint {
  private readonly sockets = new Set<Socket>();
  private pending: NodeJS.Timeout | undefined;

  private constructor(
    private readonly server: Server,
    private target: number,
    private readonly ttlMs: number,
  ) {}

  static async start(targetPort: number, ttlMs: number): Promise<GlobalWriterEndpoint> {
    const server = createServer();
    const endpoint = new GlobalWriterEndpoint(server, targetPort, ttlMs);
    server.on('connection', (client) => endpoint.forward(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return endpoint;
  }

  get port(): number {
    const address = this.server.address();
    if (!address || typeof address !== 'object') throw new Error('the writer endpoint is not listening');
    return address.port;
  }

  /** The writer changed: clients find the new one once their cached answer expires. */
  repoint(targetPort: number): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.target = targetPort;
      for (const socket of this.sockets) socket.destroy();
    }, this.ttlMs);
  }

  private forward(client: Socket): void {
    const upstream = connect(this.target, '127.0.0.1');
    this.sockets.add(client);
    this.sockets.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  async close(): Promise<void> {
    if (this.pending) clearTimeout(this.pending);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
