// How the request body travels upstream: not at all, buffered, or streamed once with backpressure. A body
// with a declared length up to retryBufferBytes is read whole before an upstream connection is taken, so a
// client that sends it slowly holds nothing of the backend's (docs/adr/0007-upstream-fairness.md); it can
// then be resent by retries too. Bodies past maxBodyBytes are refused (413) or cut off.
import type { Readable } from 'node:stream';
import type { Exchange } from '../server/exchange.js';
import type { ProxyLimits } from '../limits.js';
import { BodyTimeoutError, BodyWatch, cutOff, watchedBody, type BodyWatchListener } from './body-timeout.js';
import { BodyTooLargeError } from './errors.js';

export { BodyTooLargeError };

export interface BodyPlan {
  body: Buffer | Readable | null;
  /** Only empty or fully buffered bodies can be sent more than once. */
  resendable: boolean;
  /** A streamed body of undeclared length may carry at most this many bytes; the sender enforces it. */
  limit: number | undefined;
}

const NO_BODY: BodyPlan = Object.freeze({ body: null, resendable: true, limit: undefined });

/**
 * Returns 413 when the declared length is over the limit. Synchronous except when a small body is buffered
 * (a Promise then, rejected with BodyTooLargeError when the body outgrows its declared length, with
 * BodyTimeoutError when it comes too slowly).
 */
export function planBody(ex: Exchange, limits: ProxyLimits): BodyPlan | 413 | Promise<BodyPlan> {
  if (ex.bodyEmpty) return NO_BODY;
  const declared = declaredLength(ex);
  if (declared !== undefined && declared > limits.maxBodyBytes) return 413;
  if (declared !== undefined && declared <= limits.retryBufferBytes) return readAll(ex.body, declared, limits);
  return { body: ex.body, resendable: false, limit: declared === undefined ? limits.maxBodyBytes : undefined };
}

/** The body cut off at `max` bytes (for senders that take a stream as it is, like undici). */
export function limitBody(body: Readable, max: number): Readable {
  return watchedBody(body, max, undefined);
}

function declaredLength(ex: Exchange): number | undefined {
  const cl = ex.headers['content-length'];
  if (typeof cl !== 'string') return undefined;
  const n = Number(cl);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function readAll(body: Readable, declared: number, limits: ProxyLimits): Promise<BodyPlan> {
  return new Promise((resolve, reject) => new BodyReader(body, declared, limits, resolve, reject).start());
}

const READER = Symbol('reader');
type WithReader = { [READER]: BodyReader };

/** Reads a small body into one Buffer under the body timeout; listeners find the reader on the stream. */
class BodyReader implements BodyWatchListener {
  private readonly chunks: Buffer[] = [];
  private readonly watch: BodyWatch;

  constructor(
    private readonly body: Readable,
    private readonly declared: number,
    limits: ProxyLimits,
    private readonly resolve: (plan: BodyPlan) => void,
    private readonly reject: (err: Error) => void,
  ) {
    this.watch = new BodyWatch(body, limits, this);
  }

  start(): void {
    const body = this.body as Readable & WithReader;
    body[READER] = this;
    body.on('data', readerData);
    body.once('end', readerEnd);
    body.once('close', readerClose);
    this.watch.readerAttached();
  }

  data(chunk: Buffer): void {
    this.watch.seen += chunk.length;
    if (this.watch.seen > this.declared) return this.fail(new BodyTooLargeError('request body larger than declared'));
    this.chunks.push(chunk);
  }

  ended(): void {
    this.watch.ended();
  }

  bodyEnded(): void {
    if (this.watch.seen !== this.declared || cutOff(this.body))
      return this.fail(new Error('request body cut off: the client went away'));
    this.stop();
    const chunks = this.chunks;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.watch.seen);
    this.resolve({ body, resendable: true, limit: undefined });
  }

  bodyTooSlow(): void {
    this.fail(new BodyTimeoutError('request body too slow'));
  }

  /** The stream closed before its end: the client went away (or the body was cut). */
  closed(): void {
    if (this.watch.stop()) this.fail(new Error('client went away before sending its body'));
  }

  private fail(err: Error): void {
    this.watch.stop();
    this.stop();
    this.reject(err);
  }

  private stop(): void {
    this.body.removeListener('data', readerData);
    this.body.removeListener('end', readerEnd);
    this.body.removeListener('close', readerClose);
  }
}

function readerData(this: WithReader, chunk: Buffer): void {
  this[READER].data(chunk);
}
function readerEnd(this: WithReader): void {
  this[READER].ended();
}
function readerClose(this: WithReader): void {
  this[READER].closed();
}
