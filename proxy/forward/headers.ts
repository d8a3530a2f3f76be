// Header hygiene at the proxy boundary: hop-by-hop and Connection-listed headers never cross it, and the
// X-Forwarded-* / Forwarded headers say who asked. Runs before any user filter (fastify-reply-from order).
import type { HeaderList } from '../filters/types.js';

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus Host (sent as :authority/Host). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
  'trailer',
  'http2-settings',
  'host',
  'expect',
]);

/** Connection values that name no header (nginx and most servers send one of these on every response). */
const PLAIN_CONNECTION = new Set(['keep-alive', 'close', 'Keep-Alive', 'Close', 'upgrade', 'Upgrade']);

function connectionListed(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined || (typeof value === 'string' && PLAIN_CONNECTION.has(value))) return undefined;
  const joined = typeof value === 'string' ? value : value.join(',');
  const names = joined
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n !== '' && n !== 'close' && n !== 'keep-alive' && n !== 'upgrade');
  return names.length > 0 ? new Set(names) : undefined;
}

/** Request headers from Node's rawHeaders (flat name/value list): lower-cased, pseudo and hop-by-hop dropped. */
export function requestHeaders(rawHeaders: string[], connection: string | string[] | undefined): HeaderList {
  const extra = connectionListed(connection);
  const out: HeaderList = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (name.charCodeAt(0) === 58 /* : */ || HOP_BY_HOP.has(name) || extra?.has(name)) continue;
    out.push([name, rawHeaders[i + 1]!]);
  }
  return out;
}

/**
 * Response headers from a raw list — undici's (name/value Buffers, latin1) or node:http2's (strings) — with
 * pseudo-headers and hop-by-hop fields dropped; a repeated field stays repeated.
 */
export function rawResponseHeaders(raw: Array<Buffer | string>): HeaderList {
  const out: HeaderList = [];
  let connection: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = latin1(raw[i]!).toLowerCase();
    const value = latin1(raw[i + 1]!);
    if (name === 'connection') connection = connection === undefined ? value : `${connection},${value}`;
    if (name.charCodeAt(0) === 58 /* : */ || HOP_BY_HOP.has(name)) continue;
    out.push([name, value]);
  }
  const extra = connectionListed(connection);
  return extra === undefined ? out : out.filter(([name]) => !extra.has(name));
}

function latin1(v: Buffer | string): string {
  return typeof v === 'string' ? v : v.toString('latin1');
}

export interface ForwardedFor {
  clientIp: string;
  scheme: 'http' | 'https';
  /** The Host header as received (with port). */
  host: string;
}

/** Appends to X-Forwarded-For and Forwarded, sets X-Forwarded-Host, keeps an edge-set X-Forwarded-Proto. */
export function addForwardingHeaders(headers: HeaderList, f: ForwardedFor): void {
  let xff: string | undefined;
  let forwarded: string | undefined;
  let hasProto = false;
  for (let i = headers.length - 1; i >= 0; i--) {
    const [name, value] = headers[i]!;
    if (name === 'x-forwarded-for') {
      xff = xff === undefined ? value : `${value}, ${xff}`;
      headers.splice(i, 1);
    } else if (name === 'forwarded') {
      forwarded = forwarded === undefined ? value : `${value}, ${forwarded}`;
      headers.splice(i, 1);
    } else if (name === 'x-forwarded-host') headers.splice(i, 1);
    else if (name === 'x-forwarded-proto') hasProto = true;
  }
  const ip = f.clientIp;
  headers.push(['x-forwarded-for', xff === undefined ? ip : `${xff}, ${ip}`]);
  if (!hasProto) headers.push(['x-forwarded-proto', f.scheme]);
  headers.push(['x-forwarded-host', f.host]);
  const node = ip.includes(':') ? `"[${ip}]"` : ip;
  const element = `for=${node};host="${f.host.replace(/["\\]/g, '')}";proto=${f.scheme}`;
  headers.push(['forwarded', forwarded === undefined ? element : `${forwarded}, ${element}`]);
}

export function getHeader(headers: HeaderList, name: string): string | undefined {
  for (let i = 0; i < headers.length; i++) if (headers[i]![0] === name) return headers[i]![1];
  return undefined;
}

/** ["a","1","b","2"] form for writeHead and undici. */
export function flatten(headers: HeaderList): string[] {
  const out = new Array<string>(headers.length * 2);
  for (let i = 0; i < headers.length; i++) {
    out[2 * i] = headers[i]![0];
    out[2 * i + 1] = headers[i]![1];
  }
  return out;
}

/** Object form for node:http2 (repeated names become arrays). */
export function toObject(
  headers: HeaderList,
  into: Record<string, string | string[] | number> = {},
): Record<string, string | string[] | number> {
  for (const [name, value] of headers) {
    const prev = into[name];
    if (prev === undefined) into[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else into[name] = [String(prev), value];
  }
  return into;
}

/** A filter that rewrites the host (URLRewrite) writes a "host" entry; it travels as Host / :authority. */
export function takeHostHeader(head: { headers: HeaderList }): string | undefined {
  const headers = head.headers;
  let host: string | undefined;
  for (let i = headers.length - 1; i >= 0; i--) {
    if (headers[i]![0] !== 'host') continue;
    host ??= headers[i]![1];
    headers.splice(i, 1);
  }
  return host;
}
