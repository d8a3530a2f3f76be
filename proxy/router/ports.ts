// Host tables per listener port. The port a request is for: the one its Host header names, when some listener
// has it; otherwise (no port, or one no listener has) the default port of how it arrived — 80 on the cleartext
// port, 443 on the TLS port — or the other of the two when that one has nothing for the host. Through the
// tunnel a visitor's http:// and https:// both arrive without a port, on the one proxy port the ingress names
// for the hostname, so the proxy cannot tell which the visitor used; a Gateway with only an HTTP listener on
// 80 still serves its gRPC (which comes in on the TLS port), one with only HTTPS on 443 its plain HTTP.
import { HostTable, NO_PORT } from './host.js';

export class ListenerHosts<T> {
  private readonly byPort = new Map<number, HostTable<T>>();
  /** Entries without ports serve every port: they are in every port's table, and here for the other ports. */
  private readonly everyPort = new HostTable<T>();
  private readonly unported: Array<[string, T]> = [];

  /** A port some listener has: a Host naming it is routed among its entries only, even when it has none. */
  addPort(port: number): void {
    this.portTable(port);
  }

  /** Entries come in config order; the first for a (port, host key) wins. No ports: every port. */
  add(hostname: string, ports: readonly number[] | undefined, entry: T): void {
    if (ports === undefined) {
      this.unported.push([hostname, entry]);
      this.everyPort.add(hostname, entry);
      for (const table of this.byPort.values()) table.add(hostname, entry);
    } else {
      for (const port of ports) this.portTable(port).add(hostname, entry);
    }
  }

  /**
   * `host` normalised, `port` as the Host header names it (NO_PORT when it names none), `encrypted` when the
   * request came in on the TLS port. At most two map lookups more than a single host table.
   */
  lookup(host: string, port = NO_PORT, encrypted = false): T | undefined {
    // Stryker disable next-line ConditionalExpression: a fast path only; no listener has port NO_PORT (0: the schema's ports are 1–65535), so byPort.get(0) is undefined anyway
    if (port !== NO_PORT) {
      const named = this.byPort.get(port);
      if (named !== undefined) return named.lookup(host);
    }
    const first = this.byPort.get(encrypted ? 443 : 80) ?? this.everyPort;
    const hit = first.lookup(host);
    if (hit !== undefined) return hit;
    const second = this.byPort.get(encrypted ? 80 : 443) ?? this.everyPort;
    // Stryker disable next-line ConditionalExpression: a fast path only; looking the same table up again misses again
    return second === first ? undefined : second.lookup(host);
  }

  /** A port's table, created with the every-port entries added so far (so each table keeps config order). */
  private portTable(port: number): HostTable<T> {
    let table = this.byPort.get(port);
    if (table === undefined) {
      table = new HostTable<T>();
      for (const [hostname, entry] of this.unported) table.add(hostname, entry);
      this.byPort.set(port, table);
    }
    return table;
  }
}
