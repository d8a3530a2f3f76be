// Responses the proxy answers itself: errors, fail-closed statuses, filter answers (redirects, CORS).
import type { Exchange } from '../server/exchange.js';
import type { HeaderList, ImmediateResponse } from '../filters/types.js';
import { grpcStatusFor } from './errors.js';

export function sendStatus(ex: Exchange, status: number, message: string, grpc: boolean): void {
  if (ex.status !== 0) {
    ex.abort();
    return;
  }
  if (grpc) {
    // gRPC clients read errors from trailers: a trailers-only response (one HEADERS frame with END_STREAM).
    ex.respond(
      200,
      [
        ['content-type', 'application/grpc'],
        ['grpc-status', String(grpcStatusFor(status))],
        ['grpc-message', encodeURIComponent(message)],
      ],
      true,
      false,
    );
    return;
  }
  sendBody(ex, status, [['content-type', 'text/plain; charset=utf-8']], `${message}\n`);
}

export function sendImmediate(ex: Exchange, res: ImmediateResponse): void {
  sendBody(ex, res.status, res.headers, res.body);
}

function sendBody(ex: Exchange, status: number, headers: HeaderList, body: string | undefined): void {
  if (body === undefined || body === '') {
    ex.respond(status, headers.concat([['content-length', '0']]), true, false);
    return;
  }
  const buf = Buffer.from(body);
  ex.respond(status, headers.concat([['content-length', String(buf.length)]]), false, false);
  ex.bytes += buf.length;
  ex.writable.write(buf);
  ex.end();
}
