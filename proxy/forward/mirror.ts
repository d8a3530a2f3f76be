// RequestMirror: fire-and-forget copies of the (already modified) request. A mirror never slows down or
// changes the main exchange: a mirror that cannot keep up loses its copy of the body, not the client.
import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream';
import type { CompiledMirror } from '../router/table.js';
import type { HeaderList } from '../filters/types.js';
import type { ResponseSink, UpstreamCall, UpstreamRequest } from './upstream.js';

const MIRROR_TIMEOUT_MS = 30_000;

/** Starts every mirror that wins its percent draw; returns the body the main request must use instead. */
export function startMirrors(
  mirrors: CompiledMirror[],
  req: UpstreamRequest,
  body: Buffer | Readable | null,
): Buffer | Readable | null {
  const chosen = mirrors.filter((m) => m.endpoints.length > 0 && (m.percent >= 100 || Math.random() * 100 < m.percent));
  if (chosen.length === 0) return body;
  if (body === null || Buffer.isBuffer(body)) {
    for (const m of chosen) send(m, req, body);
    return body;
  }
  const copies = chosen.map((m) => {
    const copy = new PassThrough();
    send(m, req, copy);
    return copy;
  });
  return body.pipe(new Tee(copies, body));
}

function send(m: CompiledMirror, req: UpstreamRequest, body: Buffer | Readable | null): void {
  const endpoint = m.endpoints[m.cursor++ % m.endpoints.length]!;
  const sink = new DiscardSink();
  sink.call = endpoint.start({ ...req, headers: req.headers.slice(), body }, sink);
}

/** Reads a mirror's answer to the end and drops it; a mirror that hangs is cut off after MIRROR_TIMEOUT_MS. */
class DiscardSink implements ResponseSink {
  call: UpstreamCall | undefined;
  private readonly timer = setTimeout(abandon, MIRROR_TIMEOUT_MS, this).unref();

  onHead(_status: number, _headers: HeaderList, endStream: boolean): void {
    if (endStream) clearTimeout(this.timer);
  }

  onData(): boolean {
    return true;
  }

  onEnd(): void {
    clearTimeout(this.timer);
  }

  onError(): void {
    clearTimeout(this.timer);
  }
}

function abandon(sink: DiscardSink): void {
  sink.call?.abort(new Error('mirror timed out'));
}

/** Passes chunks to the main request and copies them to mirrors that are keeping up. */
class Tee extends Transform {
  private complete = false;

  constructor(
    private readonly copies: PassThrough[],
    source: Readable,
  ) {
    super();
    source.once('error', (err) => this.destroy(err));
    // Whoever consumes this stream sees its error; the listener only keeps a late one from crashing the process.
    this.on('error', () => undefined);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    for (const copy of this.copies) {
      if (copy.destroyed) continue;
      if (copy.writableNeedDrain) copy.destroy();
      else copy.write(chunk);
    }
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    this.complete = true;
    for (const copy of this.copies) if (!copy.destroyed) copy.end();
    cb();
  }

  /** The main request may destroy its body once sent; copies already complete must still reach the mirrors. */
  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    if (err !== null || !this.complete) for (const copy of this.copies) copy.destroy();
    cb(err);
  }
}
