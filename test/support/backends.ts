// Real backend servers for data-plane tests, all on 127.0.0.1 with ephemeral ports:
// - an HTTP echo server (HTTP/1.1 or h2c) that answers what it received as JSON, with fault injection;
// - a WebSocket echo on the same server (Upgrade), answering "<name>:<message>";
// - a gRPC server (@grpc/grpc-js) with unary, server-stream, client-stream and bidi methods (JSON messages).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { WebSocketServer } from 'ws';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Name/value pairs as they came on the wire (repeated fields stay separate; `headers` joins them). */
  rawHeaders: string[];
  body: string;
  httpVersion: string;
}

export interface EchoBody extends RecordedRequest {
  backend: string;
}

export interface EchoBackend {
  name: string;
  address: string;
  port: number;
  requests: RecordedRequest[];
  /** TCP connections accepted so far (to check keep-alive reuse). */
  connections(): number;
  /** Responses the client side abandoned before they were complete (an upstream abort arrived). */
  abandoned(): number;
  /** The next `times` requests get `status` (or a connection reset when status is "reset"). */
  failNext(times: number, status: number | 'reset'): void;
  close(): Promise<void>;
}

/**
 * Echo server. Paths: /status/<code> answers that status; /delay/<ms> waits before answering;
 * /reset destroys the connection; /stream/<n> sends n chunks 20 ms apart; /trailers answers with a trailer.
 */
export async function startEchoBackend(name: string, opts: { protocol?: 'http1' | 'h2c' } = {}): Promise<EchoBackend> {
  const requests: RecordedRequest[] = [];
  const stats = { abandoned: 0 };
  let failures: { times: number; status: number | 'reset' } = { times: 0, status: 500 };
  const handler = (
    req: IncomingMessage | http2.Http2ServerRequest,
    res: ServerResponse | http2.Http2ServerResponse,
  ) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: { ...req.headers },
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks).toString('utf8'),
        httpVersion: req.httpVersion,
      };
      requests.push(rec);
      if (failures.times > 0) {
        failures.times--;
        if (failures.status === 'reset') return destroy(req, res);
        return json(res, failures.status, { backend: name, ...rec });
      }
      res.once('close', () => {
        if (!res.writableFinished) stats.abandoned++;
      });
      route(name, rec, req, res);
    });
  };
  const server = opts.protocol === 'h2c' ? http2.createServer(handler) : http.createServer(handler);
  let wss: WebSocketServer | undefined;
  if (server instanceof http.Server) {
    server.keepAliveTimeout = 60_000;
    wss = new WebSocketServer({ server });
    wss.on('connection', (ws, req) => {
      requests.push({
        method: 'GET',
        path: req.url ?? '',
        headers: { ...req.headers },
        rawHeaders: req.rawHeaders,
        body: '',
        httpVersion: req.httpVersion,
      });
      ws.on('message', (data, isBinary) => ws.send(isBinary ? data : `${name}:${data.toString()}`));
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const sockets = new Set<import('node:net').Socket>();
  let accepted = 0;
  server.on('connection', (s: import('node:net').Socket) => {
    accepted++;
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return {
    name,
    address: '127.0.0.1',
    port,
    requests,
    abandoned: () => stats.abandoned,
    connections: () => accepted,
    failNext(times, status) {
      failures = { times, status };
    },
    async close() {
      wss?.clients.forEach((c) => c.terminate());
      wss?.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type AnyRes = ServerResponse | http2.Http2ServerResponse;

function route(name: string, rec: RecordedRequest, req: IncomingMessage | http2.Http2ServerRequest, res: AnyRes): void {
  const [, kind, arg] = rec.path.split('?')[0]!.split('/');
  if (kind === 'status') return json(res, Number(arg), { backend: name, ...rec });
  if (kind === 'delay') {
    const timer = setTimeout(() => json(res, 200, { backend: name, ...rec }), Number(arg));
    res.once('close', () => clearTimeout(timer));
    return;
  }
  if (kind === 'reset') return destroy(req, res);
  if (kind === 'stream') return stream(res, Number(arg));
  if (kind === 'trailers') {
    const r = res as ServerResponse; // the compat h2 response has the same surface
    r.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-checksum' });
    r.write('body');
    r.addTrailers({ 'x-checksum': 'abc123' });
    r.end();
    return;
  }
  json(res, 200, { backend: name, ...rec });
}

function stream(anyRes: AnyRes, n: number): void {
  const res = anyRes as ServerResponse;
  res.writeHead(200, { 'content-type': 'text/plain' });
  let i = 0;
  const timer = setInterval(() => {
    if (i === n) {
      clearInterval(timer);
      res.end();
      return;
    }
    res.write(`chunk${i++}\n`);
  }, 20);
  res.once('close', () => clearInterval(timer));
}

function destroy(req: IncomingMessage | http2.Http2ServerRequest, res: AnyRes): void {
  if (res instanceof http2.Http2ServerResponse) res.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
  else (req as IncomingMessage).socket.destroy();
}

function json(res: AnyRes, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  (res as ServerResponse).writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

// ---- gRPC ----

export interface EchoMessage {
  text: string;
  /** When set, the server fails the call with this gRPC status code and a custom trailer. */
  failCode?: number;
  count?: number;
}

const serialize = (m: EchoMessage) => Buffer.from(JSON.stringify(m));
const deserialize = (b: Buffer) => JSON.parse(b.toString('utf8')) as EchoMessage;

function method(
  path: string,
  requestStream: boolean,
  responseStream: boolean,
): grpc.MethodDefinition<EchoMessage, EchoMessage> {
  return {
    path,
    requestStream,
    responseStream,
    requestSerialize: serialize,
    requestDeserialize: deserialize,
    responseSerialize: serialize,
    responseDeserialize: deserialize,
  };
}

export const echoService = {
  unary: method('/test.Echo/Unary', false, false),
  serverStream: method('/test.Echo/ServerStream', false, true),
  clientStream: method('/test.Echo/ClientStream', true, false),
  bidi: method('/test.Echo/Bidi', true, true),
} satisfies grpc.ServiceDefinition;

export const EchoClient = grpc.makeGenericClientConstructor(echoService, 'test.Echo');

export interface GrpcBackend {
  name: string;
  address: string;
  port: number;
  /** Metadata of every call received (to check forwarded headers and deadlines). */
  calls: Array<{ method: string; metadata: grpc.Metadata; deadline: grpc.Deadline }>;
  /** Calls the client cancelled (the cancel travelled through as RST_STREAM). */
  cancelled(): number;
  close(): Promise<void>;
}

/** With `tls`, the server speaks gRPC over TLS (HTTP/2 by ALPN) with that certificate. */
function credentials(tls: { cert: string; key: string } | undefined): grpc.ServerCredentials {
  if (tls === undefined) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(null, [
    { private_key: Buffer.from(tls.key), cert_chain: Buffer.from(tls.cert) },
  ]);
}

export async function startGrpcBackend(name: string, tls?: { cert: string; key: string }): Promise<GrpcBackend> {
  const calls: GrpcBackend['calls'] = [];
  let cancelled = 0;
  const server = new grpc.Server();
  const record = (m: string, call: { metadata: grpc.Metadata; getDeadline(): grpc.Deadline }) =>
    calls.push({ method: m, metadata: call.metadata, deadline: call.getDeadline() });
  server.addService(echoService, {
    unary(call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, cb: grpc.sendUnaryData<EchoMessage>) {
      record('unary', call);
      const req = call.request;
      if (req.failCode !== undefined) {
        const md = new grpc.Metadata();
        md.set('x-error-detail', `failed:${req.text}`);
        return cb({ code: req.failCode, details: `asked to fail: ${req.text}`, metadata: md });
      }
      const trailer = new grpc.Metadata();
      trailer.set('x-served-by', name);
      cb(null, { text: `${name}:${req.text}` }, trailer);
    },
    serverStream(call: grpc.ServerWritableStream<EchoMessage, EchoMessage>) {
      record('serverStream', call);
      const n = call.request.count ?? 3;
      for (let i = 0; i < n; i++) call.write({ text: `${name}:${call.request.text}:${i}` });
      call.end();
    },
    clientStream(call: grpc.ServerReadableStream<EchoMessage, EchoMessage>, cb: grpc.sendUnaryData<EchoMessage>) {
      record('clientStream', call);
      const texts: string[] = [];
      call.on('data', (m: EchoMessage) => texts.push(m.text));
      call.on('end', () => cb(null, { text: `${name}:${texts.join(',')}` }));
    },
    bidi(call: grpc.ServerDuplexStream<EchoMessage, EchoMessage>) {
      record('bidi', call);
      call.on('cancelled', () => cancelled++);
      call.on('data', (m: EchoMessage) => call.write({ text: `${name}:${m.text}` }));
      call.on('end', () => call.end());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials(tls), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    name,
    address: '127.0.0.1',
    port,
    calls,
    cancelled: () => cancelled,
    close: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}
