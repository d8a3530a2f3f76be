// DNS rebinding against the admin API: a web page whose name resolves to 127.0.0.1 sends requests with its
// own Host header. Without a token (loopback only) every admin route must refuse a Host that is not a
// loopback name or literal, the listen address, or a configured name; browsers' cross-site requests are
// refused too. With a token the token is the defence and any Host is served (pods are reached by IP).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { httpRequest } from '../support/http.js';
import { ConfigBuilder, startTestProxy } from './helpers.js';
import type { RunningProxy } from '../../proxy/index.js';
import { adminHostCheck } from '../../proxy/admin/host-check.js';

const ROUTES: Array<[string, string]> = [
  ['PUT', '/config'],
  ['GET', '/config'],
  ['GET', '/readyz'],
  ['GET', '/healthz'],
  ['GET', '/metrics'],
  ['GET', '/debug/actors'],
  ['GET', '/status'],
];

function config(generation: number): string {
  const b = new ConfigBuilder();
  b.route(
    'app.test',
    { path: { type: 'PathPrefix', value: '/' } },
    b.rule('r', [{ name: 'none', weight: 1, status: 503 }]),
  );
  return JSON.stringify(b.build(generation));
}

function send(proxy: RunningProxy, method: string, path: string, host: string, headers: Record<string, string> = {}) {
  const body = method === 'PUT' ? config(1) : undefined;
  return httpRequest(proxy.ports.admin!, {
    method,
    path,
    body,
    headers: { host, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
  });
}

function mountEmbedderRoutes(proxy: RunningProxy): void {
  for (const path of ['/debug/', '/status']) proxy.addAdminRoute('GET', path, (_req, res) => void res.end('{}'));
}

describe('admin API without a token (loopback only)', () => {
  let proxy: RunningProxy;
  beforeAll(async () => {
    proxy = await startTestProxy({ adminAllowedHosts: ['gateway.internal'] });
    mountEmbedderRoutes(proxy);
  });
  afterAll(() => proxy.close(0));

  it.each(ROUTES)('refuses %s %s for a rebinding Host (403), and changes nothing', async (method, path) => {
    const res = await send(proxy, method, path, 'attacker.example:9901');
    expect(res.status).toBe(403);
    expect(res.json().error).toMatch(/host/i);
    expect(proxy.current()).toBeNull();
  });

  it.each([
    'localhost',
    'localhost:9901',
    '127.0.0.1',
    '127.0.0.1:9901',
    '127.5.6.7',
    '[::1]:9901',
    'LOCALHOST.',
    'gateway.internal:80',
  ])('serves Host %s', async (host) => {
    expect((await send(proxy, 'GET', '/healthz', host)).status).toBe(200);
  });

  it.each(['127.0.0.1.attacker.example', 'localhost.attacker.example', '0x7f000001', '[::1', 'attacker.example'])(
    'refuses Host %j',
    async (host) => {
      expect((await send(proxy, 'GET', '/healthz', host)).status).toBe(403);
    },
  );

  it('refuses browser cross-site requests even with a loopback Host', async () => {
    expect((await send(proxy, 'GET', '/config', '127.0.0.1', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await send(proxy, 'PUT', '/config', '127.0.0.1', { origin: 'http://attacker.example' })).status).toBe(403);
    expect(proxy.current()).toBeNull();
  });

  it('serves the same origin (the /debug/ page itself) and accepts a loopback push', async () => {
    const headers = { origin: 'http://127.0.0.1:9901', 'sec-fetch-site': 'same-origin' };
    expect((await send(proxy, 'GET', '/debug/actors', '127.0.0.1:9901', headers)).status).toBe(200);
    expect((await send(proxy, 'PUT', '/config', 'localhost:9901')).status).toBe(200);
  });
});

describe('admin API with a token', () => {
  let proxy: RunningProxy;
  beforeAll(async () => {
    proxy = await startTestProxy({ adminToken: 'tok' });
    mountEmbedderRoutes(proxy);
  });
  afterAll(() => proxy.close(0));

  it('serves any Host (a pod IP, a probe), the token guarding writes', async () => {
    expect((await send(proxy, 'GET', '/readyz', '10.1.2.3:9901')).status).toBe(503);
    expect((await send(proxy, 'PUT', '/config', '10.1.2.3:9901')).status).toBe(401);
    expect((await send(proxy, 'PUT', '/config', '10.1.2.3:9901', { authorization: 'Bearer tok' })).status).toBe(200);
  });

  it('still refuses a browser cross-site request', async () => {
    expect((await send(proxy, 'GET', '/config', '10.1.2.3', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
  });
});

describe('admin API without a token on all interfaces', () => {
  // The check alone (no socket): tests listen on loopback only.
  const request = (host: string) => ({ headers: { host } }) as IncomingMessage;
  it.each(['0.0.0.0', '::'])('does not take the unspecified listen address %s for a Host name', (listenHost) => {
    const check = adminHostCheck(listenHost, undefined);
    expect(check(request('0.0.0.0:9901'))).toMatch(/not allowed/);
    expect(check(request('[::]:9901'))).toMatch(/not allowed/);
    expect(check(request('127.0.0.1:9901'))).toBeUndefined();
  });

  it('does take a specific listen address', () => {
    expect(adminHostCheck('192.0.2.7', undefined)(request('192.0.2.7:9901'))).toBeUndefined();
  });
});

describe('refusal log', () => {
  it('names the Host and the reason, and a flood of refusals logs only the first ten', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const stream = new Writable({
      write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk)) as Record<string, unknown>), done()),
    });
    const proxy = await startTestProxy({ logger: pino({ level: 'info' }, stream) });
    try {
      for (let i = 0; i < 30; i++) expect((await send(proxy, 'GET', '/config', 'attacker.example')).status).toBe(403);
      const refusals = lines.filter((l) => l.msg === 'admin request refused');
      expect(refusals).toHaveLength(10);
      expect(refusals[0]).toMatchObject({ host: 'attacker.example', path: '/config', refusals: 1 });
      expect(String(refusals[0]!.reason)).toMatch(/not allowed/);
    } finally {
      await proxy.close(0);
    }
  });
});
