// The data ports of the Gateways (ADR 0009) besides the proxy's own `--listen` / `--tls-listen` ones. Each
// swapped-in table names every Gateway's ports; a port not open yet is opened (on the host of the matching
// own listener), one no Gateway names any more is closed. A port that cannot be bound is logged once and
// tried again every RETRY_MS (and with each new config): the proxy keeps serving everything else. The
// connections of a closed port are closed with it: what they would send next is for a Gateway that left.
import type net from 'node:net';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ProxyGatewayScope } from '../config/schema.js';
import { listen, type DataPlane } from './listener.js';

export interface OwnPorts {
  http: { host: string; port: number };
  tls?: { host: string; port: number };
}

type Kind = 'http' | 'tls';

/** How often ports that could not be bound are tried again. */
const RETRY_MS = 5_000;

interface Wanted {
  kind: Kind;
  port: number;
  gateway: string;
}

export class GatewayListeners {
  /** Open extra listeners by "kind:port". */
  private readonly open = new Map<string, { kind: Kind; port: number; server: net.Server; sockets: Set<Socket> }>();
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  /** Ports that could not be bound ("kind:port"): logged once, retried by the timer. */
  private readonly failed = new Set<string>();
  private latest: readonly ProxyGatewayScope[] = [];
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly plane: Pick<DataPlane, 'newCleartext' | 'newSecure'>,
    private readonly own: OwnPorts,
    private readonly logger: Logger,
  ) {}

  /** Opens and closes listeners to match `gateways`; runs after the previous call finished. */
  reconcile(gateways: readonly ProxyGatewayScope[]): Promise<void> {
    this.latest = gateways;
    this.queue = this.queue
      .then(() => this.apply(gateways))
      .catch((err: unknown) => {
        this.logger.error({ err }, 'Gateway data ports could not be updated');
      });
    return this.queue;
  }

  /** Resolves once every reconcile asked so far is done. */
  settled(): Promise<void> {
    return this.queue;
  }

  /** The extra data ports open now, ascending. */
  ports(): number[] {
    return [...this.open.values()].map((l) => l.port).sort((a, b) => a - b);
  }

  /** Stops accepting on every extra port (a drain destroys their connections with the others). */
  close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    return this.reconcile([]);
  }

  private async apply(gateways: readonly ProxyGatewayScope[]): Promise<void> {
    const wanted = this.closed ? new Map<string, Wanted>() : this.wanted(gateways);
    const closing = [...this.open].filter(([key]) => !wanted.has(key));
    for (const [key, l] of closing) {
      this.open.delete(key);
      l.server.close();
      // On shutdown the drain lets their requests finish; a Gateway that left takes its connections along.
      if (!this.closed) for (const socket of l.sockets) socket.destroy();
      this.logger.info({ port: l.port, kind: l.kind }, 'Gateway data port closed');
    }
    for (const [key, w] of wanted) if (!this.open.has(key)) await this.start(key, w);
    for (const key of this.failed) if (!wanted.has(key)) this.failed.delete(key);
    if (this.failed.size > 0 && this.retry === undefined && !this.closed) {
      this.retry = setTimeout(() => {
        this.retry = undefined;
        void this.reconcile(this.latest);
      }, RETRY_MS).unref();
    }
  }

  /** The ports the Gateways need that the proxy's own listeners do not already serve. */
  private wanted(gateways: readonly ProxyGatewayScope[]): Map<string, Wanted> {
    const out = new Map<string, Wanted>();
    for (const g of gateways) {
      // No port: the Gateway is served on the proxy's own listeners.
      if (g.port !== undefined && g.port !== this.own.http.port)
        out.set(`http:${g.port}`, { kind: 'http', port: g.port, gateway: g.name });
      // Without a TLS listener of its own the proxy has no certificate: no TLS ports at all.
      if (g.tlsPort !== undefined && this.own.tls && this.plane.newSecure && g.tlsPort !== this.own.tls.port)
        out.set(`tls:${g.tlsPort}`, { kind: 'tls', port: g.tlsPort, gateway: g.name });
    }
    return out;
  }

  private async start(key: string, w: Wanted): Promise<void> {
    const server = w.kind === 'http' ? this.plane.newCleartext() : this.plane.newSecure!();
    const sockets = new Set<Socket>();
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    const host = w.kind === 'http' ? this.own.http.host : this.own.tls!.host;
    try {
      await listen(server, host, w.port);
    } catch (err) {
      if (!this.failed.has(key))
        this.logger.error(
          { gateway: w.gateway, port: w.port, kind: w.kind, err: (err as Error).message },
          `could not open the data port of a Gateway: its routes are not served there (retried every ${RETRY_MS / 1000} s)`,
        );
      this.failed.add(key);
      return;
    }
    this.failed.delete(key);
    this.open.set(key, { kind: w.kind, port: w.port, server, sockets });
    this.logger.info({ gateway: w.gateway, host, port: w.port, kind: w.kind }, 'Gateway data port open');
  }
}
