// Issue 14 item 4: a request carrying Upgrade goes through the same validation, normalisation, routing and
// filters as any other. Only WebSocket is tunnelled; any other Upgrade (h2c, "x", …) is never forwarded
// as an upgrade: the request is served as the plain HTTP/1.1 request it also is, then the connection closes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { rawHttp1, type RawReply } from '../support/raw-http.js';
import { ConfigBuilder, backend, prefix, startTestProxy } from './helpers.js';
import type { RunningProxy } from '../../proxy/index.js';

const HOST = 'www.example.com';
const WS_KEY = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';

/** A stock backend: picks a virtual host from an absolute-form target, says so, and upgrades to anything. */
interface VhostBackend {
  port: number;
  seen: Array<{ url: string; headers: http.IncomingHttpHeaders }>;
  close(): Promise<void>;
}

const vhostOf = (url: string) => (url.startsWith('http://internal') ? 'INTERNAL-ONLY vhost' : 'public vhost');

async function startVhostBackend(): Promise<VhostBackend> {
  const seen: VhostBackend['seen'] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { server: 'secret-backend', 'content-type': 'text/plain' }).end(vhostOf(req.url ?? ''));
  });
  const wss = new WebSocketServer({ noServer: true });
  wss.on('headers', (headers) => headers.push('Server: secret-backend'));
  server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const url = req.url ?? '';
    if (req.headers.upgrade?.toLowerCase() !== 'websocket') {
      socket.end(
        `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${req.headers.upgrade}\r\nServer: secret-backend\r\n\r\nraw tunnel to ${vhostOf(url)}`,
      );
    } else if (url.endsWith('/refuse')) {
      socket.end('HTTP/1.1 403 Forbidden\r\nServer: secret-backend\r\nContent-Length: 4\r\n\r\nnope');
    } else {
      wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (d) => ws.send(`echo:${d.toString()}`)));
    }
  });
  server.on('connection', (s: Socket) => sockets.add(s).size && s.once('close', () => sockets.delete(s)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    async close() {
      wss.clients.forEach((c) => c.terminate());
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let proxy: RunningProxy;
let app: VhostBackend;

beforeAll(async () => {
  app = await startVhostBackend();
  proxy = await startTestProxy();
  const b = new ConfigBuilder();
  const filters = [
    {
      type: 'ResponseHeaderModifier' as const,
      responseHeaderModifier: { remove: ['server'], set: [{ name: 'x-frame-options', value: 'DENY' }] },
    },
  ];
  const rule = b.rule('www', [backend({ name: 'app', address: '127.0.0.1', port: app.port }, 1, { protocol: 'ws' })], {
    filters,
  });
  b.route(HOST, prefix('/public'), rule);
  b.route(`catch-all.${HOST}`, prefix('/'), rule);
  expect(proxy.applyConfig(b.build())).toMatchObject({ ok: true });
});

afterAll(async () => {
  await proxy?.close(0);
  await app?.close();
});

function request(target: string, headers: string, method = 'GET'): Promise<RawReply> {
  return rawHttp1(proxy.ports.http, [`${method} ${target} HTTP/1.1\r\n${headers}\r\n`]);
}

/** [what, request target, status, the URL the backend saw (null: nothing reached it), header lines]. */
type Row = [what: string, target: string, status: number, seen: string | null, headers: string];

const ROWS: Row[] = [
  [
    'absolute-form naming another vhost',
    'http://internal.example/public/x',
    400,
    null,
    `Host: ${HOST}\r\nUpgrade: x\r\nConnection: Upgrade\r\n`,
  ],
  [
    'absolute-form through a catch-all route',
    'http://internal.example/x',
    400,
    null,
    `Host: catch-all.${HOST}\r\nUpgrade: x\r\nConnection: Upgrade\r\n`,
  ],
  [
    'absolute-form naming the Host',
    `http://${HOST}/public/x`,
    200,
    '/public/x',
    `Host: ${HOST}\r\nUpgrade: x\r\nConnection: Upgrade\r\n`,
  ],
  [
    'two Host headers',
    '/public/x',
    400,
    null,
    `Host: ${HOST}\r\nHost: internal.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${WS_KEY}`,
  ],
  [
    'dot-segments out of the prefix',
    '/public/%2e%2e/admin',
    404,
    null,
    `Host: ${HOST}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${WS_KEY}`,
  ],
  [
    'an encoded slash',
    '/public/..%2f..%2fadmin',
    400,
    null,
    `Host: ${HOST}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${WS_KEY}`,
  ],
  ['a made-up protocol', '/public/page', 200, '/public/page', `Host: ${HOST}\r\nUpgrade: x\r\nConnection: Upgrade\r\n`],
  [
    'h2c (smuggling)',
    '/public/page',
    200,
    '/public/page',
    `Host: ${HOST}\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nConnection: Upgrade, HTTP2-Settings\r\n`,
  ],
  [
    'WebSocket refused by the backend',
    '/public/refuse',
    403,
    '/public/refuse',
    `Host: ${HOST}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${WS_KEY}`,
  ],
];

describe('Upgrade requests take the normal path', () => {
  it.each(ROWS)('%s: %s → %i', async (_what, target, status, seen, headers) => {
    const before = app.seen.length;
    const reply = await request(target, headers);
    expect(reply.status).toBe(status);
    expect(reply.body).not.toContain('INTERNAL-ONLY');
    expect(reply.closed).toBe(true);
    expect(app.seen.slice(before).map((s) => s.url)).toEqual(seen === null ? [] : [seen]);
    if (status < 300 || status === 403) {
      // The route's response filters ran: the backend's Server header is gone, X-Frame-Options is there.
      expect(reply.headers.server).toBeUndefined();
      expect(reply.headers['x-frame-options']).toBe('DENY');
    }
    if (status === 200) {
      expect(reply.body).toBe('public vhost');
      // Served as plain HTTP/1.1: no upgrade (nor h2c settings) reached the backend.
      const got = app.seen[app.seen.length - 1]!.headers;
      expect([got.upgrade, got['http2-settings']]).toEqual([undefined, undefined]);
    }
  });

  it('an upgrade request with a body is refused (400), nothing forwarded', async () => {
    const before = app.seen.length;
    const reply = await request(
      '/public/page',
      `Host: ${HOST}\r\nUpgrade: x\r\nConnection: Upgrade\r\nContent-Length: 5\r\n\r\nhello`,
      'POST',
    );
    expect(reply.status).toBe(400);
    expect(app.seen.length).toBe(before);
  });

  it('a WebSocket is tunnelled with the response filters applied to its 101, to the normalised path', async () => {
    const before = app.seen.length;
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.ports.http}/public/./chat`, { headers: { host: HOST } });
    const upgrade = new Promise<http.IncomingMessage>((resolve) => ws.once('upgrade', resolve));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const res = await upgrade;
    expect(res.headers.server).toBeUndefined();
    expect(res.headers['x-frame-options']).toBe('DENY');
    const reply = new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString())));
    ws.send('hi');
    expect(await reply).toBe('echo:hi');
    ws.close();
    expect(app.seen.slice(before).map((s) => s.url)).toEqual(['/public/chat']);
  });
});
