// Step 7: the Cloudflare side: the tunnel's ingress document and the DNS records we own.
// Routes published without any hostname (host key "*") cannot be named on Cloudflare: the proxy serves
// them, but they get no ingress rule or DNS record. DNS records point at the placeholder target while the
// tunnel id is unknown, so `render` still shows what would be created.
import type { ProxyConfigInput } from '../../proxy/config/schema.js';
import {
  PLACEHOLDER_TUNNEL_HOSTNAME,
  type DnsRecord,
  type IngressDocument,
  type IngressRule,
  type TranslateOptions,
} from '../core/types.js';
import { ANY_HOST, compareHostKeys } from '../gatewayapi/hostnames.js';
import type { RouteIR } from './routes.js';

export interface EdgeResult {
  ingress: IngressDocument;
  dns: DnsRecord[];
}

export function buildEdge(routes: RouteIR[], proxyConfig: ProxyConfigInput, options: TranslateOptions): EdgeResult {
  const hostnames = publishedHostnames(routes);
  const grpcHosts = hostsServingGrpc(proxyConfig);
  const ingress: IngressRule[] = hostnames.map((hostname) =>
    grpcHosts.has(hostname)
      ? {
          hostname,
          service: `https://localhost:${options.proxyTlsPort}`,
          originRequest: { http2Origin: true, noTLSVerify: true },
        }
      : { hostname, service: `http://localhost:${options.proxyHttpPort}` },
  );
  ingress.push({ service: 'http_status:404' });
  const target = options.tunnelId ? `${options.tunnelId}.cfargotunnel.com` : PLACEHOLDER_TUNNEL_HOSTNAME;
  const dns: DnsRecord[] = hostnames.map((name) => ({ name, type: 'CNAME', content: target, proxied: true }));
  return { ingress: { ingress }, dns };
}

/** Hostnames of routes accepted on our Gateways, exact first then wildcards (cloudflared takes the first rule that matches). */
function publishedHostnames(routes: RouteIR[]): string[] {
  const names = new Set<string>();
  for (const route of routes) {
    for (const p of route.parents.filter((x) => x.accepted)) {
      p.listeners.forEach((l) => l.hostnames.filter((h) => h !== ANY_HOST).forEach((h) => names.add(h)));
    }
  }
  return [...names].sort(compareHostKeys);
}

/** Hostnames whose host entry carries a gRPC rule: they must reach the proxy over HTTP/2 (its TLS port). */
function hostsServingGrpc(config: ProxyConfigInput): Set<string> {
  return new Set(
    config.hosts.filter((h) => h.matches.some((m) => config.rules[m.rule]?.kind === 'grpc')).map((h) => h.hostname),
  );
}
