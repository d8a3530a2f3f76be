// A faithful Cloudflare API v4 double on 127.0.0.1:<ephemeral>: the official `cloudflare` SDK talks to it
// unmodified through `baseURL`. Bearer-token auth, the v4 envelope, pagination, fault injection, a call log.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiFault, failure, type ApiRequest, type Reply, type Route } from './envelope.js';
import { Faults } from './faults.js';
import { FakeStore } from './store.js';
import { tunnelRoutes } from './tunnels.js';
import { dnsRoutes } from './dns.js';

export { FakeStore, type FakeRecord, type FakeTunnel, type FakeZone } from './store.js';
export { COMMENT_MAX } from './dns.js';

export interface LoggedCall {
  method: string;
  /** Path after /client/v4, e.g. /zones/abc/dns_records. */
  path: string;
  query: URLSearchParams;
  status: number;
  body: unknown;
  at: number;
}

export interface FakeCloudflare {
  /** Give this to the SDK as baseURL. */
  baseURL: string;
  apiToken: string;
  accountId: string;
  store: FakeStore;
  faults: Faults;
  calls: LoggedCall[];
  /** Calls that change state (everything but GET) and were answered 2xx. */
  writes(): LoggedCall[];
  resetCalls(): void;
  close(): Promise<void>;
}

const PREFIX = '/client/v4';

export async function startFakeCloudflare(
  opts: { apiToken?: string; accountId?: string } = {},
): Promise<FakeCloudflare> {
  const apiToken = opts.apiToken ?? 'test-token-' + Math.random().toString(36).slice(2);
  const accountId = opts.accountId ?? '0123456789abcdef0123456789abcdef';
  const store = new FakeStore(accountId);
  const faults = new Faults();
  const calls: LoggedCall[] = [];
  const routes: Route[] = [...tunnelRoutes(store), ...dnsRoutes(store)];

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => send(res, failure(new ApiFault(500, 10001, String(err)))));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : url.pathname;
    const raw = await readBody(req);
    const entry: LoggedCall = { method, path, query: url.searchParams, status: 0, body: undefined, at: Date.now() };
    calls.push(entry);
    const reply = await answer(req, method, path, url.searchParams, raw, entry);
    entry.status = reply.status;
    send(res, reply);
  }

  async function answer(
    req: IncomingMessage,
    method: string,
    path: string,
    query: URLSearchParams,
    raw: string,
    entry: LoggedCall,
  ): Promise<Reply> {
    try {
      const { delayMs, fault } = faults.take(method, path, Date.now());
      // unref: a slow answer still pending must not keep the test process alive after close().
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs).unref());
      if (fault) throw fault;
      if (req.headers.authorization !== `Bearer ${apiToken}`) throw new ApiFault(403, 10000, 'Authentication error');
      entry.body = raw ? parseJson(raw) : undefined;
      return route(routes, { method, path, query, body: entry.body });
    } catch (err) {
      if (err instanceof ApiFault) return failure(err);
      throw err;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}${PREFIX}`,
    apiToken,
    accountId,
    store,
    faults,
    calls,
    writes: () => calls.filter((c) => c.method !== 'GET' && c.status < 300),
    resetCalls: () => void calls.splice(0, calls.length),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function route(routes: Route[], req: ApiRequest): Reply {
  let pathMatched = false;
  for (const r of routes) {
    const m = r.pattern.exec(req.path);
    if (!m) continue;
    pathMatched = true;
    if (r.method === req.method) return r.handle(req, m.slice(1).map(decodeURIComponent));
  }
  if (pathMatched) throw new ApiFault(405, 10405, `Method ${req.method} not allowed`);
  throw new ApiFault(404, 7000, 'No route for that URI');
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new ApiFault(400, 6007, 'Malformed JSON in request body');
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent) return;
  res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
  res.end(JSON.stringify(reply.body));
}
