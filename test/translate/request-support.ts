// What the conformance-style request tables share (requests.test.ts, requests-multiple-gateways.test.ts,
// listenerset-requests.test.ts): a
// golden input is translated, its proxy config compiled by the proxy's own compiler, and each request
// resolved by the proxy's own routeRequest(), arriving on the proxy port a real client would use: the
// proxy's own port by default, a Gateway's data port as its status address says, or — down the tunnel —
// the port of the scenario's ingress rule for the host.
import { afterAll } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseProxyConfig } from '../../proxy/config/schema.js';
import { UpstreamRegistry } from '../../proxy/forward/upstream.js';
import { DEFAULT_LIMITS } from '../../proxy/limits.js';
import { compileTable, type RoutingTable } from '../../proxy/router/table.js';
import { routeRequest, type RouteSource } from '../../proxy/server/handle.js';
import type { DesiredState, Snapshot } from '../../src/core/types.js';
import { parseManifests, toSnapshot } from '../../src/sources/manifests.js';
import { DATA_PORT_ADDRESS_TYPE } from '../../src/translate/gateway-ports.js';
import { translate } from '../../src/translate/index.js';
import { TRANSLATE_OPTIONS } from './support.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden', 'testdata');
export const OPTIONS = { ...TRANSLATE_OPTIONS, tunnelId: 't', dataAddressHost: '127.0.0.1' };
const registry = new UpstreamRegistry(DEFAULT_LIMITS);
afterAll(() => registry.closeAll());

export interface Req {
  /** The Host header as sent, port included (example.com when absent). */
  host?: string;
  /** Arrived on a TLS port (a Host without a port then means 443). */
  tls?: boolean;
  /** Came down the tunnel: on the proxy port the scenario's ingress rule for the host names. */
  tunnel?: boolean;
  /** Sent to this Gateway's address ("namespace/name"), as its status lists it; else to the proxy's own port. */
  gateway?: string;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

export interface Scenario {
  table: RoutingTable;
  desired: DesiredState;
}

export function scenarioOf(name: string): Scenario {
  const file = `${name}.in.yaml`;
  return scenarioOfSnapshot(toSnapshot(parseManifests(readFileSync(join(DATA, file), 'utf8'), file)).snapshot);
}

/** A snapshot translated (with whatever the translator remembers from earlier calls) and compiled. */
export function scenarioOfSnapshot(snapshot: Snapshot): Scenario {
  const desired = translate(snapshot, OPTIONS);
  return { table: compileTable(parseProxyConfig(desired.proxyConfig), registry), desired };
}

/** The Service of the first backend of the rule the proxy picks, or the status it answers itself. */
export function resolve(scenario: Scenario, req: Req): string | number {
  const headers = Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const query = req.query ? `?${new URLSearchParams(req.query).toString()}` : '';
  const { localPort, tls } = arrival(scenario, req);
  const routed = routeRequest(source(req, tls, localPort, headers, query), scenario.table, DEFAULT_LIMITS);
  if (!('match' in routed)) return routed.status;
  const backend = routed.match.rule.backends[0];
  return backend ? backend.name.split('/')[1]!.split(':')[0]! : 404;
}

/** The proxy port the request arrives on, and whether it is a TLS one. */
function arrival({ desired }: Scenario, req: Req): { localPort: number; tls: boolean } {
  const host = req.host ?? 'example.com';
  if (req.tunnel) {
    // cloudflared matches its rules on the name without the port.
    const name = host.replace(/:\d*$/, '');
    const rule = desired.ingress.ingress.find((r) => r.hostname === name);
    if (!rule) throw new Error(`no ingress rule for ${host}`);
    const url = new URL(rule.service);
    return { localPort: Number(url.port), tls: url.protocol === 'https:' };
  }
  const tls = req.tls === true;
  if (req.gateway === undefined) return { localPort: tls ? OPTIONS.proxyTlsPort : OPTIONS.proxyHttpPort, tls };
  const [namespace, name] = req.gateway.split('/');
  const status = desired.statuses.find((s) => s.kind === 'Gateway' && s.namespace === namespace && s.name === name);
  const addresses = (status?.status.addresses ?? []) as Array<{ type: string; value: string }>;
  const address = addresses.find((a) => a.type === DATA_PORT_ADDRESS_TYPE);
  if (!address) throw new Error(`Gateway ${req.gateway} lists no data port address`);
  if (!tls) return { localPort: Number(address.value.split(':').pop()), tls };
  // The Gateway on the proxy's own ports names none in the config.
  const scope = desired.proxyConfig.gateways?.find((g) => g.name === req.gateway);
  return { localPort: scope?.tlsPort ?? OPTIONS.proxyTlsPort, tls };
}

function source(
  req: Req,
  tls: boolean,
  localPort: number,
  headers: Record<string, string>,
  query: string,
): RouteSource {
  const host = req.host ?? 'example.com';
  return {
    method: req.method ?? 'GET',
    target: `${req.path}${query}`,
    authority: host,
    headers: { ...headers, host },
    rawHeaders: ['host', host, ...Object.entries(headers).flat()],
    remoteAddress: '127.0.0.1',
    localPort,
    encrypted: tls,
    http2: false,
  };
}

export const V1 = 'infra-backend-v1';
export const V2 = 'infra-backend-v2';
export const V3 = 'infra-backend-v3';

/** A gRPC call as the proxy sees it: POST /<service>/<method> with metadata as headers. */
export function grpc(host: string, headers: Record<string, string>, method = 'Echo'): Req {
  return { host, path: `/gateway_api_conformance.echo_basic.grpcecho.GrpcEcho/${method}`, method: 'POST', headers };
}
