// Backends that misbehave and clients that flood: the proxy answers per the RFCs (502/504), never crashes,
// and keeps serving every other route meanwhile.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import WebSocket from 'ws';
import { startEchoBackend, type EchoBackend } from '../support/backends.js';
import { ConfigBuilder, backend, prefix, send, startTestProxy } from '../proxy/helpers.js';
import type { RunningProxy } from '../../proxy/index.js';

/** A TCP server that answers every connection with `reply` (then closes, or hangs when reply is null). */
async function rogueServer(reply: string | null): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.once('data', () => (reply === null ? undefined : s.end(reply)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => r());
      }),
  };
}

describe('faults', () => {
  let proxy: RunningProxy;
  let healthy: EchoBackend;
  let garbage: Awaited<ReturnType<typeof rogueServer>>;
  let hanging: Awaited<ReturnType<typeof rogueServer>>;

  beforeAll(async () => {
    healthy = await startEchoBackend('healthy');
    garbage = await rogueServer('SPEAKING NONSENSE\r\n\u0000\u0001\u0002\r\n\r\n');
    hanging = await rogueServer(null);
    proxy = await startTestProxy();
    const b = new ConfigBuilder();
    const at = (name: string, port: number) => ({ name, address: '127.0.0.1', port });
    b.route('ok.test', prefix('/'), b.rule('ok', [backend(healthy)]));
    b.route('ws.test', prefix('/'), b.rule('ws', [backend(healthy, 1, { protocol: 'ws' })]));
    b.route('garbage.test', prefix('/'), b.rule('garbage', [backend(at('garbage', garbage.port))]));
    b.route(
      'hang.test',
      prefix('/'),
      b.rule('hang', [backend(at('hang', hanging.port))], { timeouts: { backendRequestMs: 300 } }),
    );
    expect(proxy.applyConfig(b.build(1))).toMatchObject({ ok: true });
  });

  afterAll(async () => {
    await proxy.close(0);
    await Promise.all([healthy.close(), garbage.close(), hanging.close()]);
  });

  it('answers 502 for a backend that speaks garbage, and keeps serving others', async () => {
    for (let i = 0; i < 5; i++) expect((await send(proxy.ports.http, 'garbage.test', '/')).status).toBe(502);
    expect((await send(proxy.ports.http, 'ok.test', '/')).json().backend).toBe('healthy');
  });

  it('answers 504 for a backend that accepts and never answers', async () => {
    const replies = await Promise.all(Array.from({ length: 10 }, () => send(proxy.ports.http, 'hang.test', '/')));
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(504));
    expect((await send(proxy.ports.http, 'ok.test', '/')).status).toBe(200);
  });

  it('relays a WebSocket flood completely and in order while serving HTTP', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.ports.http}/flood`, { headers: { host: 'ws.test' } });
    await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
    const total = 5000;
    const payload = 'x'.repeat(512);
    const received: string[] = [];
    const done = new Promise<void>((resolve) =>
      ws.on('message', (m) => received.push(String(m)) === total && resolve()),
    );
    for (let i = 0; i < total; i++) ws.send(`${i}:${payload}`);
    const during = await send(proxy.ports.http, 'ok.test', '/during');
    await done;
    ws.close();
    expect(during.status).toBe(200);
    expect(received[0]).toBe(`healthy:0:${payload}`);
    expect(received[total - 1]).toBe(`healthy:${total - 1}:${payload}`);
    expect(received.every((m, i) => m.startsWith(`healthy:${i}:`))).toBe(true);
  }, 60_000);
});
