// One client request/response, whatever the client protocol: HTTP/1.1 (req/res) or HTTP/2 (a server
// stream). The forwarding code is written once against this interface.
import http2, { type ServerHttp2Stream } from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import type { CompiledRule } from '../router/table.js';
import type { HeaderList } from '../filters/types.js';
import type { UpstreamTrace } from '../forward/upstream.js';
import { flatten, toObject } from '../forward/headers.js';

export type HeaderObject = Record<string, string | string[] | undefined>;

export interface Exchange {
  readonly method: string;
  /** Request target: path plus query, as received. */
  readonly target: string;
  /** Host header or :authority, as received. */
  readonly authority: string | undefined;
  readonly headers: HeaderObject;
  readonly rawHeaders: string[];
  readonly remoteAddress: string;
  /** The proxy port the connection arrived on: it selects the Gateway (router/scopes.ts). */
  readonly localPort?: number;
  readonly encrypted: boolean;
  readonly http2: boolean;
  readonly body: Readable;
  /** True when the request carries no body at all. */
  readonly bodyEmpty: boolean;
  /** Status sent, 0 until the head went out. */
  status: number;
  /** True once the client went away before the response was complete. */
  readonly aborted: boolean;
  /** When the request started (performance.now()), and the rule it matched: read by the done listener. */
  readonly started: number;
  rule: CompiledRule | undefined;
  /** Response body bytes handed to the client connection, and what forwarding did (for the access log). */
  bytes: number;
  upstream: UpstreamTrace | undefined;
  respond(status: number, headers: HeaderList, endStream: boolean, expectTrailers: boolean): void;
  readonly writable: Writable;
  end(trailers?: HeaderList): void;
  /** Tears the response down mid-flight (connection destroy / RST_STREAM). */
  abort(): void;
  /** Called once when the exchange is over, whether completed or torn down. */
  onDone(listener: DoneListener): void;
  /** Told when the client goes away before the response is complete (one listener; undefined clears it). */
  onClientGone(listener: ClientGoneListener | undefined): void;
}

/** Listeners are objects with a method, not closures: nothing is allocated per request to register them. */
export interface DoneListener {
  exchangeDone(ex: Exchange): void;
}

export interface ClientGoneListener {
  clientGone(): void;
}

const EXCHANGE = Symbol('exchange');

export class Http1Exchange implements Exchange {
  readonly method: string;
  readonly target: string;
  readonly authority: string | undefined;
  readonly headers: HeaderObject;
  readonly rawHeaders: string[];
  readonly remoteAddress: string;
  readonly localPort: number | undefined;
  readonly encrypted: boolean;
  readonly http2 = false;
  readonly bodyEmpty: boolean;
  status = 0;
  aborted = false;
  readonly started = performance.now();
  rule: CompiledRule | undefined = undefined;
  bytes = 0;
  upstream: UpstreamTrace | undefined = undefined;
  private done: DoneListener | undefined = undefined;
  private gone: ClientGoneListener | undefined = undefined;

  constructor(
    readonly body: IncomingMessage,
    private readonly res: ServerResponse,
  ) {
    this.method = body.method ?? 'GET';
    this.target = body.url ?? '/';
    this.headers = body.headers;
    this.authority = http1Authority(body);
    this.rawHeaders = body.rawHeaders;
    this.remoteAddress = body.socket.remoteAddress ?? '';
    this.localPort = body.socket.localPort;
    this.encrypted = (body.socket as { encrypted?: boolean }).encrypted === true;
    const cl = body.headers['content-length'];
    this.bodyEmpty = body.headers['transfer-encoding'] === undefined && (cl === undefined || cl === '0');
    (res as unknown as Tagged)[EXCHANGE] = this;
    res.on('close', onResponseClose);
  }

  /** The response closed: finished, or the connection went away first. */
  closed(): void {
    if (!this.res.writableFinished) this.clientLeft();
    this.done?.exchangeDone(this);
  }

  private clientLeft(): void {
    this.aborted = true;
    const gone = this.gone;
    this.gone = undefined;
    gone?.clientGone();
  }

  get writable(): Writable {
    return this.res;
  }

  respond(status: number, headers: HeaderList, endStream: boolean): void {
    this.status = status;
    this.res.writeHead(status, flatten(headers));
    if (endStream) this.res.end();
  }

  end(trailers?: HeaderList): void {
    if (trailers !== undefined && trailers.length > 0) this.res.addTrailers(trailers);
    this.res.end();
  }

  abort(): void {
    this.res.destroy();
  }

  onDone(listener: DoneListener): void {
    this.done = listener;
  }

  onClientGone(listener: ClientGoneListener | undefined): void {
    this.gone = listener;
  }
}

type Tagged = { [EXCHANGE]: { closed(): void } };

function onResponseClose(this: Tagged): void {
  this[EXCHANGE].closed();
}

const CANCEL = http2.constants.NGHTTP2_CANCEL;
const INTERNAL = http2.constants.NGHTTP2_INTERNAL_ERROR;

export class Http2Exchange implements Exchange {
  readonly method: string;
  readonly target: string;
  readonly authority: string | undefined;
  readonly remoteAddress: string;
  readonly localPort: number | undefined;
  readonly encrypted: boolean;
  readonly http2 = true;
  status = 0;
  readonly started = performance.now();
  rule: CompiledRule | undefined = undefined;
  bytes = 0;
  upstream: UpstreamTrace | undefined = undefined;
  aborted = false;
  private trailers: HeaderList | undefined = undefined;
  private done: DoneListener | undefined = undefined;
  private gone: ClientGoneListener | undefined = undefined;

  constructor(
    private readonly stream: ServerHttp2Stream,
    readonly headers: HeaderObject,
    readonly rawHeaders: string[],
    readonly bodyEmpty: boolean,
  ) {
    this.method = (headers[':method'] as string | undefined) ?? 'GET';
    this.target = (headers[':path'] as string | undefined) ?? '/';
    this.authority = (headers[':authority'] as string | undefined) ?? (headers.host as string | undefined);
    const session = stream.session;
    this.remoteAddress = session?.socket?.remoteAddress ?? '';
    this.localPort = session?.socket?.localPort;
    this.encrypted = session?.encrypted === true;
    (stream as unknown as Tagged)[EXCHANGE] = this;
    // Without a listener an RST from the client would surface as an uncaught stream error.
    stream.on('error', noop);
    stream.on('close', onStreamClose);
  }

  closed(): void {
    const stream = this.stream;
    if (!stream.writableFinished || stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR) {
      this.aborted = true;
      const gone = this.gone;
      this.gone = undefined;
      gone?.clientGone();
    }
    this.done?.exchangeDone(this);
  }

  get body(): Readable {
    return this.stream;
  }

  get writable(): Writable {
    return this.stream;
  }

  respond(status: number, headers: HeaderList, endStream: boolean, expectTrailers: boolean): void {
    this.status = status;
    if (this.stream.destroyed || this.stream.closed) return;
    const head = toObject(headers, { ':status': status });
    this.stream.respond(head, { endStream, waitForTrailers: expectTrailers && !endStream });
    if (expectTrailers && !endStream) this.stream.once('wantTrailers', onWantTrailers);
  }

  end(trailers?: HeaderList): void {
    this.trailers = trailers;
    if (!this.stream.destroyed) this.stream.end();
  }

  abort(): void {
    if (!this.stream.destroyed) this.stream.close(this.status === 0 ? CANCEL : INTERNAL);
  }

  sendTrailers(): void {
    this.stream.sendTrailers(this.trailers ? toObject(this.trailers) : {});
  }

  onDone(listener: DoneListener): void {
    this.done = listener;
  }

  onClientGone(listener: ClientGoneListener | undefined): void {
    this.gone = listener;
  }
}

function onStreamClose(this: Tagged): void {
  this[EXCHANGE].closed();
}

function onWantTrailers(this: { [EXCHANGE]: Http2Exchange }): void {
  this[EXCHANGE].sendTrailers();
}

function noop(): void {}

/**
 * The Host of an HTTP/1.1 request, undefined when there are several (RFC 9112 §3.2: a 400; Node keeps only
 * the first, so count them here). A missing Host is already refused by Node for HTTP/1.1, allowed for 1.0.
 */
export function http1Authority(req: IncomingMessage): string | undefined {
  return countHost(req.rawHeaders) > 1 ? undefined : (req.headers.host ?? '');
}

function countHost(raw: string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') n++;
  return n;
}
