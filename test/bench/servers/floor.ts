// The leanest forwarding hops Node allows: the floor the proxy's cost per request is measured against
// (docs/performance.md). Neither routes, rewrites headers, times out or counts anything; both still forward
// real HTTP, message by message, on keep-alive connections:
//   h1  raw sockets and llhttp through Node's own parser binding (the C parser node:http runs; undici runs
//       the same llhttp compiled to wasm). A request's bytes go to an idle pooled backend connection as they
//       are read, the response's bytes back as they are read; the parsers only find where each message ends
//       (a HEAD response has no body; a response without keep-alive retires its connection). One request at
//       a time per client connection (no pipelining, which no load tool here uses); no backpressure (the
//       bench's bodies are small).
//   h2  bare node:http2: an h2c server relaying each stream to one h2c session to the backend, headers and
//       trailers as received, bodies piped (what a gRPC unary call needs).
// Usage: floor.ts h1|h2 BACKEND_URL; prints {"port": N} once listening on 127.0.0.1.
import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';

interface ParserBinding {
  HTTPParser: {
    new (): Parser;
    REQUEST: number;
    RESPONSE: number;
    kOnHeadersComplete: number;
    kOnMessageComplete: number;
  };
  methods: string[];
}
interface Parser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | Error;
  [callback: number]: (...args: unknown[]) => unknown;
}

// Node's own llhttp binding: deprecated for applications (DEP0111), still what node:http itself runs.
process.noDeprecation = true;
const { HTTPParser, methods } = (process as unknown as { binding(name: string): ParserBinding }).binding('http_parser');
const HEAD = methods.indexOf('HEAD');

function parser(type: number, onHeaders: (method: number, keepAlive: boolean) => number, onEnd: () => void): Parser {
  const p = new HTTPParser();
  p.initialize(type, {}, 0, 0);
  // (versionMajor, versionMinor, headers, method, url, statusCode, statusMessage, upgrade, shouldKeepAlive)
  p[HTTPParser.kOnHeadersComplete] = (...a: unknown[]) => onHeaders(a[3] as number, a[8] as boolean);
  p[HTTPParser.kOnMessageComplete] = onEnd;
  return p;
}

class Upstream {
  readonly socket: net.Socket;
  private readonly parser: Parser;
  client: Downstream | undefined;
  headRequest = false;
  private keepAlive = true;

  constructor(private readonly pool: UpstreamPool) {
    this.socket = net.connect(pool.port, pool.host).setNoDelay(true);
    this.parser = parser(
      HTTPParser.RESPONSE,
      (_m, keepAlive) => ((this.keepAlive = keepAlive), this.headRequest ? 1 : 0),
      () => this.responseDone(),
    );
    this.socket.on('data', (chunk: Buffer) => {
      this.client?.socket.write(chunk);
      if (this.parser.execute(chunk) instanceof Error) this.socket.destroy();
    });
    this.socket.on('error', () => undefined).on('close', () => this.client?.socket.destroy());
  }

  private responseDone(): void {
    const client = this.client;
    this.client = undefined;
    if (this.keepAlive) this.pool.idle.push(this);
    else this.socket.end();
    client?.exchangeDone();
  }
}

class UpstreamPool {
  readonly idle: Upstream[] = [];
  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  acquire(): Upstream {
    for (let u = this.idle.pop(); u !== undefined; u = this.idle.pop()) if (!u.socket.destroyed) return u;
    return new Upstream(this);
  }
}

class Downstream {
  private readonly parser: Parser;
  /** The pooled connection of the exchange under way, from its first request byte to its response's end. */
  private upstream: Upstream | undefined;
  private requestRead = false;
  /** Bytes of the next request, read while the previous response was still coming. */
  private readonly waiting: Buffer[] = [];

  constructor(
    readonly socket: net.Socket,
    private readonly pool: UpstreamPool,
  ) {
    this.parser = parser(
      HTTPParser.REQUEST,
      (method) => ((this.upstream!.headRequest = method === HEAD), 0),
      () => (this.requestRead = true),
    );
    socket.setNoDelay(true).on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', () => undefined).on('close', () => this.upstream?.socket.destroy());
  }

  private read(chunk: Buffer): void {
    if (this.upstream !== undefined && this.requestRead) return void this.waiting.push(chunk);
    if (this.upstream === undefined) {
      this.upstream = this.pool.acquire();
      this.upstream.client = this;
    }
    this.upstream.socket.write(chunk);
    if (this.parser.execute(chunk) instanceof Error) this.socket.destroy();
  }

  exchangeDone(): void {
    this.upstream = undefined;
    this.requestRead = false;
    for (const chunk of this.waiting.splice(0)) this.read(chunk);
  }
}

function h1Floor(backend: URL): net.Server {
  const pool = new UpstreamPool(backend.hostname, Number(backend.port));
  return net.createServer((socket) => new Downstream(socket, pool));
}

const H2_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

function h2Floor(backend: URL): http2.Http2Server {
  let session: http2.ClientHttp2Session | undefined;
  const connect = () => {
    if (session === undefined || session.closed || session.destroyed) {
      session = http2.connect(backend);
      session.on('error', () => undefined);
    }
    return session;
  };
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const out: http2.OutgoingHttpHeaders = {};
    for (const name in headers) if (!H2_HOP.has(name) && name !== ':scheme') out[name] = headers[name];
    const up = connect().request(out);
    let trailers: http2.IncomingHttpHeaders = {};
    // A client may cancel a call whose answer is on the way (h2load does at the end of each run): responding
    // on that closed stream would throw and end the floor for every later round.
    up.on('response', (head) => {
      if (stream.closed) up.close(http2.constants.NGHTTP2_CANCEL);
      else stream.respond(head, { waitForTrailers: true });
    });
    up.on('trailers', (t) => (trailers = t));
    stream.on('wantTrailers', () => stream.closed || stream.sendTrailers(trailers));
    stream.on('close', () => up.closed || up.close(http2.constants.NGHTTP2_CANCEL));
    up.on('error', () => stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    stream.on('error', () => undefined); // then 'close', which cancels the upstream call
    stream.pipe(up);
    up.pipe(stream);
  });
  return server;
}

const [kind, backendUrl] = process.argv.slice(2);
if ((kind !== 'h1' && kind !== 'h2') || backendUrl === undefined) {
  console.error('usage: floor.ts h1|h2 BACKEND_URL');
  process.exit(2);
}
const server = kind === 'h1' ? h1Floor(new URL(backendUrl)) : h2Floor(new URL(backendUrl));
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
process.on('SIGTERM', () => process.exit(0));
