// Hostile clients against the proxy over raw sockets: slowloris, smuggling shapes, Host tricks, HTTP/2 rapid
// reset and stream floods, catastrophic regexes. Each is answered per the HTTP RFCs, the process keeps serving
// everyone else, and no request reaches a backend it was not routed to.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import http2 from 'node:http2';
import { startEchoBackend, type EchoBackend } from '../support/backends.js';
import { ConfigBuilder, backend, prefix, send, startTestProxy } from '../proxy/helpers.js';
import type { RunningProxy } from '../../proxy/index.js';

/** Sends raw bytes, resolves with everything the server answered before closing (or after `waitMs`). */
function raw(
  port: number,
  chunks: string[],
  opts: { gapMs?: number; waitMs?: number } = {},
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let closed = false;
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve({ text, closed });
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed });
    }, opts.waitMs ?? 1500);
    let i = 0;
    const next = () => {
      if (i >= chunks.length || socket.destroyed) return;
      socket.write(chunks[i++]!);
      setTimeout(next, opts.gapMs ?? 0);
    };
    socket.on('connect', next);
  });
}

const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);

describe('hostile clients', () => {
  let proxy: RunningProxy;
  let app: EchoBackend;
  let other: EchoBackend;
  let port: number;

  beforeAll(async () => {
    app = await startEchoBackend('app');
    other = await startEchoBackend('other');
    proxy = await startTestProxy({
      limits: { headersTimeoutMs: 800, requestTimeoutMs: 1500, maxConcurrentStreams: 50 },
    });
    port = proxy.ports.http;
    const b = new ConfigBuilder();
    const appRule = b.rule('app', [backend(app)]);
    const otherRule = b.rule('other', [backend(other)]);
    const regexRule = b.rule('regex', [backend(app)]);
    b.route('app.test', { path: { type: 'RegularExpression', value: '/(a+)+$' } }, regexRule);
    b.route('app.test', prefix('/'), appRule).route('other.test', prefix('/'), otherRule);
    expect(proxy.applyConfig(b.build(1))).toMatchObject({ ok: true });
  });

  afterAll(async () => {
    await proxy.close(0);
    await app.close();
    await other.close();
  });

  const stillServes = async () => expect((await send(port, 'app.test', '/ok')).status).toBe(200);

  it('closes a slowloris connection that never finishes its headers, while serving others', async () => {
    const slow = raw(port, ['GET / HTTP/1.1\r\n', 'Host: app.test\r\n', ...Array(40).fill('X-Slow: 1\r\n')], {
      gapMs: 100,
      waitMs: 6000,
    });
    await stillServes();
    const { closed, text } = await slow;
    expect(closed).toBe(true);
    expect([0, 408]).toContain(statusOf(text));
    expect(app.requests.some((r) => r.headers['x-slow'])).toBe(false);
  });

  it('closes a client that sends its body too slowly', async () => {
    const head = 'POST /upload HTTP/1.1\r\nHost: app.test\r\nContent-Length: 1000\r\n\r\n';
    const { closed } = await raw(port, [head, ...Array(60).fill('x')], { gapMs: 50, waitMs: 6000 });
    expect(closed).toBe(true);
    await stillServes();
  });

  it.each([
    [
      'Content-Length and Transfer-Encoding together',
      'POST / HTTP/1.1\r\nHost: app.test\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: other.test\r\n\r\n',
    ],
    ['an obs-folded header', 'GET / HTTP/1.1\r\nHost: app.test\r\nX-Folded: a\r\n b\r\n\r\n'],
    [
      'an invalid chunk size',
      'POST / HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
    ],
    [
      'two Content-Length values',
      'POST / HTTP/1.1\r\nHost: app.test\r\nContent-Length: 1\r\nContent-Length: 5\r\n\r\nhello',
    ],
    ['a space before the colon', 'GET / HTTP/1.1\r\nHost : other.test\r\nHost: app.test\r\n\r\n'],
    ['no Host header in HTTP/1.1', 'GET / HTTP/1.1\r\n\r\n'],
    ['two Host headers', 'GET / HTTP/1.1\r\nHost: app.test\r\nHost: other.test\r\n\r\n'],
  ])('answers 400 to %s and forwards nothing', async (_what, request) => {
    const before = app.requests.length + other.requests.length;
    const { text } = await raw(port, [request]);
    expect(statusOf(text)).toBe(400);
    expect(app.requests.length + other.requests.length).toBe(before);
  });

  it.each([
    ['X-Forwarded-Host', { 'x-forwarded-host': 'other.test' }],
    ['X-Original-Host', { 'x-original-host': 'other.test' }],
    ['Forwarded host=', { forwarded: 'host=other.test' }],
    [':authority-like X-Host', { 'x-host': 'other.test' }],
  ])('never routes on a client-supplied %s header', async (_what, headers) => {
    const reply = await send(port, 'app.test', '/who', { headers });
    expect(reply.json().backend).toBe('app');
  });

  it('routes an absolute-form request by its authority or refuses it, never by a conflicting Host', async () => {
    const before = other.requests.length;
    const { text } = await raw(port, ['GET http://app.test/abs HTTP/1.1\r\nHost: other.test\r\n\r\n']);
    expect([200, 400]).toContain(statusOf(text));
    expect(other.requests.length).toBe(before);
  });

  it('answers 431 to a 64 KiB header value without touching a backend', async () => {
    const reply = await send(port, 'app.test', '/big', { headers: { 'x-big': 'a'.repeat(70 * 1024) } }).catch(() => ({
      status: 431,
    }));
    expect(reply.status).toBe(431);
    await stillServes();
  });

  it('matches a catastrophic regex against a long path in bounded time (RE2 semantics)', async () => {
    const evil = `/${'a'.repeat(5000)}!`;
    const started = Date.now();
    const reply = await send(port, 'app.test', evil);
    // A backtracking engine needs astronomically long here; RE2 semantics answer at once.
    expect(Date.now() - started).toBeLessThan(2000);
    expect(reply.status).toBe(200);
    expect((await send(port, 'app.test', '/aaaa')).json().backend).toBe('app');
  });

  it('survives an HTTP/2 rapid-reset burst and keeps serving', async () => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', () => undefined);
    await new Promise<void>((resolve) => session.once('connect', () => resolve()));
    for (let i = 0; i < 1000 && !session.destroyed && !session.closed; i++) {
      try {
        const stream = session.request({ ':path': '/', ':authority': 'app.test' });
        stream.on('error', () => undefined);
        stream.close(http2.constants.NGHTTP2_CANCEL);
      } catch {
        break; // the server sent GOAWAY: exactly what a mitigation does
      }
    }
    await new Promise((r) => setTimeout(r, 200));
    session.destroy();
    await stillServes();
  });

  it('refuses streams beyond the concurrency limit without failing the admitted ones', async () => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', () => undefined);
    const results = await Promise.all(
      Array.from(
        { length: 80 },
        () =>
          new Promise<number>((resolve) => {
            const stream = session.request({ ':path': '/delay/200', ':authority': 'app.test' });
            stream.on('response', (h) => resolve(Number(h[':status'])));
            stream.on('error', () => resolve(-1));
            stream.resume();
          }),
      ),
    );
    session.destroy();
    expect(results.filter((s) => s === 200).length).toBeGreaterThanOrEqual(50);
    expect(results.every((s) => s === 200 || s === -1)).toBe(true);
    await stillServes();
  });
});
