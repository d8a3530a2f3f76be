// Step 2c: each Gateway's own data ports (ADR 0009). The proxy selects the Gateway by the port a connection
// arrives on, so two Gateways can route the same host and path differently. A pure function of the
// snapshot, stable when a newer Gateway is added:
// - a Gateway annotated `cloudflare-tunnel-gateway.dev/data-port: "<port>"` gets that cleartext port (pins
//   are taken first, the older Gateway winning a port two pin; the proxy's own ports cannot be pinned);
// - the oldest Gateway without the annotation gets the proxy's own ports (--listen, --tls-listen), so the
//   one-Gateway setup is unchanged;
// - every other Gateway, oldest first (creationTimestamp, then namespace/name), gets the next free port
//   above --listen, and every Gateway but the first the next free one above --tls-listen.
// A Gateway that gets no port (a bad or taken pin, or no free port left) is Programmed=False/
// AddressNotUsable and its routes are served nowhere. Ports are given to every Gateway of ours, accepted or
// not, so a Gateway going in and out of acceptance moves no other.
import type { TranslateOptions } from '../core/types.js';
import * as c from '../gatewayapi/conditions.js';
import { byString, nsName, timestamp } from '../gatewayapi/values.js';
import type { GatewayIR } from './gateways.js';

export const DATA_PORT_ANNOTATION = 'cloudflare-tunnel-gateway.dev/data-port';
/** The status address type of a Gateway's own data port ("host:port"; a domain-prefixed type allows it). */
export const DATA_PORT_ADDRESS_TYPE = 'cloudflare-tunnel-gateway.dev/data-port';

export interface DataPorts {
  http: number;
  tls: number;
  /** The proxy's own ports (--listen, --tls-listen): the config names none, so they need not match the flags. */
  own: boolean;
}

export interface PortAssignment {
  ports: Map<GatewayIR, DataPorts>;
  /** Why a Gateway got no port. */
  problems: Map<GatewayIR, string>;
}

/** Oldest first; no creationTimestamp counts as youngest; then namespace/name. */
export function byGatewayAge(a: GatewayIR, b: GatewayIR): number {
  const ta = timestamp(a.obj.metadata.creationTimestamp) || '~';
  const tb = timestamp(b.obj.metadata.creationTimestamp) || '~';
  return byString(ta, tb) || byString(nsName(a.namespace, a.name), nsName(b.namespace, b.name));
}

/** The Gateways with their data ports, addresses and, for those without a port, why. Same keys and order. */
export function withDataPorts(gateways: Map<string, GatewayIR>, options: TranslateOptions): Map<string, GatewayIR> {
  const { ports, problems } = assignDataPorts([...gateways.values()], options);
  const out = new Map<string, GatewayIR>();
  for (const [key, g] of gateways) {
    const problem = problems.get(g);
    out.set(key, problem !== undefined ? unaddressed(g, problem) : addressed(g, ports.get(g)!, options));
  }
  return out;
}

export function assignDataPorts(
  gateways: GatewayIR[],
  { proxyHttpPort, proxyTlsPort }: Pick<TranslateOptions, 'proxyHttpPort' | 'proxyTlsPort'>,
): PortAssignment {
  const ordered = [...gateways].sort(byGatewayAge);
  const { pinned, problems } = pins(ordered, [proxyHttpPort, proxyTlsPort]);
  const taken = new Set([proxyHttpPort, proxyTlsPort, ...pinned.values()]);
  const nextHttp = freePorts(proxyHttpPort, taken);
  const nextTls = freePorts(proxyTlsPort, taken);
  const ports = new Map<GatewayIR, DataPorts>();
  let ownPortsGiven = false;
  for (const g of ordered) {
    if (problems.has(g)) continue;
    const pin = pinned.get(g);
    if (pin === undefined && !ownPortsGiven) {
      ownPortsGiven = true;
      ports.set(g, { http: proxyHttpPort, tls: proxyTlsPort, own: true });
      continue;
    }
    const http = pin ?? nextHttp();
    const tls = http === undefined ? undefined : nextTls();
    if (http === undefined || tls === undefined) problems.set(g, 'no free data port is left for this Gateway');
    else ports.set(g, { http, tls, own: false });
  }
  return { ports, problems };
}

/** The annotated ports, oldest Gateway first; an unusable or taken one is a problem. */
function pins(
  ordered: GatewayIR[],
  own: number[],
): { pinned: Map<GatewayIR, number>; problems: Map<GatewayIR, string> } {
  const pinned = new Map<GatewayIR, number>();
  const owners = new Map<number, GatewayIR>();
  const problems = new Map<GatewayIR, string>();
  for (const g of ordered) {
    const raw = g.obj.metadata.annotations?.[DATA_PORT_ANNOTATION];
    if (raw === undefined) continue;
    const port = /^\d{1,5}$/.test(raw.trim()) ? Number(raw.trim()) : 0;
    const owner = owners.get(port);
    const why =
      port < 1 || port > 65_535
        ? `annotation ${DATA_PORT_ANNOTATION} "${raw}" is not a port number from 1 to 65535`
        : own.includes(port)
          ? `annotation ${DATA_PORT_ANNOTATION}: port ${port} is the proxy's own (--listen or --tls-listen), which serves the oldest Gateway without the annotation`
          : owner
            ? `annotation ${DATA_PORT_ANNOTATION}: port ${port} is pinned by the older Gateway ${nsName(owner.namespace, owner.name)}`
            : undefined;
    if (why !== undefined) problems.set(g, why);
    else {
      pinned.set(g, port);
      owners.set(port, g);
    }
  }
  return { pinned, problems };
}

/** The free ports above `base`, one per call, each taken as it is given; undefined past 65535. */
function freePorts(base: number, taken: Set<number>): () => number | undefined {
  let next = base + 1;
  return () => {
    while (taken.has(next)) next++;
    if (next > 65_535) return undefined;
    taken.add(next);
    return next++;
  };
}

function addressed(g: GatewayIR, dataPorts: DataPorts, options: TranslateOptions): GatewayIR {
  const host = options.dataAddressHost;
  if (host === undefined) return { ...g, dataPorts };
  const value = host.includes(':') ? `[${host}]:${dataPorts.http}` : `${host}:${dataPorts.http}`;
  return { ...g, dataPorts, addresses: [...g.addresses, { type: DATA_PORT_ADDRESS_TYPE, value }] };
}

function unaddressed(g: GatewayIR, problem: string): GatewayIR {
  const conditions = g.conditions.map((x) =>
    x.type === 'Programmed' && x.status === 'True' ? c.gatewayAddressNotUsable(problem) : x,
  );
  return { ...g, conditions };
}

/** A younger Gateway's hostnames that the tunnel sends to an older Gateway (edge.ts), said on its status. */
export function withTunnelHostnamesTaken(
  g: GatewayIR,
  taken: ReadonlyArray<{ hostname: string; by: GatewayIR }>,
): GatewayIR {
  if (taken.length === 0) return g;
  const list = taken.map((t) => `${t.hostname} (${nsName(t.by.namespace, t.by.name)})`).join(', ');
  const msg = `the tunnel sends these hostnames to an older Gateway, which serves them: ${list}; this Gateway serves them on its own data port only`;
  return { ...g, conditions: [...g.conditions, c.gatewayTunnelHostnamesTaken(msg)] };
}
