// Step 6: the proxy config. Rules of every served route; one host entry per host key holding, in
// precedence order, every match that applies to requests the proxy resolves to that key. The proxy picks
// the most specific key for a request host and the first match wins, so a key also carries the matches of
// broader route hostnames ("foo.a.com" holds a "*.a.com" route's matches, ranked after its own), except
// where listener isolation picks a more specific listener of the same Gateway.
import { createHash } from 'node:crypto';
import { caRefsOf, type ProxyConfigInput } from '../../proxy/config/schema.js';
import { ANY_HOST, compareHostKeys, hostCovers, hostRank } from '../gatewayapi/hostnames.js';
import { timestamp } from '../gatewayapi/values.js';
import type { GatewayIR } from './gateways.js';
import type { ListenerIR } from './listeners.js';
import { compareMatches, compareMatchSortKeys, matchSortKey, type MatchEntry } from './precedence.js';
import type { RouteIR } from './routes.js';
import type { RuleInput } from './rules.js';

type HostInput = ProxyConfigInput['hosts'][number];

interface Attachment {
  gateway: GatewayIR;
  listener: ListenerIR;
  hostnames: string[];
  route: RouteIR;
  /** Index of the route's first rule in the config's rules. */
  firstRule: number;
}

/** `cas`: CA bundle id → PEM of the usable BackendTLSPolicies; the config carries those its rules name. */
export function buildProxyConfig(routes: RouteIR[], cas: ReadonlyMap<string, string> = new Map()): ProxyConfigInput {
  const rules: RuleInput[] = [];
  const attachments: Attachment[] = [];
  for (const route of routes.filter((r) => r.served)) {
    const firstRule = rules.length;
    rules.push(...route.rules.rules.map((r) => r.rule));
    for (const p of route.parents.filter((x) => x.accepted)) {
      for (const l of p.listeners)
        attachments.push({ gateway: p.gateway!, listener: l.listener, hostnames: l.hostnames, route, firstRule });
    }
  }
  const byHostname = indexByHostname(attachments);
  const all = hostKeys(attachments).map((key) => ({ hostname: key, matches: matchesFor(key, byHostname) }));
  const served = new Set(all.filter((h) => h.matches.length > 0).map((h) => h.hostname));
  // An empty key only matters when it shadows a broader key that would otherwise answer (listener isolation).
  const hosts = all.filter(
    (h) => served.has(h.hostname) || coveringNames(h.hostname).some((n) => n !== h.hostname && served.has(n)),
  );
  // Bundle ids are hashes of their PEM text, so the rules' text already versions the bundles.
  const version = createHash('sha256').update(JSON.stringify({ rules, hosts })).digest('hex');
  const caCertificates = usedCaBundles(rules, cas);
  return caCertificates.length ? { version, rules, hosts, caCertificates } : { version, rules, hosts };
}

/** Each CA bundle the rules name, once, in id order. */
function usedCaBundles(rules: RuleInput[], cas: ReadonlyMap<string, string>): Array<{ id: string; pem: string }> {
  const ids = new Set(rules.flatMap((r) => caRefsOf(r).map((ref) => ref.id)));
  return [...ids].sort().map((id) => ({ id, pem: cas.get(id)! }));
}

/** Every route hostname plus every listener hostname of the Gateways involved (needed for isolation). */
function hostKeys(attachments: Attachment[]): string[] {
  const keys = new Set<string>();
  const gateways = new Set<GatewayIR>();
  for (const a of attachments) {
    a.hostnames.forEach((h) => keys.add(h));
    gateways.add(a.gateway);
  }
  for (const g of gateways) g.listeners.filter((l) => l.routable).forEach((l) => keys.add(l.hostname ?? ANY_HOST));
  return [...keys].sort(compareHostKeys);
}

function indexByHostname(attachments: Attachment[]): Map<string, Attachment[]> {
  const index = new Map<string, Attachment[]>();
  for (const a of attachments) {
    for (const h of a.hostnames) {
      const list = index.get(h);
      if (list) list.push(a);
      else index.set(h, [a]);
    }
  }
  return index;
}

/** The names that cover `key`, most specific first: itself, its wildcard suffixes (longest first), "*". */
export function coveringNames(key: string): string[] {
  if (key === ANY_HOST) return [ANY_HOST];
  const labels = (key.startsWith('*.') ? key.slice(2) : key).split('.');
  const out = [key];
  for (let i = 1; i < labels.length; i++) out.push(`*.${labels.slice(i).join('.')}`);
  return [...new Set([...out, ANY_HOST])];
}

function matchesFor(key: string, byHostname: Map<string, Attachment[]>): HostInput['matches'] {
  const best = new Map<string, { entry: MatchEntry; rule: number }>();
  const isolation = new Map<GatewayIR, ListenerIR[]>();
  const seen = new Set<Attachment>();
  for (const hostname of coveringNames(key)) {
    for (const a of byHostname.get(hostname) ?? []) {
      if (seen.has(a)) continue; // an attachment counts with its most specific covering hostname
      seen.add(a);
      if (!isolation.has(a.gateway)) isolation.set(a.gateway, isolatedListeners(a.gateway, key));
      if (isolation.get(a.gateway)!.includes(a.listener)) addEntries(best, a, hostname);
    }
  }
  return [...best.values()]
    .map((x) => ({ key: matchSortKey(x.entry), x }))
    .sort((a, b) => compareMatchSortKeys(a.key, b.key))
    .map(({ x }) => ({ match: x.entry.ranked.match, rule: x.rule }));
}

/** Adds the attachment's matches, keeping for each (rule, match) the best-ranked way it applies. */
function addEntries(best: Map<string, { entry: MatchEntry; rule: number }>, a: Attachment, hostname: string): void {
  const meta = a.route.obj.metadata;
  a.route.rules.rules.forEach((r, i) =>
    r.matches.forEach((ranked, matchIndex) => {
      const entry: MatchEntry = {
        hostname,
        kind: a.route.kind,
        creationTimestamp: timestamp(meta.creationTimestamp) ?? '',
        namespace: a.route.namespace,
        name: a.route.name,
        ruleIndex: r.index,
        matchIndex,
        ranked,
      };
      const id = `${a.firstRule + i}/${matchIndex}`;
      const prev = best.get(id);
      if (!prev || compareMatches(entry, prev.entry) < 0) best.set(id, { entry, rule: a.firstRule + i });
    }),
  );
}

/** The routable listeners of a Gateway that judge requests for `key`: those with the most specific covering hostname. */
function isolatedListeners(gateway: GatewayIR, key: string): ListenerIR[] {
  const covering = gateway.listeners.filter((l) => l.routable && hostCovers(l.hostname ?? ANY_HOST, key));
  if (covering.length === 0) return [];
  const rank = (l: ListenerIR) => hostRank(l.hostname ?? ANY_HOST);
  const top = covering.reduce((a, b) => (compareRank(rank(b), rank(a)) < 0 ? b : a));
  return covering.filter((l) => compareRank(rank(l), rank(top)) === 0);
}

function compareRank(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}
