// Compiles a PreparedConfig into a RoutingTable, reusing what the running table already compiled: a rule
// whose JSON text is unchanged keeps its compiled form (with its round-robin cursors and metric children),
// a host whose text and rules are unchanged keeps its matches and index. A push usually changes a few
// routes, so most of a big config costs one string lookup. The compile is a generator so that a caller
// can spread it over several turns of the event loop (runInSlices) while requests keep flowing.
import type { ProxyHost, ProxyRule } from '../config/schema.js';
import type { PreparedConfig } from '../config/prepared.js';
import type { Upstream, UpstreamRegistry } from '../forward/upstream.js';
import { ScopesBuilder } from './scopes.js';
import { RegexCache } from './regex.js';
import {
  caBundles,
  compileHostSteps,
  compileRule,
  type CaBundles,
  type CompiledRule,
  type HostEntry,
  type RoutingTable,
} from './table.js';

interface CachedRule {
  rule: CompiledRule;
  upstreams: Upstream[];
}

interface CachedHost {
  hostname: string;
  gateway: string | undefined;
  ports: number[] | undefined;
  entry: HostEntry;
  /** The rule indices the host's matches name, and the compiled rules they resolved to. */
  ruleIndices: number[];
  rules: CompiledRule[];
}

export interface Compiled {
  table: RoutingTable;
  /** How many rules and hosts came from the running table unchanged. */
  reused: { rules: number; hosts: number };
  rules: Map<string, CachedRule>;
  hosts: Map<string, CachedHost>;
}

/** Work items between two points where the caller may yield (a rule costs ~10 µs to compile). */
const STEP = 64;

export class TableCompiler {
  private rules = new Map<string, CachedRule>();
  private hosts = new Map<string, CachedHost>();
  private readonly regexes = new RegexCache();

  constructor(private readonly registry: UpstreamRegistry) {}

  *compile(p: PreparedConfig, generation: number): Generator<void, Compiled> {
    this.regexes.rotate();
    const upstreams = new Set<Upstream>();
    const ruleCache = new Map<string, CachedRule>();
    const rules: CompiledRule[] = [];
    // Bundle ids are the hashes of their PEM text, so a rule text names the same CAs in every config.
    const cas = caBundles((p.caCertificates ?? []).map((text) => JSON.parse(text) as { id: string; pem: string }));
    let reusedRules = 0;
    for (const text of p.rules) {
      let cached = ruleCache.get(text) ?? this.rules.get(text);
      if (cached === undefined) cached = this.compileRuleText(text, cas);
      else reusedRules++;
      ruleCache.set(text, cached);
      rules.push(cached.rule);
      for (const u of cached.upstreams) upstreams.add(u);
      if (rules.length % STEP === 0) yield;
    }
    const scopes = new ScopesBuilder<HostEntry>(p.gateways, p.listenerPorts);
    const hostCache = new Map<string, CachedHost>();
    let reusedHosts = 0;
    for (let i = 0; i < p.hosts.length; i++) {
      const text = p.hosts[i]!;
      let cached = this.hosts.get(text);
      if (cached !== undefined && cached.ruleIndices.every((ri, k) => rules[ri] === cached!.rules[k])) reusedHosts++;
      else cached = yield* this.compileHostText(text, rules);
      hostCache.set(text, cached);
      scopes.add(cached.hostname, cached.gateway, cached.ports, cached.entry);
      if (i % STEP === STEP - 1) yield;
    }
    const table = {
      version: p.version,
      generation,
      accessLog: p.accessLog === true,
      ...scopes.build(),
      gateways: p.gateways ?? [],
      upstreams,
    };
    return { table, reused: { rules: reusedRules, hosts: reusedHosts }, rules: ruleCache, hosts: hostCache };
  }

  /** Makes a published table the base the next compile reuses from. */
  commit(compiled: Compiled): void {
    this.rules = compiled.rules;
    this.hosts = compiled.hosts;
  }

  private compileRuleText(text: string, cas: CaBundles): CachedRule {
    const used = new Set<Upstream>();
    const rule = compileRule(JSON.parse(text) as ProxyRule, this.registry, used, cas);
    return { rule, upstreams: [...used] };
  }

  private *compileHostText(text: string, rules: readonly CompiledRule[]): Generator<void, CachedHost> {
    const host = JSON.parse(text) as ProxyHost;
    const ruleIndices = host.matches.map((m) => m.rule);
    const entry = yield* compileHostSteps(host, rules, this.regexes);
    const hostname = host.hostname;
    const { gateway, ports } = host;
    return { entry, ruleIndices, rules: ruleIndices.map((ri) => rules[ri]!), hostname, gateway, ports };
  }
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
