// Failure handling against real backends: deadlines, retries, resets, client aborts and session
// persistence (limits and backpressure: limits.test.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import {
  EchoClient,
  startEchoBackend,
  startGrpcBackend,
  type EchoBackend,
  type EchoBody,
  type EchoMessage,
  type GrpcBackend,
} from '../support/backends.js';
import { ConfigBuilder, backend, prefix, send, startTestProxy, waitFor } from './helpers.js';
import type { RunningProxy } from '../../proxy/index.js';
import { freePort } from '../support/ports.js';

let proxy: RunningProxy;
let slow: EchoBackend;
let flaky: EchoBackend;
let sticky: EchoBackend[];
let rpc: GrpcBackend;
let deadPort: number;

beforeAll(async () => {
  slow = await startEchoBackend('slow');
  flaky = await startEchoBackend('flaky');
  sticky = [await startEchoBackend('s1'), await startEchoBackend('s2')];
  rpc = await startGrpcBackend('rpc');
  deadPort = await freePort();
  proxy = await startTestProxy();
  const b = new ConfigBuilder();
  b.route(
    'timeout.test',
    prefix('/'),
    b.rule('backend-timeout', [backend(slow)], { timeouts: { backendRequestMs: 150 } }),
  );
  b.route('reqtimeout.test', prefix('/'), b.rule('request-timeout', [backend(slow)], { timeouts: { requestMs: 150 } }));
  b.route('slow.test', prefix('/'), b.rule('slow', [backend(slow)]));
  b.route(
    'retry.test',
    prefix('/'),
    b.rule('retry', [backend(flaky)], { retry: { codes: [503], attempts: 2, backoffMs: 10 } }),
  );
  b.route(
    'retrytimeout.test',
    prefix('/'),
    b.rule('retry-timeout', [backend(slow)], {
      retry: { codes: [], attempts: 1 },
      timeouts: { backendRequestMs: 100 },
    }),
  );
  const dead = { name: 'dead', address: '127.0.0.1', port: deadPort };
  b.route(
    'retryconnect.test',
    prefix('/'),
    b.rule('retry-connect', [backend([dead, flaky], 1, { name: 'mixed' })], { retry: { codes: [], attempts: 1 } }),
  );
  b.route('dead.test', prefix('/'), b.rule('dead', [backend(dead)]));
  b.route('noretry.test', prefix('/'), b.rule('noretry', [backend(flaky)]));
  b.route(
    'sticky.test',
    prefix('/'),
    b.rule(
      'sticky',
      [backend(sticky[0]!, 1, { name: 'default/s1:80' }), backend(sticky[1]!, 1, { name: 'default/s2:80' })],
      { sessionPersistence: { type: 'Cookie', name: 'route' } },
    ),
  );
  b.route(
    'stickyh.test',
    prefix('/'),
    b.rule(
      'sticky-h',
      [backend(sticky[0]!, 1, { name: 'default/s1:80' }), backend(sticky[1]!, 1, { name: 'default/s2:80' })],
      { sessionPersistence: { type: 'Header', name: 'x-session' } },
    ),
  );
  b.route('grpc.test', prefix('/'), b.rule('grpc', [backend(rpc)], { kind: 'grpc' }));
  expect(proxy.applyConfig(b.build()).ok).toBe(true);
});

afterAll(async () => {
  await proxy?.close(0);
  await Promise.all([slow?.close(), flaky?.close(), rpc?.close(), ...(sticky ?? []).map((s) => s.close())]);
});

/** A gRPC echo server on a given port (a backend that comes back where it was). */
async function startGrpcOn(port: number): Promise<{ close(): Promise<void> }> {
  const server = new grpc.Server();
  server.addService(EchoClient.service, {
    unary: (call: grpc.ServerUnaryCall<EchoMessage, EchoMessage>, cb: grpc.sendUnaryData<EchoMessage>) =>
      cb(null, { text: call.request.text }),
  });
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err) =>
      err ? reject(err) : resolve(),
    ),
  );
  return { close: async () => server.forceShutdown() };
}

describe('deadlines', () => {
  it('backendRequestMs → 504 and the backend request is abandoned', async () => {
    const before = slow.abandoned();
    const res = await send(proxy.ports.http, 'timeout.test', '/delay/3000');
    expect(res.status).toBe(504);
    // The backend never finished that request: the proxy gave up on it rather than waiting for the answer.
    await waitFor(() => slow.abandoned() > before);
  });

  it('requestMs → 504', async () => {
    expect((await send(proxy.ports.http, 'reqtimeout.test', '/delay/3000')).status).toBe(504);
    expect((await send(proxy.ports.http, 'reqtimeout.test', '/delay/10')).status).toBe(200);
  });

  it('a try that times out is retried, and counts as failed', async () => {
    const before = slow.requests.length;
    const res = await send(proxy.ports.http, 'retrytimeout.test', '/delay/3000');
    expect(res.status).toBe(504);
    expect(slow.requests.length - before).toBe(2);
  });
});

describe('retries', () => {
  it('retries listed codes until a try succeeds (attempts counted on the backend)', async () => {
    const before = flaky.requests.length;
    flaky.failNext(2, 503);
    const res = await send(proxy.ports.http, 'retry.test', '/x', { method: 'POST', body: 'resend me' });
    expect(res.status).toBe(200);
    const tries = flaky.requests.slice(before);
    expect(tries).toHaveLength(3);
    expect(tries.every((t) => t.body === 'resend me')).toBe(true);
  });

  it('gives up after `attempts` retries and returns the last answer', async () => {
    const before = flaky.requests.length;
    flaky.failNext(5, 503);
    const res = await send(proxy.ports.http, 'retry.test', '/x');
    expect(res.status).toBe(503);
    expect(flaky.requests.length - before).toBe(3);
    flaky.failNext(0, 503);
  });

  it('does not retry codes that are not listed', async () => {
    const before = flaky.requests.length;
    flaky.failNext(1, 500);
    expect((await send(proxy.ports.http, 'retry.test', '/x')).status).toBe(500);
    expect(flaky.requests.length - before).toBe(1);
  });

  it('retries a connection error on the next endpoint', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await send(proxy.ports.http, 'retryconnect.test', '/');
      expect(res.status).toBe(200);
      expect(res.json<EchoBody>().backend).toBe('flaky');
    }
  });
});

describe('upstream failures', () => {
  it('connection refused → 502', async () => {
    expect((await send(proxy.ports.http, 'dead.test', '/')).status).toBe(502);
  });

  it('backend reset → 502', async () => {
    flaky.failNext(1, 'reset');
    expect((await send(proxy.ports.http, 'noretry.test', '/')).status).toBe(502);
  });

  it('an h2c backend that is down → 502 (gRPC: UNAVAILABLE); once it is back it is served again', async () => {
    const p = await startTestProxy();
    const port = await freePort();
    try {
      const b = new ConfigBuilder();
      b.route(
        'h2.test',
        prefix('/'),
        b.rule('h2', [backend({ name: 'later', address: '127.0.0.1', port }, 1, { protocol: 'h2c' })]),
      );
      b.route(
        'grpc.test',
        prefix('/'),
        b.rule('grpc', [backend({ name: 'later', address: '127.0.0.1', port })], { kind: 'grpc' }),
      );
      p.applyConfig(b.build());
      expect((await send(p.ports.http, 'h2.test', '/')).status).toBe(502);
      const client = new EchoClient(`127.0.0.1:${p.ports.http}`, grpc.credentials.createInsecure(), {
        'grpc.default_authority': 'grpc.test',
      });
      const unary = () =>
        new Promise<grpc.ServiceError | null>((resolve) =>
          (client as unknown as { unary: (r: EchoMessage, cb: (e: grpc.ServiceError | null) => void) => void }).unary(
            { text: 'x' },
            resolve,
          ),
        );
      expect((await unary())?.code).toBe(grpc.status.UNAVAILABLE);
      const relisten = await startGrpcOn(port);
      try {
        expect(await unary()).toBeNull();
      } finally {
        client.close();
        await relisten.close();
      }
    } finally {
      await p.close(0);
    }
  });

  it('failures are counted by reason in /metrics', async () => {
    const text = await proxy.metrics.metrics();
    expect(text).toMatch(/proxy_backend_errors_total\{reason="connect"\} [1-9]/);
    expect(text).toMatch(/proxy_backend_errors_total\{reason="timeout"\} [1-9]/);
  });
});

describe('client aborts', () => {
  it('an HTTP/1.1 client that goes away aborts the upstream request', async () => {
    const before = slow.abandoned();
    const req = http.request({
      host: '127.0.0.1',
      port: proxy.ports.http,
      path: '/delay/5000',
      headers: { host: 'slow.test' },
    });
    req.on('error', () => undefined);
    req.end();
    await waitFor(() => slow.requests.some((r) => r.path === '/delay/5000'));
    req.destroy();
    await waitFor(() => slow.abandoned() > before);
  });

  it('a cancelled gRPC call resets the upstream stream', async () => {
    const client = new EchoClient(`127.0.0.1:${proxy.ports.http}`, grpc.credentials.createInsecure(), {
      'grpc.default_authority': 'grpc.test',
    });
    try {
      const call = client.bidi() as grpc.ClientDuplexStream<EchoMessage, EchoMessage>;
      call.on('error', () => undefined);
      const first = new Promise((resolve) => call.once('data', resolve));
      call.write({ text: 'x' });
      await first;
      call.cancel();
      await waitFor(() => rpc.cancelled() > 0);
    } finally {
      client.close();
    }
  });
});

describe('session persistence', () => {
  it('Cookie: the first response names the backend, later requests stick to it', async () => {
    const first = await send(proxy.ports.http, 'sticky.test', '/');
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toMatch(/^route=/);
    const chosen = first.json<EchoBody>().backend;
    for (let i = 0; i < 20; i++) {
      const res = await send(proxy.ports.http, 'sticky.test', '/', { headers: { cookie } });
      expect(res.json<EchoBody>().backend).toBe(chosen);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  });

  it('Header: the value of the header pins the backend', async () => {
    const first = await send(proxy.ports.http, 'stickyh.test', '/');
    const token = String(first.headers['x-session']);
    const chosen = first.json<EchoBody>().backend;
    for (let i = 0; i < 20; i++) {
      const res = await send(proxy.ports.http, 'stickyh.test', '/', { headers: { 'x-session': token } });
      expect(res.json<EchoBody>().backend).toBe(chosen);
    }
  });
});
