// Per-request choices over a compiled rule: the first matching match, the weighted backend, the endpoint.
import type { HeaderList } from '../filters/types.js';
import { matches, type CompiledMatch, type MatchInput } from './match.js';
import { firstSegment } from './segments.js';
import type { CompiledBackend, CompiledRule, HostEntry } from './table.js';
import type { Upstream } from '../forward/upstream.js';

export function firstMatch(entry: HostEntry, input: MatchInput): CompiledMatch<CompiledRule> | undefined {
  const index = entry.index;
  // Stryker disable next-line ConditionalExpression: `index === undefined` → `true` scans every match instead of the segment's candidates: the index only skips matches that cannot match (segments.ts), so the first match is the same
  const list = index === undefined ? entry.matches : (index.bySegment.get(firstSegment(input.path)) ?? index.others);
  for (let i = 0; i < list.length; i++) if (matches(list[i]!, input)) return list[i];
  return undefined;
}

/** A random draw over weights (weight 0 is never picked); a persisted backend wins when it still exists. */
export function pickBackend(rule: CompiledRule, persistedToken: string | undefined): CompiledBackend | undefined {
  // Stryker disable next-line ConditionalExpression: `!== undefined` → `true` looks up byToken.get(undefined), which is undefined: the draw follows all the same
  if (persistedToken !== undefined) {
    const pinned = rule.byToken.get(persistedToken);
    if (pinned !== undefined && pinned.weight > 0) return pinned;
  }
  const n = rule.weighted.length;
  // Stryker disable next-line ConditionalExpression: a fast path: with no backend the draw is 0 * 0, the search does not run and weighted[0] is undefined all the same
  if (n === 0) return undefined;
  // Stryker disable next-line ConditionalExpression: a fast path: the search over one backend ends at index 0 all the same
  if (n === 1) return rule.weighted[0];
  const r = Math.random() * rule.totalWeight;
  const cum = rule.cumulative;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (r < cum[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return rule.weighted[lo];
}

export function nextEndpoint(backend: CompiledBackend): Upstream | undefined {
  const eps = backend.endpoints;
  // Stryker disable next-line ConditionalExpression: a fast path: with no endpoint eps[0] is undefined and the cursor stays 0 all the same
  if (eps.length === 0) return undefined;
  const i = backend.cursor;
  backend.cursor = i + 1 >= eps.length ? 0 : i + 1;
  return eps[i];
}

/**
 * The backend token named by the persistence cookie or header, if any and not expired. With an absolute
 * timeout the value is "<token>.<issued, seconds base 36>"; an expired one counts as absent.
 */
export function persistedToken(
  rule: CompiledRule,
  headers: Record<string, string | string[] | undefined>,
  nowMs = Date.now(),
): string | undefined {
  const p = rule.persistence;
  if (p === undefined) return undefined;
  const raw = rawPersisted(p.type, p.name, headers);
  if (raw === undefined || p.absoluteTimeoutMs === undefined) return raw;
  const dot = raw.lastIndexOf('.');
  const issued = dot === -1 ? NaN : parseInt(raw.slice(dot + 1), 36) * 1000;
  return nowMs - issued <= p.absoluteTimeoutMs ? raw.slice(0, dot) : undefined;
}

function rawPersisted(
  type: 'Cookie' | 'Header',
  name: string,
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  if (type === 'Header') {
    const v = headers[name];
    return typeof v === 'string' ? v : v?.[0];
  }
  const cookie = headers.cookie;
  if (cookie === undefined) return undefined;
  const all = typeof cookie === 'string' ? cookie : cookie.join('; ');
  const prefix = `${name}=`;
  for (const part of all.split(';')) {
    const trimmed = part.trim();
    if (trimmed.startsWith(prefix)) return trimmed.slice(prefix.length);
  }
  return undefined;
}

/** The header that pins the next request to `backend` (added to the first response). */
export function persistenceHeader(
  rule: CompiledRule,
  backend: CompiledBackend,
  nowMs = Date.now(),
): [string, string] | undefined {
  const p = rule.persistence;
  if (p === undefined) return undefined;
  const value =
    p.absoluteTimeoutMs === undefined ? backend.token : `${backend.token}.${Math.floor(nowMs / 1000).toString(36)}`;
  return p.type === 'Cookie' ? ['set-cookie', `${p.name}=${value}${p.cookieAttributes}`] : [p.name, value];
}

export type { HeaderList };
