// Request path normalisation, done once before matching; the result is both what routes match and what the
// backend is sent, so a backend can never resolve a path to something the route table did not allow.
// Choices (Envoy's as reference, docs/security.md):
// - %XX of an unreserved character (ALPHA DIGIT - . _ ~, RFC 3986 §2.3), "%2e" included, is decoded; every
//   other escape is kept as sent.
// - dot-segments are removed (RFC 3986 §5.2.4) and a path cannot climb above "/";
// - runs of "/" are merged into one (Envoy's merge_slashes);
// - refused (400): %2F / %5C (an encoded slash or backslash, Envoy's REJECT_REQUEST), a raw backslash, a
//   malformed escape, and a "." or ".." segment followed by ";" (Tomcat-style path parameters turn
//   "/public/..;/admin" into "/admin"), control characters, space and "#".
// The query string is not touched.

/** Why a path was refused; one frozen instance per reason, so refusing allocates nothing. */
export class PathRefusal {
  constructor(readonly reason: string) {
    Object.freeze(this);
  }
}

const ENCODED_SEPARATOR = new PathRefusal('encoded slash or backslash in the path');
const BACKSLASH = new PathRefusal('backslash in the path');
const BAD_ESCAPE = new PathRefusal('malformed percent-encoding in the path');
const BAD_CHAR = new PathRefusal('invalid character in the path');
const DOT_PARAMETER = new PathRefusal('dot-segment with a path parameter');

/** `raw` starts with "/" and holds no query. Returns the normalised path, `raw` itself when already normal. */
export function normalizePath(raw: string): string | PathRefusal {
  return needsWork(raw) ? normalizeSlow(raw) : raw;
}

/** One pass over the common path: true when it holds an escape, a dot-segment candidate, "//" or a bad char. */
function needsWork(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 37 /* % */ || c === 92 /* \ */ || c <= 32 || c === 127 || c === 35 /* # */) return true;
    // Stryker disable next-line EqualityOperator: `i + 1 <= raw.length` also reads raw.charCodeAt(raw.length), NaN, neither "/" nor "."
    if (c === 47 /* / */ && i + 1 < raw.length) {
      const next = raw.charCodeAt(i + 1);
      if (next === 47 || next === 46 /* . */) return true;
    }
  }
  return false;
}

function normalizeSlow(raw: string): string | PathRefusal {
  const decoded = decodeUnreserved(raw);
  if (decoded instanceof PathRefusal) return decoded;
  return removeDotSegments(decoded);
}

/** Decodes escapes of unreserved characters, validates the rest; refuses separators and bad characters. */
function decodeUnreserved(raw: string): string | PathRefusal {
  let out = '';
  let from = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 92) return BACKSLASH;
    if (c <= 32 || c === 127 || c === 35) return BAD_CHAR;
    if (c !== 37) continue;
    const hi = hexValue(raw.charCodeAt(i + 1));
    const lo = hexValue(raw.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) return BAD_ESCAPE;
    const byte = hi * 16 + lo;
    if (byte === 47 || byte === 92) return ENCODED_SEPARATOR;
    if (isUnreserved(byte)) {
      out += raw.slice(from, i) + String.fromCharCode(byte);
      from = i + 3;
    }
    i += 2;
  }
  // Stryker disable next-line ConditionalExpression: `from === 0` → `false`: nothing was decoded, so `out` is "" and out + raw.slice(0) is raw
  return from === 0 ? raw : out + raw.slice(from);
}

/** RFC 3986 §5.2.4 over whole segments, empty segments dropped (merged slashes), clamped at the root. */
function removeDotSegments(path: string): string | PathRefusal {
  const segments = path.split('/');
  const out: string[] = [];
  const last = segments.length - 1;
  // segments[0] is the empty string before the leading "/".
  for (let i = 1; i <= last; i++) {
    const s = segments[i]!;
    if (s === '.' || s === '..' || s === '') {
      if (s === '..') out.pop();
      // A path ending in "/", "/." or "/.." names a directory: keep its trailing slash.
      if (i === last) out.push('');
      continue;
    }
    if (s.startsWith('.;') || s.startsWith('..;')) return DOT_PARAMETER;
    out.push(s);
  }
  return `/${out.join('/')}`;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 32;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

function isUnreserved(b: number): boolean {
  const lower = b | 32;
  return (lower >= 97 && lower <= 122) || (b >= 48 && b <= 57) || b === 45 || b === 46 || b === 95 || b === 126;
}

/**
 * An absolute-form target ("http://host/path?q", RFC 9112 §3.2.2) split into its authority, the
 * origin-form rest ("/" when the path is empty) and its scheme's default port (what an authority without a
 * port means); undefined when `target` is not absolute-form http(s).
 */
export function splitAbsoluteForm(
  target: string,
): { authority: string; rest: string; defaultPort: 80 | 443 } | undefined {
  const m = /^https?:\/\//i.exec(target);
  if (m === null) return undefined;
  const start = m[0].length;
  let end = start;
  while (end < target.length && target[end] !== '/' && target[end] !== '?') end++;
  const rest = target.slice(end);
  const defaultPort = start === 'https://'.length ? 443 : 80;
  return { authority: target.slice(start, end), rest: rest.charCodeAt(0) === 47 ? rest : `/${rest}`, defaultPort };
}

/**
 * A route's Exact / PathPrefix value in the form requests are compared in ("/%7Euser" → "/~user"), so a
 * value written with escapes still matches. Left as written when it is not a path or would be refused.
 */
export function normalizeRoutePath(value: string): string {
  if (value.charCodeAt(0) !== 47 /* / */) return value;
  const normal = normalizePath(value);
  return typeof normal === 'string' ? normal : value;
}
