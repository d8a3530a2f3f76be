// Routing scopes per Gateway (ADR 0009). Each Gateway has its own data ports; a connection is routed among
// the host entries of the Gateway whose port it arrived on (the socket's local port: nothing the client
// sends picks it), then by listener port and host as in ports.ts. The Gateway listed without ports is
// served on the proxy's own ports (--listen, --tls-listen), which are every port no Gateway names. Entries
// without a Gateway form the unscoped table, used there when no Gateway is on the own ports — and for every
// port in a config without gateways.
import type { ProxyGatewayScope } from '../config/schema.js';
import { ListenerHosts } from './ports.js';

export interface Scopes<T> {
  /** The unscoped table. */
  hosts: ListenerHosts<T>;
  /** A Gateway's table by each of its data ports (cleartext and TLS). */
  byLocalPort: Map<number, ListenerHosts<T>>;
  /** The table of the Gateway on the proxy's own ports, if one is. */
  ownPorts: ListenerHosts<T> | undefined;
}

export class ScopesBuilder<T> {
  private readonly unscoped = new ListenerHosts<T>();
  private readonly byName = new Map<string, ListenerHosts<T>>();

  constructor(
    private readonly gateways: readonly ProxyGatewayScope[] | undefined,
    listenerPorts: readonly number[] | undefined,
  ) {
    // Stryker disable next-line ArrayDeclaration: a made-up port in the default list would be a string key no numeric port looks up
    for (const port of listenerPorts ?? []) this.unscoped.addPort(port);
    for (const g of gateways ?? []) {
      const hosts = new ListenerHosts<T>();
      for (const port of g.listenerPorts) hosts.addPort(port);
      this.byName.set(g.name, hosts);
    }
  }

  /** Entries come in config order; a Gateway name the config does not list was refused by validation. */
  add(hostname: string, gateway: string | undefined, ports: readonly number[] | undefined, entry: T): void {
    const table = gateway === undefined ? this.unscoped : this.byName.get(gateway);
    table?.add(hostname, ports, entry);
  }

  build(): Scopes<T> {
    const byLocalPort = new Map<number, ListenerHosts<T>>();
    let ownPorts: ListenerHosts<T> | undefined;
    // Stryker disable next-line ArrayDeclaration: a made-up entry in the default list has no table, port or TLS port, so it sets nothing
    for (const g of this.gateways ?? []) {
      const hosts = this.byName.get(g.name)!;
      if (g.port === undefined) ownPorts = hosts;
      else byLocalPort.set(g.port, hosts);
      // Stryker disable next-line ConditionalExpression: an undefined key is never looked up (scopeFor checks localPort first)
      if (g.tlsPort !== undefined) byLocalPort.set(g.tlsPort, hosts);
    }
    return { hosts: this.unscoped, byLocalPort, ownPorts };
  }
}

/** The table a connection on `localPort` routes with: its Gateway's, else the own ports' one, else the unscoped one. */
export function scopeFor<T>(scopes: Scopes<T>, localPort: number | undefined): ListenerHosts<T> {
  // Stryker disable next-line ConditionalExpression: a fast path only; byLocalPort has numeric keys, get(undefined) misses too
  return (localPort !== undefined && scopes.byLocalPort.get(localPort)) || scopes.ownPorts || scopes.hosts;
}
