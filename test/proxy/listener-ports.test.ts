// Listener ports through real requests: the port in the Host header (or :authority) picks the listener port,
// as cloudflared delivers a visitor's `foo.com:8080`; a Host without a port means the arrival's default port
// (80 on the cleartext port, 443 on the TLS port), and the other default port when that one has nothing for
// the host; a port no listener has is not considered (HTTPRouteHostnameIntersection).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http2 from 'node:http2';
import https from 'node:https';
import type { RunningProxy } from '../../proxy/index.js';
import { startEchoBackend, type EchoBackend, type EchoBody } from '../support/backends.js';
import { rawHttp1 } from '../support/raw-http.js';
import { ConfigBuilder, backend, prefix, send, startTestProxy } from './helpers.js';

let proxy: RunningProxy;
const servers: EchoBackend[] = [];

beforeAll(async () => {
  const [p80, p8080, p443] = await Promise.all(['p80', 'p8080', 'p443'].map((n) => startEchoBackend(n)));
  servers.push(p80!, p8080!, p443!);
  proxy = await startTestProxy({ tlsListen: { host: '127.0.0.1', port: 0 } });
  const b = new ConfigBuilder().listenerPorts([80, 443, 8080, 8090]);
  const r80 = b.rule('r80', [backend(p80!)]);
  const r8080 = b.rule('r8080', [backend(p8080!)]);
  const r443 = b.rule('r443', [backend(p443!)]);
  b.route('foo.com', prefix('/'), r80, [80])
    .route('foo.com', prefix('/'), r8080, [8080])
    .route('bar.com', prefix('/'), r8080, [8080])
    .route('both.test', prefix('/'), r80, [80])
    .route('both.test', prefix('/'), r443, [443])
    .route('secure.test', prefix('/'), r443, [443]);
  expect(proxy.applyConfig(b.build()).ok).toBe(true);
});

afterAll(async () => {
  await proxy?.close(0);
  await Promise.all(servers.map((s) => s.close()));
});

async function backendFor(host: string, path = '/'): Promise<string | number> {
  const res = await send(proxy.ports.http, host, path);
  return res.status === 200 ? res.json<EchoBody>().backend : res.status;
}

describe('HTTP/1.1 on the cleartext port', () => {
  it.each<[string, string | number]>([
    ['foo.com', 'p80'],
    ['foo.com:80', 'p80'],
    ['FOO.com.:8080', 'p8080'],
    ['bar.com:8080', 'p8080'],
    ['bar.com', 404], // nothing for bar.com on 80 or 443
    ['foo.com:8090', 404], // a listener port without a route for the host: never another port's route
    ['foo.com:443', 404],
    ['foo.com:1234', 'p80'], // no listener on 1234: the port is not considered
    ['foo.com:', 'p80'], // an empty port is no port (RFC 3986)
    ['both.test', 'p80'],
    ['secure.test', 'p443'], // served on 443 only: a visitor's https:// comes down the tunnel without a port
    ['foo.com:abc', 400],
    ['foo.com:0', 400],
    ['foo.com:65536', 400],
  ])('Host %s → %p', async (host, expected) => {
    expect(await backendFor(host)).toBe(expected);
  });

  it('the backend gets the Host header as sent, port included', async () => {
    const res = await send(proxy.ports.http, 'foo.com:8080', '/');
    expect(res.json<EchoBody>().headers.host).toBe('foo.com:8080');
  });

  it('an absolute-form target must name the Host header port too', async () => {
    const absolute = (host: string) =>
      rawHttp1(proxy.ports.http, [`GET http://foo.com:8080/ HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`]);
    expect((await absolute('foo.com:8080')).status).toBe(200);
    expect((await absolute('foo.com')).status).toBe(400);
  });
});

describe('HTTP/2', () => {
  it(':authority with a port over h2c picks that listener port', async () => {
    const session = http2.connect(`http://127.0.0.1:${proxy.ports.http}`);
    try {
      expect(await h2Backend(session, 'foo.com:8080')).toBe('p8080');
      expect(await h2Backend(session, 'foo.com')).toBe('p80');
      expect(await h2Backend(session, 'bar.com:8090')).toBe(404);
    } finally {
      session.close();
    }
  });

  it('on the TLS port a Host without a port means 443, else 80', async () => {
    const session = http2.connect(`https://127.0.0.1:${proxy.ports.tls}`, { rejectUnauthorized: false });
    try {
      expect(await h2Backend(session, 'both.test')).toBe('p443');
      expect(await h2Backend(session, 'foo.com')).toBe('p80'); // nothing for foo.com on 443
      expect(await h2Backend(session, 'both.test:80')).toBe('p80');
    } finally {
      session.close();
    }
  });
});

it('HTTP/1.1 on the TLS port: a Host without a port means 443', async () => {
  const body = await new Promise<string>((resolve, reject) => {
    const opts = {
      host: '127.0.0.1',
      port: proxy.ports.tls,
      path: '/',
      headers: { host: 'both.test' },
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    };
    const req = https.request(opts as https.RequestOptions, (res) => {
      let data = '';
      res
        .setEncoding('utf8')
        .on('data', (c: string) => (data += c))
        .on('end', () => resolve(data));
    });
    req.on('error', reject);
    req.end();
  });
  expect((JSON.parse(body) as EchoBody).backend).toBe('p443');
});

async function h2Backend(session: http2.ClientHttp2Session, authority: string): Promise<string | number> {
  const req = session.request({ ':path': '/', ':authority': authority });
  const [status, body] = await new Promise<[number, string]>((resolve, reject) => {
    let data = '';
    let code = 0;
    req.on('response', (h) => (code = Number(h[':status'])));
    req.setEncoding('utf8');
    req.on('data', (c: string) => (data += c));
    req.on('end', () => resolve([code, data]));
    req.on('error', reject);
    req.end();
  });
  return status === 200 ? (JSON.parse(body) as EchoBody).backend : status;
}
