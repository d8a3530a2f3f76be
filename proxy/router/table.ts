// Compiles a validated ProxyConfig into the routing table the request path reads: host map → ordered,
// precompiled matches → rules with their filters, weighted backends and upstream pools resolved.
import type { ProxyBackend, ProxyConfig, ProxyGatewayScope, ProxyHost, ProxyRule } from '../config/schema.js';
import { compileFilters } from '../filters/index.js';
import type { CompiledFilters } from '../filters/types.js';
import { upstreamTls } from '../forward/tls.js';
import type { Transport, Upstream, UpstreamRegistry } from '../forward/upstream.js';
import { compileMatch, type CompiledMatch } from './match.js';
import type { ListenerHosts } from './ports.js';
import { ScopesBuilder } from './scopes.js';
import { RegexCache } from './regex.js';
import { indexBySegment, type SegmentIndex } from './segments.js';

export interface CompiledBackend {
  name: string;
  weight: number;
  transport: Transport;
  endpoints: Upstream[];
  /** Round-robin cursor over endpoints. */
  cursor: number;
  filters: CompiledFilters;
  /** Fail-closed status answered instead of forwarding. */
  status: 500 | 503 | undefined;
  /** Session-persistence value naming this backend (cookie / header). */
  token: string;
  mirrors: CompiledMirror[];
}

/** A RequestMirror target with its upstream pools resolved. */
export interface CompiledMirror {
  name: string;
  percent: number;
  endpoints: Upstream[];
  cursor: number;
}

export interface CompiledPersistence {
  type: 'Cookie' | 'Header';
  name: string;
  /** Sessions older than this are re-balanced (the value carries its issue time). */
  absoluteTimeoutMs: number | undefined;
  /** Attributes appended to Set-Cookie. */
  cookieAttributes: string;
}

export interface RuleCounters {
  /** Filled lazily by the metrics layer, so rules that never see traffic cost nothing. */
  [key: string]: unknown;
}

export interface CompiledRule {
  id: string;
  grpc: boolean;
  filters: CompiledFilters;
  mirrors: CompiledMirror[];
  backends: CompiledBackend[];
  /** Backends with weight > 0 and their running weight sums, for one random draw per request. */
  weighted: CompiledBackend[];
  cumulative: number[];
  totalWeight: number;
  byToken: Map<string, CompiledBackend>;
  requestMs: number | undefined;
  backendRequestMs: number | undefined;
  retry: { attempts: number; codes: Set<number>; backoffMs: number } | undefined;
  persistence: CompiledPersistence | undefined;
  /** Whether any filter chain (rule or backend) has work to do. */
  hasFilters: boolean;
  metrics: RuleCounters;
}

export interface HostEntry {
  matches: CompiledMatch<CompiledRule>[];
  /** Candidates by first path segment, for hosts with many path routes (segments.ts). */
  index: SegmentIndex<CompiledRule> | undefined;
}

export interface RoutingTable {
  version: string;
  generation: number;
  /** The config asks for the access log (the proxy's own setting may override it: proxy/access-log.ts). */
  accessLog: boolean;
  /** Host entries per listener port: the unscoped table (all of them in a config without gateways). */
  hosts: ListenerHosts<HostEntry>;
  /** Each Gateway's host entries by its data ports, the local port a connection arrives on (scopes.ts). */
  byLocalPort: Map<number, ListenerHosts<HostEntry>>;
  /** The host entries of the Gateway on the proxy's own ports (every port no Gateway names), if one is. */
  ownPorts: ListenerHosts<HostEntry> | undefined;
  /** The Gateways and their data ports: the listeners the proxy keeps open besides its own. */
  gateways: ProxyGatewayScope[];
  /** Every upstream pool this table uses, so the registry can close the rest after a swap. */
  upstreams: Set<Upstream>;
}

/** Compiles a whole config at once (no reuse); the proxy itself goes through compiler.ts. */
export function compileTable(
  cfg: ProxyConfig,
  registry: UpstreamRegistry,
  regexes: RegexCache = new RegexCache(),
): RoutingTable {
  regexes.rotate();
  const upstreams = new Set<Upstream>();
  const cas = caBundles(cfg.caCertificates);
  const rules = cfg.rules.map((rule) => compileRule(rule, registry, upstreams, cas));
  const scopes = new ScopesBuilder<HostEntry>(cfg.gateways, cfg.listenerPorts);
  for (const host of cfg.hosts)
    scopes.add(host.hostname, host.gateway, host.ports, compileHostEntry(host, rules, regexes));
  return {
    version: cfg.version,
    generation: cfg.generation ?? 0,
    accessLog: cfg.accessLog === true,
    ...scopes.build(),
    gateways: cfg.gateways ?? [],
    upstreams,
  };
}

export function compileHostEntry(host: ProxyHost, rules: readonly CompiledRule[], regexes: RegexCache): HostEntry {
  const steps = compileHostSteps(host, rules, regexes);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Matches compiled between two points where a sliced compile may yield. */
const MATCHES_PER_STEP = 64;

/**
 * compileHostEntry as steps: one host may carry tens of thousands of matches and thousands of distinct
 * regexes, and compiling one RE2 program can take milliseconds, so it yields after every fresh regex compile
 * and every MATCHES_PER_STEP matches.
 */
export function* compileHostSteps(
  host: ProxyHost,
  rules: readonly CompiledRule[],
  regexes: RegexCache,
): Generator<void, HostEntry> {
  const matches: CompiledMatch<CompiledRule>[] = [];
  let compiled = regexes.compiled;
  for (let i = 0; i < host.matches.length; i++) {
    const m = host.matches[i]!;
    matches.push(compileMatch(m.match, rules[m.rule]!, regexes));
    if (regexes.compiled !== compiled || i % MATCHES_PER_STEP === MATCHES_PER_STEP - 1) {
      compiled = regexes.compiled;
      yield;
    }
  }
  return { matches, index: indexBySegment(matches) };
}

/** CA bundle id → PEM, what backends' `tls.ca` names. */
export type CaBundles = ReadonlyMap<string, string>;

export function caBundles(list: ReadonlyArray<{ id: string; pem: string }>): CaBundles {
  return new Map(list.map((c) => [c.id, c.pem]));
}

/** Adds every upstream pool the rule uses to `upstreams`; `cas` holds the CA bundles its backends name. */
export function compileRule(
  rule: ProxyRule,
  registry: UpstreamRegistry,
  upstreams: Set<Upstream>,
  cas: CaBundles = new Map(),
): CompiledRule {
  const grpc = rule.kind === 'grpc';
  const pools: Pools = { registry, used: upstreams, cas };
  const backends = rule.backends.map((b) => compileBackend(b, grpc, pools));
  const weighted = backends.filter((b) => b.weight > 0);
  const cumulative: number[] = [];
  let total = 0;
  for (const b of weighted) cumulative.push((total += b.weight));
  const filters = compileFilters(rule.filters);
  const retry = rule.retry;
  return {
    id: rule.id,
    grpc,
    filters,
    mirrors: compileMirrors(filters, pools),
    backends,
    weighted,
    cumulative,
    totalWeight: total,
    byToken: new Map(backends.map((b) => [b.token, b])),
    requestMs: positive(rule.timeouts?.requestMs),
    backendRequestMs: positive(rule.timeouts?.backendRequestMs),
    retry:
      retry && retry.attempts > 0
        ? { attempts: retry.attempts, codes: new Set(retry.codes), backoffMs: retry.backoffMs }
        : undefined,
    persistence: rule.sessionPersistence && compilePersistence(rule.sessionPersistence),
    hasFilters: !filters.empty || backends.some((b) => !b.filters.empty),
    metrics: {},
  };
}

/** Where a rule's pools come from, and the set that collects them. */
interface Pools {
  registry: UpstreamRegistry;
  used: Set<Upstream>;
  cas: CaBundles;
}

function pooled(
  pools: Pools,
  transport: Transport,
  endpoints: ReadonlyArray<{ address: string; port: number }>,
  tls: ProxyBackend['tls'],
): Upstream[] {
  const resolved = upstreamTls(tls, pools.cas);
  const out = endpoints.map((e) => pools.registry.get(transport, e.address, e.port, resolved));
  for (const e of out) pools.used.add(e);
  return out;
}

function compileBackend(b: ProxyBackend, grpc: boolean, pools: Pools): CompiledBackend {
  const transport: Transport = grpc || b.protocol === 'h2c' ? 'h2' : 'h1';
  const endpoints = b.status !== undefined ? [] : pooled(pools, transport, b.endpoints, b.tls);
  const filters = compileFilters(b.filters);
  return {
    name: b.name,
    weight: b.weight,
    transport,
    endpoints,
    cursor: 0,
    filters,
    status: b.status,
    token: Buffer.from(b.name).toString('base64url'),
    mirrors: compileMirrors(filters, pools),
  };
}

function compileMirrors(filters: CompiledFilters, pools: Pools): CompiledMirror[] {
  return filters.mirrors.map((m) => {
    const endpoints = pooled(pools, m.protocol === 'h2c' ? 'h2' : 'h1', m.endpoints, m.tls);
    return { name: m.name, percent: m.percent, endpoints, cursor: 0 };
  });
}

function compilePersistence(p: NonNullable<ProxyRule['sessionPersistence']>): CompiledPersistence {
  let attributes = '; Path=/; HttpOnly';
  if (p.lifetime === 'Permanent' && p.absoluteTimeoutMs !== undefined)
    attributes += `; Max-Age=${Math.floor(p.absoluteTimeoutMs / 1000)}`;
  return {
    type: p.type,
    name: p.type === 'Header' ? p.name.toLowerCase() : p.name,
    absoluteTimeoutMs: positive(p.absoluteTimeoutMs),
    cookieAttributes: attributes,
  };
}

function positive(ms: number | undefined): number | undefined {
  return (ms ?? 0) > 0 ? ms : undefined;
}
