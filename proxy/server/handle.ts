// The request entry point shared by every listener: validate, normalise the path, route (host → first
// matching match), then forward.
// Reads the table once, so a request finishes on the config it started with.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessLog } from '../access-log.js';
import type { RequestHead } from '../filters/types.js';
import { addForwardingHeaders, requestHeaders } from '../forward/headers.js';
import { forward, type ForwardRuntime } from '../forward/forward.js';
import { sendStatus } from '../forward/local.js';
import type { ProxyLimits } from '../limits.js';
import { authorityPort, BAD_PORT, hostPort, NO_PORT, normalizeHost, validAuthorityHost } from '../router/host.js';
import { RequestMatchInput, type CompiledMatch } from '../router/match.js';
import { normalizePath, PathRefusal, splitAbsoluteForm } from '../router/path.js';
import { scopeFor } from '../router/scopes.js';
import { firstMatch } from '../router/select.js';
import type { CompiledRule, RoutingTable } from '../router/table.js';
import { Http1Exchange, type Exchange } from './exchange.js';

export interface HandlerRuntime extends ForwardRuntime {
  table(): RoutingTable | undefined;
  accessLog: AccessLog;
}

export function handleExchange(ex: Exchange, rt: HandlerRuntime): void {
  const metrics = rt.metrics;
  metrics.requestStarted();
  // The one access-log branch of the request: when on, the log hears the end (and records the metrics).
  ex.onDone(rt.accessLog.enabled ? rt.accessLog : metrics);
  const ct = ex.headers['content-type'];
  const grpc = typeof ct === 'string' && ct.startsWith('application/grpc');
  try {
    ex.rule = route(ex, rt, grpc);
  } catch (err) {
    rt.logger.error({ err }, 'request handling failed');
    sendStatus(ex, 500, 'internal error', grpc);
  }
}

/**
 * An HTTP/1.1 request with `Expect: 100-continue` (Node asks before answering 100). A declared body over the
 * limit is answered 413 at once, without 100 Continue, and the connection closes: the body is never read.
 * Otherwise 100 Continue goes out and the request is handled as usual.
 */
export function handleExpectContinue(req: IncomingMessage, res: ServerResponse, rt: HandlerRuntime): void {
  const declared = Number(req.headers['content-length']);
  if (declared > rt.limits.maxBodyBytes) {
    res.shouldKeepAlive = false; // Connection: close, and Node closes the socket after the answer
    const ex = new Http1Exchange(req, res);
    rt.metrics.requestStarted();
    ex.onDone(rt.accessLog.enabled ? rt.accessLog : rt.metrics);
    return sendStatus(ex, 413, 'request body too large', false);
  }
  res.writeContinue();
  handleExchange(new Http1Exchange(req, res), rt);
}

function route(ex: Exchange, rt: HandlerRuntime, grpc: boolean): CompiledRule | undefined {
  const table = rt.table();
  if (table === undefined) {
    sendStatus(ex, 503, 'no configuration loaded', grpc);
    return undefined;
  }
  const routed = routeRequest(ex, table, rt.limits);
  if (routed instanceof Refusal) {
    sendStatus(ex, routed.status, routed.message, grpc);
    return undefined;
  }
  const match = routed.match;
  // Set before forwarding: a response answered synchronously still counts for this rule.
  ex.rule = match.rule;
  forward(ex, match.rule, routed.head, match.matchedPrefix, grpc || match.rule.grpc, rt);
  return match.rule;
}

/** What routing reads from a request, whichever way it came in (an Exchange, or an HTTP/1.1 Upgrade). */
export type RouteSource = RequestSource & Pick<Exchange, 'target' | 'http2' | 'localPort'>;

/** A request the proxy answers itself instead of routing it. */
export class Refusal {
  constructor(
    readonly status: number,
    readonly message: string,
  ) {}
}

const MISSING_HOST = new Refusal(400, 'exactly one Host header is required');
const BAD_HOST = new Refusal(400, 'the Host header is not a valid host (RFC 3986 §3.2.2)');
const BAD_HOST_PORT = new Refusal(400, 'the Host header port is not a number from 1 to 65535');
const URI_TOO_LONG = new Refusal(414, 'URI too long');
const NOT_A_PATH = new Refusal(400, 'request target must be a path');
const AUTHORITY_CONFLICT = new Refusal(400, 'request target names another host than the Host header');
const NO_ROUTE = new Refusal(404, 'no route for this request');

export interface Routed {
  match: CompiledMatch<CompiledRule>;
  /** The head to forward: its path is the normalised path the match was made on. */
  head: RequestHead;
}

/**
 * Validation, normalisation and matching, shared by every entry (plain requests and upgrades), so no way
 * in skips a check. An absolute-form target (HTTP/1.1 only) must name the Host header's host and port:
 * routing uses the Host header, so the two must never disagree, and only the path and query travel on.
 * The Gateway is the one whose data port the connection arrived on (router/scopes.ts); the listener port
 * is the Host header's (router/ports.ts), never another header's.
 */
export function routeRequest(
  src: RouteSource,
  table: RoutingTable,
  limits: Pick<ProxyLimits, 'maxUrlLength'>,
): Routed | Refusal {
  if (src.authority === undefined && !src.http2) return MISSING_HOST;
  if (!validAuthorityHost(src.authority)) return BAD_HOST;
  const port = authorityPort(src.authority);
  if (port === BAD_PORT) return BAD_HOST_PORT;
  let target = src.target;
  if (target.length > limits.maxUrlLength) return URI_TOO_LONG;
  if (target.charCodeAt(0) !== 47 /* / */) {
    const absolute = src.http2 ? undefined : splitAbsoluteForm(target);
    if (absolute === undefined) return NOT_A_PATH;
    if (normalizeHost(absolute.authority) !== normalizeHost(src.authority)) return AUTHORITY_CONFLICT;
    if (!samePort(authorityPort(absolute.authority), port, absolute.defaultPort)) return AUTHORITY_CONFLICT;
    target = absolute.rest;
  }
  const q = target.indexOf('?');
  const path = normalizePath(q === -1 ? target : target.slice(0, q));
  if (path instanceof PathRefusal) return new Refusal(400, path.reason);
  const query = q === -1 ? '' : target.slice(q);
  const host = normalizeHost(src.authority);
  const entry = scopeFor(table, src.localPort).lookup(host, port, src.encrypted);
  const match = entry && firstMatch(entry, new RequestMatchInput(src.method, path, src.headers, query));
  if (match === undefined) return NO_ROUTE;
  return { match, head: requestHead(src, host, path, query) };
}

/** Two written ports (NO_PORT when none) name the same port, a missing one standing for the scheme's default. */
function samePort(a: number, b: number, defaultPort: number): boolean {
  return (a === NO_PORT ? defaultPort : a) === (b === NO_PORT ? defaultPort : b);
}

/** What building the forwarded request head reads from the client request. */
export type RequestSource = Pick<
  Exchange,
  'method' | 'authority' | 'headers' | 'rawHeaders' | 'remoteAddress' | 'encrypted'
>;

export function requestHead(ex: RequestSource, host: string, path: string, query: string): RequestHead {
  const headers = requestHeaders(ex.rawHeaders, ex.headers.connection);
  const xfp = ex.headers['x-forwarded-proto'];
  const scheme = xfp === 'https' || xfp === 'http' ? xfp : ex.encrypted ? 'https' : 'http';
  const ip = ex.remoteAddress;
  // A dual-stack listener reports IPv4 clients as "::ffff:a.b.c.d"; backends expect the IPv4 form.
  const clientIp = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
  addForwardingHeaders(headers, { clientIp, scheme, host: ex.authority ?? host });
  return { method: ex.method, scheme, host, port: hostPort(ex.authority), path, query, headers };
}
