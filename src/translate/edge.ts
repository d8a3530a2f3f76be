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
// the https visitors), else the cleartext port (80). Each Gateway has its own pair of proxy ports (ADR 0009):
// a hostname goes to those of the Gateway that publishes it; when several Gateways publish one (one tunnel
// serves them all), the oldest gets it and the others say so in their status (gateway-ports.ts).
import type { ProxyConfigInput } from '../../proxy/config/schema.js';
import {
  PLACEHOLDER_TUNNEL_HOSTNAME,
  type DnsRecord,
  type IngressDocument,
  type IngressRule,
  type TranslateOptions,
} from '../core/types.js';
import { changedRange, type ChangedRange } from '../core/changed-range.js';
import { Recent } from '../core/recent.js';
import { ANY_HOST, compareHostKeys } from '../gatewayapi/hostnames.js';
import { nsName } from '../gatewayapi/values.js';
import { byGatewayAge } from './gateway-ports.js';
import type { GatewayIR } from './gateways.js';
import { coveringNames } from './host-matches.js';
import type { RouteIR } from './routes.js';

export interface EdgeResult {
  ingress: IngressDocument;
  dns: DnsRecord[];
  /** Per younger Gateway, its hostnames the tunnel sends to an older Gateway instead. */
  taken: Map<GatewayIR, Array<{ hostname: string; by: GatewayIR }>>;
}

export function buildEdge(
  routes: readonly RouteIR[],
  proxyConfig: ProxyConfigInput,
  options: TranslateOptions,
): EdgeResult {
  const target = options.tunnelId ? `${options.tunnelId}.cfargotunnel.com` : PLACEHOLDER_TUNNEL_HOSTNAME;
  const published = publishedHostnames(routes);
  const base = published.edge?.target === target ? published.edge : undefined;
  const changedKeys = base && published.touched && changedHostKeys(base.hosts, proxyConfig.hosts);
  const edge = changedKeys
    ? updatedEdge(base!, published.names, published.touched!, changedKeys, proxyConfig)
    : freshEdge(published.names, proxyConfig, target);
  published.edge = edge;
  const taken = new Map<GatewayIR, Array<{ hostname: string; by: GatewayIR }>>();
  for (const hostname of edge.hostnames) {
    const gateways = published.names.get(hostname)!;
    if (gateways.size < 2) continue;
    const [owner, ...others] = [...gateways.keys()].sort(byGatewayAge);
    for (const g of others) taken.set(g, [...(taken.get(g) ?? []), { hostname, by: owner! }]);
  }
  const ingress = edge.hostnames.map((h) => edge.rules.get(h)!);
  ingress.push(NOT_FOUND);
  const dns = edge.hostnames.map((h) => edge.records.get(h)!);
  return { ...sameEdgeDocuments({ ingress: { ingress }, dns }), taken };
}

const NOT_FOUND: IngressRule = { service: 'http_status:404' };

/** Per published hostname its ingress rule and DNS record, as built for the hosts and tunnel target named. */
interface EdgeState {
  target: string;
  hosts: ProxyConfigInput['hosts'];
  /** Published hostnames, exact first then wildcards (cloudflared takes the first rule that matches). */
  hostnames: string[];
  rules: Map<string, IngressRule>;
  records: Map<string, DnsRecord>;
}

function freshEdge(publishers: Publishers, config: ProxyConfigInput, target: string): EdgeState {
  const hostnames = [...publishers.keys()].sort(compareHostKeys);
  const entries = entriesByGateway(config);
  const rules = new Map<string, IngressRule>();
  const records = new Map<string, DnsRecord>();
  for (const h of hostnames) {
    rules.set(h, ruleFor(h, publishers, entries, config));
    records.set(h, { name: h, type: 'CNAME', content: target, proxied: true });
  }
  return { target, hosts: config.hosts, hostnames, rules, records };
}

/**
 * The last edge with only the hostnames a change can reach built again: those whose publishers changed, and
 * those a changed host entry covers (a rule reads the entries of its hostname and of the keys above it). Every
 * other rule and record is the same object, so the document is recognised without serializing it again.
 */
function updatedEdge(
  base: EdgeState,
  publishers: Publishers,
  touched: ReadonlySet<string>,
  changedKeys: ReadonlySet<string>,
  config: ProxyConfigInput,
): EdgeState {
  const keysMoved = [...touched].some((h) => publishers.has(h) !== base.rules.has(h));
  const hostnames = keysMoved ? [...publishers.keys()].sort(compareHostKeys) : base.hostnames;
  let entries: ReturnType<typeof entriesByGateway> | undefined;
  const rules = new Map<string, IngressRule>();
  const records = new Map<string, DnsRecord>();
  for (const h of hostnames) {
    const kept = base.rules.get(h);
    const dirty = !kept || touched.has(h) || coveringNames(h).some((n) => changedKeys.has(n));
    rules.set(h, dirty ? ruleFor(h, publishers, (entries ??= entriesByGateway(config)), config) : kept);
    records.set(h, base.records.get(h) ?? { name: h, type: 'CNAME', content: base.target, proxied: true });
  }
  return { target: base.target, hosts: config.hosts, hostnames, rules, records };
}

/** The hostnames of the host entries in the one range that changed, or undefined when too much did. */
function changedHostKeys(before: ProxyConfigInput['hosts'], now: ProxyConfigInput['hosts']): Set<string> | undefined {
  const range = changedRange(before, now);
  if (!range) return undefined;
  const keys = new Set<string>();
  for (let i = range.start; i < range.beforeEnd; i++) keys.add(before[i]!.hostname);
  for (let i = range.start; i < range.nowEnd; i++) keys.add(now[i]!.hostname);
  return keys;
}

/** The hostname's rule, to the ports of the oldest Gateway publishing it (gateway-ports.ts). */
function ruleFor(
  hostname: string,
  publishers: Publishers,
  entries: ReturnType<typeof entriesByGateway>,
  config: ProxyConfigInput,
): IngressRule {
  const owner = [...publishers.get(hostname)!.keys()].sort(byGatewayAge)[0]!;
  return ingressRule(hostname, owner, entries.get(nsName(owner.namespace, owner.name)), config);
}

/** Recent ingress documents and DNS record lists with their items' JSON, newest first. */
const recentDocuments = new Recent<Pick<EdgeResult, 'ingress' | 'dns'> & { texts: string[] }>();

/** Each rule's or record's JSON: unchanged ones are the same objects from call to call. */
const itemTexts = new WeakMap<object, string>();
function textOf(item: object): string {
  let text = itemTexts.get(item);
  if (text === undefined) itemTexts.set(item, (text = JSON.stringify(item)));
  return text;
}

/**
 * The very objects of a recent call when equal to them: most changes leave the edge as it was, and the
 * coordinator then recognises it by identity instead of comparing fingerprints of the whole document
 * (machines/shared/coordinator-plan.ts). Rules and records are small flat objects: their JSON compares them.
 */
function sameEdgeDocuments(built: Pick<EdgeResult, 'ingress' | 'dns'>): Pick<EdgeResult, 'ingress' | 'dns'> {
  const texts = [...built.ingress.ingress, ...built.dns].map(textOf);
  const known = recentDocuments.take(
    (d) => d.texts.length === texts.length && d.texts.every((text, i) => text === texts[i]),
  );
  return known ?? recentDocuments.add({ ...built, texts });
}

function ingressRule(
  hostname: string,
  owner: GatewayIR,
  entries: Map<string, HostEntry[]> = new Map(),
  config: ProxyConfigInput,
): IngressRule {
  const { http, tls } = owner.dataPorts!;
  if (servesGrpc(entries, hostname, config))
    return {
      hostname,
      service: `https://localhost:${tls}`,
      originRequest: { http2Origin: true, noTLSVerify: true },
    };
  if (differsOn443(entries, hostname))
    return { hostname, service: `https://localhost:${tls}`, originRequest: { noTLSVerify: true } };
  return { hostname, service: `http://localhost:${http}` };
}

/** Per hostname, the Gateways publishing it, each with how many route parents publish it there. */
type Publishers = Map<string, Map<GatewayIR, number>>;

/**
 * A recent call's routes and answer, newest first (the next call usually differs from one of them in one
 * route), with the edge built from that answer (buildEdge's base for the next call that takes this entry).
 */
interface Published {
  routes: readonly RouteIR[];
  names: Publishers;
  /** The hostnames whose publishers this call changed; undefined when it counted every route afresh. */
  touched?: Set<string>;
  edge?: EdgeState;
}
const recentPublished = new Recent<Published>();

/**
 * Hostnames of routes accepted on our Gateways that have data ports, each with those Gateways. Route IRs are
 * never changed once built (memo.ts), so when the list differs from a recent one in a few IRs in one place
 * (changed-range.ts), only those are visited: the answer is that one's, less the old IRs', plus the new IRs'.
 * That map is updated in place and handed out: callers only read it, before the next call.
 */
function publishedHostnames(routes: readonly RouteIR[]): Published {
  let changed: ChangedRange | undefined;
  const recent = recentPublished.take((r) => (changed = changedRange(r.routes, routes)) !== undefined);
  if (recent && changed) {
    const touched = new Set<string>();
    for (let i = changed.start; i < changed.beforeEnd; i++) count(recent.names, recent.routes[i]!, -1, touched);
    for (let i = changed.start; i < changed.nowEnd; i++) count(recent.names, routes[i]!, 1, touched);
    return recentPublished.replace(recent, { routes, names: recent.names, touched, edge: recent.edge });
  }
  const names: Publishers = new Map();
  for (const route of routes) count(names, route, 1);
  return recentPublished.add({ routes, names });
}

/** Adds (by +1) or removes (by -1) the hostnames a route publishes, noting each in `touched`. */
function count(names: Publishers, route: RouteIR, by: 1 | -1, touched?: Set<string>): void {
  for (const p of route.parents) {
    if (!p.accepted || !p.gateway?.dataPorts) continue;
    for (const l of p.listeners) {
      for (const h of l.hostnames) {
        if (h === ANY_HOST) continue;
        touched?.add(h);
        let gateways = names.get(h);
        if (!gateways) names.set(h, (gateways = new Map()));
        const n = (gateways.get(p.gateway) ?? 0) + by;
        if (n > 0) gateways.set(p.gateway, n);
        else gateways.delete(p.gateway);
        if (gateways.size === 0) names.delete(h);
      }
    }
  }
}

/** Whether the hostname's entry carries a gRPC rule: it must reach the proxy over HTTP/2 (its TLS port). */
function servesGrpc(entries: Map<string, HostEntry[]>, hostname: string, config: ProxyConfigInput): boolean {
  return (entries.get(hostname) ?? []).some((h) => h.matches.some((m) => config.rules[m.rule]?.kind === 'grpc'));
}

type HostEntry = ProxyConfigInput['hosts'][number];

/** Each Gateway's entries by hostname ("" for entries of no Gateway). */
function entriesByGateway(config: ProxyConfigInput): Map<string, Map<string, HostEntry[]>> {
  const byGateway = new Map<string, Map<string, HostEntry[]>>();
  for (const h of config.hosts) {
    const key = h.gateway ?? '';
    const byName = byGateway.get(key) ?? new Map<string, HostEntry[]>();
    byGateway.set(key, byName.set(h.hostname, [...(byName.get(h.hostname) ?? []), h]));
  }
  return byGateway;
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
