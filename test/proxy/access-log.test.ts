// The access log through real requests to a started proxy: one JSON line per request with the documented
// fields, for every outcome (forwarded, retried, no route, refused, redirected, upstream down, client gone,
// HTTP/2), and none at all while it is off — by default, by the config, or forced off.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import WebSocket from 'ws';
import type { ProxyConfigInput } from '../../proxy/config/schema.js';
import type { AccessLogOptions, RunningProxy } from '../../proxy/index.js';
import { startEchoBackend, type EchoBackend } from '../support/backends.js';
import { rawGet, rawHttp2 } from '../support/raw-http.js';
import { ConfigBuilder, backend, prefix, send, startTestProxy, waitFor } from './helpers.js';
import { freePort } from '../support/ports.js';

type Line = Record<string, unknown>;

/** A pino destination that keeps every line, parsed. */
function capture(): { lines: Line[]; destination: { write(line: string): void } } {
  const lines: Line[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(JSON.parse(line) as Line) } };
}

let echo: EchoBackend;
let slow: EchoBackend;
let deadPort: number;

beforeAll(async () => {
  echo = await startEchoBackend('echo');
  slow = await startEchoBackend('slow');
  deadPort = await freePort();
});

afterAll(async () => {
  await echo.close();
  await slow.close();
});

function config(): ProxyConfigInput {
  const b = new ConfigBuilder();
  b.route('echo.test', prefix('/'), b.rule('httproute/default/echo/0', [backend(echo)]));
  b.route(
    'retry.test',
    prefix('/'),
    b.rule('httproute/default/retry/0', [backend(echo)], { retry: { codes: [503], attempts: 2, backoffMs: 0 } }),
  );
  b.route('slow.test', prefix('/'), b.rule('httproute/default/slow/0', [backend(slow)]));
  const dead = { name: 'dead', address: '127.0.0.1', port: deadPort };
  b.route('dead.test', prefix('/'), b.rule('httproute/default/dead/0', [backend(dead)]));
  b.route(
    'redirect.test',
    prefix('/'),
    b.rule('httproute/default/redirect/0', [], {
      filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }],
    }),
  );
  return b.build();
}

async function proxyWith(accessLog: AccessLogOptions, cfg: ProxyConfigInput = config()): Promise<RunningProxy> {
  const proxy = await startTestProxy({ accessLog });
  expect(proxy.applyConfig(cfg).ok).toBe(true);
  return proxy;
}

/** Requests the proxy finished, from its own metrics: once they count, any line would have been written. */
async function finished(proxy: RunningProxy): Promise<number> {
  const metric = (await proxy.metrics.getMetricsAsJSON()).find((m) => m.name === 'proxy_requests_total');
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

async function lineFor(lines: Line[], match: (l: Line) => boolean): Promise<Line> {
  await waitFor(() => lines.some(match));
  return lines.find(match)!;
}

describe('access log on', () => {
  let proxy: RunningProxy;
  const log = capture();

  beforeAll(async () => {
    proxy = await proxyWith({ mode: 'on', destination: log.destination });
  });
  afterAll(() => proxy.close(0));

  it('a forwarded 200: every field, the normalised path without its query, the endpoint that served it', async () => {
    const reply = await send(proxy.ports.http, 'Echo.Test:8080', '/a//b/../c?token=secret');
    expect(reply.status).toBe(200);
    const line = await lineFor(log.lines, (l) => l.host === 'echo.test');
    expect(line).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      method: 'GET',
      host: 'echo.test',
      path: '/a/c',
      status: 200,
      bytes: Buffer.byteLength(reply.text),
      durationMs: expect.any(Number),
      rule: 'httproute/default/echo/0',
      upstream: `127.0.0.1:${echo.port}`,
      retries: 0,
      protocol: 'h1',
      aborted: false,
      msg: 'access',
    });
    expect(line.durationMs as number).toBeGreaterThan(0);
    expect(JSON.stringify(log.lines)).not.toContain('secret');
  });

  it('a retried request counts its retries', async () => {
    echo.failNext(1, 503);
    const reply = await send(proxy.ports.http, 'retry.test', '/again', { method: 'POST', body: 'x' });
    expect(reply.status).toBe(200);
    const line = await lineFor(log.lines, (l) => l.host === 'retry.test');
    expect(line).toMatchObject({ method: 'POST', status: 200, retries: 1, upstream: `127.0.0.1:${echo.port}` });
  });

  it('no route: 404 with no rule and no upstream', async () => {
    const reply = await send(proxy.ports.http, 'nowhere.test', '/x');
    expect(reply.status).toBe(404);
    const line = await lineFor(log.lines, (l) => l.host === 'nowhere.test');
    expect(line).toMatchObject({ status: 404, rule: null, upstream: null, retries: 0, bytes: reply.text.length });
  });

  it('a refused path: 400, the path as received (no query)', async () => {
    const reply = await rawGet(proxy.ports.http, 'refused.test', '/a%2Fb?q=1');
    expect(reply.status).toBe(400);
    const line = await lineFor(log.lines, (l) => l.host === 'refused.test');
    expect(line).toMatchObject({ status: 400, path: '/a%2Fb', rule: null, upstream: null });
  });

  it('a redirect answered by the proxy: its rule, no upstream', async () => {
    expect((await send(proxy.ports.http, 'redirect.test', '/r')).status).toBe(301);
    const line = await lineFor(log.lines, (l) => l.host === 'redirect.test');
    expect(line).toMatchObject({ status: 301, rule: 'httproute/default/redirect/0', upstream: null, bytes: 0 });
  });

  it('an upstream that refuses connections: 502 and the endpoint tried', async () => {
    expect((await send(proxy.ports.http, 'dead.test', '/')).status).toBe(502);
    const line = await lineFor(log.lines, (l) => l.host === 'dead.test');
    expect(line).toMatchObject({ status: 502, rule: 'httproute/default/dead/0', upstream: `127.0.0.1:${deadPort}` });
  });

  it('a client that leaves before the answer: 499, aborted', async () => {
    const gone = send(proxy.ports.http, 'slow.test', '/delay/5000', { signal: AbortSignal.timeout(200) });
    await expect(gone).rejects.toThrow();
    const line = await lineFor(log.lines, (l) => l.host === 'slow.test');
    expect(line).toMatchObject({ status: 499, aborted: true, bytes: 0, upstream: `127.0.0.1:${slow.port}` });
  });

  it('a WebSocket: one line when the tunnel closes, status 101, the bytes sent to the client', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.ports.http}/chat?k=v`, { headers: { host: 'echo.test' } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const reply = new Promise<string>((resolve) => ws.once('message', (d: Buffer) => resolve(d.toString())));
    ws.send('hi');
    expect(await reply).toBe('echo:hi');
    ws.close();
    const line = await lineFor(log.lines, (l) => l.path === '/chat');
    expect(line).toMatchObject({ status: 101, rule: 'httproute/default/echo/0', upstream: `127.0.0.1:${echo.port}` });
    // The 101 head and the frames: more than the echoed message itself.
    expect(line.bytes as number).toBeGreaterThan('echo:hi'.length);
  });

  it('HTTP/2 requests say h2', async () => {
    const reply = await rawHttp2(proxy.ports.http, 'echo.test', '/h2?x=1');
    expect(reply.status).toBe(200);
    const line = await lineFor(log.lines, (l) => l.path === '/h2');
    expect(line).toMatchObject({ protocol: 'h2', status: 200, bytes: Buffer.byteLength(reply.body) });
  });
});

describe('access log off', () => {
  it('writes nothing by default, until a config asks for it, and stops when the next one does not', async () => {
    const log = capture();
    const proxy = await proxyWith({ destination: log.destination });
    try {
      expect((await send(proxy.ports.http, 'echo.test', '/quiet')).status).toBe(200);
      expect((await send(proxy.ports.http, 'nowhere.test', '/quiet')).status).toBe(404);
      await waitFor(async () => (await finished(proxy)) === 2);
      expect(log.lines).toEqual([]);

      const on = { ...config(), version: 'with-log', accessLog: true };
      expect(proxy.applyConfig(on).ok).toBe(true);
      await send(proxy.ports.http, 'echo.test', '/loud');
      await lineFor(log.lines, (l) => l.path === '/loud');

      // Same version, log turned off: the proxy takes the change although nothing else moved.
      expect(proxy.applyConfig({ ...on, accessLog: false }).ok).toBe(true);
      await send(proxy.ports.http, 'echo.test', '/quiet-again');
      await waitFor(async () => (await finished(proxy)) === 4);
      expect(log.lines.map((l) => l.path)).toEqual(['/loud']);
    } finally {
      await proxy.close(0);
    }
  });

  it('forced off, a config that asks for it is ignored', async () => {
    const log = capture();
    const proxy = await proxyWith({ mode: 'off', destination: log.destination }, { ...config(), accessLog: true });
    try {
      expect((await send(proxy.ports.http, 'echo.test', '/')).status).toBe(200);
      await waitFor(async () => (await finished(proxy)) === 1);
      expect(log.lines).toEqual([]);
    } finally {
      await proxy.close(0);
    }
  });
});
