// The data-plane listeners. One cleartext port serves HTTP/1.1 and h2c: the first bytes decide (the
// 24-byte HTTP/2 preface → the h2 server, anything else → the HTTP/1.1 server). The TLS port picks by
// ALPN. Both feed the same two protocol servers, so one handler serves every entry.
import http from 'node:http';
import http2 from 'node:http2';
import net, { type AddressInfo, type Socket } from 'node:net';
import tls from 'node:tls';
import type { ProxyLimits } from '../limits.js';
import { Http1Exchange, Http2Exchange, type HeaderObject } from './exchange.js';
import { handleExchange, handleExpectContinue, type HandlerRuntime } from './handle.js';
import { handleUpgrade } from './upgrade.js';
import { ResetGuard } from './reset-budget.js';

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const END_STREAM = http2.constants.NGHTTP2_FLAG_END_STREAM;

export interface DataPlane {
  http: net.Server;
  tls: tls.Server | undefined;
  h1: http.Server;
  h2: http2.Http2Server;
  /** Open client sockets, destroyed at the end of a drain. */
  sockets: Set<Socket>;
  /** Another listener like `http` / `tls` (a Gateway's own data port: gateway-listeners.ts). */
  newCleartext(): net.Server;
  newSecure: (() => tls.Server) | undefined;
}

export function createDataPlane(
  rt: HandlerRuntime,
  limits: ProxyLimits,
  tlsOptions: { cert: string; key: string } | undefined,
): DataPlane {
  const h1 = http.createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // How often Node enforces headersTimeout/requestTimeout (default 30 s would let slowloris clients linger).
    connectionsCheckingInterval: Math.max(
      50,
      Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs || Infinity, 1000) / 2,
    ),
  });
  // This server never listen()s (sockets arrive from the sniffing listener), and Node starts its timeout
  // checks on 'listening': without this, headersTimeout and requestTimeout would never fire.
  h1.emit('listening');
  h1.on('request', (req, res) => handleExchange(new Http1Exchange(req, res), rt));
  // Without this listener Node answers 100 Continue to every Expect before the limits are checked.
  h1.on('checkContinue', (req, res) => handleExpectContinue(req, res, rt));
  h1.on('upgrade', (req, socket, head) => {
    try {
      handleUpgrade(req, socket, head, rt);
    } catch (err) {
      rt.logger.error({ err }, 'upgrade handling failed');
      socket.destroy();
    }
  });
  const h2 = http2.createServer({
    maxSessionMemory: 64,
    settings: { maxConcurrentStreams: limits.maxConcurrentStreams, maxHeaderListSize: limits.maxHeaderBytes },
    maxSendHeaderBlockLength: limits.maxHeaderBytes,
  });
  const resets = new ResetGuard(limits.http2ResetsPerSecond, rt.logger);
  h2.on(
    'stream',
    (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number, rawHeaders: string[]) => {
      resets.admit(stream, () =>
        handleExchange(new Http2Exchange(stream, headers as HeaderObject, rawHeaders, (flags & END_STREAM) !== 0), rt),
      );
    },
  );
  h2.on('sessionError', () => undefined);
  // Idle h2 sessions are closed like idle keep-alive connections.
  h2.setTimeout(limits.keepAliveTimeoutMs);
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    // Small request/response frames must not wait for Nagle + delayed ACK (h2 servers do not set it).
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const newCleartext = () =>
    net.createServer((socket) => {
      track(socket);
      sniff(socket, h1, h2);
    });
  const newSecure =
    tlsOptions &&
    (() => {
      const secure = tls.createServer({ ...tlsOptions, ALPNProtocols: ['h2', 'http/1.1'] }, (socket) => {
        track(socket);
        if (socket.alpnProtocol === 'h2') h2.emit('connection', socket);
        else h1.emit('connection', socket);
      });
      secure.on('tlsClientError', (_err, socket) => socket.destroy());
      return secure;
    });
  return { http: newCleartext(), tls: newSecure?.(), h1, h2, sockets, newCleartext, newSecure };
}

/** Reads until the bytes either are the HTTP/2 preface or cannot be, then hands the socket over. */
function sniff(socket: Socket, h1: http.Server, h2: http2.Http2Server): void {
  let seen: Buffer = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), 30_000);
  const onData = (chunk: Buffer) => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, PREFACE.length);
    const isPrefix = seen.compare(PREFACE, 0, n, 0, n) === 0;
    if (isPrefix && seen.length < PREFACE.length) return;
    clearTimeout(timer);
    socket.removeListener('data', onData);
    socket.pause();
    socket.unshift(seen);
    if (isPrefix) {
      // The http2 session reads the socket itself: leave it paused with the preface unshifted.
      h2.emit('connection', socket);
    } else {
      h1.emit('connection', socket);
      socket.resume();
    }
  };
  socket.on('data', onData);
  socket.once('close', () => clearTimeout(timer));
}

export function listen(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
