// h2c upstreams (HTTP/2 with prior knowledge): a few node:http2 sessions per endpoint, reopened when they
// go away. Carries gRPC: trailers pass through, a trailers-only answer stays trailers-only.
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { rawResponseHeaders, toObject } from './headers.js';
import { writeBody } from './pump.js';
import type { UpstreamTls } from './tls.js';
import type { ResponseSink, Upstream, UpstreamCall, UpstreamRequest } from './upstream.js';
import type { HeaderList } from '../filters/types.js';

const END_STREAM = http2.constants.NGHTTP2_FLAG_END_STREAM;
const CANCEL = http2.constants.NGHTTP2_CANCEL;

/**
 * Sessions per endpoint. One session carries every stream while it has room: streams sharing a session
 * share its writes (measured: 4 sessions under 64 concurrent gRPC calls cost ~20 % more CPU per call than
 * one). Another session opens only when every open one carries STREAMS_PER_SESSION streams, or as many as
 * the backend allows (its SETTINGS_MAX_CONCURRENT_STREAMS), so a busy or stingy backend is not a queue.
 */
const SESSIONS = 8;
const STREAMS_PER_SESSION = 100;
/**
 * Room assumed before the backend's SETTINGS arrive. node:http2 does not queue streams past the peer's
 * limit (they are refused), and a fresh session sends its first requests before it knows the limit: a
 * burst fills a new session up to this many, then spreads (RFC 9113 advises limits of at least 100).
 */
const STREAMS_BEFORE_SETTINGS = 8;

export class Http2Upstream implements Upstream {
  private readonly sessions: Array<ClientHttp2Session | undefined> = new Array(SESSIONS).fill(undefined);
  private readonly origin: string;
  private readonly scheme: 'http' | 'https';

  constructor(
    readonly key: string,
    readonly address: string,
    readonly port: number,
    readonly tls: UpstreamTls | undefined = undefined,
  ) {
    const scheme = tls === undefined ? 'http' : 'https';
    this.origin = `${scheme}://${address.includes(':') ? `[${address}]` : address}:${port}`;
    this.scheme = scheme;
  }

  /** The first session with room, else a new one, else the least busy one. */
  private session(): ClientHttp2Session {
    let best: ClientHttp2Session | undefined;
    let bestLoad = Infinity;
    let free = -1;
    for (let i = 0; i < SESSIONS; i++) {
      const s = this.sessions[i];
      if (s === undefined || s.closed || s.destroyed) {
        if (free === -1) free = i;
        continue;
      }
      const load = inFlight(s);
      if (load < room(s)) return s;
      if (load < bestLoad) {
        best = s;
        bestLoad = load;
      }
    }
    return free !== -1 ? this.open(free) : best!;
  }

  private open(slot: number): ClientHttp2Session {
    const session = http2.connect(this.origin, { createConnection: () => this.connect() });
    // Errors reach the streams that were using the session; a session error alone only ends it.
    session.on('error', noop);
    const forget = () => {
      if (this.sessions[slot] === session) this.sessions[slot] = undefined;
    };
    session.on('close', forget);
    session.on('goaway', forget);
    session.once('remoteSettings', () => ((session as CountedSession)[SETTLED] = true));
    session.unref();
    this.sessions[slot] = session;
    return session;
  }

  /** No Nagle: a gRPC message or a small response must leave at once. With TLS, HTTP/2 is agreed by ALPN. */
  private connect(): net.Socket {
    if (this.tls === undefined) return net.connect({ host: this.address, port: this.port, noDelay: true });
    const socket = tls.connect({ host: this.address, port: this.port, ALPNProtocols: ['h2'], ...this.tls.connect });
    return socket.setNoDelay(true);
  }

  start(req: UpstreamRequest, sink: ResponseSink): UpstreamCall {
    const head = toObject(req.headers, {
      ':method': req.method,
      ':path': req.path,
      ':authority': req.authority,
      ':scheme': this.scheme,
    });
    if (req.grpc) head.te = 'trailers';
    const call = new Http2Call(sink);
    let stream: ClientHttp2Stream;
    try {
      stream = this.session().request(head, { endStream: req.body === null });
    } catch (err) {
      // A session that just went away (ERR_HTTP2_INVALID_SESSION / GOAWAY) or a header Node refuses.
      queueMicrotask(() => call.fail(err));
      return call;
    }
    call.attach(stream);
    writeBody(stream, req);
    return call;
  }

  close(): Promise<void> {
    const open = this.sessions.filter((s): s is ClientHttp2Session => s !== undefined && !s.closed);
    this.sessions.fill(undefined);
    return Promise.all(open.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(noop);
  }
}

function room(session: ClientHttp2Session): number {
  if ((session as CountedSession)[SETTLED] !== true) return STREAMS_BEFORE_SETTINGS;
  const peerLimit = session.remoteSettings.maxConcurrentStreams;
  return peerLimit === undefined ? STREAMS_PER_SESSION : Math.min(peerLimit, STREAMS_PER_SESSION);
}

function inFlight(session: ClientHttp2Session): number {
  return (session as CountedSession)[STREAM_COUNT] ?? 0;
}

/** Streams in flight per session, kept by the calls themselves (node:http2 exposes no cheap count). */
const STREAM_COUNT = Symbol('streamsInFlight');
/** Set once the backend's SETTINGS arrived: its stream limit is known from then on. */
const SETTLED = Symbol('settled');
const CALL = Symbol('call');

type StreamWithCall = ClientHttp2Stream & { [CALL]: Http2Call };
type CountedSession = ClientHttp2Session & { [STREAM_COUNT]?: number; [SETTLED]?: boolean };

/** One upstream stream; its listeners are shared functions that find the call on the stream. */
class Http2Call implements UpstreamCall {
  private stream: ClientHttp2Stream | undefined;
  private session: CountedSession | undefined;
  private answered = false;
  private done = false;
  private trailers: HeaderList | undefined;

  constructor(private readonly sink: ResponseSink) {}

  attach(stream: ClientHttp2Stream): void {
    this.stream = stream;
    (stream as StreamWithCall)[CALL] = this;
    const session = stream.session as CountedSession;
    this.session = session;
    session[STREAM_COUNT] = (session[STREAM_COUNT] ?? 0) + 1;
    // Stays attached: an error after the end must never reach the process.
    stream.on('error', onStreamError);
    stream.once('response', onResponse);
    stream.on('trailers', onTrailers);
    stream.once('close', onStreamClose);
  }

  abort(_reason: Error): void {
    if (this.done) return;
    this.done = true;
    const stream = this.stream;
    if (stream === undefined || stream.destroyed) return;
    // node:http2's close() ends the writable side first: mid-body, the backend would get END_STREAM, a
    // truncated body that looks complete. destroy() resets the stream without it.
    if (stream.writableEnded) stream.close(CANCEL);
    else stream.destroy();
  }

  resume(): void {
    this.stream?.resume();
  }

  fail(err: unknown): void {
    if (this.done) return;
    this.done = true;
    this.sink.onError(err);
  }

  // Headers are read from the raw list: Node's header object joins a repeated field into one "a, b" value.
  response(h: IncomingHttpHeaders, flags: number, raw: string[]): void {
    if (this.done) return;
    this.answered = true;
    const stream = this.stream!;
    const endStream = (flags & END_STREAM) !== 0;
    if (endStream) {
      this.done = true;
      stream.resume();
      this.sink.onHead(Number(h[':status']), rawResponseHeaders(raw), true);
      return;
    }
    stream.on('data', onData);
    stream.once('end', onEnd);
    this.sink.onHead(Number(h[':status']), rawResponseHeaders(raw), false);
  }

  data(chunk: Buffer): void {
    if (this.done) return;
    if (!this.sink.onData(chunk)) this.stream!.pause();
  }

  gotTrailers(raw: string[]): void {
    this.trailers = rawResponseHeaders(raw);
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    this.sink.onEnd(this.trailers);
  }

  closed(): void {
    const session = this.session;
    if (session !== undefined) session[STREAM_COUNT] = (session[STREAM_COUNT] ?? 1) - 1;
    if (this.done) return;
    const err = this.answered
      ? Object.assign(new Error('upstream stream closed before the response ended'), { code: 'ERR_HTTP2_STREAM_ERROR' })
      : Object.assign(new Error('upstream stream closed before a response'), { code: 'ERR_HTTP2_STREAM_ERROR' });
    this.fail(err);
  }
}

function onStreamError(this: StreamWithCall, err: Error): void {
  this[CALL].fail(err);
}
function onResponse(this: StreamWithCall, h: IncomingHttpHeaders, flags: number, raw: string[]): void {
  this[CALL].response(h, flags, raw);
}
function onTrailers(this: StreamWithCall, _t: IncomingHttpHeaders, _flags: number, raw: string[]): void {
  this[CALL].gotTrailers(raw);
}
function onData(this: StreamWithCall, chunk: Buffer): void {
  this[CALL].data(chunk);
}
function onEnd(this: StreamWithCall): void {
  this[CALL].end();
}
function onStreamClose(this: StreamWithCall): void {
  this[CALL].closed();
}

function noop(): void {}
