// Gateway API filters through the real proxy: the forwarder calls the compiled chains at the right
// moments (request phase, immediate answers, response phase, per-backend filters, mirrors).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startEchoBackend, type EchoBackend, type EchoBody } from '../support/backends.js';
import { ConfigBuilder, backend, prefix, send, startTestProxy, waitFor } from './helpers.js';
import type { RunningProxy } from '../../proxy/index.js';

let proxy: RunningProxy;
let main: EchoBackend;
let other: EchoBackend;
let mirror: EchoBackend;

beforeAll(async () => {
  main = await startEchoBackend('main');
  other = await startEchoBackend('other');
  mirror = await startEchoBackend('mirror');
  proxy = await startTestProxy();
  const b = new ConfigBuilder();
  b.route(
    'hdr.test',
    prefix('/'),
    b.rule('hdr', [backend(main)], {
      filters: [
        {
          type: 'RequestHeaderModifier',
          requestHeaderModifier: {
            set: [{ name: 'x-set', value: 'gateway' }],
            add: [{ name: 'x-add', value: 'two' }],
            remove: ['x-remove'],
          },
        },
        {
          type: 'ResponseHeaderModifier',
          responseHeaderModifier: { set: [{ name: 'x-resp', value: 'added' }], remove: ['content-type'] },
        },
      ],
    }),
  );
  b.route(
    'redirect.test',
    prefix('/'),
    b.rule('redirect', [backend(main)], {
      filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }],
    }),
  );
  b.route(
    'rewrite.test',
    prefix('/api'),
    b.rule('rewrite', [backend(main)], {
      filters: [
        {
          type: 'URLRewrite',
          urlRewrite: { hostname: 'internal.svc', path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2' } },
        },
      ],
    }),
  );
  b.route(
    'mirror.test',
    prefix('/'),
    b.rule('mirror', [backend(main)], {
      filters: [
        {
          type: 'RequestMirror',
          requestMirror: { name: 'default/mirror:80', endpoints: [{ address: mirror.address, port: mirror.port }] },
        },
        {
          type: 'RequestMirror',
          requestMirror: { name: 'default/down:80', endpoints: [{ address: '127.0.0.1', port: 1 }] },
        },
      ],
    }),
  );
  b.route(
    'cors.test',
    prefix('/'),
    b.rule('cors', [backend(main)], {
      filters: [
        { type: 'CORS', cors: { allowOrigins: ['https://app.example'], allowMethods: ['GET', 'PUT'], maxAge: 60 } },
      ],
    }),
  );
  b.route(
    'perbackend.test',
    prefix('/'),
    b.rule('per-backend', [
      backend(main, 1, {
        filters: [
          { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-which', value: 'main' }] } },
        ],
      }),
      backend(other, 1, {
        filters: [
          { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-which', value: 'other' }] } },
        ],
      }),
    ]),
  );
  const applied = proxy.applyConfig(b.build());
  expect(applied).toMatchObject({ ok: true });
});

afterAll(async () => {
  await proxy?.close(0);
  await Promise.all([main?.close(), other?.close(), mirror?.close()]);
});

describe('filters through the proxy', () => {
  it('RequestHeaderModifier and ResponseHeaderModifier', async () => {
    const res = await send(proxy.ports.http, 'hdr.test', '/', {
      headers: { 'x-set': 'client', 'x-add': 'one', 'x-remove': 'bye' },
    });
    const seen = res.json<EchoBody>().headers;
    expect(seen['x-set']).toBe('gateway');
    expect(seen['x-add']).toBe('one, two');
    expect(seen['x-remove']).toBeUndefined();
    expect(res.headers['x-resp']).toBe('added');
    expect(res.headers['content-type']).toBeUndefined();
  });

  it('RequestRedirect answers without reaching the backend', async () => {
    const before = main.requests.length;
    const res = await send(proxy.ports.http, 'redirect.test', '/a?b=c');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('https://redirect.test/a?b=c');
    expect(main.requests.length).toBe(before);
  });

  it('URLRewrite changes the Host and path the backend sees, keeps the query', async () => {
    const res = await send(proxy.ports.http, 'rewrite.test', '/api/items?x=1');
    const seen = res.json<EchoBody>();
    expect(seen.path).toBe('/v2/items?x=1');
    expect(seen.headers.host).toBe('internal.svc');
    expect(seen.headers['x-forwarded-host']).toBe('rewrite.test');
  });

  it('RequestMirror copies the request (body included); a dead mirror changes nothing', async () => {
    const res = await send(proxy.ports.http, 'mirror.test', '/copy', { method: 'POST', body: 'mirrored body' });
    expect(res.status).toBe(200);
    expect(res.json<EchoBody>().backend).toBe('main');
    await waitFor(() => mirror.requests.some((r) => r.path === '/copy'));
    const copy = mirror.requests.find((r) => r.path === '/copy')!;
    expect(copy.body).toBe('mirrored body');
    expect(copy.method).toBe('POST');
  });

  it('CORS: preflight answered by the proxy, actual request gets the headers', async () => {
    const before = main.requests.length;
    const pre = await send(proxy.ports.http, 'cors.test', '/x', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'PUT' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(pre.headers['access-control-max-age']).toBe('60');
    expect(main.requests.length).toBe(before);
    const actual = await send(proxy.ports.http, 'cors.test', '/x', { headers: { origin: 'https://app.example' } });
    expect(actual.headers['access-control-allow-origin']).toBe('https://app.example');
    const foreign = await send(proxy.ports.http, 'cors.test', '/x', { headers: { origin: 'https://evil.example' } });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('per-backend filters apply only to the backend that was picked', async () => {
    for (let i = 0; i < 20; i++) {
      const seen = (await send(proxy.ports.http, 'perbackend.test', '/')).json<EchoBody>();
      expect(seen.headers['x-which']).toBe(seen.backend);
    }
  });
});
