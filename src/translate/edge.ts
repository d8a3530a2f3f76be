// Step 7: the Cloudflare side: the tunnel's ingress document and the DNS records we own.
// Routes published without any hostname (host key "*") cannot be named on Cloudflare: the proxy serves
// them, but they get no ingress rule or DNS record. DNS records point at the placeholder target while the
// tunnel id is unknown, so `render` still shows what would be created.
// Ingress rules name hostnames only: cloudflared refuses a port in a rule's hostname and matches rules on
// the request's name without its port, then passes the Host header on as the visitor sent it, port
// included — the proxy picks the listener port from it (proxy/README.md). A visitor's http:// and https://
// both come without a port, so which proxy port a hostname is sent to decides which of 80 and 443 its
// portless requests are for: the TLS port (443) when it carries gRPC (cloudflared needs TLS for HTTP/2) or
// when its routes on 443 differ from those on 80 (an HTTP listener that redirects to https must not see
// the https visitors), else the cleartext port (80).
import type { ProxyConfigInput } from '../../proxy/config/schema.js';
import {
  PLACEHOLDER_TUNNEL_HOSTNAME,
  type DnsRecord,
  type IngressDocument,
  type IngressRule,
  type TranslateOptions,
} from '../core/types.js';
import { ANY_HOST, compareHostKeys } from '../gatewayapi/hostnames.js';
import { coveringNames } from './proxyconfig.js';
import type { RouteIR } from './routes.js';

export interface EdgeResult {
  ingress: IngressDocument;
  dns: DnsRecord[];
}

export function buildEdge(routes: RouteIR[], proxyConfig: ProxyConfigInput, options: TranslateOptions): EdgeResult {
  const hostnames = publishedHostnames(routes);
  const grpcHosts = hostsServingGrpc(proxyConfig);
  const entries = entriesByHostname(proxyConfig);
  const ingress: IngressRule[] = hostnames.map((hostname) => {
    if (grpcHosts.has(hostname))
      return {
        hostname,
        service: `https://localhost:${options.proxyTlsPort}`,
        originRequest: { http2Origin: true, noTLSVerify: true },
      };
    if (differsOn443(entries, hostname))
      return { hostname, service: `https://localhost:${options.proxyTlsPort}`, originRequest: { noTLSVerify: true } };
    return { hostname, service: `http://localhost:${options.proxyHttpPort}` };
  });
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

type HostEntry = ProxyConfigInput['hosts'][number];

function entriesByHostname(config: ProxyConfigInput): Map<string, HostEntry[]> {
  const byName = new Map<string, HostEntry[]>();
  for (const h of config.hosts) {
    const list = byName.get(h.hostname);
    if (list) list.push(h);
    else byName.set(h.hostname, [h]);
  }
  return byName;
}

/**
 * Whether a request without a port for `hostname` gets another entry on the TLS port (443, else 80) than
 * on the cleartext port (80, else 443) — the proxy's own choice (proxy/router/ports.ts), made here on the
 * config: the most specific covering key among each port's entries.
 */
function differsOn443(entries: Map<string, HostEntry[]>, hostname: string): boolean {
  const on80 = entryFor(entries, hostname, 80);
  const on443 = entryFor(entries, hostname, 443);
  return (on80 ?? on443) !== (on443 ?? on80);
}

function entryFor(entries: Map<string, HostEntry[]>, hostname: string, port: number): HostEntry | undefined {
  for (const name of coveringNames(hostname)) {
    const entry = entries.get(name)?.find((h) => h.ports === undefined || h.ports.includes(port));
    if (entry) return entry;
  }
  return undefined;
}
