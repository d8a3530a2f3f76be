import { isIPv6 } from 'node:net';

// Host lookup: exact names in a Map, wildcards by suffix, then "*". Cost is the number of labels in the
// request host, whatever the number of configured hosts.

/** "App.Example.com.:8443" → "app.example.com"; "[::1]:80" → "[::1]". */
export function normalizeHost(raw: string | undefined): string {
  if (!raw) return '';
  let end = raw.length;
  if (raw.charCodeAt(0) === 91 /* [ */) {
    const close = raw.indexOf(']');
    end = close === -1 ? end : close + 1;
  } else {
    const colon = raw.lastIndexOf(':');
    if (colon !== -1) end = colon;
  }
  // Stryker disable next-line ConditionalExpression,EqualityOperator: `end > 0` → `true` / `end >= 0` only lets end 0 through, and raw.charCodeAt(-1) is NaN, never a dot
  if (end > 0 && raw.charCodeAt(end - 1) === 46 /* . */) end--;
  // Stryker disable next-line ConditionalExpression: `… ? raw :` → `false ?` slices the whole string, an equal string (a fast path only)
  const host = end === raw.length ? raw : raw.slice(0, end);
  return hasUpper(host) ? host.toLowerCase() : host;
}

/** Unreserved and sub-delims (RFC 3986 §2.2–2.3): a reg-name's characters ("%" starts an escape, checked apart). */
const REG_NAME_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=";
const REG_NAME = charSet(REG_NAME_CHARS);
const HEX_DIGIT = charSet('0123456789ABCDEFabcdef');
/** What follows "v<hex>." in an IPvFuture literal: the same characters and ":". */
const IP_FUTURE = charSet(`${REG_NAME_CHARS}:`);

/**
 * The host part of a Host header is `uri-host` (RFC 9110 §7.2): a reg-name (IPv4 addresses are reg-names
 * by their characters) or an IP literal in brackets. Anything else (non-ASCII, "@", "/", a space, an
 * unclosed "[", a second ":") makes the header invalid, answered with 400, never routed. The port after
 * the last ":" is authorityPort()'s to check. Reads characters, allocates nothing.
 */
export function validAuthorityHost(raw: string | undefined): boolean {
  if (!raw) return true;
  if (raw.charCodeAt(0) === 91 /* [ */) return validIpLiteral(raw);
  const colon = raw.lastIndexOf(':');
  const end = colon === -1 ? raw.length : colon;
  for (let i = 0; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c === 37 /* % */) {
      // Past the end charCodeAt is NaN and at `end` stands the port's ":": neither is a hex digit.
      if (!HEX_DIGIT[raw.charCodeAt(i + 1)] || !HEX_DIGIT[raw.charCodeAt(i + 2)]) return false;
      i += 2;
    } else if (!REG_NAME[c]) return false;
  }
  return true;
}

/** "[" IPv6address "]" or "[" "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ) "]", then nothing or ":". */
function validIpLiteral(raw: string): boolean {
  const close = raw.indexOf(']');
  if (close === -1 || (close + 1 < raw.length && raw.charCodeAt(close + 1) !== 58) /* : */) return false;
  const literal = raw.slice(1, close);
  if ((literal.charCodeAt(0) | 32) !== 118 /* v */) return isIPv6(literal);
  const dot = literal.indexOf('.');
  if (dot < 2 || dot === literal.length - 1) return false;
  for (let i = 1; i < dot; i++) if (!HEX_DIGIT[literal.charCodeAt(i)]) return false;
  for (let i = dot + 1; i < literal.length; i++) if (!IP_FUTURE[literal.charCodeAt(i)]) return false;
  return true;
}

function charSet(chars: string): boolean[] {
  const set = new Array<boolean>(128).fill(false);
  for (let i = 0; i < chars.length; i++) set[chars.charCodeAt(i)] = true;
  return set;
}

/** authorityPort(): no port written, or an empty one ("a.com:", which RFC 3986 reads as none). */
export const NO_PORT = 0;
/** authorityPort(): a port that is not a number from 1 to 65535 (the Host header is invalid). */
export const BAD_PORT = -1;

/** The port written in a Host header: NO_PORT, BAD_PORT or 1–65535. Reads characters, allocates nothing. */
export function authorityPort(raw: string | undefined): number {
  if (!raw) return NO_PORT;
  const colon = raw.lastIndexOf(':');
  if (colon === -1 || raw.indexOf(']', colon) !== -1) return NO_PORT;
  if (colon === raw.length - 1) return NO_PORT;
  let port = 0;
  for (let i = colon + 1; i < raw.length; i++) {
    const digit = raw.charCodeAt(i) - 48; /* 0 */
    if (digit < 0 || digit > 9) return BAD_PORT;
    port = port * 10 + digit;
    if (port > 65535) return BAD_PORT;
  }
  return port === 0 ? BAD_PORT : port;
}

/** The port written in a Host header, if any. */
export function hostPort(raw: string | undefined): number | undefined {
  const port = authorityPort(raw);
  return port > 0 ? port : undefined;
}

function hasUpper(s: string): boolean {
  // Stryker disable next-line EqualityOperator: `i <= s.length` also reads s.charCodeAt(s.length), NaN, never A–Z
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}

export class HostTable<T> {
  private readonly exact = new Map<string, T>();
  /** Keyed by the suffix including its leading dot: "*.a.com" → ".a.com". */
  private readonly wildcard = new Map<string, T>();
  private any: T | undefined;

  /** The first entry for a key wins (the config lists hosts in precedence order). */
  add(hostname: string, entry: T): void {
    const name = normalizeHost(hostname);
    if (name === '*') this.any ??= entry;
    else if (name.startsWith('*.')) {
      const suffix = name.slice(1);
      if (!this.wildcard.has(suffix)) this.wildcard.set(suffix, entry);
    } else if (!this.exact.has(name)) this.exact.set(name, entry);
  }

  /** Exact, then the longest matching wildcard suffix (never the apex itself), then "*". */
  lookup(host: string): T | undefined {
    const hit = this.exact.get(host);
    if (hit !== undefined) return hit;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: `size > 0` → `true` / `size >= 0` only skips a fast path: walking the dots of an empty wildcard map finds nothing either
    if (this.wildcard.size > 0) {
      // Walk the dots left to right: the first suffix found is the longest.
      for (let dot = host.indexOf('.'); dot > 0; dot = host.indexOf('.', dot + 1)) {
        const entry = this.wildcard.get(host.slice(dot));
        if (entry !== undefined) return entry;
      }
    }
    return this.any;
  }
}
