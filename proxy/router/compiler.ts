// Compiles a PreparedConfig into a RoutingTable, reusing what the running table already compiled: a rule
// whose JSON text is unchanged keeps its compiled form (with its round-robin cursors and metric children),
// a host whose text and rules are unchanged keeps its matches and index. A push usually changes a few
// routes: the changed range is found by comparing the texts with the last config's in order (reuse.ts), the
// rest of a big config costs a pointer copy, and only that range is looked up by text. The compile
// is a generator so that a caller can spread it over several turns of the event loop (runInSlices) while
// requests keep flowing.
import type { ProxyHost, ProxyRule } from '../config/schema.js';
import type { PreparedConfig } from '../config/prepared.js';
import type { Upstream, UpstreamRegistry } from '../forward/upstream.js';
import { ScopesBuilder } from './scopes.js';
import { RegexCache } from './regex.js';
import { sameEnds, UseCounts, type SameEnds, type UseChange } from './reuse.js';
import {
  caBundles,
  compileHostSteps,
  compileRule,
  type CaBundles,
  type CompiledRule,
  type HostEntry,
  type RoutingTable,
} from './table.js';

interface CachedHost {
  hostname: string;
  gateway: string | undefined;
  ports: number[] | undefined;
  entry: HostEntry;
  /** The rule indices the host's matches name, the compiled rules they resolved to, and the highest index. */
  ruleIndices: number[];
  rules: CompiledRule[];
  maxRule: number;
}

/** A compiled config position by position: what the next compile compares its texts with. */
interface CompiledLists {
  ruleTexts: readonly string[];
  rules: readonly CompiledRule[];
  /** The upstream pools each rule uses. */
  ruleUpstreams: ReadonlyArray<readonly Upstream[]>;
  hostTexts: readonly string[];
  hosts: readonly CachedHost[];
  upstreams: Set<Upstream>;
}

export interface Compiled {
  table: RoutingTable;
  /** How many rules and hosts came from the running table unchanged. */
  reused: { rules: number; hosts: number };
  /** The compiled rules, in config order. */
  rules: readonly CompiledRule[];
  /** What the next compile starts from once this one is committed. */
  lists: CompiledLists;
  /** Upstream pools and rule ids that came (no rule of the running table used them) or went (none of this one does). */
  upstreamUses: UseChange<Upstream>;
  ruleIdUses: UseChange<string>;
}

/** Work items between two points where the caller may yield (a rule costs ~10 µs to compile). */
const STEP = 64;

const NOTHING: CompiledLists = {
  ruleTexts: [],
  rules: [],
  ruleUpstreams: [],
  hostTexts: [],
  hosts: [],
  upstreams: new Set(),
};

export class TableCompiler {
  private lists = NOTHING;
  private readonly upstreamUses = new UseCounts<Upstream>();
  private readonly ruleIdUses = new UseCounts<string>();
  private readonly regexes = new RegexCache();

  constructor(private readonly registry: UpstreamRegistry) {}

  *compile(p: PreparedConfig, generation: number): Generator<void, Compiled> {
    this.regexes.rotate();
    const before = this.lists;
    // Bundle ids are the hashes of their PEM text, so a rule text names the same CAs in every config.
    const cas = caBundles((p.caCertificates ?? []).map((text) => JSON.parse(text) as { id: string; pem: string }));
    const ruleEnds = sameEnds(before.ruleTexts, p.rules);
    const { rules, ruleUpstreams, reused: reusedRules } = yield* this.compileRules(before, p.rules, ruleEnds, cas);
    const removed = { from: ruleEnds.start, to: ruleEnds.beforeEnd };
    const added = { from: ruleEnds.start, to: ruleEnds.nowEnd };
    const upstreamUses = this.upstreamUses.change(
      flatSlice(before.ruleUpstreams, removed),
      flatSlice(ruleUpstreams, added),
    );
    const ruleIdUses = this.ruleIdUses.change(idsIn(before.rules, removed), idsIn(rules, added));
    const scopes = new ScopesBuilder<HostEntry>(p.gateways, p.listenerPorts);
    const hostEnds = sameEnds(before.hostTexts, p.hosts);
    const reusable = textIndex(before.hostTexts, hostEnds);
    // Rules below the changed range are the same objects at the same indices (all of them when none changed):
    // a host naming only those keeps them without comparing each of its matches' rules.
    const rulesKeptBelow =
      ruleEnds.beforeEnd === ruleEnds.start && ruleEnds.nowEnd === ruleEnds.start ? Infinity : ruleEnds.start;
    const hosts = new Array<CachedHost>(p.hosts.length);
    let reusedHosts = 0;
    for (let i = 0; i < p.hosts.length; i++) {
      const text = p.hosts[i]!;
      // Outside the changed range: the host at its old place; inside it, one the old range held by text.
      let cached = before.hosts[positionBefore(hostEnds, i) ?? reusable.get(text) ?? -1];
      if (cached !== undefined && (cached.maxRule < rulesKeptBelow || sameRules(cached, rules))) reusedHosts++;
      else cached = yield* this.compileHostText(text, rules);
      hosts[i] = cached;
      scopes.add(cached.hostname, cached.gateway, cached.ports, cached.entry);
      if (i % STEP === STEP - 1) yield;
    }
    const upstreams = withChange(before.upstreams, upstreamUses);
    const table = {
      version: p.version,
      generation,
      accessLog: p.accessLog === true,
      ...scopes.build(),
      gateways: p.gateways ?? [],
      upstreams,
    };
    return {
      table,
      reused: { rules: reusedRules, hosts: reusedHosts },
      rules,
      lists: { ruleTexts: p.rules, rules, ruleUpstreams, hostTexts: p.hosts, hosts, upstreams },
      upstreamUses,
      ruleIdUses,
    };
  }

  /** Makes a published table the base the next compile reuses from. */
  commit(compiled: Compiled): void {
    this.lists = compiled.lists;
    this.upstreamUses.commit(compiled.upstreamUses);
    this.ruleIdUses.commit(compiled.ruleIdUses);
  }

  /** The rules outside the changed range are the running ones; inside it each is looked up by text or compiled. */
  private *compileRules(before: CompiledLists, texts: readonly string[], ends: SameEnds, cas: CaBundles) {
    const rules = new Array<CompiledRule>(texts.length);
    const ruleUpstreams = new Array<readonly Upstream[]>(texts.length);
    const shift = ends.beforeEnd - ends.nowEnd;
    const keep = (i: number, at: number) => {
      rules[i] = before.rules[at]!;
      ruleUpstreams[i] = before.ruleUpstreams[at]!;
    };
    for (let i = 0; i < ends.start; i++) keep(i, i);
    for (let i = ends.nowEnd; i < texts.length; i++) keep(i, i + shift);
    const reusable = textIndex(before.ruleTexts, ends);
    let reused = texts.length - (ends.nowEnd - ends.start);
    for (let i = ends.start; i < ends.nowEnd; i++) {
      const at = reusable.get(texts[i]!);
      if (at !== undefined) {
        keep(i, at);
        reused++;
      } else {
        const used = new Set<Upstream>();
        rules[i] = compileRule(JSON.parse(texts[i]!) as ProxyRule, this.registry, used, cas);
        ruleUpstreams[i] = [...used];
      }
      if ((i - ends.start + 1) % STEP === 0) yield;
    }
    return { rules, ruleUpstreams, reused };
  }

  private *compileHostText(text: string, rules: readonly CompiledRule[]): Generator<void, CachedHost> {
    const host = JSON.parse(text) as ProxyHost;
    const ruleIndices = host.matches.map((m) => m.rule);
    const entry = yield* compileHostSteps(host, rules, this.regexes);
    const hostname = host.hostname;
    const { gateway, ports } = host;
    const maxRule = ruleIndices.reduce((max, ri) => Math.max(max, ri), -1);
    return { entry, ruleIndices, rules: ruleIndices.map((ri) => rules[ri]!), maxRule, hostname, gateway, ports };
  }
}

/** Where the item at `i` was in the earlier list when outside the changed range (the same string there). */
function positionBefore(ends: SameEnds, i: number): number | undefined {
  if (i < ends.start) return i;
  return i >= ends.nowEnd ? i - ends.nowEnd + ends.beforeEnd : undefined;
}

/** The earlier list's texts in its changed range by text: a changed range of fresh strings may hold them again. */
function textIndex(texts: readonly string[], ends: SameEnds): Map<string, number> {
  const index = new Map<string, number>();
  for (let j = ends.beforeEnd - 1; j >= ends.start; j--) index.set(texts[j]!, j);
  return index;
}

/** Each of a cached host's matches still names the rule object it was compiled with. */
const sameRules = (host: CachedHost, rules: readonly CompiledRule[]) =>
  host.ruleIndices.every((ri, k) => rules[ri] === host.rules[k]);

function* flatSlice<T>(lists: ReadonlyArray<readonly T[]>, range: { from: number; to: number }): Iterable<T> {
  for (let i = range.from; i < range.to; i++) yield* lists[i]!;
}

function* idsIn(rules: readonly CompiledRule[], range: { from: number; to: number }): Iterable<string> {
  for (let i = range.from; i < range.to; i++) yield rules[i]!.id;
}

/** The running table's pools with a compile's change: the same set when no pool appeared or vanished. */
function withChange(upstreams: Set<Upstream>, change: UseChange<Upstream>): Set<Upstream> {
  if (change.appeared.length === 0 && change.vanished.length === 0) return upstreams;
  const next = new Set(upstreams);
  for (const u of change.appeared) next.add(u);
  for (const u of change.vanished) next.delete(u);
  return next;
}
/** Runs a compile to its end in one go. */
export function runToEnd<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Runs a compile in slices of about `sliceMs` of work, letting the event loop run between slices. */
export async function runInSlices<T>(steps: Generator<void, T>, sliceMs = 4): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    // Stryker disable next-line EqualityOperator: `>=` → `>` differs only when a slice lasts exactly sliceMs, which a clock with sub-millisecond steps never shows twice the same
    if (performance.now() - sliceStart >= sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
}
