// The default upstream timeout (issue 14 item 10): a backend that never answers gets a 504 after
// `upstreamResponseTimeoutMs` even when the route sets no timeout; a route's own timeouts replace the default;
// the default bounds the wait for the response head only, so a long response body is not cut.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { DEFAULT_LIMITS, type RunningProxy } from '../../proxy/index.js';
import { ConfigBuilder, backend, prefix, send, startTestProxy } from './helpers.js';

interface Server {
  port: number;
  close(): Promise<void>;
}

/**
 * /never accepts and never answers; /late/<ms> answers after ms; /drip/<n> sends n chunks 150 ms apart;
 * /afterbody answers once the request body has arrived whole.
 */
async function slowBackend(protocol: 'http1' | 'h2c'): Promise<Server> {
  const handler = (
    req: http.IncomingMessage | http2.Http2ServerRequest,
    res: http.ServerResponse | http2.Http2ServerResponse,
  ) => {
    const [, kind, arg] = (req.url ?? '/').split('/');
    req.resume();
    const r = res as http.ServerResponse;
    if (kind === 'late') {
      const t = setTimeout(() => r.end('late'), Number(arg));
      r.once('close', () => clearTimeout(t));
      return;
    }
    if (kind === 'afterbody') {
      req.once('end', () => r.end('got it'));
      return;
    }
    if (kind === 'drip') {
      r.writeHead(200, { 'content-type': 'text/plain' });
      let i = 0;
      const t = setInterval(() => (i++ < Number(arg) ? r.write(`${i}\n`) : (clearInterval(t), r.end())), 150);
      r.once('close', () => clearInterval(t));
      return;
    }
    // /never: no answer at all.
  };
  const server = protocol === 'h2c' ? http2.createServer(handler) : http.createServer(handler);
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
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

describe('default upstream timeout', () => {
  let proxy: RunningProxy;
  let h1: Server;
  let h2: Server;
  const DEFAULT_MS = 400;

  beforeAll(async () => {
    h1 = await slowBackend('http1');
    h2 = await slowBackend('h2c');
    proxy = await startTestProxy({ limits: { upstreamResponseTimeoutMs: DEFAULT_MS } });
    const b = new ConfigBuilder();
    const at = (name: string, port: number) => ({ name, address: '127.0.0.1', port });
    b.route('h1.test', prefix('/'), b.rule('h1', [backend(at('h1', h1.port))]));
    b.route('h2.test', prefix('/'), b.rule('h2', [backend(at('h2', h2.port), 1, { protocol: 'h2c' })]));
    b.route(
      'own.test',
      prefix('/'),
      b.rule('own', [backend(at('own', h1.port))], { timeouts: { backendRequestMs: 3000 } }),
    );
    b.route(
      'whole.test',
      prefix('/'),
      b.rule('whole', [backend(at('whole', h1.port))], { timeouts: { requestMs: 3000 } }),
    );
    expect(proxy.applyConfig(b.build(1))).toMatchObject({ ok: true });
  });

  afterAll(async () => {
    await proxy.close(0);
    await Promise.all([h1.close(), h2.close()]);
  });

  it('has a documented default of 90 s', () => {
    expect(DEFAULT_LIMITS.upstreamResponseTimeoutMs).toBe(90_000);
  });

  it.each(['h1.test', 'h2.test'])(
    'answers 504 when a backend never answers (%s, route without timeouts)',
    async (host) => {
      const replies = await Promise.all(
        [1, 2, 3].map(() => send(proxy.ports.http, host, '/never', { signal: AbortSignal.timeout(10_000) })),
      );
      expect(replies.map((r) => r.status)).toEqual([504, 504, 504]);
    },
  );

  it('answers 504 for a POST whose backend never answers', async () => {
    const reply = await send(proxy.ports.http, 'h1.test', '/never', {
      method: 'POST',
      body: 'x'.repeat(100),
      signal: AbortSignal.timeout(10_000),
    });
    expect(reply.status).toBe(504);
  });

  it.each(['own.test', 'whole.test'])(
    "a route's own timeout replaces the default (%s: an answer after 2× the default arrives)",
    async (host) => {
      const reply = await send(proxy.ports.http, host, `/late/${DEFAULT_MS * 2}`, {
        signal: AbortSignal.timeout(10_000),
      });
      expect(reply.status).toBe(200);
      expect(reply.text).toBe('late');
    },
  );

  it.each(['h1.test', 'h2.test'])(
    'counts from the end of a streamed request body: an upload longer than the default is answered (%s)',
    async (host) => {
      const reply = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port: proxy.ports.http, method: 'POST', path: '/afterbody', headers: { host } },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        // Chunked (no Content-Length): streamed upstream, 8 chunks 120 ms apart, ~2.4× the default.
        let i = 0;
        const timer = setInterval(
          () => (i++ < 8 ? req.write('x'.repeat(1024)) : (clearInterval(timer), req.end())),
          120,
        );
      });
      expect(reply).toEqual({ status: 200, text: 'got it' });
    },
  );

  it.each(['h1.test', 'h2.test'])(
    'bounds the wait for the response head only: a body streamed for longer is relayed whole (%s)',
    async (host) => {
      // 6 chunks 150 ms apart: ~900 ms of body, more than twice the default.
      const reply = await send(proxy.ports.http, host, '/drip/6', { signal: AbortSignal.timeout(10_000) });
      expect(reply.status).toBe(200);
      expect(reply.text).toBe('1\n2\n3\n4\n5\n6\n');
    },
  );
});
