// How the request body travels upstream: not at all, buffered (small, so a retry can resend it), or
// streamed once with backpressure. Bodies past maxBodyBytes are refused (413) or cut off.
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { Exchange } from '../server/exchange.js';
import type { ProxyLimits } from '../limits.js';

export interface BodyPlan {
  body: Buffer | Readable | null;
  /** Only empty or fully buffered bodies can be sent more than once. */
  resendable: boolean;
  /** A streamed body of undeclared length may carry at most this many bytes; the sender enforces it. */
  limit: number | undefined;
}

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

const NO_BODY: BodyPlan = Object.freeze({ body: null, resendable: true, limit: undefined });

/**
 * Returns 413 when the declared length is over the limit. Synchronous except when a body is buffered for
 * retries (a Promise then, rejected with BodyTooLargeError when the body outgrows its declared length).
 */
export function planBody(ex: Exchange, wantResend: boolean, limits: ProxyLimits): BodyPlan | 413 | Promise<BodyPlan> {
  if (ex.bodyEmpty) return NO_BODY;
  const declared = declaredLength(ex);
  if (declared !== undefined && declared > limits.maxBodyBytes) return 413;
  if (wantResend && declared !== undefined && declared <= limits.retryBufferBytes) {
    return readAll(ex.body, limits.retryBufferBytes).then((body) => ({ body, resendable: true, limit: undefined }));
  }
  return { body: ex.body, resendable: false, limit: declared === undefined ? limits.maxBodyBytes : undefined };
}

/** The body cut off at `max` bytes (for senders that take a stream as it is, like undici). */
export function limitBody(body: Readable, max: number): Readable {
  return body.pipe(new LengthLimit(max, body));
}

function declaredLength(ex: Exchange): number | undefined {
  const cl = ex.headers['content-length'];
  if (typeof cl !== 'string') return undefined;
  const n = Number(cl);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

async function readAll(body: Readable, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new BodyTooLargeError('request body larger than declared');
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

/** Counts streamed bytes of a body of unknown length; past the limit the stream errors (and the source is torn down). */
class LengthLimit extends Transform {
  private seen = 0;

  constructor(
    private readonly max: number,
    source: Readable,
  ) {
    super();
    source.once('error', (err) => this.destroy(err));
    // Whoever consumes this stream sees its error; the listener only keeps a late one from crashing the process.
    this.on('error', () => undefined);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.max) cb(new BodyTooLargeError(`request body over ${this.max} bytes`));
    else cb(null, chunk);
  }
}
