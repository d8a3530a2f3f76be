// Step 2c: each Gateway's own data ports (ADR 0009). The proxy selects the Gateway by the port a connection
// arrives on, so two Gateways can route the same host and path differently. A pure function of the
// snapshot, decided oldest first (creationTimestamp, then namespace/name), so a newer Gateway never moves an
// older one:
// - the oldest Gateway without the annotation below gets the proxy's own ports (--listen, --tls-listen), so
//   the one-Gateway setup is unchanged;
// - a Gateway annotated `cloudflare-tunnel-gateway.dev/data-port: "<port>"` gets that cleartext port, unless
//   it is the proxy's own or an older Gateway has it (pin outside the ports just above --listen to be safe);
// - every other one gets the next free port above --listen; every one but the first the next free one above
//   --tls-listen (a pinned one too: that port is only for cloudflared, on loopback).
// A Gateway that gets no port (a bad or taken pin, or no free port left) is Programmed=False/
// AddressNotUsable and its routes are served nowhere. Ports are given to every Gateway of ours, accepted or
// not, so a Gateway going in and out of acceptance moves no other.
import type { TranslateOptions } from '../core/types.js';
import * as c from '../gatewayapi/conditions.js';
import { byAge, nsName } from '../gatewayapi/values.js';
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
  return byAge(a.obj, b.obj);
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
  // One pass, oldest first: a Gateway's ports depend on older Gateways only, so a newer one never moves them.
  const owners = new Map<number, GatewayIR | undefined>([
    [proxyHttpPort, undefined],
    [proxyTlsPort, undefined],
  ]);
  const nextHttp = freePorts(proxyHttpPort, owners);
  const nextTls = freePorts(proxyTlsPort, owners);
  const ports = new Map<GatewayIR, DataPorts>();
  const problems = new Map<GatewayIR, string>();
  let ownPortsGiven = false;
  for (const g of [...gateways].sort(byGatewayAge)) {
    const raw = g.obj.metadata.annotations?.[DATA_PORT_ANNOTATION];
    if (raw === undefined && !ownPortsGiven) {
      ownPortsGiven = true;
      ports.set(g, { http: proxyHttpPort, tls: proxyTlsPort, own: true });
      continue;
    }
    const pin = raw === undefined ? undefined : pinProblem(raw, owners);
    if (typeof pin === 'string') {
      problems.set(g, pin);
      continue;
    }
    const http = pin ?? nextHttp();
    const tls = http === undefined ? undefined : nextTls();
    if (http === undefined || tls === undefined) {
      problems.set(g, 'no free data port is left for this Gateway');
      continue;
    }
    owners.set(http, g).set(tls, g);
    ports.set(g, { http, tls, own: false });
  }
  return { ports, problems };
}

/** The pinned port, or why it cannot be had: no port number, the proxy's own, or an older Gateway's. */
function pinProblem(raw: string, owners: Map<number, GatewayIR | undefined>): number | string {
  const port = /^\d{1,5}$/.test(raw.trim()) ? Number(raw.trim()) : 0;
  const where = `annotation ${DATA_PORT_ANNOTATION}`;
  if (port < 1 || port > 65_535) return `${where} "${raw}" is not a port number from 1 to 65535`;
  if (!owners.has(port)) return port;
  const owner = owners.get(port);
  return owner === undefined
    ? `${where}: port ${port} is the proxy's own (--listen or --tls-listen), which serves the oldest Gateway without the annotation`
    : `${where}: port ${port} is a data port of the older Gateway ${nsName(owner.namespace, owner.name)}`;
}

/** The ports above `base` no Gateway holds yet, one per call; undefined past 65535. The caller records the owner. */
function freePorts(base: number, owners: Map<number, unknown>): () => number | undefined {
  let next = base + 1;
  return () => {
    while (owners.has(next)) next++;
    return next > 65_535 ? undefined : next++;
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
