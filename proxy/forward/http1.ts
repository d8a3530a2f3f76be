// HTTP/1.1 upstreams: one undici keep-alive Pool per endpoint, driven through `dispatch` with a handler
// that hands the head and each body chunk straight to the sink (no response stream, no pipe, no Promise).
// Streamed request bodies use a second, smaller Pool: uploads, slow or not, never hold the connections the
// other requests need (docs/adr/0007-upstream-fairness.md).
import { Pool, type Dispatcher } from 'undici';
import type { Readable } from 'node:stream';
import type { ProxyLimits } from '../limits.js';
import { watchedBody } from './body-timeout.js';
import { flatten, rawResponseHeaders } from './headers.js';
import type { UpstreamTls } from './tls.js';
import type { ResponseSink, Upstream, UpstreamCall, UpstreamRequest } from './upstream.js';

export class Http1Upstream implements Upstream {
  private poolInstance: Pool | undefined;
  private uploadPoolInstance: Pool | undefined;

  constructor(
    readonly key: string,
    readonly address: string,
    readonly port: number,
    private readonly limits: ProxyLimits,
    readonly tls: UpstreamTls | undefined = undefined,
  ) {}

  /** Created on first use: a config with thousands of endpoints compiles without opening thousands of pools. */
  private get pool(): Pool {
    return (this.poolInstance ??= this.newPool(this.limits.upstreamConnections));
  }

  /** The lane for streamed bodies (also created on first use). */
  private get uploadPool(): Pool {
    if (this.limits.upstreamUploadConnections === 0) return this.pool;
    return (this.uploadPoolInstance ??= this.newPool(this.limits.upstreamUploadConnections));
  }

  private newPool(connections: number): Pool {
    const limits = this.limits;
    const host = this.address.includes(':') ? `[${this.address}]` : this.address;
    const tls = this.tls?.connect;
    return new Pool(`${tls === undefined ? 'http' : 'https'}://${host}:${this.port}`, {
      connections,
      keepAliveTimeout: limits.upstreamKeepAliveMs,
      connect: tls === undefined ? { timeout: limits.connectTimeoutMs } : { timeout: limits.connectTimeoutMs, ...tls },
      // Deadlines are the route's business (timeouts.*); the proxy's own timers enforce them.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  start(req: UpstreamRequest, sink: ResponseSink): UpstreamCall {
    const headers = flatten(req.headers);
    headers.push('host', req.authority);
    const call = new Http1Call(sink);
    const body = req.body;
    if (body === null || Buffer.isBuffer(body)) {
      this.pool.dispatch(this.options({ method: req.method as 'GET', path: req.path, headers, body }), call);
      return call;
    }
    const upload = { method: req.method as 'GET', path: req.path, headers, body: streamed(body, req) };
    this.uploadPool.dispatch(this.options(upload), call);
    return call;
  }

  /**
   * With TLS, undici would take the SNI name from each request's Host header (and drop its connections whenever
   * that changes): the policy's name goes with every request instead. `servername` is a dispatch option undici
   * reads (lib/core/request.js) but does not declare; test/proxy/backend-tls.test.ts sees the SNI it sends.
   */
  private options(o: Dispatcher.DispatchOptions): Dispatcher.DispatchOptions {
    return this.tls === undefined ? o : ({ ...o, servername: this.tls.serverName } as Dispatcher.DispatchOptions);
  }

  async close(): Promise<void> {
    await Promise.all([this.poolInstance?.close(), this.uploadPoolInstance?.close()]);
  }
}

/** The stream undici reads: counted for the body timeout and cut off at the limit, when either applies. */
function streamed(body: Readable, req: UpstreamRequest): Readable {
  return req.bodyLimit === undefined && req.watch === undefined ? body : watchedBody(body, req.bodyLimit, req.watch);
}

type Abort = (reason?: Error) => void;

/** undici's (legacy, unwrapped) dispatch handler for one request; raw header Buffers come straight from llhttp. */
class Http1Call implements UpstreamCall {
  private abortRequest: Abort | undefined;
  private resumeParser: (() => void) | undefined;
  /** Set once the sink has heard the end, an error, or the caller aborted: nothing more is delivered. */
  private done = false;
  private abortReason: Error | undefined;

  constructor(private readonly sink: ResponseSink) {}

  abort(reason: Error): void {
    if (this.done) return;
    this.done = true;
    // Before the request reached a connection undici has no abort yet: it is applied in onConnect.
    if (this.abortRequest !== undefined) this.abortRequest(reason);
    else this.abortReason = reason;
  }

  resume(): void {
    this.resumeParser?.();
  }

  onConnect(abort: Abort): void {
    if (this.abortReason !== undefined) abort(this.abortReason);
    else this.abortRequest = abort;
  }

  onHeaders(status: number, raw: Array<Buffer | string>, resume: () => void): boolean {
    if (status < 200 || this.done) return true;
    this.resumeParser = resume;
    this.sink.onHead(status, rawResponseHeaders(raw), false);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.done) return true;
    return this.sink.onData(chunk);
  }

  onComplete(rawTrailers: Array<Buffer | string> | null): void {
    if (this.done) return;
    this.done = true;
    this.sink.onEnd(rawTrailers !== null && rawTrailers.length > 0 ? rawResponseHeaders(rawTrailers) : undefined);
  }

  onError(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.sink.onError(err);
  }
}
