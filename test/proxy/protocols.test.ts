// Client and backend protocols end to end: h2c on the cleartext port, TLS with ALPN h2 and http/1.1,
// h2c backends with trailers, and WebSocket (ws both sides). gRPC lives in grpc.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import selfsigned from 'selfsigned';
import WebSocket from 'ws';
import { startEchoBackend, type EchoBackend, type EchoBody } from '../support/backends.js';
import { ConfigBuilder, backend, prefix, send, startTestProxy, waitFor } from './helpers.js';
import type { RunningProxy } from '../../proxy/index.js';

let proxy: RunningProxy;
let h1: EchoBackend;
let h2c: EchoBackend;
const pems = selfsigned.generate([{ name: 'commonName', value: 'web.example.com' }], { days: 1, keySize: 2048 });

beforeAll(async () => {
  h1 = await startEchoBackend('h1');
  h2c = await startEchoBackend('h2c', { protocol: 'h2c' });
  proxy = await startTestProxy({
    tlsListen: { host: '127.0.0.1', port: 0 },
    tls: { cert: pems.cert, key: pems.private },
  });
  const b = new ConfigBuilder();
  b.route('web.example.com', prefix('/'), b.rule('http/default/web/0', [backend(h1)]));
  b.route('h2c.example.com', prefix('/'), b.rule('http/default/h2c/0', [backend(h2c, 1, { protocol: 'h2c' })]));
  b.route('ws.example.com', prefix('/'), b.rule('http/default/ws/0', [backend(h1, 1, { protocol: 'ws' })]));
  expect(proxy.applyConfig(b.build()).ok).toBe(true);
});

afterAll(async () => {
  await proxy?.close(0);
  await Promise.all([h1?.close(), h2c?.close()]);
});

function h2Request(
  session: http2.ClientHttp2Session,
  authority: string,
  path: string,
): Promise<{ status: number; body: string; headers: http2.IncomingHttpHeaders; trailers: http2.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':path': path, ':authority': authority });
    let body = '';
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    req.on('response', (h) => (headers = h));
    req.on('trailers', (t) => (trailers = t));
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => resolve({ status: Number(headers[':status']), body, headers, trailers }));
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP/2 clients', () => {
  it('h2c with prior knowledge on the cleartext port, to an HTTP/1.1 backend', async () => {
    const session = http2.connect(`http://127.0.0.1:${proxy.ports.http}`);
    try {
      const res = await h2Request(session, 'web.example.com', '/hello');
      expect(res.status).toBe(200);
      const echo = JSON.parse(res.body) as EchoBody;
      expect(echo.backend).toBe('h1');
      expect(echo.headers.host).toBe('web.example.com');
      // Several streams on one connection.
      const many = await Promise.all(
        Array.from({ length: 10 }, (_, i) => h2Request(session, 'web.example.com', `/n/${i}`)),
      );
      expect(many.map((r) => (JSON.parse(r.body) as EchoBody).path)).toEqual(
        Array.from({ length: 10 }, (_, i) => `/n/${i}`),
      );
    } finally {
      session.close();
    }
  });

  it('h2 client request bodies reach an HTTP/1.1 backend', async () => {
    const session = http2.connect(`http://127.0.0.1:${proxy.ports.http}`);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = session.request({
          ':method': 'POST',
          ':path': '/upload',
          ':authority': 'web.example.com',
          'content-type': 'text/plain',
        });
        let data = '';
        req.setEncoding('utf8').on('data', (c: string) => (data += c));
        req.on('end', () => resolve(data));
        req.on('error', reject);
        req.write('part1-');
        req.end('part2');
      });
      const echo = JSON.parse(body) as EchoBody;
      expect(echo.method).toBe('POST');
      expect(echo.body).toBe('part1-part2');
    } finally {
      session.close();
    }
  });

  it('an h2 client that resets its stream aborts the upstream request', async () => {
    const before = h1.abandoned();
    const session = http2.connect(`http://127.0.0.1:${proxy.ports.http}`);
    try {
      const req = session.request({ ':path': '/delay/5000', ':authority': 'web.example.com' });
      req.on('error', () => undefined);
      await waitFor(() => h1.requests.some((r) => r.path === '/delay/5000'));
      req.close(http2.constants.NGHTTP2_CANCEL);
      await waitFor(() => h1.abandoned() > before);
    } finally {
      session.close();
    }
  });

  it('TLS port negotiates h2 by ALPN and routes by :authority', async () => {
    const session = http2.connect(`https://127.0.0.1:${proxy.ports.tls}`, { rejectUnauthorized: false });
    try {
      const alpn = await new Promise<string | undefined>((resolve) =>
        session.once('connect', () => resolve((session.socket as unknown as { alpnProtocol?: string }).alpnProtocol)),
      );
      expect(alpn).toBe('h2');
      const res = await h2Request(session, 'web.example.com', '/tls');
      expect((JSON.parse(res.body) as EchoBody).backend).toBe('h1');
      expect((JSON.parse(res.body) as EchoBody).headers['x-forwarded-proto']).toBe('https');
    } finally {
      session.close();
    }
  });

  it('TLS port serves HTTP/1.1 when that is what ALPN offers', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const opts = {
        host: '127.0.0.1',
        port: proxy.ports.tls,
        path: '/one',
        headers: { host: 'web.example.com' },
        rejectUnauthorized: false,
        ALPNProtocols: ['http/1.1'],
      };
      const req = https.request(opts as https.RequestOptions, (res) => {
        expect((res.socket as unknown as { alpnProtocol?: string }).alpnProtocol).toBe('http/1.1');
        let data = '';
        res
          .setEncoding('utf8')
          .on('data', (c: string) => (data += c))
          .on('end', () => resolve(data));
      });
      req.on('error', reject);
      req.end();
    });
    expect((JSON.parse(body) as EchoBody).path).toBe('/one');
  });

  it('h2c backend: trailers pass through to an h2 client', async () => {
    const session = http2.connect(`http://127.0.0.1:${proxy.ports.http}`);
    try {
      const res = await h2Request(session, 'h2c.example.com', '/trailers');
      expect(res.body).toBe('body');
      expect(res.trailers['x-checksum']).toBe('abc123');
      const echo = await h2Request(session, 'h2c.example.com', '/x');
      expect((JSON.parse(echo.body) as EchoBody).httpVersion).toBe('2.0');
    } finally {
      session.close();
    }
  });

  it('streams an HTTP/1.1 client response from an h2c backend', async () => {
    const res = await send(proxy.ports.http, 'h2c.example.com', '/stream/5');
    expect(res.text).toBe('chunk0\nchunk1\nchunk2\nchunk3\nchunk4\n');
  });
});

describe('WebSocket', () => {
  it('echoes both ways through a ws backend', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.ports.http}/chat?room=1`, { headers: { host: 'ws.example.com' } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const replies: string[] = [];
    for (const m of ['hello', 'again']) {
      const next = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
      ws.send(m);
      replies.push(await next);
    }
    ws.close();
    expect(replies).toEqual(['h1:hello', 'h1:again']);
    const upgraded = h1.requests.find((r) => r.path === '/chat?room=1')!;
    expect(upgraded.headers['x-forwarded-host']).toBe('ws.example.com');
  });

  it('wss on the TLS port', async () => {
    const ws = new WebSocket(`wss://127.0.0.1:${proxy.ports.tls}/secure`, {
      headers: { host: 'ws.example.com' },
      rejectUnauthorized: false,
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const reply = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
    ws.send('over tls');
    expect(await reply).toBe('h1:over tls');
    ws.close();
    const upgraded = h1.requests.find((r) => r.path === '/secure')!;
    expect(upgraded.headers['x-forwarded-proto']).toBe('https');
  });

  it('plain Upgrade to an http1 backend works too; no route → 404 before upgrading', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.ports.http}/`, { headers: { host: 'web.example.com' } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const reply = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
    ws.send('x');
    expect(await reply).toBe('h1:x');
    ws.close();
    const refused = new WebSocket(`ws://127.0.0.1:${proxy.ports.http}/`, { headers: { host: 'nothing.example.org' } });
    const status = await new Promise<number>((resolve) =>
      refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(404);
  });

  it('a backend that never answers the upgrade → 504 after backendRequestMs; a dead one → 502', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const p = await startTestProxy();
    try {
      const b = new ConfigBuilder();
      const silentPort = (silent.address() as net.AddressInfo).port;
      b.route(
        'hang.test',
        prefix('/'),
        b.rule('hang', [backend({ name: 'hang', address: '127.0.0.1', port: silentPort }, 1, { protocol: 'ws' })], {
          timeouts: { backendRequestMs: 200 },
        }),
      );
      b.route(
        'dead.test',
        prefix('/'),
        b.rule('dead', [backend({ name: 'dead', address: '127.0.0.1', port: 1 }, 1, { protocol: 'ws' })]),
      );
      p.applyConfig(b.build());
      const statusOf = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const ws = new WebSocket(`ws://127.0.0.1:${p.ports.http}/`, { headers: { host } });
          ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
          ws.once('open', () => reject(new Error('unexpected upgrade')));
        });
      // The backend never answers the upgrade: only the proxy's timeout can produce the 504.
      expect(await statusOf('hang.test')).toBe(504);
      expect(await statusOf('dead.test')).toBe(502);
    } finally {
      await p.close(0);
      silent.close();
    }
  });
});
