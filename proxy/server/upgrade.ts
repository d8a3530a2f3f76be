// HTTP/1.1 Upgrade (WebSocket and others): route like any request, then splice the client socket to an
// upgraded upstream socket in both directions. Backends of protocol ws and http1 accept upgrades.
import http, { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { flatten, takeHostHeader } from '../forward/headers.js';
import { failureReason, statusForFailure } from '../forward/errors.js';
import { normalizeHost } from '../router/host.js';
import { RequestMatchInput } from '../router/match.js';
import { firstMatch, nextEndpoint, pickBackend, persistedToken } from '../router/select.js';
import type { CompiledRule } from '../router/table.js';
import type { Upstream } from '../forward/upstream.js';
import type { HeaderList, ImmediateResponse } from '../filters/types.js';
import { requestHead, type HandlerRuntime } from './handle.js';

export function handleUpgrade(req: IncomingMessage, socket: Duplex, clientHead: Buffer, rt: HandlerRuntime): void {
  const started = performance.now();
  socket.on('error', () => undefined);
  let rule: CompiledRule | undefined;
  let status = 0;
  socket.once('close', () => rt.metrics.observe(rule, status || 499, (performance.now() - started) / 1000));
  const answer = (code: number, headers: HeaderList = [], body = '') => {
    status = code;
    writeRaw(socket, code, headers, body);
  };
  const table = rt.table();
  if (table === undefined) return answer(503);
  const url = req.url ?? '/';
  if (url.length > rt.limits.maxUrlLength) return answer(414);
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q);
  const host = normalizeHost(req.headers.host);
  const entry = table.hosts.lookup(host);
  const match = entry && firstMatch(entry, new RequestMatchInput(req.method ?? 'GET', path, req.headers, query));
  if (match === undefined) return answer(404);
  rule = match.rule;
  const source = {
    method: req.method ?? 'GET',
    authority: req.headers.host,
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    remoteAddress: req.socket.remoteAddress ?? '',
    encrypted: (req.socket as { encrypted?: boolean }).encrypted === true,
  };
  const head = requestHead(source, host, path, query);
  const ctx = { head, matchedPrefix: match.matchedPrefix };
  const immediate = (r: ImmediateResponse | undefined) => r !== undefined && (answer(r.status, r.headers, r.body), true);
  if (!rule.filters.empty && immediate(rule.filters.onRequest(ctx))) return;
  const backend = pickBackend(rule, persistedToken(rule, req.headers));
  if (backend === undefined) return answer(500);
  if (backend.status !== undefined) return answer(backend.status);
  if (backend.transport !== 'h1') return answer(501);
  const endpoint = nextEndpoint(backend);
  if (endpoint === undefined) return answer(503);
  if (!backend.filters.empty && immediate(backend.filters.onRequest({ head, matchedPrefix: match.matchedPrefix }))) return;
  const authority = takeHostHeader(head) ?? req.headers.host ?? host;
  const headers = flatten(head.headers);
  headers.push('host', authority, 'connection', 'Upgrade', 'upgrade', String(req.headers.upgrade));
  // The backend must answer the upgrade within the rule's deadline (or the head timeout when it has none).
  const answerMs = rule.backendRequestMs ?? rule.requestMs ?? rt.limits.headersTimeoutMs;
  connectUpstream(endpoint, req.method ?? 'GET', head.path + head.query, headers, socket, clientHead, answerMs, (code) => (status = code), rt);
}

function connectUpstream(
  endpoint: Upstream,
  method: string,
  path: string,
  headers: string[],
  socket: Duplex,
  clientHead: Buffer,
  answerMs: number,
  setStatus: (code: number) => void,
  rt: HandlerRuntime,
): void {
  const upstreamReq = http.request({ host: endpoint.address, port: endpoint.port, method, path, headers, agent: false });
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
    setStatus(res.statusCode ?? 101);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    socket.write(statusLine(res.statusCode ?? 101, res.statusMessage) + rawHeaderBlock(res.rawHeaders) + '\r\n');
    if (upstreamHead.length > 0) socket.write(upstreamHead);
    if (clientHead.length > 0) upstream.write(clientHead);
    upstream.pipe(socket).on('close', () => upstream.destroy());
    socket.pipe(upstream).on('close', () => socket.destroy());
    socket.once('close', () => upstream.destroy());
    upstream.once('close', () => socket.destroy());
  });
  upstreamReq.once('response', (res) => {
    answered();
    // The backend refused the upgrade: relay its answer and close.
    setStatus(res.statusCode ?? 502);
    socket.write(statusLine(res.statusCode ?? 502, res.statusMessage) + rawHeaderBlock(res.rawHeaders, true) + '\r\n');
    res.pipe(socket);
  });
  upstreamReq.once('error', (err) => {
    answered();
    const reason = timedOut ? 'timeout' : failureReason(err);
    rt.metrics.backendError(reason);
    rt.logger.debug({ err, reason }, 'upgrade upstream failed');
    const code = statusForFailure(reason);
    setStatus(code);
    writeRaw(socket, code, [], '');
  });
  upstreamReq.end();
}

function statusLine(code: number, message: string | undefined): string {
  return `HTTP/1.1 ${code} ${message ?? STATUS_CODES[code] ?? ''}\r\n`;
}

function rawHeaderBlock(raw: string[], close = false): string {
  let out = '';
  for (let i = 0; i < raw.length; i += 2) {
    if (close && raw[i]!.toLowerCase() === 'connection') continue;
    out += `${raw[i]}: ${raw[i + 1]}\r\n`;
  }
  return close ? `${out}Connection: close\r\n` : out;
}

function writeRaw(socket: Duplex, code: number, headers: HeaderList, body: string): void {
  if (socket.destroyed) return;
  let head = statusLine(code, undefined);
  for (const [n, v] of headers) head += `${n}: ${v}\r\n`;
  head += `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  socket.end(head + body);
}
