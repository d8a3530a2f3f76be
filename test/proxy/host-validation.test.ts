// A Host header (or :authority) whose value is not `uri-host [ ":" port ]` gets a 400 (RFC 9110 §7.2, host
// grammar of RFC 3986 §3.2.2), never a route: a catch-all listener would otherwise serve whatever a hostile
// client writes there, and the backend, the access log and the forwarding headers would carry it on.
// The proxy here has a "*" route, so every value that is not refused is served (200).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http2 from 'node:http2';
import type { RunningProxy } from '../../proxy/index.js';
import { startEchoBackend, type EchoBackend } from '../support/backends.js';
import { rawGet } from '../support/raw-http.js';
import { ConfigBuilder, backend, prefix, startTestProxy } from './helpers.js';
import { REFUSED, SERVED } from './host-values.js';

let proxy: RunningProxy;
let echo: EchoBackend;

beforeAll(async () => {
  echo = await startEchoBackend('any');
  proxy = await startTestProxy();
  const b = new ConfigBuilder();
  b.route('*', prefix('/'), b.rule('any', [backend(echo)]));
  expect(proxy.applyConfig(b.build()).ok).toBe(true);
});

afterAll(async () => {
  await proxy?.close(0);
  await echo?.close();
});

describe('HTTP/1.1 Host header', () => {
  it.each(SERVED)('%s is served (%s)', async (host) => {
    expect((await rawGet(proxy.ports.http, host, '/')).status).toBe(200);
  });

  it.each(REFUSED)('%s gets 400 (%s)', async (host) => {
    const reply = await rawGet(proxy.ports.http, host, '/');
    expect(reply.status).toBe(400);
    expect(reply.body).not.toContain('"backend"');
  });
});

describe('a WebSocket upgrade', () => {
  const upgrade = (host: string) =>
    rawGet(
      proxy.ports.http,
      host,
      '/',
      'Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n',
    );

  it('takes the same check: an invalid Host gets 400, never a tunnel', async () => {
    expect((await upgrade('user@a.com')).status).toBe(400);
    expect((await upgrade('[::1')).status).toBe(400);
  });
});

describe('HTTP/2 :authority', () => {
  let session: http2.ClientHttp2Session;
  beforeAll(() => {
    session = http2.connect(`http://127.0.0.1:${proxy.ports.http}`);
  });
  afterAll(() => session.close());

  /** The response status, or "reset" when nghttp2 refuses the field before any handler sees it. */
  const status = (authority: string) =>
    new Promise<number | 'reset'>((resolve) => {
      const stream = session.request({ ':path': '/', ':authority': authority });
      stream.on('response', (h) => resolve(Number(h[':status'])));
      stream.on('error', () => resolve('reset'));
      stream.resume();
    });

  it.each(SERVED)('%s is served (%s)', async (authority) => {
    expect(await status(authority)).toBe(200);
  });

  // nghttp2 resets the stream itself for some (a "/", "?", "#", a quote…): refused before routing too.
  it.each(REFUSED.filter(([h]) => !h.includes(' ')))('%s gets 400 or a reset (%s)', async (authority) => {
    expect([400, 'reset']).toContain(await status(authority));
  });
});
