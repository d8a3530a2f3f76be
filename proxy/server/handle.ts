// The request entry point shared by every listener: route (host → first matching match), then forward.
// Reads the table once, so a request finishes on the config it started with.
import type { RequestHead } from '../filters/types.js';
import { addForwardingHeaders, requestHeaders } from '../forward/headers.js';
import { forward, type ForwardRuntime } from '../forward/forward.js';
import { sendStatus } from '../forward/local.js';
import { hostPort, normalizeHost } from '../router/host.js';
import { RequestMatchInput } from '../router/match.js';
import { firstMatch } from '../router/select.js';
import type { CompiledRule, RoutingTable } from '../router/table.js';
import type { Exchange } from './exchange.js';

export interface HandlerRuntime extends ForwardRuntime {
  table(): RoutingTable | undefined;
}

export function handleExchange(ex: Exchange, rt: HandlerRuntime): void {
  const metrics = rt.metrics;
  metrics.requestStarted();
  ex.onDone(metrics);
  const ct = ex.headers['content-type'];
  const grpc = typeof ct === 'string' && ct.startsWith('application/grpc');
  try {
    ex.rule = route(ex, rt, grpc);
  } catch (err) {
    rt.logger.error({ err }, 'request handling failed');
    sendStatus(ex, 500, 'internal error', grpc);
  }
}

function route(ex: Exchange, rt: HandlerRuntime, grpc: boolean): CompiledRule | undefined {
  const table = rt.table();
  if (table === undefined) {
    sendStatus(ex, 503, 'no configuration loaded', grpc);
    return undefined;
  }
  if (ex.authority === undefined && !ex.http2) {
    sendStatus(ex, 400, 'exactly one Host header is required', grpc);
    return undefined;
  }
  const target = ex.target;
  if (target.length > rt.limits.maxUrlLength) {
    sendStatus(ex, 414, 'URI too long', grpc);
    return undefined;
  }
  if (target.charCodeAt(0) !== 47 /* / */) {
    sendStatus(ex, 400, 'request target must be a path', grpc);
    return undefined;
  }
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  const query = q === -1 ? '' : target.slice(q);
  const host = normalizeHost(ex.authority);
  const entry = table.hosts.lookup(host);
  const match = entry && firstMatch(entry, new RequestMatchInput(ex.method, path, ex.headers, query));
  if (match === undefined) {
    sendStatus(ex, 404, 'no route for this request', grpc);
    return undefined;
  }
  const head = requestHead(ex, host, path, query);
  // Set before forwarding: a response answered synchronously still counts for this rule.
  ex.rule = match.rule;
  forward(ex, match.rule, head, match.matchedPrefix, grpc || match.rule.grpc, rt);
  return match.rule;
}

/** What building the forwarded request head reads from the client request. */
export type RequestSource = Pick<Exchange, 'method' | 'authority' | 'headers' | 'rawHeaders' | 'remoteAddress' | 'encrypted'>;

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
