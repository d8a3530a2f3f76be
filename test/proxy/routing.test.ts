// Conformance-style routing through a real proxy to real echo backends: each row is a request and the
// backend (or status) that must answer it.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startEchoBackend, type EchoBackend, type EchoBody } from '../support/backends.js';
import { ConfigBuilder, backend, prefix, send, startTestProxy } from './helpers.js';
import type { RunningProxy } from '../../proxy/index.js';

let proxy: RunningProxy;
const servers: Record<string, EchoBackend> = {};

beforeAll(async () => {
  for (const name of [
    'exact',
    'prefix',
    'regex',
    'header',
    'query',
    'method',
    'root',
    'wild',
    'deepwild',
    'any',
    'split-a',
    'split-b',
    'other',
  ]) {
    servers[name] = await startEchoBackend(name);
  }
  proxy = await startTestProxy();
  const b = new ConfigBuilder();
  const to = (name: string) => b.rule(`http/default/${name}/0`, [backend(servers[name]!)]);
  const exact = to('exact');
  const pre = to('prefix');
  const regex = to('regex');
  const header = to('header');
  const query = to('query');
  const method = to('method');
  const root = to('root');
  b.route('app.example.com', { path: { type: 'Exact', value: '/exact' } }, exact)
    .route(
      'app.example.com',
      { path: { type: 'PathPrefix', value: '/api' }, headers: [{ type: 'Exact', name: 'x-version', value: 'v2' }] },
      header,
    )
    .route(
      'app.example.com',
      { path: { type: 'PathPrefix', value: '/api' }, queryParams: [{ type: 'Exact', name: 'tenant', value: 'blue' }] },
      query,
    )
    .route('app.example.com', { path: { type: 'PathPrefix', value: '/api' }, method: 'DELETE' }, method)
    .route('app.example.com', { path: { type: 'RegularExpression', value: '/api/users/[0-9]+' } }, regex)
    .route('app.example.com', prefix('/api'), pre)
    .route('app.example.com', prefix('/'), root);
  b.route('*.example.com', prefix('/'), to('wild'));
  b.route('*.deep.example.com', prefix('/'), to('deepwild'));
  b.route('*', prefix('/'), to('any'));
  b.route(
    'split.example.com',
    prefix('/'),
    b.rule('http/default/split/0', [
      backend(servers['split-a']!, 3),
      backend(servers['split-b']!, 1),
      backend(servers.other!, 0),
    ]),
  );
  b.route('empty.example.com', prefix('/'), b.rule('http/default/empty/0', []));
  b.route(
    'failclosed.example.com',
    prefix('/'),
    b.rule('http/default/fc/0', [{ name: 'default/missing:80', weight: 1, status: 500 }]),
  );
  b.route(
    'noendpoints.example.com',
    prefix('/'),
    b.rule('http/default/ne/0', [{ name: 'default/down:80', weight: 1, status: 503 }]),
  );
  b.route(
    'unresolved.example.com',
    prefix('/'),
    b.rule('http/default/ur/0', [{ name: 'default/none:80', weight: 1, endpoints: [] }]),
  );
  b.route(
    'onlypath.example.com',
    { path: { type: 'Exact', value: '/only' } },
    b.rule('http/default/op/0', [backend(servers.other!)]),
  );
  const applied = proxy.applyConfig(b.build());
  expect(applied.ok).toBe(true);
});

afterAll(async () => {
  await proxy?.close(0);
  await Promise.all(Object.values(servers).map((s) => s.close()));
});

interface Row {
  name: string;
  host: string;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  backend?: string;
  status?: number;
}

const rows: Row[] = [
  { name: 'Exact path', host: 'app.example.com', path: '/exact', backend: 'exact' },
  {
    name: 'Exact path with a trailing slash falls through to /',
    host: 'app.example.com',
    path: '/exact/',
    backend: 'root',
  },
  {
    name: 'header match is listed first',
    host: 'app.example.com',
    path: '/api/x',
    headers: { 'x-version': 'v2' },
    backend: 'header',
  },
  {
    name: 'header value mismatch falls through',
    host: 'app.example.com',
    path: '/api/x',
    headers: { 'x-version': 'v3' },
    backend: 'prefix',
  },
  { name: 'query param match', host: 'app.example.com', path: '/api/x?tenant=blue', backend: 'query' },
  { name: 'query names are case-sensitive', host: 'app.example.com', path: '/api/x?Tenant=blue', backend: 'prefix' },
  { name: 'method match', host: 'app.example.com', path: '/api/x', method: 'DELETE', backend: 'method' },
  { name: 'regex path', host: 'app.example.com', path: '/api/users/123', backend: 'regex' },
  { name: 'regex is a full match', host: 'app.example.com', path: '/api/users/123/posts', backend: 'prefix' },
  { name: 'prefix is segment-aware', host: 'app.example.com', path: '/apix', backend: 'root' },
  { name: 'prefix with the exact value', host: 'app.example.com', path: '/api', backend: 'prefix' },
  {
    name: 'host is case-insensitive, port and trailing dot ignored',
    host: 'APP.Example.com.:8080',
    path: '/exact',
    backend: 'exact',
  },
  { name: 'wildcard host', host: 'foo.example.com', path: '/', backend: 'wild' },
  { name: 'wildcard host at any depth', host: 'a.b.example.com', path: '/', backend: 'wild' },
  { name: 'longest wildcard wins', host: 'x.deep.example.com', path: '/', backend: 'deepwild' },
  { name: 'wildcard never matches its apex', host: 'example.com', path: '/', backend: 'any' },
  { name: 'catch-all host', host: 'unknown.org', path: '/', backend: 'any' },
  { name: 'no backends → 500', host: 'empty.example.com', path: '/', status: 500 },
  { name: 'fail-closed 500 backend', host: 'failclosed.example.com', path: '/', status: 500 },
  { name: 'fail-closed 503 backend', host: 'noendpoints.example.com', path: '/', status: 503 },
  { name: 'backend without endpoints → 503', host: 'unresolved.example.com', path: '/', status: 503 },
  { name: 'host found but nothing matches → 404', host: 'onlypath.example.com', path: '/nope', status: 404 },
];

describe('request → backend table', () => {
  it.each(rows)('$name', async (row) => {
    const res = await send(proxy.ports.http, row.host, row.path, { method: row.method, headers: row.headers });
    if (row.backend !== undefined) {
      expect(res.status).toBe(200);
      expect(res.json<EchoBody>().backend).toBe(row.backend);
    } else expect(res.status).toBe(row.status);
  });
});

describe('forwarding', () => {
  it('never routes on X-Forwarded-Host', async () => {
    const res = await send(proxy.ports.http, 'unknown.org', '/exact', {
      headers: { 'x-forwarded-host': 'app.example.com' },
    });
    expect(res.json<EchoBody>().backend).toBe('any');
  });

  it('passes the path, query and body, keeps Host, and sets forwarding headers', async () => {
    const res = await send(proxy.ports.http, 'app.example.com', '/api/echo?a=1&b=2', {
      method: 'POST',
      body: 'payload',
      headers: { 'cf-connecting-ip': '203.0.113.7', 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' },
    });
    const body = res.json<EchoBody>();
    expect(body.path).toBe('/api/echo?a=1&b=2');
    expect(body.body).toBe('payload');
    expect(body.headers.host).toBe('app.example.com');
    expect(body.headers['cf-connecting-ip']).toBe('203.0.113.7');
    expect(body.headers['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
    expect(body.headers['x-forwarded-proto']).toBe('https');
    expect(body.headers['x-forwarded-host']).toBe('app.example.com');
    // proto is the scheme the client used at the edge (X-Forwarded-Proto from cloudflared), as routing sees it.
    expect(body.headers.forwarded).toBe('for=127.0.0.1;host="app.example.com";proto=https');
  });

  it('strips hop-by-hop and Connection-listed headers', async () => {
    // node:http, because undici refuses to send these headers at all.
    const text = await new Promise<string>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: proxy.ports.http,
        path: '/api/x',
        headers: {
          host: 'app.example.com',
          connection: 'keep-alive, x-secret-hop',
          'x-secret-hop': '1',
          'keep-alive': 'timeout=5',
          'proxy-authorization': 'Basic x',
          'x-end-to-end': 'kept',
        },
      });
      req.on('response', (res) => {
        let data = '';
        res
          .setEncoding('utf8')
          .on('data', (c: string) => (data += c))
          .on('end', () => resolve(data));
      });
      req.on('error', reject);
      req.end();
    });
    const headers = (JSON.parse(text) as EchoBody).headers;
    expect(headers['x-secret-hop']).toBeUndefined();
    expect(headers['keep-alive']).toBeUndefined();
    expect(headers['proxy-authorization']).toBeUndefined();
    expect(headers['x-end-to-end']).toBe('kept');
  });

  it('splits traffic by weight (within 4.5 σ of 3:1) and never sends to weight 0', async () => {
    const counts: Record<string, number> = {};
    const total = 1200;
    for (let i = 0; i < total; i += 40) {
      const batch = await Promise.all(
        Array.from({ length: 40 }, () => send(proxy.ports.http, 'split.example.com', '/')),
      );
      for (const r of batch) {
        const name = r.json<EchoBody>().backend;
        counts[name] = (counts[name] ?? 0) + 1;
      }
    }
    expect(counts.other).toBeUndefined();
    // Each draw is random: a bound of 4.5 standard deviations of the binomial (±5.6 % at 1,200 requests) fails
    // about once in 150,000 runs by chance, and still fails a split that ignores the weights (50 %).
    expect(Math.abs(counts['split-a']! / total - 0.75)).toBeLessThan(4.5 * Math.sqrt((0.75 * 0.25) / total));
    expect(counts['split-a']! + counts['split-b']!).toBe(total);
  });

  it('round-robins over the endpoints of one backend', async () => {
    const p = await startTestProxy();
    const x = await startEchoBackend('ep1');
    const y = await startEchoBackend('ep2');
    try {
      const b = new ConfigBuilder();
      b.route('rr.test', prefix('/'), b.rule('r', [backend([x, y])]));
      p.applyConfig(b.build());
      for (let i = 0; i < 10; i++) await send(p.ports.http, 'rr.test', '/');
      expect(x.requests.length).toBe(5);
      expect(y.requests.length).toBe(5);
    } finally {
      await p.close(0);
      await x.close();
      await y.close();
    }
  });
});
