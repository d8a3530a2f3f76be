// Pure: comparing and merging tunnel ingress documents. Cloudflare rebuilds cloudflared's origin pools on
// every configuration write, so we compare semantically and write only on a real difference.
import type { IngressRule } from '../core/types.js';
import type { HostnameConflict } from '../core/ports.js';

/** A rule as Cloudflare holds it (foreign rules may carry fields our contract does not model). */
export type RemoteRule = {
  hostname?: string;
  path?: string;
  service: string;
  originRequest?: Record<string, unknown>;
} & Record<string, unknown>;

export const DEFAULT_CATCH_ALL: IngressRule = { service: 'http_status:404' };

// cloudflared's defaults: a field set to its default means the same as the field left out.
const ORIGIN_DEFAULTS: Record<string, unknown> = {
  http2Origin: false,
  noTLSVerify: false,
  disableChunkedEncoding: false,
  noHappyEyeballs: false,
  matchSNItoHost: false,
  originServerName: '',
  httpHostHeader: '',
  caPool: '',
  proxyType: '',
  connectTimeout: 30,
  tlsTimeout: 10,
  tcpKeepAlive: 30,
  keepAliveTimeout: 90,
  keepAliveConnections: 100,
};

export function isCatchAll(rule: RemoteRule | IngressRule): boolean {
  return !rule.hostname && !(rule as RemoteRule).path;
}

export function hostOf(rule: RemoteRule | IngressRule): string {
  return (rule.hostname ?? '').toLowerCase();
}

/** Canonical form: lower-case hostname, no empty path, originRequest without defaults or empty values. */
export function canonicalRule(rule: RemoteRule | IngressRule): Record<string, unknown> {
  const out: Record<string, unknown> = { service: rule.service.trim() };
  if (rule.hostname) out.hostname = rule.hostname.toLowerCase();
  const path = (rule as RemoteRule).path;
  if (path) out.path = path;
  const origin = canonicalOrigin(rule.originRequest as Record<string, unknown> | undefined);
  if (origin) out.originRequest = origin;
  return out;
}

function canonicalOrigin(origin: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!origin) return undefined;
  const entries = Object.entries(origin)
    .filter(([k, v]) => v !== undefined && v !== null && ORIGIN_DEFAULTS[k] !== v)
    .sort(([a], [b]) => a.localeCompare(b));
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** Same routing: the same set of rules (order aside) and the same catch-all last. */
export function sameIngress(
  a: ReadonlyArray<RemoteRule | IngressRule>,
  b: ReadonlyArray<RemoteRule | IngressRule>,
): boolean {
  const split = (rules: ReadonlyArray<RemoteRule | IngressRule>) => {
    const last = rules.at(-1);
    const tail = last && isCatchAll(last) ? JSON.stringify(canonicalRule(last)) : '';
    const body = (tail ? rules.slice(0, -1) : rules).map((r) => JSON.stringify(canonicalRule(r))).sort();
    return { tail, body };
  };
  const x = split(a);
  const y = split(b);
  return x.tail === y.tail && x.body.length === y.body.length && x.body.every((r, i) => r === y.body[i]);
}

export interface MergeInput {
  /** What Cloudflare holds now. */
  current: RemoteRule[];
  /** What the translator wants (catch-all last). */
  desired: IngressRule[];
  /** Hostnames known to be ours: written by this controller or carrying our DNS ownership mark. */
  ownedHosts: ReadonlySet<string>;
  /** The tunnel is dedicated to this controller: rules not in the desired document are removed. */
  ownTunnel: boolean;
}

export interface MergeResult {
  ingress: RemoteRule[];
  conflicts: string[];
  /** Hostnames whose rules this merge removes. */
  removed: string[];
  /** Desired hostnames held by a foreign rule (kept; ours not written). */
  taken: string[];
  /** The same, with what holds each (routes publishing it get a condition). */
  hostnameConflicts: HostnameConflict[];
}

/**
 * Desired rules first (their order kept: exact hostnames before wildcards matters to cloudflared), then the
 * foreign rules we keep, then the catch-all. A foreign rule is one for a hostname we never owned.
 */
export function mergeIngress(input: MergeInput): MergeResult {
  const desiredRules = input.desired.filter((r) => !isCatchAll(r));
  const catchAll =
    input.desired.at(-1) && isCatchAll(input.desired.at(-1)!) ? input.desired.at(-1)! : DEFAULT_CATCH_ALL;
  const desiredHosts = new Set(desiredRules.map(hostOf));
  const isForeign = (r: RemoteRule): boolean => !input.ownTunnel && !input.ownedHosts.has(hostOf(r));
  const conflicts: string[] = [];
  const removed: string[] = [];
  const kept: RemoteRule[] = [];
  const takenHosts = new Set<string>();
  const hostnameConflicts: HostnameConflict[] = [];
  const currentRules = input.current.filter((r, i) => !(i === input.current.length - 1 && isCatchAll(r)));

  for (const rule of currentRules) {
    const host = hostOf(rule);
    if (desiredHosts.has(host)) {
      const ours = desiredRules.filter((d) => hostOf(d) === host);
      const identical = ours.some((d) => JSON.stringify(canonicalRule(d)) === JSON.stringify(canonicalRule(rule)));
      if (isForeign(rule) && !identical) {
        takenHosts.add(host);
        kept.push(rule);
        conflicts.push(
          `hostname taken: ingress rule for ${host || '(no hostname)'} → ${rule.service} was not created by this controller; kept`,
        );
        hostnameConflicts.push({
          hostname: host,
          reason: 'HostnameTaken',
          message: `has a tunnel ingress rule → ${rule.service} not created by this controller; kept`,
        });
      }
      continue;
    }
    if (isForeign(rule)) {
      kept.push(rule);
      conflicts.push(
        `foreign ingress rule for ${host || '(no hostname)'} → ${rule.service} kept (not created by this controller)`,
      );
    } else {
      removed.push(host);
    }
  }
  const ours = desiredRules.filter((r) => !takenHosts.has(hostOf(r))).map((r) => ({ ...r }) as RemoteRule);
  return {
    ingress: [...ours, ...kept, { ...catchAll } as RemoteRule],
    conflicts,
    removed: [...new Set(removed)],
    taken: [...takenHosts],
    hostnameConflicts,
  };
}
