// One forwarded exchange from the first try to the last byte: retries, deadlines, the client leaving, and
// the relay of the chosen response (head, body with backpressure, trailers). It is the sink of every try,
// so a request allocates this object and its upstream call, and registers no closures: timers get `this`
// as their argument, the client's departure and drain events call methods.
import type { FilterContext } from '../filters/types.js';
import type { HeaderList } from '../filters/types.js';
import type { CompiledBackend, CompiledRule } from '../router/table.js';
import { nextEndpoint, persistenceHeader } from '../router/select.js';
import type { ClientGoneListener, Exchange } from '../server/exchange.js';
import { answerBodyTimeout, BodyTimeoutError, BodyWatch, type BodyWatchListener } from './body-timeout.js';
import { ClientGoneError, DeadlineError, failureReason, statusForFailure, type FailureReason } from './errors.js';
import { logTlsFailure } from './tls.js';
import { sendStatus } from './local.js';
import type { ForwardRuntime } from './forward.js';
import type { ResponseSink, Upstream, UpstreamCall, UpstreamRequest, UpstreamTrace } from './upstream.js';

const enum Phase {
  /** A try is in flight (or waiting for its backoff), nothing sent to the client yet. */
  Trying,
  /** The head went to the client; the body is being relayed. */
  Relaying,
  Over,
}

export class Forwarding implements ResponseSink, ClientGoneListener, BodyWatchListener, UpstreamTrace {
  private phase = Phase.Trying;
  /** The endpoint of the current (last) try. */
  endpoint: Upstream | undefined = undefined;
  private req!: UpstreamRequest;
  private call: UpstreamCall | undefined = undefined;
  private tries = 1;
  private attempt = 0;
  private requestTimer: NodeJS.Timeout | undefined = undefined;
  private tryTimer: NodeJS.Timeout | undefined = undefined;
  private waitingForDrain = false;
  /** The default wait for a response head (limits.upstreamResponseTimeoutMs) when the rule has no timeout; 0: none. */
  private headMs = 0;
  /** The body timeout of a streamed request body, until its end or the response head. */
  private watch: BodyWatch | undefined = undefined;

  constructor(
    private readonly ex: Exchange,
    private readonly rule: CompiledRule,
    private readonly backend: CompiledBackend,
    private readonly ruleCtx: FilterContext,
    private readonly backendCtx: FilterContext,
    readonly grpc: boolean,
    private readonly pinned: string | undefined,
    private readonly rt: ForwardRuntime,
  ) {
    ex.upstream = this;
  }

  get triesStarted(): number {
    return this.attempt;
  }

  start(req: UpstreamRequest, resendable: boolean): void {
    if (this.ex.aborted) return this.finish();
    this.req = req;
    if (resendable && this.rule.retry !== undefined) this.tries = 1 + this.rule.retry.attempts;
    if (this.rule.requestMs !== undefined) this.requestTimer = setTimeout(requestDeadline, this.rule.requestMs, this);
    else if (this.rule.backendRequestMs === undefined)
      this.headMs = defaultHeadMs(this.rt.limits.upstreamResponseTimeoutMs, this.grpc, req);
    this.ex.onClientGone(this);
    if (req.body !== null && !Buffer.isBuffer(req.body))
      req.watch = this.watch = new BodyWatch(this.ex.body, this.rt.limits, this, !this.grpc);
    this.tryOnce();
    // The first try attached the body's reader (the h2 pump, or undici's pipe): its first window counts.
    this.watch?.readerAttached();
  }

  private tryOnce(): void {
    const n = ++this.attempt;
    const endpoint = (this.endpoint = nextEndpoint(this.backend)!);
    // With a streamed body the default wait for the head starts when the body has been sent (bodyEnded).
    const ms = this.rule.backendRequestMs ?? (this.watch === undefined ? this.headMs : 0);
    if (ms > 0) this.tryTimer = setTimeout(tryDeadline, ms, this);
    const call = endpoint.start(this.req, this);
    // A try that failed synchronously may already have started the next one.
    if (this.attempt === n && this.phase !== Phase.Over) this.call = call;
  }

  onHead(status: number, headers: HeaderList, endStream: boolean): void {
    if (this.phase !== Phase.Trying) return;
    // The backend answered: from here the exchange goes at its pace (e.g. a bidi stream), not the body timeout's.
    this.watch?.stop();
    const retry = this.rule.retry;
    if (this.attempt < this.tries && retry!.codes.has(status)) {
      this.call?.abort(new Error('retried'));
      return this.retryLater();
    }
    const ex = this.ex;
    const backend = this.backend;
    // Runs inside the upstream's event callbacks: a throw here must become a 502, never escape.
    try {
      if (!backend.filters.empty) backend.filters.onResponse(this.backendCtx, status, headers);
      if (!this.rule.filters.empty) this.rule.filters.onResponse(this.ruleCtx, status, headers);
      if (this.rule.persistence !== undefined && this.pinned !== backend.token)
        headers.push(persistenceHeader(this.rule, backend)!);
      this.phase = Phase.Relaying;
      // The default bounds the wait for the head only: a long download or event stream is not cut.
      if (this.headMs > 0) this.clearTryTimer();
      ex.respond(status, headers, endStream, ex.http2 && backend.transport === 'h2');
    } catch (err) {
      // E.g. a header Node refuses to send: free the upstream and answer 502 instead.
      this.call?.abort(err as Error);
      this.finish();
      this.rt.logger.error({ err, rule: this.rule.id }, 'forwarding failed');
      return sendStatus(ex, 502, 'forwarding failed', this.grpc);
    }
    if (endStream) this.finish();
  }

  onData(chunk: Buffer): boolean {
    if (this.phase !== Phase.Relaying) return true;
    this.ex.bytes += chunk.length;
    const out = this.ex.writable;
    if (out.write(chunk)) return true;
    if (!this.waitingForDrain) {
      this.waitingForDrain = true;
      (out as unknown as Drainable)[FORWARDING] = this;
      out.once('drain', onDrain);
    }
    return false;
  }

  drained(): void {
    this.waitingForDrain = false;
    if (this.phase === Phase.Relaying) this.call?.resume();
  }

  onEnd(trailers: HeaderList | undefined): void {
    if (this.phase !== Phase.Relaying) return;
    this.finish();
    try {
      this.ex.end(trailers);
    } catch (err) {
      // Trailers this side's protocol cannot carry: the response is torn down rather than cut silently.
      this.rt.logger.debug({ err, rule: this.rule.id }, 'trailers refused');
      this.ex.abort();
    }
  }

  onError(err: unknown): void {
    if (this.phase === Phase.Over) return;
    this.clearTryTimer();
    if (this.phase === Phase.Relaying) {
      // Mid-body: the client gets a torn-down response, not a truncated one that looks complete.
      this.finish();
      return this.ex.abort();
    }
    const reason = failureReason(err);
    if (reason === 'tls') logTlsFailure(this.rt.logger, this.backend.name, err);
    this.failTry(reason);
  }

  clientGone(): void {
    if (this.phase === Phase.Over) return;
    const before = this.phase === Phase.Trying;
    this.call?.abort(new ClientGoneError('client went away'));
    this.finish();
    if (before) this.rt.metrics.backendError('aborted');
  }

  /** The streamed body arrived too slowly: 408, and the upstream request is aborted. */
  bodyTooSlow(): void {
    if (this.phase !== Phase.Trying) return;
    this.call?.abort(new BodyTimeoutError('request body too slow'));
    this.finish();
    this.rt.logger.debug({ rule: this.rule.id, backend: this.backend.name }, 'request body too slow');
    answerBodyTimeout(this.ex, this.grpc);
  }

  /** The streamed body has been sent whole: the default wait for the response head starts. */
  bodyEnded(): void {
    if (this.phase === Phase.Trying && this.headMs > 0 && this.tryTimer === undefined)
      this.tryTimer = setTimeout(tryDeadline, this.headMs, this);
  }

  /** backendRequestMs passed for the current try. */
  tryExpired(): void {
    this.tryTimer = undefined;
    if (this.phase === Phase.Over) return;
    const err = new DeadlineError(this.headMs > 0 ? 'response' : 'backendRequest');
    this.call?.abort(err);
    this.onError(err);
  }

  /** requestMs passed for the whole exchange: no more tries. */
  requestExpired(): void {
    this.requestTimer = undefined;
    if (this.phase === Phase.Over) return;
    this.call?.abort(new DeadlineError('request'));
    if (this.phase === Phase.Relaying) {
      this.finish();
      return this.ex.abort();
    }
    this.tries = this.attempt;
    this.failTry('timeout');
  }

  private failTry(reason: FailureReason): void {
    this.rt.metrics.backendError(reason);
    if (this.attempt < this.tries) return this.retryLater();
    this.finish();
    this.rt.logger.debug({ rule: this.rule.id, backend: this.backend.name, reason }, 'upstream failed');
    sendStatus(this.ex, statusForFailure(reason), `upstream ${reason}`, this.grpc);
  }

  private retryLater(): void {
    this.clearTryTimer();
    this.call = undefined;
    const backoff = this.rule.retry!.backoffMs;
    if (backoff > 0) this.tryTimer = setTimeout(retryNow, backoff, this);
    else this.tryOnce();
  }

  retryTimerFired(): void {
    this.tryTimer = undefined;
    if (this.phase === Phase.Trying) this.tryOnce();
  }

  private clearTryTimer(): void {
    if (this.tryTimer !== undefined) {
      clearTimeout(this.tryTimer);
      this.tryTimer = undefined;
    }
  }

  private finish(): void {
    this.phase = Phase.Over;
    this.watch?.stop();
    this.clearTryTimer();
    if (this.requestTimer !== undefined) {
      clearTimeout(this.requestTimer);
      this.requestTimer = undefined;
    }
    this.ex.onClientGone(undefined);
  }
}

const FORWARDING = Symbol('forwarding');
type Drainable = { [FORWARDING]: Forwarding };

function onDrain(this: Drainable): void {
  this[FORWARDING].drained();
}

/**
 * The default response-head timeout, or 0. A gRPC call that carries `grpc-timeout` has its own deadline, which
 * its backend enforces: a server-streaming call may rightly wait long for its first message.
 */
function defaultHeadMs(ms: number, grpc: boolean, req: UpstreamRequest): number {
  if (ms === 0 || !grpc) return ms;
  for (const [name] of req.headers) if (name === 'grpc-timeout') return 0;
  return ms;
}

function tryDeadline(f: Forwarding): void {
  f.tryExpired();
}

function requestDeadline(f: Forwarding): void {
  f.requestExpired();
}

function retryNow(f: Forwarding): void {
  f.retryTimerFired();
}
