// Clients that send a request target exactly as written (WHATWG URL parsers, fetch and undici normalise
// dot-segments before sending, which would hide what the proxy does): raw HTTP/1.1 over net.Socket and
// node:http2 streams with a literal :path.
import http2 from 'node:http2';
import net from 'node:net';

export interface RawReply {
  /** Status of the first response head (0 when none arrived). */
  status: number;
  /** Every response head's status in order (a 100 Continue before the final answer shows up here). */
  statuses: number[];
  /** Header names lower-cased, of the last response head. */
  headers: Record<string, string>;
  body: string;
  /** True when the proxy closed the connection within the wait. */
  closed: boolean;
}

/** Writes `chunks` on a fresh connection, collects the answer until the proxy closes it or `waitMs` passes. */
export function rawHttp1(port: number, chunks: string[], waitMs = 1500): Promise<RawReply> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parseHttp1(text), closed });
    };
    const timer = setTimeout(finish, waitMs);
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('connect', () => chunks.forEach((c) => socket.write(c)));
  });
}

/** A GET with a literal request target; `Connection: close` so the answer ends with the connection. */
export function rawGet(port: number, host: string, target: string, extra = ''): Promise<RawReply> {
  return rawHttp1(port, [`GET ${target} HTTP/1.1\r\nHost: ${host}\r\n${extra}Connection: close\r\n\r\n`]);
}

export function parseHttp1(text: string): Omit<RawReply, 'closed'> {
  const statuses: number[] = [];
  let headers: Record<string, string> = {};
  let rest = text;
  for (;;) {
    const m = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/.exec(rest);
    const end = rest.indexOf('\r\n\r\n');
    if (m === null || end === -1) break;
    statuses.push(Number(m[1]));
    headers = {};
    for (const line of rest.slice(m[0].length, end).split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    rest = rest.slice(end + 4);
    if (statuses[statuses.length - 1] !== 100) break;
  }
  const body = headers['transfer-encoding'] === 'chunked' ? dechunk(rest) : rest;
  return { status: statuses[statuses.length - 1] ?? 0, statuses, headers, body };
}

/** The payload of a chunked body (as far as it arrived). */
function dechunk(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const eol = text.indexOf('\r\n', at);
    const size = eol === -1 ? 0 : parseInt(text.slice(at, eol), 16);
    if (!(size > 0)) return out;
    out += text.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

/** One HTTP/2 request (prior knowledge, cleartext) with a literal :path. */
export async function rawHttp2(
  port: number,
  authority: string,
  path: string,
  extra: Record<string, string> = {},
): Promise<RawReply> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on('error', () => undefined);
  try {
    return await new Promise<RawReply>((resolve, reject) => {
      const req = session.request({ ':path': path, ':authority': authority, ...extra });
      let head: http2.IncomingHttpHeaders = {};
      let trailers: http2.IncomingHttpHeaders = {};
      let body = '';
      req.on('response', (h) => (head = h));
      req.on('trailers', (t) => (trailers = t));
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries({ ...head, ...trailers })) if (v !== undefined) headers[k] = String(v);
        const status = Number(head[':status'] ?? 0);
        resolve({ status, statuses: [status], headers, body, closed: false });
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    session.close();
  }
}
