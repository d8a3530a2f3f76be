// HTTP/1.1 requests carrying Upgrade. They take the same validation, path normalisation and routing as any
// request (routeRequest), and the route's request and response filters. Only WebSocket is tunnelled: the
// client socket is spliced to an upgraded upstream socket both ways. Any other Upgrade (h2c, …) is never
// forwarded as one — relaying h2c would let a client talk HTTP/2 straight to the backend past every route
// ("h2c smuggling") — so the request is served as the plain HTTP/1.1 request it also is (RFC 9110 §7.8 lets
// a server ignore Upgrade), and the connection closes after the answer.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { FinishedRequest } from '../access-log.js';
import { flatten, rawResponseHeaders, takeHostHeader } from '../forward/headers.js';
import { failureReason, statusForFailure } from '../forward/errors.js';
import { logTlsFailure } from '../forward/tls.js';
import { nextEndpoint, pickBackend, persistedToken, persistenceHeader } from '../router/select.js';
import type { CompiledBackend, CompiledRule } from '../router/table.js';
import type { Upstream } from '../forward/upstream.js';
import type { FilterContext, HeaderList, ImmediateResponse } from '../filters/types.js';
import { Http1Exchange, http1Authority } from './exchange.js';
import { handleExchange, Refusal, routeRequest, type HandlerRuntime, type RouteSource } from './handle.js';
import { writeHead, writeRaw } from './raw-response.js';

export function handleUpgrade(req: IncomingMessage, socket: Duplex, clientHead: Buffer, rt: HandlerRuntime): void {
  socket.on('error', () => undefined);
  if (isWebSocket(req)) return tunnelWebSocket(req, socket, clientHead, rt);
  serveWithoutUpgrade(req, socket, rt);
}

/** RFC 6455 §4.1: a GET with `Upgrade: websocket` (one protocol, any case). */
function isWebSocket(req: IncomingMessage): boolean {
  const upgrade = req.headers.upgrade;
  return req.method === 'GET' && typeof upgrade === 'string' && upgrade.trim().toLowerCase() === 'websocket';
}

/**
 * The Upgrade is ignored: the request goes through handleExchange on a response bound to the socket. Node
 * stops parsing at an upgrade request's head, so a body would be left unread in the socket: refused (400).
 */
function serveWithoutUpgrade(req: IncomingMessage, socket: Duplex, rt: HandlerRuntime): void {
  if (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined) {
    const started = performance.now();
    rt.metrics.observe(undefined, 400, 0);
    writeRaw(socket, 400, [['content-type', 'text/plain; charset=utf-8']], 'an upgrade request cannot carry a body\n');
    if (rt.accessLog.enabled) rt.accessLog.record(rawAnswer(req, socket, started, 400, undefined, undefined));
    return;
  }
  const res = new http.ServerResponse(req);
  res.shouldKeepAlive = false; // sends Connection: close; what follows on the socket is never parsed
  res.assignSocket(socket as Socket);
  res.once('finish', () => socket.end());
  handleExchange(new Http1Exchange(req, res), rt);
}

function tunnelWebSocket(req: IncomingMessage, socket: Duplex, clientHead: Buffer, rt: HandlerRuntime): void {
  const started = performance.now();
  const logged = rt.accessLog.enabled;
  let rule: CompiledRule | undefined;
  let served: Upstream | undefined;
  let status = 0;
  socket.once('close', () => {
    rt.metrics.observe(rule, status || 499, (performance.now() - started) / 1000);
    if (logged) rt.accessLog.record(rawAnswer(req, socket, started, status, rule, served));
  });
  const answer = (code: number, headers: HeaderList = [], body = '') => {
    status = code;
    writeRaw(
      socket,
      code,
      body === '' ? headers : headers.concat([['content-type', 'text/plain; charset=utf-8']]),
      body,
    );
  };
  const table = rt.table();
  if (table === undefined) return answer(503, [], 'no configuration loaded\n');
  const routed = routeRequest(upgradeSource(req), table, rt.limits);
  if (routed instanceof Refusal) return answer(routed.status, [], `${routed.message}\n`);
  const { match, head } = routed;
  rule = match.rule;
  const ruleCtx: FilterContext = { head, matchedPrefix: match.matchedPrefix };
  const immediate = (r: ImmediateResponse | undefined) =>
    r !== undefined && (answer(r.status, r.headers, r.body), true);
  if (!rule.filters.empty && immediate(rule.filters.onRequest(ruleCtx))) return;
  const pinned = persistedToken(rule, req.headers);
  const backend = pickBackend(rule, pinned);
  if (backend === undefined) return answer(500);
  if (backend.status !== undefined) return answer(backend.status);
  if (backend.transport !== 'h1') return answer(501);
  const endpoint = (served = nextEndpoint(backend));
  if (endpoint === undefined) return answer(503);
  const backendCtx: FilterContext = backend.filters.empty ? ruleCtx : { head, matchedPrefix: match.matchedPrefix };
  if (!backend.filters.empty && immediate(backend.filters.onRequest(backendCtx))) return;
  const authority = takeHostHeader(head) ?? req.headers.host ?? head.host;
  const headers = flatten(head.headers);
  headers.push('host', authority, 'connection', 'Upgrade', 'upgrade', 'websocket');
  // The backend must answer the upgrade within the rule's deadline (or the head timeout when it has none).
  const answerMs = rule.backendRequestMs ?? rule.requestMs ?? rt.limits.headersTimeoutMs;
  const tunnel: Tunnel = {
    rule,
    backend,
    ruleCtx,
    backendCtx,
    pinned,
    socket,
    clientHead,
    setStatus: (code) => (status = code),
    rt,
  };
  connectUpstream(tunnel, endpoint, head.path + head.query, headers, answerMs);
}

/** The access-log record of an upgrade request answered on its raw socket: bytes count the whole answer. */
function rawAnswer(
  req: IncomingMessage,
  socket: Duplex,
  started: number,
  status: number,
  rule: CompiledRule | undefined,
  endpoint: Upstream | undefined,
): FinishedRequest {
  return {
    method: req.method ?? 'GET',
    target: req.url ?? '/',
    authority: http1Authority(req),
    http2: false,
    status,
    bytes: (socket as Socket).bytesWritten ?? 0,
    started,
    aborted: status === 0,
    rule,
    upstream: endpoint === undefined ? undefined : { triesStarted: 1, endpoint },
  };
}

function upgradeSource(req: IncomingMessage): RouteSource {
  return {
    method: req.method ?? 'GET',
    target: req.url ?? '/',
    authority: http1Authority(req),
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    remoteAddress: req.socket.remoteAddress ?? '',
    localPort: req.socket.localPort,
    encrypted: (req.socket as { encrypted?: boolean }).encrypted === true,
    http2: false,
  };
}

/** One WebSocket through a matched rule, from the upstream request on. */
interface Tunnel {
  rule: CompiledRule;
  backend: CompiledBackend;
  ruleCtx: FilterContext;
  backendCtx: FilterContext;
  pinned: string | undefined;
  socket: Duplex;
  clientHead: Buffer;
  setStatus(code: number): void;
  rt: HandlerRuntime;
}

function connectUpstream(t: Tunnel, endpoint: Upstream, path: string, headers: string[], answerMs: number): void {
  const { socket, rt } = t;
  const target = { host: endpoint.address, port: endpoint.port, method: 'GET', path, headers, agent: false };
  // wss: the same TLS settings (and certificate checks) as the backend's other requests.
  const upstreamReq =
    endpoint.tls === undefined ? http.request(target) : https.request({ ...target, ...endpoint.tls.connect });
  const onClientGone = () => upstreamReq.destroy();
  socket.once('close', onClientGone);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    upstreamReq.destroy();
  }, answerMs);
  const answered = () => {
    clearTimeout(timer);
    socket.removeListener('close', onClientGone);
  };
  upstreamReq.once('upgrade', (res, upstream, upstreamHead) => {
    answered();
    upstream.on('error', () => socket.destroy());
    if (
      !relayHead(t, res, [
        ['connection', 'Upgrade'],
        ['upgrade', 'websocket'],
      ])
    )
      return upstream.destroy();
    if (upstreamHead.length > 0) socket.write(upstreamHead);
    if (t.clientHead.length > 0) upstream.write(t.clientHead);
    upstream.pipe(socket).on('close', () => upstream.destroy());
    socket.pipe(upstream).on('close', () => socket.destroy());
    socket.once('close', () => upstream.destroy());
    upstream.once('close', () => socket.destroy());
  });
  upstreamReq.once('response', (res) => {
    answered();
    // The backend refused the upgrade: relay its answer (its body runs until the close) and close.
    if (relayHead(t, res, [['connection', 'close']])) res.pipe(socket);
    else res.destroy();
  });
  upstreamReq.once('error', (err) => {
    answered();
    const reason = timedOut ? 'timeout' : failureReason(err);
    rt.metrics.backendError(reason);
    if (reason === 'tls') logTlsFailure(rt.logger, t.backend.name, err);
    else rt.logger.debug({ err, reason }, 'upgrade upstream failed');
    const code = statusForFailure(reason);
    t.setStatus(code);
    writeRaw(socket, code, [], '');
  });
  upstreamReq.end();
}

/**
 * Writes the backend's answer head through the response filters (backend's, then the rule's, as for any
 * response), hop-by-hop headers replaced by `connection`. False when a filter failed (502 sent instead).
 */
function relayHead(t: Tunnel, res: IncomingMessage, connection: HeaderList): boolean {
  const status = res.statusCode ?? 502;
  const headers = rawResponseHeaders(res.rawHeaders);
  try {
    if (!t.backend.filters.empty) t.backend.filters.onResponse(t.backendCtx, status, headers);
    if (!t.rule.filters.empty) t.rule.filters.onResponse(t.ruleCtx, status, headers);
    if (t.rule.persistence !== undefined && t.pinned !== t.backend.token)
      headers.push(persistenceHeader(t.rule, t.backend)!);
  } catch (err) {
    t.rt.logger.error({ err, rule: t.rule.id }, 'upgrade response filters failed');
    t.setStatus(502);
    writeRaw(t.socket, 502, [], '');
    return false;
  }
  t.setStatus(status);
  writeHead(t.socket, status, res.statusMessage, headers.concat(connection));
  return true;
}
