// Step 6b: the matches of one host key on one listener port, in precedence order (proxyconfig.ts builds the
// entries). A key holds the matches of every attachment whose hostname covers it, each counted with its most
// specific covering hostname, among the listeners that listener isolation leaves to judge the key.
//
// Remembered per Gateway, port and key: the matches are a function of the attachments visited (route IR,
// listener, hostname, in visit order) and of where each route's rules start in the config. Unchanged routes
// and Gateways keep their IRs across translations (memo.ts, stage-memo.ts), so a key whose visits are the same
// objects reuses its ranking and only renumbers rules: a route removed, or one whose rule count changed, shifts
// the index of every later rule, but ranking never reads them (precedence.ts orders by route, rule and match
// within the route). Which keys are asked again per change is port-hosts.ts's.
import type { ProxyConfigInput } from '../../proxy/config/schema.js';
import { ANY_HOST } from '../gatewayapi/hostnames.js';
import { timestamp } from '../gatewayapi/values.js';
import type { GatewayIR } from './gateways.js';
import type { ListenerIR } from './listeners.js';
import { compareMatches, compareMatchSortKeys, matchSortKey, type MatchEntry } from './precedence.js';
import type { RouteIR } from './routes.js';
import { sortSteps, type Steps } from '../core/steps.js';
import { RankingMemo } from './ranking-memo.js';

type HostMatches = ProxyConfigInput['hosts'][number]['matches'];

export interface Attachment {
  gateway: GatewayIR;
  listener: ListenerIR;
  hostnames: string[];
  route: RouteIR;
  /** Index of the route's first rule in the config's rules. */
  firstRule: number;
}

/** Attachments by hostname, as port-hosts.ts indexes them (layered-map.ts; a Map will do). */
export type AttachmentsByHostname = Pick<ReadonlyMap<string, Attachment[]>, 'get'>;

/** An attachment as it applies to a key: with the most specific of its hostnames covering the key. */
interface Visit {
  a: Attachment;
  hostname: string;
}

/** A ranked match, by the visit that contributed it and the rule's index within its route. */
interface Ranked {
  visit: number;
  ruleOffset: number;
  match: HostMatches[number]['match'];
}

interface Remembered {
  /** The route of each visit, in order. */
  routes: RouteIR[];
  ranked: Ranked[];
  /** The matches last returned, and each visit's firstRule they were numbered with: the same array while those hold. */
  matches?: HostMatches;
  firstRules?: number[];
}

/** Matches ranked between two points where the build may yield (a host can hold tens of thousands). */
const MATCHES_PER_STEP = 512;

/** Per Gateway IR: rankings by port and key, and which a prune keeps (ranking-memo.ts). */
const remembered = new WeakMap<GatewayIR, RankingMemo<Remembered>>();

const covering = new Map<string, readonly string[]>();
/** Bounds the cache: hostnames come from manifests, but nothing else bounds how many distinct ones go by. */
const COVERING_CACHED = 100_000;

/** The names that cover `key`, most specific first: itself, its wildcard suffixes (longest first), "*". */
export function coveringNames(key: string): readonly string[] {
  let names = covering.get(key);
  if (names) return names;
  if (covering.size >= COVERING_CACHED) covering.clear();
  covering.set(key, (names = computeCoveringNames(key)));
  return names;
}

function computeCoveringNames(key: string): string[] {
  // A wildcard key's first suffix is the key itself, and "*"'s only name is "*": the Set keeps each once.
  const labels = key.split('.');
  const out = [key];
  for (let i = 1; i < labels.length; i++) out.push(`*.${labels.slice(i).join('.')}`);
  return [...new Set([...out, ANY_HOST])];
}

/**
 * The matches requests for `key` on `port` of `gateway` see, in precedence order. Yields every
 * MATCHES_PER_STEP sort keys and while sorting when it ranks afresh.
 */
export function* hostMatchesSteps(
  gateway: GatewayIR,
  key: string,
  byHostname: AttachmentsByHostname,
  port: number,
): Steps<HostMatches> {
  const visits = visitsFor(gateway, key, byHostname, port);
  let memo = remembered.get(gateway);
  if (!memo) remembered.set(gateway, (memo = new RankingMemo()));
  let known = memo.get(port, key);
  if (!known || !sameVisits(known, visits)) {
    const ranked = yield* rankSteps(visits);
    known = { routes: visits.map((v) => v.a.route), ranked };
    memo.set(port, key, known);
  }
  return numbered(known, visits);
}

/**
 * The ranked matches with their rule indices. The same array as last time when no visit's rules moved: host
 * entries built from it are then the same objects too, which the proxy config's hashing and the push
 * recognise without reading them (config-version.ts, proxy/config/prepared.ts).
 */
function numbered(known: Remembered, visits: Visit[]): HostMatches {
  const firstRules = visits.map((v) => v.a.firstRule);
  if (known.matches && sameNumbers(known.firstRules!, firstRules)) return known.matches;
  known.firstRules = firstRules;
  return (known.matches = known.ranked.map((r) => ({ match: r.match, rule: firstRules[r.visit]! + r.ruleOffset })));
}

function sameNumbers(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/**
 * Keeps the rankings of `keys` on `port` through the next forgetUnaskedHostMatches, asked for or not. The
 * list is read then: it must not change after (port-hosts.ts hands the same array while no key came or went).
 */
export function keepHostMatches(gateway: GatewayIR, port: number, keys: readonly string[]): void {
  remembered.get(gateway)?.keep(port, keys);
}

/**
 * Forgets the rankings of keys not asked for (or kept) since the last call: a Gateway's IR lives as long as the Gateway is
 * unchanged, and hostnames that come and go would otherwise keep their routes' IRs alive with it.
 */
export function forgetUnaskedHostMatches(gateway: GatewayIR): void {
  remembered.get(gateway)?.prune();
}

/** The attachments that apply to `key`, in the order the ranking visits them. */
function visitsFor(gateway: GatewayIR, key: string, byHostname: AttachmentsByHostname, port: number): Visit[] {
  const judges = isolatedListeners(gateway, key, port);
  const seen = new Set<Attachment>();
  const visits: Visit[] = [];
  for (const hostname of coveringNames(key)) {
    for (const a of byHostname.get(hostname) ?? []) {
      if (seen.has(a)) continue; // an attachment counts with its most specific covering hostname
      seen.add(a);
      if (judges.includes(a.listener)) visits.push({ a, hostname });
    }
  }
  return visits;
}

/**
 * The same route IRs in the same order visit the same way: a route IR fixes its listeners and hostnames, and
 * the Gateway IR (the memo's key) fixes which listeners judge the key.
 */
function sameVisits(known: Remembered, visits: Visit[]): boolean {
  const was = known.routes;
  if (was.length !== visits.length) return false;
  for (let i = 0; i < was.length; i++) if (was[i] !== visits[i]!.a.route) return false;
  return true;
}

/** Keeps, for each (rule, match), the best-ranked way it applies, then sorts by precedence. */
function* rankSteps(visits: Visit[]): Steps<Ranked[]> {
  const best = new Map<string, { entry: MatchEntry; ranked: Ranked }>();
  visits.forEach((v, i) => addEntries(best, v, i));
  const keyed: Array<{ key: ReturnType<typeof matchSortKey>; ranked: Ranked }> = [];
  for (const x of best.values()) {
    keyed.push({ key: matchSortKey(x.entry), ranked: x.ranked });
    if (keyed.length % MATCHES_PER_STEP === 0) yield;
  }
  const sorted = yield* sortSteps(keyed, (a, b) => compareMatchSortKeys(a.key, b.key));
  return sorted.map((x) => x.ranked);
}

function addEntries(best: Map<string, { entry: MatchEntry; ranked: Ranked }>, v: Visit, visit: number): void {
  const { route } = v.a;
  const meta = route.obj.metadata;
  route.rules.rules.forEach((r, ruleOffset) =>
    r.matches.forEach((ranked, matchIndex) => {
      const entry: MatchEntry = {
        hostname: v.hostname,
        kind: route.kind,
        creationTimestamp: timestamp(meta.creationTimestamp) ?? '',
        namespace: route.namespace,
        name: route.name,
        ruleIndex: r.index,
        matchIndex,
        ranked,
      };
      // One route's attachments share its rules: the same rule and match reached twice is one match.
      const id = `${v.a.firstRule + ruleOffset}/${matchIndex}`;
      const prev = best.get(id);
      if (!prev || compareMatches(entry, prev.entry) < 0)
        best.set(id, { entry, ranked: { visit, ruleOffset, match: ranked.match } });
    }),
  );
}

/** The routable listeners of a Gateway on `port` that judge requests for `key`: those with the most specific covering hostname. */
function isolatedListeners(gateway: GatewayIR, key: string, port: number): ListenerIR[] {
  // coveringNames lists the names covering `key` most specific first, as hostRank orders them; a Gateway with
  // its ListenerSets may hold thousands of listeners, so they are looked up by hostname, not scanned per key.
  const byHost = routableByHost(gateway, port);
  for (const name of coveringNames(key)) {
    const listeners = byHost.get(name);
    if (listeners) return listeners;
  }
  return [];
}

const byHostCache = new WeakMap<GatewayIR, Map<number, Map<string, ListenerIR[]>>>();

/** A Gateway's routable listeners on `port` by hostname ("*" for none), built once per Gateway IR and port. */
function routableByHost(gateway: GatewayIR, port: number): Map<string, ListenerIR[]> {
  let ports = byHostCache.get(gateway);
  if (!ports) byHostCache.set(gateway, (ports = new Map()));
  let byHost = ports.get(port);
  if (byHost) return byHost;
  ports.set(port, (byHost = new Map()));
  for (const l of gateway.listeners.filter((x) => x.routable && x.port === port)) {
    const host = l.hostname ?? ANY_HOST;
    const list = byHost.get(host);
    if (list) list.push(l);
    else byHost.set(host, [l]);
  }
  return byHost;
}
