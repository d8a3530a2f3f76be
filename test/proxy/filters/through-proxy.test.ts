// The filters through the real proxy (startProxy) to a real backend over HTTP/1.1: what a client and the
// backend actually see on the wire, after conformance httproute-*-header-modifier, -redirect-*, -rewrite-*,
// -request-multiple-mirrors and httproute-cors.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startProxy, type RunningProxy } from '../../../proxy/index.js';
import { eventually, httpRequest } from '../../support/http.js';

interface Seen {
  path: string;
  headers: Array<[string, string]>;
}

/** Answers with what it received (raw header pairs, so repeated headers stay separate). */
function startBackend(name: string): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const headers: Array<[string, string]> = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      headers.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
    seen.push({ path: req.url ?? '', headers });
    res.setHeader('x-backend', name);
    res.setHeader('x-multi', ['one', 'two']);
    res.setHeader('x-drop', 'gone');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ path: req.url, headers }));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, seen })),
  );
}

const valuesOf = (headers: Array<[string, string]>, name: string) =>
  headers.filter(([n]) => n === name).map(([, v]) => v);

describe('filters through the proxy', () => {
  let proxy: RunningProxy;
  let main: Awaited<ReturnType<typeof startBackend>>;
  let mirror: Awaited<ReturnType<typeof startBackend>>;
  const host = 'filters.example';

  beforeAll(async () => {
    [main, mirror] = await Promise.all([startBackend('main'), startBackend('mirror')]);
    proxy = await startProxy({ listen: { host: '127.0.0.1', port: 0 } });
    const backend = { name: 'bench/main:80', weight: 1, endpoints: [{ address: '127.0.0.1', port: main.port }] };
    const rule = (id: string, filters: unknown[]) => ({ id, kind: 'http' as const, filters, backends: [backend] });
    const rules = [
      rule('headers', [
        {
          type: 'RequestHeaderModifier',
          requestHeaderModifier: {
            set: [{ name: 'X-Header-Set', value: 'set' }],
            add: [{ name: 'X-Header-Add', value: 'added' }],
            remove: ['X-Header-Remove'],
          },
        },
        {
          type: 'ResponseHeaderModifier',
          responseHeaderModifier: { add: [{ name: 'X-Multi', value: 'three' }], remove: ['x-drop'] },
        },
      ]),
      rule('redirect', [
        {
          type: 'RequestRedirect',
          requestRedirect: {
            scheme: 'https',
            hostname: 'example.org',
            statusCode: 301,
            path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' },
          },
        },
      ]),
      rule('rewrite', [
        {
          type: 'URLRewrite',
          urlRewrite: { hostname: 'backend.internal', path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } },
        },
      ]),
      rule('cors', [
        {
          type: 'CORS',
          cors: {
            allowOrigins: ['https://*.app.example'],
            allowMethods: ['GET', 'PUT'],
            allowHeaders: ['x-token'],
            allowCredentials: true,
            maxAge: 600,
          },
        },
      ]),
      rule('mirror', [
        {
          type: 'RequestMirror',
          requestMirror: { name: 'bench/mirror:80', endpoints: [{ address: '127.0.0.1', port: mirror.port }] },
        },
      ]),
    ];
    const prefixes = ['/headers', '/old', '/strip', '/cors', '/mirror'];
    // Untyped on purpose: applyConfig validates it like a PUT /config body.
    const config = {
      version: 'filters-e2e',
      rules,
      hosts: [
        {
          hostname: host,
          matches: prefixes.map((value, i) => ({ match: { path: { type: 'PathPrefix', value } }, rule: i })),
        },
      ],
    };
    const applied = proxy.applyConfig(config);
    expect(applied).toEqual({ ok: true, version: 'filters-e2e' });
  });

  afterAll(async () => {
    await proxy?.close(0);
    for (const b of [main, mirror]) {
      b?.server.closeAllConnections();
      await new Promise((r) => b?.server.close(r));
    }
  });

  it('request headers: set replaces, add appends a separate value, remove drops', async () => {
    const res = await httpRequest(proxy.ports.http, {
      host,
      path: '/headers/x',
      headers: { 'x-header-set': 'old', 'x-header-add': 'existing', 'x-header-remove': 'bye' },
    });
    expect(res.status).toBe(200);
    const seen = main.seen.at(-1)!.headers;
    expect(valuesOf(seen, 'x-header-set')).toEqual(['set']);
    expect(valuesOf(seen, 'x-header-add').join(',')).toBe('existing,added');
    expect(valuesOf(seen, 'x-header-remove')).toEqual([]);
  });

  it('response headers: add keeps the backend values, remove drops', async () => {
    const res = await httpRequest(proxy.ports.http, { host, path: '/headers/x' });
    expect(String(res.headers['x-multi']).split(/,\s*/)).toEqual(['one', 'two', 'three']);
    expect(res.headers['x-drop']).toBeUndefined();
    expect(res.headers['x-backend']).toBe('main');
  });

  it('redirect: absolute Location with the prefix replaced and the query kept; the backend is not called', async () => {
    const before = main.seen.length;
    const res = await httpRequest(proxy.ports.http, { host, path: '/old/page?q=1' });
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('https://example.org/new/page?q=1');
    expect(main.seen.length).toBe(before);
  });

  it('rewrite: the backend sees the new path and Host', async () => {
    const res = await httpRequest(proxy.ports.http, { host, path: '/strip/a/b?x=y' });
    expect(res.status).toBe(200);
    const seen = main.seen.at(-1)!;
    expect(seen.path).toBe('/a/b?x=y');
    expect(valuesOf(seen.headers, 'host')).toEqual(['backend.internal']);
  });

  it('CORS: a preflight from an allowed origin is answered by the proxy', async () => {
    const before = main.seen.length;
    const res = await httpRequest(proxy.ports.http, {
      host,
      path: '/cors/api',
      method: 'OPTIONS',
      headers: {
        origin: 'https://www.app.example',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'x-token',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers).toMatchObject({
      'access-control-allow-origin': 'https://www.app.example',
      'access-control-allow-methods': 'GET, PUT',
      'access-control-allow-headers': 'x-token',
      'access-control-allow-credentials': 'true',
      'access-control-max-age': '600',
    });
    expect(main.seen.length).toBe(before);
  });

  it('CORS: an actual request gets the headers on the backend response; another origin gets none', async () => {
    const allowed = await httpRequest(proxy.ports.http, {
      host,
      path: '/cors/api',
      headers: { origin: 'https://a.app.example' },
    });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://a.app.example');
    expect(allowed.headers.vary).toBe('Origin');
    const other = await httpRequest(proxy.ports.http, {
      host,
      path: '/cors/api',
      headers: { origin: 'https://evil.example' },
    });
    expect(other.status).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('mirror: the mirror backend receives a copy, the client gets the main answer', async () => {
    const res = await httpRequest(proxy.ports.http, { host, path: '/mirror/copy-me' });
    expect(res.json<{ path: string }>().path).toBe('/mirror/copy-me');
    expect(res.headers['x-backend']).toBe('main');
    await eventually(async () => mirror.seen.some((s) => s.path === '/mirror/copy-me'));
  });
});
