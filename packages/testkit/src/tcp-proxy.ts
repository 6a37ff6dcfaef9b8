// A TCP proxy on 127.0.0.1 in front of one or more targets, for tests that need what stands
// between a client and a server in a deployment: a load balancer spreading connections round
// robin over several gateways (a Kubernetes Service, compose's DNS alias), or a network link the
// test can cut and heal. Connections are spliced byte for byte; a test may rewrite what comes
// back from the target (transformUpstream).
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';

export interface ProxyTarget {
  host: string;
  port: number;
}

interface Link {
  client: Socket;
  upstream: Socket;
  target: number;
}

export class TcpProxy {
  private server: Server | undefined;
  private readonly links = new Set<Link>();
  private readonly pending = new Set<Socket>();
  private readonly disabled = new Set<number>();
  private open = true;
  private next = 0;
  readonly targets: ProxyTarget[];
  /** The port the proxy listens on (127.0.0.1), once started. */
  port = 0;
  /** How many connections were spliced to each target so far. */
  readonly accepted: number[];
  /**
   * Per connection, a rewrite of the bytes coming back from the target (called once for each new
   * connection; the function it returns sees every chunk and returns what the client gets).
   */
  transformUpstream: (() => (chunk: Buffer) => Buffer) | undefined;

  constructor(targets: ProxyTarget | ProxyTarget[]) {
    this.targets = Array.isArray(targets) ? targets : [targets];
    if (this.targets.length === 0) throw new Error('TcpProxy needs a target');
    this.accepted = this.targets.map(() => 0);
  }

  get url(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
    this.port = (server.address() as { port: number }).port;
  }

  /**
   * Round robin over the enabled targets; a target that refuses the connection is skipped (as a
   * load balancer's health check would), and the client is dropped when none takes it. The
   * client's bytes wait until a target has accepted, so none are lost to a refused attempt.
   */
  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (!this.open) {
      client.destroy();
      return;
    }
    client.pause();
    this.pending.add(client);
    client.once('close', () => this.pending.delete(client));
    const order = this.targets.map((_, i) => (this.next + i) % this.targets.length);
    this.next = (this.next + 1) % this.targets.length;
    const candidates = order.filter((i) => !this.disabled.has(i));
    const attempt = (k: number): void => {
      const index = candidates[k];
      if (index === undefined || client.destroyed || !this.open) {
        client.destroy();
        return;
      }
      const target = this.targets[index]!;
      const upstream = tcpConnect(target.port, target.host);
      const onError = (): void => {
        upstream.destroy();
        attempt(k + 1);
      };
      upstream.once('error', onError);
      upstream.once('connect', () => {
        upstream.off('error', onError);
        upstream.on('error', () => undefined);
        this.pending.delete(client);
        if (client.destroyed || !this.open) {
          upstream.destroy();
          client.destroy();
          return;
        }
        this.splice({ client, upstream, target: index });
      });
    };
    attempt(0);
  }

  private splice(link: Link): void {
    const { client, upstream } = link;
    this.links.add(link);
    this.accepted[link.target]!++;
    const transform = this.transformUpstream?.();
    client.pipe(upstream);
    if (transform) {
      upstream.on('data', (chunk: Buffer) => {
        const out = transform(chunk);
        if (out.length > 0) client.write(out);
      });
    } else {
      upstream.pipe(client);
    }
    const end = (): void => {
      this.links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.once('close', end);
    upstream.once('close', end);
    client.resume();
  }

  /**
   * The target the connection from local port `clientPort` (a client's socket.localPort) is
   * spliced to, if it is open.
   */
  targetOf(clientPort: number): number | undefined {
    for (const link of this.links) if (link.client.remotePort === clientPort) return link.target;
    return undefined;
  }

  /** How many connections are spliced to each target right now. */
  get openConnections(): number[] {
    const counts = this.targets.map(() => 0);
    for (const link of this.links) counts[link.target]!++;
    return counts;
  }

  /**
   * Ends the spliced connections (both sides, as a reset link would): all of them, or those to
   * target `index`. Returns how many were ended.
   */
  drop(index?: number): number {
    let dropped = 0;
    for (const link of [...this.links]) {
      if (index !== undefined && link.target !== index) continue;
      link.client.destroy();
      link.upstream.destroy();
      this.links.delete(link);
      dropped++;
    }
    return dropped;
  }

  /** New connections skip target `index` (its open ones stay) until enable(index). */
  disable(index: number): void {
    this.disabled.add(index);
  }

  enable(index: number): void {
    this.disabled.delete(index);
  }

  /** A partition: every connection ends and new ones are refused until heal(). */
  cut(): void {
    this.open = false;
    for (const socket of this.pending) socket.destroy();
    this.drop();
  }

  heal(): void {
    this.open = true;
  }

  async close(): Promise<void> {
    this.cut();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
