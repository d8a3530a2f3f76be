// HTTP/2 rapid reset (CVE-2023-44487): a client opens a stream and resets it at once, over and over. Each
// stream costs the proxy routing and an upstream request while costing the client nothing, and the stream
// slot is free again at once, so SETTINGS_MAX_CONCURRENT_STREAMS does not bound it. Node only sends GOAWAY
// after tens of thousands of such pairs. Here every client session gets a token bucket of resets: a session
// that resets more than `perSecond` streams a second (after a burst of as many) gets GOAWAY
// ENHANCE_YOUR_CALM and is closed, and the streams still open on it are torn down (cancelling their
// upstream requests).
//
// Why per session and not per client address: in production the only peer is cloudflared, which carries
// every visitor over a few long-lived sessions from one address, so an address limit would either never
// fire or cut off everyone; a session is what one (possibly hostile) stream of requests shares. A client
// that reconnects gets a fresh budget, but each reconnect costs it a TCP (and TLS) handshake and the proxy
// at most one burst of work. The state is two numbers per session, kept in a WeakMap.
import http2 from 'node:http2';
import type { Logger } from 'pino';

const { NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_REFUSED_STREAM } = http2.constants;
/** At most one log line per this long, however many sessions are closed (a reconnecting client). */
const LOG_EVERY_MS = 10_000;

/** A token bucket: `rate` tokens a second, holding at most `rate` (one second's worth is the burst). */
export class ResetBudget {
  private tokens: number;
  private last = performance.now();
  exhausted = false;

  constructor(private readonly rate: number) {
    this.tokens = rate;
  }

  /** Spends one token; false once the bucket is empty. */
  take(now = performance.now()): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** True once the bucket has refilled: 1/rate seconds per reset spent (5 ms at 200/s). */
  full(now = performance.now()): boolean {
    this.refill(now);
    return this.tokens >= this.rate;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
  }
}

/** Counts client resets per session and closes sessions that spend more than their budget. */
export class ResetGuard {
  private readonly budgets = new WeakMap<http2.Http2Session, ResetBudget>();
  private lastLog = -Infinity;
  private calmedSinceLog = 0;
  private readonly onAborted: (this: http2.ServerHttp2Stream) => void;

  /** `perSecond` 0 disables the guard. */
  constructor(
    private readonly perSecond: number,
    private readonly logger: Logger,
  ) {
    const countReset = (session: http2.Http2Session | undefined) => this.countReset(session);
    this.onAborted = function (this: http2.ServerHttp2Stream) {
      // Aborted before any response head: the client reset a request the proxy had not answered yet (the
      // proxy's own aborts come after a head, except for a broken request body, which the client caused).
      if (!this.headersSent) countReset(this.session);
    };
  }

  /**
   * Called for each new stream; calls `start` to serve it, unless the stream is gone or its session is being
   * closed. On a session whose budget has not refilled since its last reset (5 ms per reset at 200/s, so
   * always during a flood), `start` waits for the end of the current event-loop turn: a HEADERS frame and
   * the RST_STREAM right behind it arrive in one read, so the reset is seen before any routing or upstream
   * request is started. Other sessions start at once.
   */
  admit(stream: http2.ServerHttp2Stream, start: () => void): void {
    if (this.perSecond <= 0) return start();
    const session = stream.session;
    if (session === undefined || stream.destroyed || stream.closed) return this.countReset(session);
    const budget = this.budgets.get(session);
    if (budget?.exhausted === true) {
      // Closing with an error code emits 'error' on the stream: without a listener that would be uncaught.
      stream.on('error', noop);
      stream.close(NGHTTP2_REFUSED_STREAM);
      return;
    }
    stream.on('aborted', this.onAborted);
    if (budget === undefined || budget.full()) return start();
    setImmediate(startIfOpen, stream, start);
  }

  private countReset(session: http2.Http2Session | undefined): void {
    if (session === undefined || session.destroyed) return;
    let budget = this.budgets.get(session);
    if (budget === undefined) this.budgets.set(session, (budget = new ResetBudget(this.perSecond)));
    if (budget.exhausted || budget.take()) return;
    budget.exhausted = true;
    // Not from inside nghttp2's stream-close callback: destroy on the next tick. destroy(err, code) sends
    // GOAWAY with that code, then closes the socket and every stream (each one's upstream request is aborted).
    process.nextTick(() => session.destroy(new Error('too many HTTP/2 stream resets'), NGHTTP2_ENHANCE_YOUR_CALM));
    this.logCalmed(session);
  }

  private logCalmed(session: http2.Http2Session): void {
    this.calmedSinceLog++;
    const now = performance.now();
    if (now - this.lastLog < LOG_EVERY_MS) return;
    this.logger.warn(
      { remote: session.socket?.remoteAddress, sessions: this.calmedSinceLog, resetsPerSecond: this.perSecond },
      'HTTP/2 session closed: too many stream resets (ENHANCE_YOUR_CALM)',
    );
    this.lastLog = now;
    this.calmedSinceLog = 0;
  }
}

function startIfOpen(stream: http2.ServerHttp2Stream, start: () => void): void {
  if (!stream.destroyed && !stream.closed) start();
}

function noop(): void {}
