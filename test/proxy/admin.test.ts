// The admin API over real HTTP: auth, content type, validation (old config kept), stale generations,
// readiness, metrics, extra routes, and config swaps under load without a failed request.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'undici';
import { startEchoBackend, type EchoBackend, type EchoBody } from '../support/backends.js';
import { ConfigBuilder, backend, prefix, send, startTestProxy, waitFor } from './helpers.js';
import type { RunningProxy } from '../../proxy/index.js';

const TOKEN = 's3cret-token';
let proxy: RunningProxy;
let blue: EchoBackend;
let green: EchoBackend;

function configFor(target: EchoBackend, generation?: number) {
  const b = new ConfigBuilder();
  b.route('app.test', prefix('/'), b.rule(`http/default/${target.name}/0`, [backend(target)]));
  return b.build(generation);
}

async function admin(method: string, path: string, opts: { token?: string; body?: string; type?: string } = {}) {
  const headers: Record<string, string> = {};
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = opts.type ?? 'application/json';
  const res = await request(`http://127.0.0.1:${proxy.ports.admin}${path}`, {
    method: method as 'GET',
    headers,
    body: opts.body,
  });
  const text = await res.body.text();
  return { status: res.statusCode, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

beforeAll(async () => {
  blue = await startEchoBackend('blue');
  green = await startEchoBackend('green');
  proxy = await startTestProxy({ adminToken: TOKEN, adminMaxBodyBytes: 256 * 1024 });
});

afterAll(async () => {
  await proxy?.close(0);
  await Promise.all([blue?.close(), green?.close()]);
});

describe('before any config', () => {
  it('is alive but not ready, and the data plane answers 503', async () => {
    expect((await admin('GET', '/healthz')).status).toBe(200);
    expect((await admin('GET', '/readyz')).status).toBe(503);
    expect(proxy.ready()).toBe(false);
    expect(proxy.current()).toBeNull();
    expect((await send(proxy.ports.http, 'app.test', '/')).status).toBe(503);
  });
});

describe('PUT /config', () => {
  it.each([
    ['no token', undefined],
    ['a wrong token', 'nope'],
    ['a token that is a prefix of the right one', 's3cret'],
  ])('refuses %s with 401', async (_name, token) => {
    const res = await admin('PUT', '/config', { token, body: JSON.stringify(configFor(blue)) });
    expect(res.status).toBe(401);
    expect(proxy.ready()).toBe(false);
  });

  it('refuses a body that is not JSON by content type (415)', async () => {
    expect((await admin('PUT', '/config', { token: TOKEN, body: 'version: x', type: 'application/yaml' })).status).toBe(
      415,
    );
  });

  it('refuses a body over the limit (413)', async () => {
    const huge = JSON.stringify({ ...configFor(blue), padding: 'x'.repeat(300 * 1024) });
    expect((await admin('PUT', '/config', { token: TOKEN, body: huge })).status).toBe(413);
  });

  it('applies a valid config: ready, routed, versioned', async () => {
    const cfg = configFor(blue, 5);
    const res = await admin('PUT', '/config', { token: TOKEN, body: JSON.stringify(cfg) });
    expect(res.status).toBe(200);
    expect(res.json().version).toBe(cfg.version);
    expect((await admin('GET', '/readyz')).status).toBe(200);
    expect((await admin('GET', '/config')).json()).toEqual({ version: cfg.version, generation: 5 });
    expect((await send(proxy.ports.http, 'app.test', '/')).json<EchoBody>().backend).toBe('blue');
  });

  it('refuses an invalid config with 400 naming the path, and keeps the old one', async () => {
    const bad = configFor(green, 6) as { hosts: Array<{ matches: Array<{ rule: number }> }> };
    bad.hosts[0]!.matches[0]!.rule = 7;
    const res = await admin('PUT', '/config', { token: TOKEN, body: JSON.stringify(bad) });
    expect(res.status).toBe(400);
    expect(String(res.json().error)).toContain('hosts.0.matches.0.rule');
    expect((await send(proxy.ports.http, 'app.test', '/')).json<EchoBody>().backend).toBe('blue');
  });

  it('refuses a config that does not compile (bad RE2 regex) with 400', async () => {
    const b = new ConfigBuilder();
    b.route('app.test', { path: { type: 'RegularExpression', value: '(unclosed' } }, b.rule('r', [backend(green)]));
    const res = await admin('PUT', '/config', { token: TOKEN, body: JSON.stringify(b.build(7)) });
    expect(res.status).toBe(400);
    expect((await send(proxy.ports.http, 'app.test', '/')).json<EchoBody>().backend).toBe('blue');
  });

  it('refuses an older generation with 409', async () => {
    const res = await admin('PUT', '/config', { token: TOKEN, body: JSON.stringify(configFor(green, 4)) });
    expect(res.status).toBe(409);
    expect(proxy.current()?.generation).toBe(5);
  });

  it('GET /config and the health routes need no token', async () => {
    expect((await admin('GET', '/config')).status).toBe(200);
    expect((await admin('GET', '/metrics')).status).toBe(200);
  });
});

describe('metrics', () => {
  it('counts requests by rule and status class, and exposes config info', async () => {
    await send(proxy.ports.http, 'app.test', '/');
    await send(proxy.ports.http, 'nothing.test', '/');
    const text = (await admin('GET', '/metrics')).text;
    expect(text).toMatch(/proxy_requests_total\{rule="http\/default\/blue\/0",code="2xx"\} [1-9]/);
    expect(text).toMatch(/proxy_requests_total\{rule="none",code="4xx"\} [1-9]/);
    expect(text).toMatch(/proxy_request_duration_seconds_bucket\{le="\+Inf",rule="http\/default\/blue\/0"\} [1-9]/);
    expect(text).toContain(`proxy_config_info{version="${proxy.current()!.version}"} 1`);
    expect(text).toMatch(/proxy_config_swaps_total [1-9]/);
    expect(text).toMatch(/proxy_config_rejected_total\{status="409"\} 1/);
    expect(text).toContain('proxy_requests_in_flight 0');
  });
});

describe('extra admin routes', () => {
  it('mounts embedder routes behind the same auth', async () => {
    proxy.addAdminRoute('GET', '/debug/', (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`debug:${req.url}`);
    });
    expect((await admin('GET', '/debug/state')).status).toBe(401);
    const res = await admin('GET', '/debug/state', { token: TOKEN });
    expect(res.text).toBe('debug:/debug/state');
    expect((await admin('GET', '/nope', { token: TOKEN })).status).toBe(404);
  });
});

describe('admin without a token', () => {
  it('is open on loopback, closed (401) elsewhere', async () => {
    const open = await startTestProxy();
    try {
      const res = await request(`http://127.0.0.1:${open.ports.admin}/config`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(configFor(blue)),
      });
      await res.body.text();
      expect(res.statusCode).toBe(200);
    } finally {
      await open.close(0);
    }
    const { createAuthorizer } = await import('../../proxy/admin/auth.js');
    const anyHost = createAuthorizer('0.0.0.0', undefined);
    expect(anyHost({ headers: {} } as never)).toBe(false);
  });
});

describe('upstream pools', () => {
  it('keeps keep-alive connections to an unchanged backend across config swaps', async () => {
    const solo = await startEchoBackend('solo');
    const p = await startTestProxy();
    try {
      for (let i = 0; i < 5; i++) {
        const b = new ConfigBuilder();
        b.route('app.test', prefix('/'), b.rule(`rule-${i}`, [backend(solo)]));
        expect(p.applyConfig(b.build()).ok).toBe(true);
        expect((await send(p.ports.http, 'app.test', '/')).status).toBe(200);
      }
      expect(solo.connections()).toBe(1);
    } finally {
      await p.close(0);
      await solo.close();
    }
  });
});

describe('in-flight requests keep their table', () => {
  it('a retry after a swap still uses the old rule and its (retired) pool', async () => {
    const old = await startEchoBackend('old');
    const p = await startTestProxy();
    try {
      const a = new ConfigBuilder();
      a.route(
        'app.test',
        prefix('/'),
        a.rule('old', [backend(old)], { retry: { codes: [503], attempts: 1, backoffMs: 400 } }),
      );
      p.applyConfig(a.build());
      old.failNext(1, 503);
      const pending = send(p.ports.http, 'app.test', '/keep');
      await waitFor(() => old.requests.length === 1);
      const b = new ConfigBuilder();
      b.route('other.test', prefix('/'), b.rule('other', [backend(blue)]));
      expect(p.applyConfig(b.build()).ok).toBe(true);
      const res = await pending;
      expect(res.status).toBe(200);
      expect(res.json<EchoBody>().backend).toBe('old');
      expect(old.requests).toHaveLength(2);
      expect((await send(p.ports.http, 'app.test', '/keep')).status).toBe(404);
    } finally {
      await p.close(0);
      await old.close();
    }
  });
});

describe('graceful close', () => {
  it('lets an in-flight request finish, then stops listening', async () => {
    const slow = await startEchoBackend('slow');
    const p = await startTestProxy();
    const b = new ConfigBuilder();
    b.route('app.test', prefix('/'), b.rule('slow', [backend(slow)]));
    p.applyConfig(b.build());
    try {
      const pending = send(p.ports.http, 'app.test', '/delay/300');
      await waitFor(() => slow.requests.length > 0);
      const closed = p.close(5_000);
      expect(p.ready()).toBe(false);
      const readyz = await request(`http://127.0.0.1:${p.ports.admin}/readyz`);
      await readyz.body.text();
      expect(readyz.statusCode).toBe(503); // draining: not ready, still answering
      await closed;
      expect((await pending).status).toBe(200);
      await expect(send(p.ports.http, 'app.test', '/')).rejects.toThrow();
    } finally {
      await slow.close();
    }
  });
});

describe('atomic swap under load', () => {
  it('never fails a request while configs are pushed in a loop', async () => {
    let stop = false;
    let pushes = 0;
    const pusher = (async () => {
      for (let g = 100; !stop; g++) {
        const res = await admin('PUT', '/config', {
          token: TOKEN,
          body: JSON.stringify(configFor(g % 2 ? green : blue, g)),
        });
        expect(res.status).toBe(200);
        pushes++;
      }
    })();
    const seen = new Set<string>();
    const failures: number[] = [];
    const worker = async () => {
      for (let i = 0; i < 60; i++) {
        const res = await send(proxy.ports.http, 'app.test', '/', { method: 'POST', body: 'payload' });
        if (res.status !== 200) failures.push(res.status);
        else seen.add(res.json<EchoBody>().backend);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    stop = true;
    await pusher;
    expect(failures).toEqual([]);
    expect(pushes).toBeGreaterThan(3);
    expect(seen).toEqual(new Set(['blue', 'green']));
  });
});
