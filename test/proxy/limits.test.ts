// Client-side limits (body, URL, header size, slow clients) and backpressure, against real servers.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import net from 'node:net';
import { startEchoBackend, type EchoBackend } from '../support/backends.js';
import { ConfigBuilder, backend, expectHeldBack, heldBackTotal, prefix, send, startTestProxy } from './helpers.js';
import type { RunningProxy } from '../../proxy/index.js';

let proxy: RunningProxy;
let slow: EchoBackend;

beforeAll(async () => {
  slow = await startEchoBackend('slow');
  proxy = await startTestProxy({ limits: { maxBodyBytes: 1024, maxUrlLength: 200, maxHeaderBytes: 4096 } });
  const b = new ConfigBuilder();
  b.route('slow.test', prefix('/'), b.rule('slow', [backend(slow)]));
  expect(proxy.applyConfig(b.build()).ok).toBe(true);
});

afterAll(async () => {
  await proxy?.close(0);
  await slow?.close();
});

describe('backpressure', () => {
  it('a client that stops reading stops the backend from writing (no unbounded buffering)', async () => {
    const total = heldBackTotal();
    const chunk = Buffer.alloc(64 * 1024, 120);
    let written = 0;
    const big = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(total) });
      const pump = () => {
        while (written < total) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    await new Promise<void>((resolve) => big.listen(0, '127.0.0.1', resolve));
    const p = await startTestProxy();
    try {
      const b = new ConfigBuilder();
      b.route(
        'big.test',
        prefix('/'),
        b.rule('big', [backend({ name: 'big', address: '127.0.0.1', port: (big.address() as net.AddressInfo).port })]),
      );
      p.applyConfig(b.build());
      await expectHeldBack(p.ports.http, 'big.test', '/', () => written, total);
    } finally {
      await p.close(0);
      big.closeAllConnections();
      big.close();
    }
  });
});

describe('limits', () => {
  it('body over maxBodyBytes (declared) → 413 without reaching the backend', async () => {
    const before = slow.requests.length;
    expect((await send(proxy.ports.http, 'slow.test', '/', { method: 'POST', body: 'x'.repeat(2048) })).status).toBe(
      413,
    );
    expect(slow.requests.length).toBe(before);
  });

  it('chunked body over maxBodyBytes → 413', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: proxy.ports.http,
          method: 'POST',
          path: '/',
          headers: { host: 'slow.test', 'transfer-encoding': 'chunked' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 8; i++) req.write('y'.repeat(256));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('URL over maxUrlLength → 414', async () => {
    expect((await send(proxy.ports.http, 'slow.test', `/${'a'.repeat(300)}`)).status).toBe(414);
  });

  it('a client too slow to send its request head is cut off (headersTimeoutMs)', async () => {
    const p = await startTestProxy({ limits: { headersTimeoutMs: 300 } });
    try {
      const socket = net.connect(p.ports.http, '127.0.0.1');
      let answer = '';
      socket.setEncoding('utf8').on('data', (c: string) => (answer += c));
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.write('GET / HTTP/1.1\r\nHost: slow.test\r\nX-Drip: ');
      await closed;
      // The head never completes: a 408 within this test's timeout is our 300 ms (node's default is 60 s).
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      await p.close(0);
    }
  });

  it('headers over maxHeaderBytes → 431', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: proxy.ports.http,
          path: '/',
          headers: { host: 'slow.test', 'x-big': 'z'.repeat(8000) },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(431);
  });
});
