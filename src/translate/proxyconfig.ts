// Step 6: the proxy config. Rules of every served route; per listener port, one host entry per host key
// holding, in precedence order, every match that applies to requests the proxy resolves to that key on that
// port. The proxy finds the request's listener port (proxy/README.md), picks the most specific key for the
// request host among that port's entries, and the first match wins, so a key also carries the matches of
// broader route hostnames ("foo.a.com" holds a "*.a.com" route's matches, ranked after its own), except where
// listener isolation picks a more specific listener of the same Gateway on that port. A key with the same
// matches on several ports is written once, with all of them (a Gateway with HTTP 80 and HTTPS 443 listeners
// and routes attached to both costs one entry per key, as one port does). Each Gateway with a data port is
// a routing scope of its own (ADR 0009): its entries name it, and requests arriving on its port see only them.
import { caRefsOf, type ProxyConfigInput } from '../../proxy/config/schema.js';
import { compareHostKeys } from '../gatewayapi/hostnames.js';
import { nsName } from '../gatewayapi/values.js';
import { byGatewayAge } from './gateway-ports.js';
import type { GatewayIR } from './gateways.js';
import type { RouteIR } from './routes.js';
import type { RuleInput } from './rules.js';
import type { Steps } from '../core/steps.js';
import { forgetUnaskedHostMatches } from './host-matches.js';
import { assembleRules } from './rule-assembly.js';
import { hostsOnPortSteps, type PortHost } from './port-hosts.js';
import { configVersionSteps } from './config-version.js';
import { changedRange, replacedRange } from '../core/changed-range.js';

type HostInput = ProxyConfigInput['hosts'][number];
type GatewayScopeInput = NonNullable<ProxyConfigInput['gateways']>[number];

export interface ProxyConfigOptions {
  /** Some GatewayClass of ours asks for the access log. */
  accessLog: boolean;
  /** CA bundle id → PEM of the usable BackendTLSPolicies; the config carries those its rules name. */
  cas: ReadonlyMap<string, string>;
}

/**
 * `routes` oldest first (route-order.ts): rules are numbered in that order, so a new route's rules come last.
 * Yields while ranking a host key's matches afresh (host-matches.ts) and while hashing.
 */
export function* buildProxyConfigSteps(
  routes: readonly RouteIR[],
  gateways: Iterable<GatewayIR>,
  { accessLog, cas }: ProxyConfigOptions,
): Steps<ProxyConfigInput> {
  // Oldest first, as ports are given; a Gateway without a data port serves nothing.
  const scoped = [...gateways].filter((g) => g.serving && g.dataPorts).sort(byGatewayAge);
  const { rules, onPorts } = assembleRules(routes, new Map(scoped.map((g) => [g, portsOf(g)])));
  const scopes: GatewayScopeInput[] = [];
  const hosts: HostInput[] = [];
  for (const g of scoped) {
    const perPort: Array<{ port: number; hosts: PortHost[] }> = [];
    for (const [port, attachments] of onPorts.get(g)!)
      perPort.push({ port, hosts: yield* hostsOnPortSteps(g, port, attachments) });
    forgetUnaskedHostMatches(g);
    const name = nsName(g.namespace, g.name);
    hosts.push(...hostEntries(g, name, perPort));
    // The Gateway on the proxy's own ports names none: they are whatever --listen and --tls-listen say.
    const { http, tls, own: onOwnPorts } = g.dataPorts!;
    const listenerPorts = perPort.map((p) => p.port);
    scopes.push(onOwnPorts ? { name, listenerPorts } : { name, port: http, tlsPort: tls, listenerPorts });
  }
  // accessLog only when on: configs without it keep the versions (and texts) they always had.
  const body = { ...(scopes.length > 0 && { gateways: scopes }), rules, hosts, ...(accessLog && { accessLog }) };
  // Bundle ids are hashes of their PEM text, so the rules' text already versions the bundles.
  const version = yield* configVersionSteps(body);
  const caCertificates = usedCaBundles(rules, cas);
  return caCertificates.length ? { version, ...body, caCertificates } : { version, ...body };
}

/**
 * Per Gateway IR, its last build's config host entries, whichever way they were made, and when it served one
 * port, that port's host entries (port-hosts.ts) they were made from.
 */
const lastBuilds = new WeakMap<
  GatewayIR,
  { entries: readonly HostInput[]; onePort?: { port: number; hosts: readonly PortHost[] } }
>();

/**
 * The Gateway's config host entries. On one port (most Gateways), between two builds the port's entries are
 * the last ones but in the range a change reached (the same objects elsewhere: port-hosts.ts), so the last
 * build's config entries are kept by position and only that range is merged again (at 5,000 routes, merging
 * every hostname afresh was a tenth of a change's translation).
 */
function hostEntries(g: GatewayIR, name: string, perPort: Array<{ port: number; hosts: PortHost[] }>): HostInput[] {
  const [only, ...others] = perPort;
  const onePort = only && others.length === 0 ? { port: only.port, hosts: only.hosts } : undefined;
  const last = lastBuilds.get(g);
  const range =
    onePort && last?.onePort?.port === onePort.port ? changedRange(last.onePort.hosts, onePort.hosts) : undefined;
  let entries: HostInput[];
  if (!range) {
    entries = sameHostEntries(name, mergePorts(perPort), last?.entries ?? []);
  } else {
    // One port: one config entry per port entry. A host key the change re-ranked to the same matches keeps its entry.
    const replaced = new Map(last!.entries.slice(range.start, range.beforeEnd).map((e) => [e.hostname, e]));
    const changed = onePort!.hosts.slice(range.start, range.nowEnd).map((h) => {
      const old = replaced.get(h.hostname);
      return old?.matches === h.matches
        ? old
        : { hostname: h.hostname, gateway: name, ports: [onePort!.port], matches: h.matches };
    });
    entries = replacedRange(last!.entries, range.start, range.beforeEnd, changed);
  }
  lastBuilds.set(g, { entries, onePort });
  return entries;
}

/**
 * The Gateway's host entries, each the very object of the last build (`before`) when its hostname, ports and
 * matches array are the same: the config's hash and the push then skip it by identity (config-version.ts,
 * proxy/config/prepared.ts). Entries are never changed once built.
 */
function sameHostEntries(name: string, merged: PortsHost[], before: readonly HostInput[]): HostInput[] {
  const byName = byHostname(before);
  return merged.map((h) => {
    const kept = byName
      .get(h.hostname)
      ?.find(
        (e) =>
          e.matches === h.matches && e.ports!.length === h.ports.length && e.ports!.every((p, i) => p === h.ports[i]),
      );
    return kept ?? { hostname: h.hostname, gateway: name, ports: h.ports, matches: h.matches };
  });
}

function byHostname(entries: readonly HostInput[]): Map<string, HostInput[]> {
  const map = new Map<string, HostInput[]>();
  for (const e of entries) {
    const list = map.get(e.hostname);
    if (list) list.push(e);
    else map.set(e.hostname, [e]);
  }
  return map;
}

/** Each CA bundle the rules name, once, in id order. */
function usedCaBundles(rules: RuleInput[], cas: ReadonlyMap<string, string>): Array<{ id: string; pem: string }> {
  // No usable BackendTLSPolicy (most snapshots): no rule can name a bundle, and none is looked for.
  if (cas.size === 0) return [];
  const ids = new Set<string>();
  for (const r of rules) for (const id of caIdsOf(r)) ids.add(id);
  return [...ids].sort().map((id) => ({ id, pem: cas.get(id)! }));
}

/** Rules are never changed once built (memo.ts): what they name is looked up once per rule object. */
const caIds = new WeakMap<RuleInput, string[]>();

function caIdsOf(rule: RuleInput): string[] {
  let ids = caIds.get(rule);
  if (!ids) caIds.set(rule, (ids = caRefsOf(rule).map((ref) => ref.id)));
  return ids;
}

/**
 * Ports of the Gateway's listeners that can carry routes: a Host naming another port is routed as if it named
 * none. A port the CRD would refuse (0, 70000: only a hand-written manifest has one) is no port; its routes
 * get none.
 */
function portsOf(g: GatewayIR): number[] {
  const ports = new Set<number>();
  for (const l of g.listeners) if (l.routable && isPort(l.port)) ports.add(l.port);
  return [...ports].sort((a, b) => a - b);
}

function isPort(n: number | undefined): n is number {
  return n !== undefined && n >= 1 && n <= 65_535;
}

type PortsHost = PortHost & { ports: number[] };

/** One entry per hostname and list of matches, with every port it serves; host keys in precedence order. */
function mergePorts(perPort: Array<{ port: number; hosts: PortHost[] }>): PortsHost[] {
  const byHostname = new Map<string, PortsHost[]>();
  for (const { port, hosts } of perPort) {
    for (const h of hosts) {
      const same = byHostname.get(h.hostname);
      const entry = same?.find((e) => sameMatches(e.matches, h.matches));
      if (entry) entry.ports.push(port);
      else if (same) same.push({ hostname: h.hostname, ports: [port], matches: h.matches });
      else byHostname.set(h.hostname, [{ hostname: h.hostname, ports: [port], matches: h.matches }]);
    }
  }
  return [...byHostname.keys()].sort(compareHostKeys).flatMap((hostname) => byHostname.get(hostname)!);
}

/** Matches of one route rule share their match object across ports, so identity is equality here. */
function sameMatches(a: HostInput['matches'], b: HostInput['matches']): boolean {
  return a.length === b.length && a.every((m, i) => m.rule === b[i]!.rule && m.match === b[i]!.match);
}
