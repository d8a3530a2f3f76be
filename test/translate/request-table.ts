// Resolving requests against a translated golden input the way the proxy does: the golden input is translated,
// the proxy config compiled by the proxy's own compiler, and each request resolved by the proxy's own
// routeRequest() (Host header and arrival → listener port and host entry, then the first match of that entry).
// Shared by the request tables (requests.test.ts, listenerset-requests.test.ts).
import { afterAll } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseProxyConfig } from '../../proxy/config/schema.js';
import { UpstreamRegistry } from '../../proxy/forward/upstream.js';
import { DEFAULT_LIMITS } from '../../proxy/limits.js';
import { compileTable, type RoutingTable } from '../../proxy/router/table.js';
import { routeRequest, type RouteSource } from '../../proxy/server/handle.js';
import { DEFAULT_CONTROLLER_NAME } from '../../src/core/types.js';
import { parseManifests, toSnapshot } from '../../src/sources/manifests.js';
import { translate } from '../../src/translate/index.js';

const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden', 'testdata');
const OPTIONS = {
  controllerName: DEFAULT_CONTROLLER_NAME,
  now: '2026-01-01T00:00:00Z',
  tunnelId: 't',
  proxyHttpPort: 8080,
  proxyTlsPort: 8443,
};
const registry = new UpstreamRegistry(DEFAULT_LIMITS);
afterAll(() => registry.closeAll());

export interface Req {
  /** The Host header as sent, port included (example.com when absent). */
  host?: string;
  /** Arrived on the proxy's TLS port (a Host without a port then means 443). */
  tls?: boolean;
  /** Came down the tunnel: on the proxy port the scenario's ingress rule for the host names. */
  tunnel?: boolean;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

export interface Scenario {
  table: RoutingTable;
  /** Hostnames the tunnel ingress sends to the proxy's TLS port. */
  tlsHosts: Set<string>;
}

export function scenarioOf(name: string): Scenario {
  const file = `${name}.in.yaml`;
  const { proxyConfig, ingress } = translate(
    toSnapshot(parseManifests(readFileSync(join(DATA, file), 'utf8'), file)).snapshot,
    OPTIONS,
  );
  const tlsHosts = ingress.ingress.filter((r) => r.service.startsWith('https:')).map((r) => r.hostname!);
  return { table: compileTable(parseProxyConfig(proxyConfig), registry), tlsHosts: new Set(tlsHosts) };
}

/** The Service of the first backend of the rule the proxy picks, or the status it answers itself. */
export function resolve({ table, tlsHosts }: Scenario, req: Req): string | number {
  const headers = Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const query = req.query ? `?${new URLSearchParams(req.query).toString()}` : '';
  const tls = req.tls ?? (req.tunnel === true && tlsHosts.has(req.host ?? 'example.com'));
  const routed = routeRequest(source(req, tls, headers, query), table, DEFAULT_LIMITS);
  if (!('match' in routed)) return routed.status;
  const backend = routed.match.rule.backends[0];
  return backend ? backend.name.split('/')[1]!.split(':')[0]! : 404;
}

function source(req: Req, tls: boolean, headers: Record<string, string>, query: string): RouteSource {
  const host = req.host ?? 'example.com';
  return {
    method: req.method ?? 'GET',
    target: `${req.path}${query}`,
    authority: host,
    headers: { ...headers, host },
    rawHeaders: ['host', host, ...Object.entries(headers).flat()],
    remoteAddress: '127.0.0.1',
    encrypted: tls,
    http2: false,
  };
}

/** A gRPC call as the proxy sees it: POST /<service>/<method> with metadata as headers. */
export function grpc(host: string, headers: Record<string, string>, method = 'Echo'): Req {
  return { host, path: `/gateway_api_conformance.echo_basic.grpcecho.GrpcEcho/${method}`, method: 'POST', headers };
}

export const V1 = 'infra-backend-v1';
export const V2 = 'infra-backend-v2';
export const V3 = 'infra-backend-v3';
