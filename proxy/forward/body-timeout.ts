// The request-body timeout: a client must keep its body coming at a minimum rate while the proxy reads it,
// or it is answered 408 and its upstream request is aborted (docs/adr/0007-upstream-fairness.md). Slow
// senders must not hold what a backend's other clients need: a pooled connection, a stream, a slot.
//
// One timer per watched body, re-armed every window; whoever reads the body counts the bytes (one addition
// per chunk). A window is judged only when the proxy was reading at both of its ends: a body the proxy does
// not read (queued for a connection, held back by a slow backend) is the proxy's stall, not the client's.
import http2, { type ServerHttp2Stream } from 'node:http2';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { ProxyLimits } from '../limits.js';
import type { Exchange } from '../server/exchange.js';
import { BodyTooLargeError } from './errors.js';
import { sendStatus } from './local.js';

export interface BodyWatchListener {
  /** Too few bytes arrived in a window: answer 408 and stop. */
  bodyTooSlow(): void;
  /** The whole body was read. */
  bodyEnded(): void;
}

export class BodyTimeoutError extends Error {
  override readonly name = 'BodyTimeoutError';
}

/**
 * True when a client body "ended" because its client went away. node:http2 ends a server stream's readable
 * side when the stream is reset or its connection drops, as if END_STREAM had arrived: a reader that takes
 * that end for the real one would hand the backend a truncated body as a complete request.
 */
export function cutOff(source: Readable): boolean {
  return (source as { aborted?: boolean }).aborted === true;
}

export class BodyWatch {
  /** Bytes read so far; the reader adds each chunk. */
  seen = 0;
  private seenAtCheck = 0;
  private readingAtCheck: boolean;
  private timer: NodeJS.Timeout | undefined;
  private over = false;
  private readonly required: number;

  /** judged false: only count and report the end (a gRPC stream may rightly be idle; see the ADR). */
  constructor(
    private readonly source: Readable,
    limits: ProxyLimits,
    private readonly listener: BodyWatchListener,
    judged = true,
  ) {
    this.required = Math.max(1, Math.floor((limits.requestBodyMinBytesPerSecond * limits.requestBodyTimeoutMs) / 1000));
    this.readingAtCheck = this.reading();
    this.timer =
      judged && limits.requestBodyTimeoutMs > 0 ? setTimeout(checkWatch, limits.requestBodyTimeoutMs, this) : undefined;
  }

  /**
   * Its reader is attached now: the first window is judged if the body is being read from here on. Bytes that
   * arrived before are still buffered at this moment, but the reader is about to take them: not a stall.
   */
  readerAttached(): void {
    this.readingAtCheck = this.source.readableFlowing === true;
  }

  /** The client's own stream ended because its client went away (seen through a mirror's tee too). */
  cutOff(): boolean {
    return cutOff(this.source);
  }

  /** The reader saw the end of the body. */
  ended(): void {
    if (this.stop()) this.listener.bodyEnded();
  }

  /** Stops watching; false when it was already stopped. */
  stop(): boolean {
    if (this.over) return false;
    this.over = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    return true;
  }

  check(): void {
    if (this.over) return;
    const progress = this.seen - this.seenAtCheck;
    const readingThroughout = this.readingAtCheck && this.reading();
    this.seenAtCheck = this.seen;
    this.readingAtCheck = this.reading();
    if (readingThroughout && progress < this.required) {
      this.over = true;
      return this.listener.bodyTooSlow();
    }
    this.timer!.refresh();
  }

  /** The proxy is taking the client's bytes as they come: nothing buffered, nobody paused. */
  private reading(): boolean {
    const s = this.source;
    return s.readableFlowing === true && s.readableLength === 0;
  }
}

function checkWatch(watch: BodyWatch): void {
  watch.check();
}

/**
 * A streamed body as a stream (for senders that take one, like undici): counts bytes for the watch, tells it
 * the end, and cuts a body of undeclared length off at `max` bytes (BodyTooLargeError).
 */
export function watchedBody(body: Readable, max: number | undefined, watch: BodyWatch | undefined): Readable {
  return body.pipe(new WatchedBody(max ?? Infinity, watch, body));
}

class WatchedBody extends Transform {
  private seen = 0;
  private readonly source: Readable;

  constructor(
    private readonly max: number,
    private readonly watch: BodyWatch | undefined,
    source: Readable,
  ) {
    super();
    this.source = source;
    source.once('error', (err) => this.destroy(err));
    // Whoever consumes this stream sees its error; the listener only keeps a late one from crashing the process.
    this.on('error', () => undefined);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    if (this.watch !== undefined) this.watch.seen += chunk.length;
    if (this.seen > this.max) cb(new BodyTooLargeError(`request body over ${this.max} bytes`));
    else cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    // An error, not an end: the sender aborts the request rather than finish it.
    if (this.watch?.cutOff() ?? cutOff(this.source)) return cb(new Error('request body cut off: the client went away'));
    this.watch?.ended();
    cb();
  }
}

/** 408, and the client stops sending: HTTP/1.1 closes the connection, HTTP/2 resets the stream once answered. */
export function answerBodyTimeout(ex: Exchange, grpc: boolean): void {
  if (ex.status !== 0) return ex.abort();
  if (ex.http2) {
    sendStatus(ex, 408, 'request body timeout', grpc);
    // NO_ERROR after the response: Node sends the RST_STREAM once the answer has been written.
    const stream = ex.body as ServerHttp2Stream;
    if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_NO_ERROR);
    return;
  }
  const text = Buffer.from('request body timeout\n');
  ex.respond(
    408,
    [
      ['content-type', 'text/plain; charset=utf-8'],
      ['content-length', String(text.length)],
      // The rest of the body will not be read: the connection cannot carry another request.
      ['connection', 'close'],
    ],
    false,
    false,
  );
  ex.writable.write(text);
  ex.end();
}
