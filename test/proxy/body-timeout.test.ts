// Request-body timeout and the upload lane (issue 14 item 2), against real backends and raw-socket clients:
// a body that stalls or trickles below the minimum rate gets 408 on HTTP/1.1 and HTTP/2 and its upstream
// request is aborted; a small declared body is read before any upstream connection is taken; a streamed
// upload never holds the connection other requests need; a body the backend is slow to read is not judged.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { startEchoBackend, type EchoBackend } from '../support/backends.js';
import { ConfigBuilder, backend, inFlight, prefix, send, startTestProxy, waitFor } from './helpers.js';
import type { RunningProxy } from '../../proxy/index.js';

const WINDOW_MS = 400;
/** Loopback delivery of what the proxy already sent upstream: the window a negative check waits. */
const UPSTREAM_DELIVERY_MS = 100;

interface RawReply {
  status: number;
  closed: boolean;
}

/**
 * A raw HTTP/1.1 request: `head`, then `chunk` every `everyMs` (at most `times`), until the proxy answers.
 * Resolves with the status and whether the proxy closed the connection (bounded by `waitMs`).
 */
function rawUpload(
  port: number,
  head: string,
  chunk: string,
  everyMs: number,
  times: number,
  waitMs = 4000,
): Promise<RawReply> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let sent = 0;
    const finish = (closed: boolean) => {
      clearInterval(ticker);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), closed });
    };
    const ticker = setInterval(() => (sent++ < times ? socket.write(chunk) : undefined), everyMs);
    const giveUp = setTimeout(() => finish(false), waitMs);
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', () => undefined);
    socket.on('close', () => finish(true));
    socket.on('connect', () => socket.write(head));
  });
}

const post = (framing: string, path = '/upload') => `POST ${path} HTTP/1.1\r\nHost: app.test\r\n${framing}\r\n\r\n`;

/** An h2c backend that records the paths of the requests whose body really ended (END_STREAM, not a reset). */
async function completeBodies(): Promise<{ port: number; paths: string[]; close(): Promise<void> }> {
  const paths: string[] = [];
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    stream.on('data', () => undefined);
    // node:http2 also ends the readable side on a reset; `aborted` tells the two apart.
    stream.on('end', () => (stream.aborted ? undefined : paths.push(String(headers[':path']))));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    paths,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** An HTTP/1.1 backend that starts reading a request body only after `delayMs`, then answers its length. */
async function lateReader(delayMs: number): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.pause();
    setTimeout(() => {
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => res.end(String(n)));
      req.resume();
    }, delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

describe('request body timeout', () => {
  let proxy: RunningProxy;
  let app: EchoBackend;
  let h2app: EchoBackend;
  let late: Awaited<ReturnType<typeof lateReader>>;
  let complete: Awaited<ReturnType<typeof completeBodies>>;

  beforeAll(async () => {
    app = await startEchoBackend('app');
    h2app = await startEchoBackend('h2app', { protocol: 'h2c' });
    late = await lateReader(4 * WINDOW_MS);
    complete = await completeBodies();
    proxy = await startTestProxy({
      limits: {
        requestBodyTimeoutMs: WINDOW_MS,
        requestBodyMinBytesPerSecond: 50,
        upstreamConnections: 1,
        upstreamUploadConnections: 1,
      },
    });
    const b = new ConfigBuilder();
    b.route('app.test', prefix('/'), b.rule('app', [backend(app)]));
    b.route('h2app.test', prefix('/'), b.rule('h2app', [backend(h2app, 1, { protocol: 'h2c' })]));
    b.route(
      'complete.test',
      prefix('/'),
      b.rule('complete', [
        backend({ name: 'complete', address: '127.0.0.1', port: complete.port }, 1, { protocol: 'h2c' }),
      ]),
    );
    const mirrorOfApp = {
      type: 'RequestMirror' as const,
      requestMirror: { name: 'default/app-copy:80', endpoints: [{ address: app.address, port: app.port }] },
    };
    b.route(
      'mirrored.test',
      prefix('/'),
      b.rule(
        'mirrored',
        [backend({ name: 'complete', address: '127.0.0.1', port: complete.port }, 1, { protocol: 'h2c' })],
        { filters: [mirrorOfApp] },
      ),
    );
    b.route(
      'late.test',
      prefix('/'),
      b.rule('late', [backend({ name: 'late', address: '127.0.0.1', port: late.port })]),
    );
    expect(proxy.applyConfig(b.build(1))).toMatchObject({ ok: true });
  });

  afterAll(async () => {
    await proxy.close(0);
    await Promise.all([app.close(), h2app.close(), late.close(), complete.close()]);
  });

  it('a small declared body that stalls → 408 and close, and no upstream connection was ever taken for it', async () => {
    const connections = app.connections();
    const reply = await rawUpload(proxy.ports.http, post('Content-Length: 100'), 'x', 10_000, 1);
    expect(reply).toEqual({ status: 408, closed: true });
    expect(app.connections()).toBe(connections);
    expect(app.requests.some((r) => r.path === '/upload')).toBe(false);
  });

  it('a large declared body (streamed) that stalls → 408 and close', async () => {
    const reply = await rawUpload(
      proxy.ports.http,
      post('Content-Length: 1000000', '/upload/large'),
      'x'.repeat(100),
      10_000,
      1,
    );
    expect(reply).toEqual({ status: 408, closed: true });
  });

  it('a chunked body trickling below the minimum rate (10 B/s < 50 B/s) → 408; the upstream request is aborted', async () => {
    const reply = await rawUpload(
      proxy.ports.http,
      post('Transfer-Encoding: chunked', '/upload/trickle'),
      '1\r\nx\r\n',
      100,
      100,
    );
    expect(reply).toEqual({ status: 408, closed: true });
    expect(app.requests.some((r) => r.path === '/upload/trickle')).toBe(false);
  });

  it('a body at the minimum rate or above is forwarded whole', async () => {
    // 8 bytes every 50 ms = 160 B/s for ~1.2 s: three windows.
    const reply = await rawUpload(
      proxy.ports.http,
      post('Content-Length: 192', '/upload/steady'),
      'y'.repeat(8),
      50,
      24,
      2500,
    );
    expect(reply.status).toBe(200);
    expect(app.requests.find((r) => r.path === '/upload/steady')?.body).toBe('y'.repeat(192));
  });

  it.each([
    ['streamed (no length)', {} as Record<string, string>],
    ['read before dialing (small length)', { 'content-length': '100' } as Record<string, string>],
  ])('an HTTP/2 stream whose body stalls → 408; the session keeps serving (%s)', async (_kind, extra) => {
    const session = http2.connect(`http://127.0.0.1:${proxy.ports.http}`);
    session.on('error', () => undefined);
    const before = h2app.requests.length;
    try {
      const stalled = session.request({
        ':method': 'POST',
        ':path': '/upload/h2',
        ':authority': 'h2app.test',
        ...extra,
      });
      stalled.on('error', () => undefined);
      stalled.write('partial');
      const status = await new Promise<number>((resolve) => {
        stalled.once('response', (h) => resolve(Number(h[':status'])));
        setTimeout(() => resolve(0), 4000);
      });
      expect(status).toBe(408);
      const ok = session.request(
        { ':method': 'GET', ':path': '/after', ':authority': 'h2app.test' },
        { endStream: true },
      );
      const okStatus = await new Promise<number>((resolve) =>
        ok.once('response', (h) => resolve(Number(h[':status']))),
      );
      ok.resume();
      expect(okStatus).toBe(200);
      if (extra['content-length'] === undefined) {
        // The upstream stream was closed by the proxy (the backend sees its request end), not left open.
        await waitFor(() => h2app.requests.some((r) => r.path === '/upload/h2' && r.body === 'partial'));
      } else {
        // Read before dialing: the backend never heard of it.
        expect(h2app.requests.slice(before).some((r) => r.path === '/upload/h2')).toBe(false);
      }
    } finally {
      session.destroy();
    }
  });

  it.each(['complete.test', 'app.test', 'mirrored.test'])(
    'an HTTP/2 client that disconnects mid-body never makes its body look complete upstream (%s)',
    async (host) => {
      let socket: net.Socket | undefined;
      const session = http2.connect(`http://127.0.0.1:${proxy.ports.http}`, {
        createConnection: () => (socket = net.connect(proxy.ports.http, '127.0.0.1')),
      });
      session.on('error', () => undefined);
      const stream = session.request({ ':method': 'POST', ':path': '/upload/cut', ':authority': host });
      stream.on('error', () => undefined);
      stream.write('beginning');
      await waitFor(async () => (await inFlight(proxy)) === 1);
      // The connection drops: no END_STREAM was ever sent.
      socket!.destroy();
      await waitFor(async () => (await inFlight(proxy)) === 0);
      // The proxy is done with it; a body it wrongly ended would still be on its way to the backend.
      await new Promise((r) => setTimeout(r, UPSTREAM_DELIVERY_MS));
      expect(
        [...app.requests, ...complete.paths].filter((r) => (typeof r === 'string' ? r : r.path) === '/upload/cut'),
      ).toEqual([]);
    },
  );

  it('a gRPC call whose client is idle for several windows is not judged (a stream may rightly be idle)', async () => {
    const session = http2.connect(`http://127.0.0.1:${proxy.ports.http}`);
    session.on('error', () => undefined);
    try {
      const call = session.request({
        ':method': 'POST',
        ':path': '/grpc/idle',
        ':authority': 'h2app.test',
        'content-type': 'application/grpc',
      });
      call.write('first');
      setTimeout(() => call.end('last'), 3 * WINDOW_MS);
      const status = await new Promise<number>((resolve) =>
        call.once('response', (h) => resolve(Number(h[':status']))),
      );
      call.resume();
      expect(status).toBe(200);
      expect(h2app.requests.find((r) => r.path === '/grpc/idle')?.body).toBe('firstlast');
    } finally {
      session.destroy();
    }
  });

  it('a streamed upload in progress does not hold the connection other requests need (upload lane)', async () => {
    // Chunked, well above the minimum rate, for ~3 s on a backend whose pool has one connection; then it stalls.
    let uploading = true;
    const upload = rawUpload(
      proxy.ports.http,
      post('Transfer-Encoding: chunked', '/upload/long'),
      '14\r\n' + 'z'.repeat(20) + '\r\n',
      50,
      60,
      8000,
    );
    void upload.then(() => (uploading = false));
    await waitFor(async () => (await inFlight(proxy)) === 1);
    expect((await send(proxy.ports.http, 'app.test', '/get', { signal: AbortSignal.timeout(5000) })).status).toBe(200);
    expect(
      (
        await send(proxy.ports.http, 'app.test', '/post', {
          method: 'POST',
          body: 'p',
          signal: AbortSignal.timeout(5000),
        })
      ).status,
    ).toBe(200);
    // Both were answered while the upload still held its connection: they did not wait for it.
    expect(uploading).toBe(true);
    expect((await upload).status).toBe(408);
  });

  it('a body the backend is slow to read is not judged (the proxy, not the client, stalls)', async () => {
    const size = 8 * 1024 * 1024;
    const reply = await send(proxy.ports.http, 'late.test', '/', {
      method: 'POST',
      body: 'b'.repeat(size),
      signal: AbortSignal.timeout(10_000),
    });
    expect(reply.status).toBe(200);
    expect(reply.text).toBe(String(size));
  });
});
