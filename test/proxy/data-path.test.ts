// The forwarding path's own mechanics against real servers: requests queued for an upstream connection
// (deadline, client leaving), h2c backpressure, h2c session spreading, and HTTP/1.1 trailers.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import http2 from 'node:http2';
import type net from 'node:net';
import {
  ConfigBuilder,
  backend,
  expectHeldBack,
  heldBackTotal,
  inFlight,
  prefix,
  send,
  startTestProxy,
  waitFor,
} from './helpers.js';
import type { RunningProxy } from '../../proxy/index.js';

/** An HTTP/1.1 backend whose /hold requests wait until released; records every path it sees. */
function holdingBackend() {
  const seen: string[] = [];
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.url === '/hold') held.push(res);
    else if (req.url === '/trailers') {
      res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-checksum' });
      res.write('body');
      res.addTrailers({ 'x-checksum': 'abc123' });
      res.end();
    } else res.end('ok');
  });
  return {
    server,
    seen,
    release: () => held.splice(0).forEach((r) => r.end('released')),
    listen: () =>
      new Promise<number>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
      ),
  };
}

describe('a single upstream connection (requests queued in the pool)', () => {
  let proxy: RunningProxy;
  const b1 = holdingBackend();

  beforeAll(async () => {
    const port = await b1.listen();
    proxy = await startTestProxy({ limits: { upstreamConnections: 1 } });
    const ep = { name: 'hold', address: '127.0.0.1', port };
    const b = new ConfigBuilder();
    b.route('plain.test', prefix('/'), b.rule('plain', [backend(ep)]));
    b.route('deadline.test', prefix('/'), b.rule('deadline', [backend(ep)], { timeouts: { requestMs: 200 } }));
    expect(proxy.applyConfig(b.build()).ok).toBe(true);
  });

  afterAll(async () => {
    b1.release();
    await proxy?.close(0);
    b1.server.closeAllConnections();
    await new Promise((r) => b1.server.close(r));
  });

  it('a queued request still meets requestMs (504), and neither it nor a departed client reaches the backend', async () => {
    const holding = send(proxy.ports.http, 'plain.test', '/hold');
    await waitFor(() => b1.seen.includes('/hold'));
    // Queued behind /hold (held until released below): only the deadline firing while it waits can answer it.
    const late = await send(proxy.ports.http, 'deadline.test', '/queued-deadline');
    expect(late.status).toBe(504);
    // A client that leaves while its request is queued.
    const gone = http.request({
      host: '127.0.0.1',
      port: proxy.ports.http,
      path: '/queued-gone',
      headers: { host: 'plain.test' },
    });
    gone.on('error', () => undefined);
    gone.end();
    // It is queued once the proxy has it in flight next to /hold (no connection is free for it).
    await waitFor(async () => (await inFlight(proxy)) === 2);
    gone.destroy();
    await waitFor(async () => (await proxy.metrics.metrics()).includes('proxy_backend_errors_total{reason="aborted"}'));
    b1.release();
    expect((await holding).text).toBe('released');
    // The connection is free again: a new request goes through, and the two abandoned ones never went out.
    expect((await send(proxy.ports.http, 'plain.test', '/after')).text).toBe('ok');
    expect(b1.seen).toEqual(['/hold', '/after']);
  });

  it('relays HTTP/1.1 trailers from the backend to an HTTP/1.1 client', async () => {
    const { trailers, body } = await new Promise<{ trailers: NodeJS.Dict<string>; body: string }>((resolve, reject) => {
      http
        .get(
          { host: '127.0.0.1', port: proxy.ports.http, path: '/trailers', headers: { host: 'plain.test' } },
          (res) => {
            let text = '';
            res.setEncoding('utf8').on('data', (c: string) => (text += c));
            res.on('end', () => resolve({ trailers: res.trailers, body: text }));
          },
        )
        .on('error', reject);
    });
    expect(body).toBe('body');
    expect(trailers['x-checksum']).toBe('abc123');
  });
});

describe('h2c upstreams', () => {
  let proxy: RunningProxy;
  let server: http2.Http2Server;
  let sessions = 0;
  const held: http2.ServerHttp2Stream[] = [];
  const total = heldBackTotal();
  let written = 0;

  beforeAll(async () => {
    // A backend that allows 8 concurrent streams per connection: the proxy must open more sessions, not queue.
    server = http2.createServer({ settings: { maxConcurrentStreams: 8 } });
    server.on('session', () => sessions++);
    server.on('stream', (stream, headers) => {
      stream.on('error', () => undefined);
      const path = headers[':path'];
      if (path === '/hold') return void held.push(stream);
      if (path === '/count') {
        let n = 0;
        stream.on('data', (c: Buffer) => (n += c.length));
        stream.on('end', () => {
          stream.respond({ ':status': 200 });
          stream.end(String(n));
        });
        return;
      }
      if (path === '/big') {
        stream.respond({ ':status': 200, 'content-length': String(total) });
        const chunk = Buffer.alloc(64 * 1024, 120);
        const pump = () => {
          while (written < total) {
            written += chunk.length;
            if (!stream.write(chunk)) return void stream.once('drain', pump);
          }
          stream.end();
        };
        return pump();
      }
      stream.respond({ ':status': 200 });
      stream.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const ep = { name: 'h2', address: '127.0.0.1', port: (server.address() as net.AddressInfo).port };
    proxy = await startTestProxy({ limits: { maxBodyBytes: 64 * 1024 } });
    const b = new ConfigBuilder();
    b.route('h2.test', prefix('/'), b.rule('h2', [backend(ep, 1, { protocol: 'h2c' })]));
    expect(proxy.applyConfig(b.build()).ok).toBe(true);
  });

  afterAll(async () => {
    held.splice(0).forEach((s) => s.destroy());
    await proxy?.close(0);
    await new Promise((r) => server.close(r));
  });

  it("light traffic uses one session; streams past the backend's concurrency limit go to more sessions", async () => {
    for (let i = 0; i < 5; i++) expect((await send(proxy.ports.http, 'h2.test', '/one')).text).toBe('ok');
    expect(sessions).toBe(1);
    const n = 24; // the test client keeps at most 32 connections
    const replies = Array.from({ length: n }, () => send(proxy.ports.http, 'h2.test', '/hold'));
    await waitFor(() => held.length === n);
    expect(sessions).toBe(n / 8);
    for (const s of held.splice(0)) {
      s.respond({ ':status': 200 });
      s.end('held');
    }
    for (const r of await Promise.all(replies)) expect(r.text).toBe('held');
  });

  it('streams a chunked request body of undeclared length, and cuts one past maxBodyBytes (413)', async () => {
    const upload = (size: number) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port: proxy.ports.http,
            method: 'POST',
            path: '/count',
            headers: { host: 'h2.test', 'transfer-encoding': 'chunked' },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8').on('data', (c: string) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        const chunk = Buffer.alloc(1024, 97);
        for (let sent = 0; sent < size; sent += chunk.length) req.write(chunk);
        req.end();
      });
    expect(await upload(16 * 1024)).toEqual({ status: 200, text: String(16 * 1024) });
    expect((await upload(256 * 1024)).status).toBe(413);
  });

  it('an HTTP/1.1 client that stops reading holds the h2c backend back', async () => {
    await expectHeldBack(proxy.ports.http, 'h2.test', '/big', () => written, total);
  }, 30_000);
});
