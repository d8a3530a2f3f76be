// DNS rebinding defence for the admin API. A web page whose name resolves to 127.0.0.1 can make a browser
// send requests to a loopback admin port, but the Host header still carries the page's name. Without a
// token the loopback address is the only defence, so every admin route (reads too: /config, /status and
// /debug/ describe the whole routing) refuses a Host that is not a loopback name or literal, the listen
// address, or a name the operator allowed. With a token the token is the defence: a controller reaches
// pods by IP and kubelet probes /readyz by IP, so any Host is served. Browsers' cross-site requests
// (Sec-Fetch-Site, Origin) are refused in both cases: nothing legitimate sends them.
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/** undefined: serve the request; otherwise why it is refused (answered 403). */
export type HostCheck = (req: IncomingMessage) => string | undefined;

export interface HostCheckOptions {
  /** The address the admin port listens on. */
  listenHost: string;
  tokenRequired: boolean;
  /** Extra Host names (or addresses) accepted without a token (`--admin-allowed-hosts`). */
  allowedHosts?: readonly string[];
}

export function createHostCheck(opts: HostCheckOptions): HostCheck {
  // An unspecified listen address (0.0.0.0, ::) is no name anyone should use: browsers send it to loopback.
  const listen = isUnspecified(opts.listenHost) ? [] : [opts.listenHost];
  const allowed = new Set([...listen, ...(opts.allowedHosts ?? [])].map(normalizeName).filter((n) => n !== ''));
  const isAllowed = (name: string | undefined) => name !== undefined && (isLoopbackName(name) || allowed.has(name));
  return (req) => {
    const site = req.headers['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') return `cross-site browser request (Sec-Fetch-Site: ${site})`;
    if (opts.tokenRequired) return undefined;
    const host = hostName(req.headers.host);
    if (!isAllowed(host))
      return `host ${JSON.stringify(req.headers.host ?? '')} is not allowed on the admin port (see --admin-allowed-hosts)`;
    const origin = req.headers.origin;
    if (origin !== undefined && !isAllowed(originName(origin)))
      return `origin ${JSON.stringify(origin)} is not allowed on the admin port`;
    return undefined;
  };
}

/** localhost, any 127.0.0.0/8 literal in dotted-quad form, ::1. */
export function isLoopbackName(name: string): boolean {
  if (name === 'localhost' || name === '::1') return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

/** The name part of a Host header (lower-cased, port and trailing dot dropped); undefined when malformed. */
export function hostName(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0 || !/^(:\d{1,5})?$/.test(value.slice(end + 1))) return undefined;
    return value.slice(1, end);
  }
  const match = /^([^:]+)(:\d{1,5})?$/.exec(value);
  return match ? normalizeName(match[1]!) : undefined;
}

function isUnspecified(host: string): boolean {
  const name = normalizeName(host);
  return name === '0.0.0.0' || name === '::' || name === '';
}

function originName(origin: string): string | undefined {
  try {
    return hostName(new URL(origin).host);
  } catch {
    return undefined;
  }
}

function normalizeName(name: string): string {
  const lower = name.trim().toLowerCase().replace(/\.$/, '');
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
}

/** The check for an admin port: Host is free only when a token guards it. */
export function adminHostCheck(
  listenHost: string,
  token: string | undefined,
  allowedHosts?: readonly string[],
): HostCheck {
  return createHostCheck({ listenHost, tokenRequired: token !== undefined && token !== '', allowedHosts });
}

/**
 * Logs refused admin requests without letting a hostile page flood the log: the first 10, then every
 * 1000th, each with the running count.
 */
export function refusalLogger(
  log: (fields: Record<string, unknown>) => void,
): (fields: Record<string, unknown>) => void {
  let refusals = 0;
  return (fields) => {
    refusals++;
    if (refusals <= 10 || refusals % 1000 === 0) log({ ...fields, refusals });
  };
}
