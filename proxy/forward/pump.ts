// Request bodies into an upstream HTTP/2 stream: what `pipe` does, with three listeners instead of a
// dozen, and the byte limit of an undeclared length counted on the way.
import type { ClientHttp2Stream } from 'node:http2';
import type { Readable } from 'node:stream';
import { cutOff, type BodyWatch } from './body-timeout.js';
import { BodyTooLargeError } from './errors.js';
import type { UpstreamRequest } from './upstream.js';

export function writeBody(stream: ClientHttp2Stream, req: UpstreamRequest): void {
  const body = req.body;
  if (body === null) return;
  if (Buffer.isBuffer(body)) {
    stream.end(body);
    return;
  }
  new BodyPump(body, stream, req.bodyLimit, req.watch).start();
}

const PUMP = Symbol('pump');
type WithPump = { [PUMP]: BodyPump };

/** Copies a request body into the upstream stream with backpressure; listeners find it on the streams. */
class BodyPump {
  private seen = 0;

  constructor(
    private readonly body: Readable,
    private readonly out: ClientHttp2Stream,
    private readonly limit: number | undefined,
    /** Counts what the client sends, for the body timeout. */
    private readonly watch: BodyWatch | undefined,
  ) {}

  start(): void {
    (this.body as unknown as WithPump)[PUMP] = this;
    (this.out as unknown as WithPump)[PUMP] = this;
    this.body.on('data', pumpData);
    this.body.once('end', pumpEnd);
    // A client that stops sending must not leave the upstream stream hanging half-open.
    this.body.once('error', pumpError);
  }

  data(chunk: Buffer): void {
    const out = this.out;
    if (out.destroyed) return this.stop();
    this.seen += chunk.length;
    if (this.watch !== undefined) this.watch.seen += chunk.length;
    if (this.limit !== undefined && this.seen > this.limit) {
      this.stop();
      out.destroy(new BodyTooLargeError(`request body over ${this.limit} bytes`));
      return;
    }
    if (!out.write(chunk)) {
      this.body.pause();
      out.once('drain', pumpDrain);
    }
  }

  end(): void {
    this.stop();
    if (this.out.destroyed) return;
    // A body cut off by its client must not reach the backend as a complete one.
    if (this.watch?.cutOff() ?? cutOff(this.body)) return void this.out.destroy();
    this.watch?.ended();
    this.out.end();
  }

  error(err: Error): void {
    this.stop();
    this.out.destroy(err);
  }

  drained(): void {
    this.body.resume();
  }

  private stop(): void {
    this.body.removeListener('data', pumpData);
    this.body.removeListener('end', pumpEnd);
  }
}

function pumpData(this: WithPump, chunk: Buffer): void {
  this[PUMP].data(chunk);
}
function pumpEnd(this: WithPump): void {
  this[PUMP].end();
}
function pumpError(this: WithPump, err: Error): void {
  this[PUMP].error(err);
}
function pumpDrain(this: WithPump): void {
  this[PUMP].drained();
}
