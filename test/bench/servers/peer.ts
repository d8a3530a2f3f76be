// The Node peers the proxy is compared with, one per child process so each has its own event loop:
//   hello       bare node:http answering 200 (Node's own ceiling: no upstream at all)
//   http-proxy  node-http-proxy with a keep-alive agent
//   fastify     fastify + @fastify/reply-from (undici underneath)
//   undici      a bare forwarder: node:http server → undici Pool, streaming the body back
// Usage: peer.ts KIND [BACKEND_URL]; prints {"port": N} once listening on 127.0.0.1.
import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';

const [kind, backend = ''] = process.argv.slice(2);

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

async function helloServer(): Promise<Server> {
  return createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '3' });
    res.end('ok\n');
  });
}

async function httpProxyServer(): Promise<Server> {
  const { default: httpProxy } = await import('http-proxy');
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  const proxy = httpProxy.createProxyServer({ target: backend, agent });
  proxy.on('error', (_err, _req, res) => {
    if ('writeHead' in res && !res.headersSent) res.writeHead(502);
    res.end();
  });
  return createServer((req, res) => proxy.web(req, res));
}

async function fastifyServer(): Promise<Server> {
  const { default: Fastify } = await import('fastify');
  const { default: replyFrom } = await import('@fastify/reply-from');
  const app = Fastify({ logger: false });
  await app.register(replyFrom, { base: backend });
  app.all('/*', (req, reply) => reply.from(req.url));
  await app.ready();
  return app.server;
}

async function undiciServer(): Promise<Server> {
  const { Pool } = await import('undici');
  const pool = new Pool(backend, { connections: 64 });
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers))
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    pool
      .request({ method: req.method as 'GET', path: req.url ?? '/', headers, body: hasBody ? req : null })
      .then((up) => {
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(up.headers))
          if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
        res.writeHead(up.statusCode, out);
        pipeline(up.body, res, () => undefined);
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
  });
}

const builders: Record<string, () => Promise<Server>> = {
  hello: helloServer,
  'http-proxy': httpProxyServer,
  fastify: fastifyServer,
  undici: undiciServer,
};

const build = kind === undefined ? undefined : builders[kind];
if (!build) {
  console.error(`usage: peer.ts ${Object.keys(builders).join('|')} [BACKEND_URL]`);
  process.exit(2);
}
const server = await build();
server.keepAliveTimeout = 300_000;
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
