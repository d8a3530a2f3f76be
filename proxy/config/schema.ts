// The proxy config contract: the body of `PUT /config` and `render`'s `proxyConfig`.
// The translator (src/translate) produces it; the proxy validates and compiles it. Nothing else is shared
// between the control plane and the data plane, so this file is the whole interface (with the pieces it
// imports: fields.ts, and each filter kind's variant from its module, proxy/filters/registry.ts).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BackendTls, CA_ID, CONFIG_LIMITS, Endpoint, Port, headerName, str } from './fields.js';
import { HeaderModifier } from '../filters/header-modifier.js';
import { MirrorTarget } from '../filters/mirror.js';
import { PathModifier } from '../filters/path.js';
import { FILTER_SCHEMAS } from '../filters/registry.js';
import { gatewayScopeIssues } from './gateway-scopes.js';

export { BackendTls, CONFIG_LIMITS, HeaderModifier, MirrorTarget, PathModifier };
export { SubjectAltName } from './fields.js';

export const StringMatch = z.object({
  type: z.enum(['Exact', 'RegularExpression']),
  name: headerName, // header names are lower-cased by the translator
  value: str,
});

export const PathMatch = z.object({
  type: z.enum(['Exact', 'PathPrefix', 'RegularExpression']),
  value: str,
});

/** One Gateway API match (HTTPRoute match, or a GRPCRoute match converted to path/method/headers). */
export const Match = z.object({
  path: PathMatch.optional(),
  method: z.string().max(32).optional(),
  headers: z.array(StringMatch).max(64).optional(),
  queryParams: z
    .array(StringMatch.extend({ name: z.string().min(1).max(256) }))
    .max(64)
    .optional(),
});

/** A CA bundle backends refer to by id; the id must be the SHA-256 of the PEM (checked). */
export const CaCertificate = z
  .object({ id: z.string().regex(CA_ID), pem: z.string().min(1).max(CONFIG_LIMITS.caBundleLength) })
  .refine((c) => c.id === caCertificateId(c.pem), { message: 'id is not the sha256 of pem', path: ['id'] });

export function caCertificateId(pem: string): string {
  return `sha256:${createHash('sha256').update(pem).digest('hex')}`;
}

/** One member per filter kind: each kind's module (proxy/filters/registry.ts) owns its piece. */
export const Filter = z.discriminatedUnion('type', FILTER_SCHEMAS);

/**
 * A weighted backend. `status` set means fail-closed: the share of traffic that picks this backend gets
 * that status (500 invalid reference, 503 no ready endpoints) instead of being forwarded. `protocol` is the
 * HTTP version spoken; `tls` wraps it in TLS (h2c with tls is HTTP/2 negotiated by ALPN).
 */
export const Backend = z.object({
  name: str, // "namespace/service:port" for logs and metrics
  weight: z.number().int().min(0).max(1_000_000),
  endpoints: z.array(Endpoint).max(CONFIG_LIMITS.endpointsPerBackend).default([]),
  protocol: z.enum(['http1', 'h2c', 'ws']).default('http1'),
  filters: z.array(Filter).max(32).default([]),
  status: z.union([z.literal(500), z.literal(503)]).optional(),
  tls: BackendTls.optional(),
});

export const Rule = z.object({
  /** Stable id: "<kind>/<namespace>/<name>/<rule index>", used in metrics and logs. */
  id: str,
  kind: z.enum(['http', 'grpc']),
  filters: z.array(Filter).max(32).default([]),
  backends: z.array(Backend).max(256).default([]),
  timeouts: z
    .object({ requestMs: z.number().int().min(0).optional(), backendRequestMs: z.number().int().min(0).optional() })
    .optional(),
  retry: z
    .object({
      codes: z.array(z.number().int().min(400).max(599)).max(32).default([]),
      attempts: z.number().int().min(0).max(10).default(1),
      backoffMs: z.number().int().min(0).max(60_000).default(0),
    })
    .optional(),
  sessionPersistence: z
    .object({
      type: z.enum(['Cookie', 'Header']),
      name: headerName,
      absoluteTimeoutMs: z.number().int().min(0).optional(),
      lifetime: z.enum(['Permanent', 'Session']).default('Session'),
    })
    .optional(),
});

/** One match pointing at a rule (by index into `rules`); a host's list is already in precedence order. */
export const HostMatch = z.object({ match: Match, rule: z.number().int().min(0) });

/** "namespace/name" of a Gateway: what a host entry's `gateway` names. */
const GatewayName = z.string().min(3).max(317);

export const Host = z.object({
  /** "app.example.com", "*.example.com" (any depth, never the apex) or "*" (every host). */
  hostname: z.string().min(1).max(253),
  /** The Gateway whose routing scope this entry belongs to (one of `gateways`); absent: the unscoped table. */
  gateway: GatewayName.optional(),
  /**
   * The listener ports this entry serves (how a request's port is found: proxy/README.md). Absent: every
   * port. A hostname whose matches differ by port has one entry per distinct list of matches.
   */
  ports: z.array(Port).min(1).max(65_535).optional(),
  matches: z.array(HostMatch).max(CONFIG_LIMITS.matchesPerHost),
});

/**
 * One Gateway's routing scope (ADR 0009): a connection arriving on `port` (cleartext) or `tlsPort` (the
 * loopback TLS port) is routed among the host entries naming this Gateway only, its listener ports as
 * `listenerPorts` says. The proxy opens a listener for each such port. One entry may have no ports: that
 * Gateway is served on the proxy's own ports (--listen, --tls-listen) and any other port no entry names.
 */
export const GatewayScope = z.object({
  name: GatewayName,
  port: Port.optional(),
  tlsPort: Port.optional(),
  listenerPorts: z.array(Port).max(65_535).default([]),
});

export const ProxyConfig = z
  .object({
    /** Content hash of the rest of the config; the same desired state always has the same version. */
    version: z.string().min(1).max(128),
    /** Set by the pusher; the proxy refuses a generation older than the one it runs (409). */
    generation: z.number().int().min(0).optional(),
    /**
     * Every port some listener has (hosts' ports count too). A Host header naming one of them is routed
     * among that port's entries only; naming another port is like naming none (the Gateway API does not
     * let a Host port that no listener has change the hostname match).
     */
    listenerPorts: z.array(Port).max(65_535).optional(),
    /**
     * The Gateways, each with its own data ports (ADR 0009). Absent: one scope, every data port routes
     * among all host entries (configs written before per-Gateway ports). Host entries without `gateway`
     * form the unscoped table, used on a data port no Gateway names.
     */
    gateways: z.array(GatewayScope).max(CONFIG_LIMITS.gateways).optional(),
    /**
     * One JSON line per request (proxy/README.md "Access log"), unless the proxy was started with the log
     * forced on or off (`--access-log`). From the GatewayClass parameter `accessLog`.
     */
    accessLog: z.boolean().optional(),
    rules: z.array(Rule).max(CONFIG_LIMITS.rules),
    /** Exact hostnames first, then wildcards (longest suffix first), then "*". */
    hosts: z.array(Host).max(CONFIG_LIMITS.hosts),
    /** CA bundles named by backends' `tls.ca`, each once however many backends use it. */
    caCertificates: z.array(CaCertificate).max(CONFIG_LIMITS.caCertificates).default([]),
  })
  .superRefine((cfg, ctx) => {
    for (const issue of gatewayScopeIssues(cfg.gateways ?? [])) ctx.addIssue({ code: 'custom', ...issue });
    const scopes = new Set((cfg.gateways ?? []).map((g) => g.name));
    cfg.hosts.forEach((h, hi) => {
      if (h.gateway !== undefined && !scopes.has(h.gateway))
        ctx.addIssue({ code: 'custom', path: ['hosts', hi, 'gateway'], message: 'no gateways entry has this name' });
    });
    const cas = new Set(cfg.caCertificates.map((c) => c.id));
    cfg.rules.forEach((r, ri) => {
      for (const ref of caRefsOf(r)) {
        if (!cas.has(ref.id))
          ctx.addIssue({
            code: 'custom',
            path: ['rules', ri, ...ref.path],
            message: 'no caCertificates entry has this id',
          });
      }
    });
    cfg.hosts.forEach((h, hi) =>
      h.matches.forEach((m, mi) => {
        if (m.rule >= cfg.rules.length) {
          ctx.addIssue({
            code: 'custom',
            path: ['hosts', hi, 'matches', mi, 'rule'],
            message: 'rule index out of range',
          });
        }
      }),
    );
  });

export interface CaRef {
  id: string;
  /** Where the rule names it, e.g. ['backends', 0, 'tls', 'ca']. */
  path: PropertyKey[];
}

/** The CA bundle ids a rule's backends and mirrors name ("system" is none), each with where it is named. */
export function caRefsOf(rule: z.input<typeof Rule>): CaRef[] {
  const refs: CaRef[] = [];
  const add = (tls: z.input<typeof BackendTls> | undefined, path: PropertyKey[]) => {
    if (tls && tls.ca !== 'system') refs.push({ id: tls.ca, path: [...path, 'tls', 'ca'] });
  };
  const mirrors = (filters: z.input<typeof Filter>[] = [], path: PropertyKey[]) =>
    filters.forEach((f, fi) => {
      if (f.type === 'RequestMirror') add(f.requestMirror.tls, [...path, 'filters', fi, 'requestMirror']);
    });
  mirrors(rule.filters, []);
  (rule.backends ?? []).forEach((b, bi) => {
    add(b.tls, ['backends', bi]);
    mirrors(b.filters, ['backends', bi]);
  });
  return refs;
}

export type ProxyConfig = z.infer<typeof ProxyConfig>;
export type ProxyBackendTls = z.infer<typeof BackendTls>;
export type ProxyCaCertificate = z.infer<typeof CaCertificate>;
export type ProxyRule = z.infer<typeof Rule>;
export type ProxyHost = z.infer<typeof Host>;
export type ProxyGatewayScope = z.infer<typeof GatewayScope>;
export type ProxyMatch = z.infer<typeof Match>;
export type ProxyFilter = z.infer<typeof Filter>;
export type ProxyBackend = z.infer<typeof Backend>;
export type ProxyHeaderModifier = z.infer<typeof HeaderModifier>;
export type ProxyPathModifier = z.infer<typeof PathModifier>;
export type ProxyMirrorTarget = z.infer<typeof MirrorTarget>;
/** What the translator writes: defaults may be omitted. */
export type ProxyConfigInput = z.input<typeof ProxyConfig>;

export const EMPTY_CONFIG_VERSION = 'empty';

/** Parses an untrusted config; throws a ZodError that names the offending path. */
export function parseProxyConfig(input: unknown): ProxyConfig {
  return ProxyConfig.parse(input);
}
