// Upstream endpoints and the registry that keeps their connection pools across config swaps.
import type { Readable } from 'node:stream';
import type { HeaderList } from '../filters/types.js';
import type { BodyWatch } from './body-timeout.js';
import type { ProxyLimits } from '../limits.js';
import { Http1Upstream } from './http1.js';
import { Http2Upstream } from './h2.js';
import type { UpstreamTls } from './tls.js';

export interface UpstreamRequest {
  method: string;
  /** Path plus query. */
  path: string;
  /** Host header / :authority to send. */
  authority: string;
  headers: HeaderList;
  /** null: no body; Buffer: buffered (retriable); Readable: streamed once. */
  body: Buffer | Readable | null;
  /** Byte limit of a streamed body of undeclared length (BodyTooLargeError past it), else undefined. */
  bodyLimit: number | undefined;
  /** The body timeout of a streamed body: the sender counts the bytes it reads into it and reports the end. */
  watch?: BodyWatch | undefined;
  grpc: boolean;
}

/**
 * Receives one upstream response. Callbacks, not a Promise and a body stream: the relay writes each chunk
 * straight to the client, so a request costs no body stream, no pipe and no await per layer. After
 * `start`, exactly one of onEnd / onError ends the call (onError may come before onHead); after the caller
 * aborts the call, nothing more is delivered.
 */
export interface ResponseSink {
  /** endStream: the head ended the response (e.g. a gRPC trailers-only answer); no data or onEnd follows. */
  onHead(status: number, headers: HeaderList, endStream: boolean): void;
  /** Return false to pause the upstream until `call.resume()`. */
  onData(chunk: Buffer): boolean;
  onEnd(trailers: HeaderList | undefined): void;
  onError(err: unknown): void;
}

export interface UpstreamCall {
  /** Stops the call (RST / connection teardown); the sink hears nothing more. */
  abort(reason: Error): void;
  /** Continues after onData returned false. */
  resume(): void;
}

export interface Upstream {
  readonly key: string;
  readonly address: string;
  readonly port: number;
  /** TLS to this endpoint (a BackendTLSPolicy), else undefined: plain HTTP. */
  readonly tls: UpstreamTls | undefined;
  start(req: UpstreamRequest, sink: ResponseSink): UpstreamCall;
  /** Lets in-flight requests finish, then closes the connections. */
  close(): Promise<void>;
}

/** What forwarding did for one request, read when it ends (the access log). */
export interface UpstreamTrace {
  /** Tries started (0: none, e.g. the request body failed first). */
  readonly triesStarted: number;
  /** The endpoint of the last try. */
  readonly endpoint: Upstream | undefined;
}

export type Transport = 'h1' | 'h2';

/** How long a pool the running config no longer uses stays open for requests still on the old table. */
const RETIRE_MS = 30_000;

export class UpstreamRegistry {
  private readonly upstreams = new Map<string, Upstream>();
  /** Pools dropped by a swap, closed after RETIRE_MS unless a later config uses them again. */
  private readonly retiring = new Map<string, { upstream: Upstream; timer: NodeJS.Timeout }>();

  constructor(private readonly limits: ProxyLimits) {}

  /**
   * The same endpoint, transport and TLS settings always return the same pool, so a config swap keeps warm
   * connections; a TLS and a plain backend on one address, or two with different TLS settings, never share one.
   */
  get(transport: Transport, address: string, port: number, tls?: UpstreamTls): Upstream {
    const key = `${transport}|${address}|${port}${tls === undefined ? '' : `|tls|${tls.key}`}`;
    let upstream = this.upstreams.get(key);
    if (upstream !== undefined) return upstream;
    const retired = this.retiring.get(key);
    if (retired !== undefined) {
      clearTimeout(retired.timer);
      this.retiring.delete(key);
      upstream = retired.upstream;
    } else {
      upstream =
        transport === 'h1'
          ? new Http1Upstream(key, address, port, this.limits, tls)
          : new Http2Upstream(key, address, port, tls);
    }
    this.upstreams.set(key, upstream);
    return upstream;
  }

  /** Retires every pool not in `used` (after a swap: the old table's leftovers). */
  retain(used: ReadonlySet<Upstream>): void {
    for (const [key, upstream] of this.upstreams) {
      if (used.has(upstream)) continue;
      this.upstreams.delete(key);
      const timer = setTimeout(() => {
        this.retiring.delete(key);
        upstream.close().catch(() => undefined);
      }, RETIRE_MS);
      timer.unref();
      this.retiring.set(key, { upstream, timer });
    }
  }

  async closeAll(): Promise<void> {
    const all = [...this.upstreams.values()];
    for (const { upstream, timer } of this.retiring.values()) {
      clearTimeout(timer);
      all.push(upstream);
    }
    this.upstreams.clear();
    this.retiring.clear();
    await Promise.allSettled(all.map((u) => u.close()));
  }
}
