// Step 6a: the host entries requests on one listener port of one Gateway see (proxyconfig.ts assembles the
// config from them): one per host key, holding the key's matches in precedence order (host-matches.ts).
//
// Per change, only the keys the change can reach are ranked again. A key's matches depend on the
// attachments whose hostname covers it (itself, a wildcard above it, "*"), so when the port's attachment list
// differs from the last build's in one range (changed-range.ts: a route replaced, added or removed), the keys
// covered by a hostname of an attachment in that range are dirty and every other key keeps its entry, the
// same object. Attachments are the same objects while their route's IR and rule numbers are (proxyconfig.ts),
// and the Gateway IR keys the state, so listener isolation (which listeners judge a key) is fixed with it.
// Like the other memos: module state that only changes how fast the answer comes, never the answer (the
// property test, test/translate/memo.test.ts).
import type { ProxyConfigInput } from '../../proxy/config/schema.js';
import { changedRange, type ChangedRange } from '../core/changed-range.js';
import type { Steps } from '../core/steps.js';
import { ANY_HOST, compareHostKeys } from '../gatewayapi/hostnames.js';
import type { GatewayIR } from './gateways.js';
import { coveringNames, hostMatchesSteps, keepHostMatches, type Attachment } from './host-matches.js';
import { LayeredMap } from './layered-map.js';

export type PortHost = Omit<ProxyConfigInput['hosts'][number], 'ports' | 'gateway'>;

interface PortState {
  attachments: readonly Attachment[];
  byHostname: LayeredMap<Attachment[]>;
  /** Every host key, served or not, in compareHostKeys order. */
  keys: string[];
  /** The entry of each of `keys` (and no other). */
  entries: LayeredMap<PortHost>;
  /** What requests see: the served entries and the empty ones that shadow a broader served key. */
  hosts: PortHost[];
}

const states = new WeakMap<GatewayIR, Map<number, PortState>>();

/**
 * The host entries of `gateway` on `port`, given the attachments to its listeners on that port in rule
 * order. Only listeners on that port take part, isolation included.
 */
export function* hostsOnPortSteps(gateway: GatewayIR, port: number, attachments: Attachment[]): Steps<PortHost[]> {
  let ports = states.get(gateway);
  if (!ports) states.set(gateway, (ports = new Map()));
  const before = ports.get(port);
  const range = before && changedRange(before.attachments, attachments);
  const state =
    before && range
      ? yield* updatedState(gateway, port, before, attachments, range)
      : yield* freshState(gateway, port, attachments);
  ports.set(port, state);
  keepHostMatches(gateway, port, state.keys);
  return state.hosts;
}

function* freshState(gateway: GatewayIR, port: number, attachments: Attachment[]): Steps<PortState> {
  const byHostname = LayeredMap.of(indexByHostname(attachments));
  const keys = hostKeys(gateway, port, attachments, byHostname);
  const entries = new Map<string, PortHost>();
  for (const key of keys) entries.set(key, yield* entryFor(gateway, port, key, byHostname, undefined));
  return { attachments, byHostname, keys, entries: LayeredMap.of(entries), hosts: visibleHosts(keys, entries) };
}

/** The last build's state with the keys the changed range reaches ranked again. */
function* updatedState(
  gateway: GatewayIR,
  port: number,
  before: PortState,
  attachments: Attachment[],
  range: ChangedRange,
): Steps<PortState> {
  if (range.start === range.beforeEnd && range.start === range.nowEnd) return { ...before, attachments };
  const touched = new Set<string>();
  for (let i = range.start; i < range.beforeEnd; i++) before.attachments[i]!.hostnames.forEach((h) => touched.add(h));
  for (let i = range.start; i < range.nowEnd; i++) attachments[i]!.hostnames.forEach((h) => touched.add(h));
  const byHostname = spliceHostnames(before, attachments, range, touched);
  const keys = sameKeys(before.entries, touched, byHostname)
    ? before.keys
    : hostKeys(gateway, port, attachments, byHostname);
  if (keys === before.keys && ![...touched].some((h) => h.startsWith('*')))
    return yield* exactNamesUpdated(gateway, port, before, { attachments, byHostname, touched });
  const entries = new Map<string, PortHost>();
  for (const key of keys) {
    const kept = before.entries.get(key);
    const dirty = !kept || coveringNames(key).some((n) => touched.has(n));
    entries.set(key, dirty ? yield* entryFor(gateway, port, key, byHostname, kept) : kept);
  }
  return { attachments, byHostname, keys, entries: LayeredMap.of(entries), hosts: visibleHosts(keys, entries) };
}

/**
 * updatedState's answer when the keys are the last build's and every touched hostname is exact: an exact name
 * covers only its own key, so only those entries are ranked again, and the visible hosts are the last ones
 * with them replaced unless one became empty or stopped being so. At 5,000 routes (500 hostnames) this skips
 * two covering-names walks per key of each change.
 */
function* exactNamesUpdated(
  gateway: GatewayIR,
  port: number,
  before: PortState,
  now: { attachments: Attachment[]; byHostname: LayeredMap<Attachment[]>; touched: Set<string> },
): Steps<PortState> {
  const changed = new Map<string, PortHost>();
  const replaced = new Map<PortHost, PortHost>();
  for (const key of now.touched) {
    const kept = before.entries.get(key);
    if (!kept) continue; // a listener's hostname or a name without attachments: not a key (sameKeys)
    const entry = yield* entryFor(gateway, port, key, now.byHostname, kept);
    changed.set(key, entry);
    if (entry !== kept) replaced.set(kept, entry);
  }
  const entries = before.entries.with(changed);
  const sameServed = [...replaced].every(([old, entry]) => old.matches.length > 0 === entry.matches.length > 0);
  const hosts = sameServed ? before.hosts.map((h) => replaced.get(h) ?? h) : visibleHosts(before.keys, entries);
  return { attachments: now.attachments, byHostname: now.byHostname, keys: before.keys, entries, hosts };
}

/**
 * The touched hostnames' attachment lists without a pass over every attachment of the port: each list less
 * the changed range's old attachments, plus its new ones. They go last: the order of a list does not decide
 * the ranking (host-matches.ts sorts matches by precedence), only whether the ranking's memo recognises it.
 */
function spliceHostnames(
  before: PortState,
  attachments: Attachment[],
  range: ChangedRange,
  touched: ReadonlySet<string>,
): LayeredMap<Attachment[]> {
  const gone = new Set(before.attachments.slice(range.start, range.beforeEnd));
  const comes = indexByHostname(attachments.slice(range.start, range.nowEnd));
  const lists = new Map<string, Attachment[] | undefined>();
  for (const h of touched) {
    const list = (before.byHostname.get(h) ?? []).filter((a) => !gone.has(a)).concat(comes.get(h) ?? []);
    lists.set(h, list.length > 0 ? list : undefined);
  }
  return before.byHostname.with(lists);
}

/** The key's entry; `kept` itself when its matches come back as the same array (host-matches.ts). */
function* entryFor(
  gateway: GatewayIR,
  port: number,
  key: string,
  byHostname: LayeredMap<Attachment[]>,
  kept: PortHost | undefined,
): Steps<PortHost> {
  const matches = yield* hostMatchesSteps(gateway, key, byHostname, port);
  return kept?.matches === matches ? kept : { hostname: key, matches };
}

/**
 * True when the key set cannot have changed: every touched hostname that still has attachments was a key
 * before, and none lost its last one. (A port whose attachments all went, or came, touched every hostname
 * it had, or has: that differs. Listener hostnames are keys only beside attachments, see hostKeys.)
 */
function sameKeys(entries: LayeredMap<PortHost>, touched: Set<string>, byHostname: LayeredMap<Attachment[]>): boolean {
  // The entries' keys are the keys: no set of every key made per change.
  for (const h of touched) if (byHostname.has(h) !== entries.has(h)) return false;
  return true;
}

/**
 * Every route hostname plus, when any route is attached, every listener hostname on `port` (for isolation).
 * A touched hostname that lost its attachments but is a listener's stays (sameKeys sees it as a key that has
 * none: the keys are then recomputed, and come out the same).
 */
function hostKeys(
  gateway: GatewayIR,
  port: number,
  attachments: Attachment[],
  byHostname: LayeredMap<Attachment[]>,
): string[] {
  if (attachments.length === 0) return [];
  const keys = new Set(byHostname.keys());
  for (const l of gateway.listeners) if (l.routable && l.port === port) keys.add(l.hostname ?? ANY_HOST);
  return [...keys].sort(compareHostKeys);
}

/** An empty key only matters when it shadows a broader key that would otherwise answer (listener isolation). */
function visibleHosts(keys: string[], entries: Pick<ReadonlyMap<string, PortHost>, 'get'>): PortHost[] {
  const served = new Set(keys.filter((k) => entries.get(k)!.matches.length > 0));
  return keys
    .filter((k) => coveringNames(k).some((n) => served.has(n))) // k itself first, then what covers it
    .map((k) => entries.get(k)!);
}

function indexByHostname(attachments: Attachment[]): Map<string, Attachment[]> {
  const index = new Map<string, Attachment[]>();
  for (const a of attachments) for (const h of a.hostnames) pushTo(index, h, a);
  return index;
}

function pushTo(index: Map<string, Attachment[]>, hostname: string, a: Attachment): void {
  const list = index.get(hostname);
  if (list) list.push(a);
  else index.set(hostname, [a]);
}
