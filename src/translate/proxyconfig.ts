// Step 6: the proxy config. Rules of every served route; one host entry per host key holding, in
// precedence order, every match that applies to requests the proxy resolves to that key. The proxy picks
// the most specific key for a request host and the first match wins, so a key also carries the matches of
// broader route hostnames ("foo.a.com" holds a "*.a.com" route's matches, ranked after its own), except
// where listener isolation picks a more specific listener of the same Gateway.
import { createHash } from 'node:crypto';
import type { ProxyConfigInput } from '../../proxy/config/schema.js';
import { ANY_HOST, compareHostKeys, hostCovers, hostRank } from '../gatewayapi/hostnames.js';
import { timestamp } from '../gatewayapi/values.js';
import type { GatewayIR } from './gateways.js';
import type { ListenerIR } from './listeners.js';
import {
  compareMatches,
  compareMatchSortKeys,
  matchSortKey,
  type MatchEntry,
  type MatchSortKey,
} from './precedence.js';
import type { RouteIR } from './routes.js';
import type { RuleInput } from './rules.js';
import { sortSteps, type Steps } from '../core/steps.js';

type HostInput = ProxyConfigInput['hosts'][number];

interface Attachment {
  gateway: GatewayIR;
  listener: ListenerIR;
  hostnames: string[];
  route: RouteIR;
  /** Index of the route's first rule in the config's rules. */
  firstRule: number;
}

/** Matches ranked between two points where the build may yield (a host can hold tens of thousands). */
const MATCHES_PER_STEP = 512;
/** Characters of config JSON hashed between two such points. */
const HASHED_CHARS_PER_STEP = 1 << 16;

/** Yields after each attachment's matches, every MATCHES_PER_STEP ranked matches and while hashing. */
export function* buildProxyConfigSteps(routes: RouteIR[]): Steps<ProxyConfigInput> {
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
  const all: HostInput[] = [];
  for (const key of hostKeys(attachments))
    all.push({ hostname: key, matches: yield* matchesForSteps(key, byHostname) });
  const served = new Set(all.filter((h) => h.matches.length > 0).map((h) => h.hostname));
  // An empty key only matters when it shadows a broader key that would otherwise answer (listener isolation).
  const hosts = all.filter(
    (h) => served.has(h.hostname) || coveringNames(h.hostname).some((n) => n !== h.hostname && served.has(n)),
  );
  const version = yield* versionSteps(rules, hosts);
  return { version, rules, hosts };
}

/**
 * sha256 of JSON.stringify({ rules, hosts }), fed to the hash in pieces (the same text: one rule, a host's
 * name, one match at a time) so that a config of many megabytes is hashed in steps.
 */
function* versionSteps(rules: RuleInput[], hosts: HostInput[]): Steps<string> {
  const hash = createHash('sha256');
  let pending: string[] = [];
  let pendingChars = 0;
  /** True when enough text was collected to hash it (a step): one update per piece would cost more. */
  const feed = (text: string): boolean => {
    pending.push(text);
    pendingChars += text.length;
    if (pendingChars < HASHED_CHARS_PER_STEP) return false;
    hash.update(pending.join(''));
    pending = [];
    pendingChars = 0;
    return true;
  };
  feed('{"rules":[');
  for (let i = 0; i < rules.length; i++) if (feed((i ? ',' : '') + JSON.stringify(rules[i]))) yield;
  feed('],"hosts":[');
  for (let h = 0; h < hosts.length; h++) {
    const { hostname, matches } = hosts[h]!;
    feed(`${h ? ',' : ''}{"hostname":${JSON.stringify(hostname)},"matches":[`);
    for (let i = 0; i < matches.length; i++) if (feed((i ? ',' : '') + JSON.stringify(matches[i]))) yield;
    feed(']}');
  }
  feed(']}');
  return hash.update(pending.join('')).digest('hex');
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

/** Yields after each attachment's matches are added, every MATCHES_PER_STEP sort keys and while sorting. */
function* matchesForSteps(key: string, byHostname: Map<string, Attachment[]>): Steps<HostInput['matches']> {
  const best = new Map<string, { entry: MatchEntry; rule: number }>();
  const isolation = new Map<GatewayIR, ListenerIR[]>();
  const seen = new Set<Attachment>();
  for (const hostname of coveringNames(key)) {
    for (const a of byHostname.get(hostname) ?? []) {
      if (seen.has(a)) continue; // an attachment counts with its most specific covering hostname
      seen.add(a);
      if (!isolation.has(a.gateway)) isolation.set(a.gateway, isolatedListeners(a.gateway, key));
      if (!isolation.get(a.gateway)!.includes(a.listener)) continue;
      addEntries(best, a, hostname);
      yield;
    }
  }
  const keyed: Array<{ key: MatchSortKey; x: { entry: MatchEntry; rule: number } }> = [];
  for (const x of best.values()) {
    keyed.push({ key: matchSortKey(x.entry), x });
    if (keyed.length % MATCHES_PER_STEP === 0) yield;
  }
  const sorted = yield* sortSteps(keyed, (a, b) => compareMatchSortKeys(a.key, b.key));
  return sorted.map(({ x }) => ({ match: x.entry.ranked.match, rule: x.rule }));
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
