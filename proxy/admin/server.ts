// The admin API, on its own port (never reachable through the tunnel): config push, health, metrics,
// plus GET routes an embedder mounts (e.g. /debug/...).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { ApplyOptions, ApplyResult } from '../config/apply.js';
import { conflictText, type GenerationConflict } from '../config/conflict.js';
import type { Authorizer } from './auth.js';
import { refusalLogger, type HostCheck } from './host-check.js';

export type AdminHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** What GET /metrics serves: a prom-client Registry, or a cluster primary's aggregate of its workers. */
export interface MetricsSource {
  contentType: string;
  metrics(): Promise<string>;
}

export interface AdminDeps {
  authorize: Authorizer;
  /** DNS rebinding defence, before any route (host-check.ts). */
  checkHost: HostCheck;
  apply(cfg: unknown, opts: ApplyOptions): Promise<ApplyResult>;
  current(): ConfigInfo | null;
  ready(): boolean;
  /** Set while this replica refuses its pusher's config as stale (config/conflict.ts). */
  conflict(): GenerationConflict | undefined;
  registry: MetricsSource;
  logger: Logger;
  maxBodyBytes: number;
}

/** GET /config: the running version and generation (a cluster primary adds each worker's). */
export interface ConfigInfo {
  version: string;
  generation: number;
  workers?: Array<{ pid: number; version: string | null }>;
}

export interface AdminServer {
  server: http.Server;
  addRoute(method: string, path: string, handler: AdminHandler): void;
}

export function createAdminServer(deps: AdminDeps): AdminServer {
  const routes = new Map<string, AdminHandler>();
  const prefixRoutes: Array<[string, AdminHandler]> = [];
  const logRefusal = refusalLogger((fields) => deps.logger.warn(fields, 'admin request refused'));
  const server = http.createServer((req, res) => {
    const refused = deps.checkHost(req);
    if (refused !== undefined) {
      logRefusal({ host: req.headers.host, origin: req.headers.origin, path: req.url, reason: refused });
      return sendJson(res, 403, { error: refused });
    }
    dispatch(req, res, deps, routes, prefixRoutes).catch((err) => {
      deps.logger.error({ err, path: req.url }, 'admin request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  return {
    server,
    addRoute(method, path, handler) {
      // A path ending in "/" serves everything under it.
      if (path.endsWith('/')) prefixRoutes.push([`${method.toUpperCase()} ${path}`, handler]);
      else routes.set(`${method.toUpperCase()} ${path}`, handler);
    },
  };
}

async function dispatch(
  req: IncomingMessage,
  res: ServerResponse,
  deps: AdminDeps,
  routes: Map<string, AdminHandler>,
  prefixes: Array<[string, AdminHandler]>,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0]!;
  const key = `${req.method} ${path}`;
  switch (key) {
    case 'GET /healthz':
      return sendJson(res, 200, { status: 'ok' });
    case 'GET /readyz':
      return readyz(res, deps);
    case 'GET /metrics':
      res.writeHead(200, { 'content-type': deps.registry.contentType });
      res.end(`${await deps.registry.metrics()}\n${conflictGauge(deps.conflict())}`);
      return;
    case 'GET /config':
      return sendJson(res, 200, deps.current() ?? { version: null, generation: null });
    case 'PUT /config':
      return putConfig(req, res, deps);
  }
  const handler = routes.get(key) ?? prefixes.find(([prefix]) => key.startsWith(prefix))?.[1];
  if (handler === undefined) return sendJson(res, 404, { error: 'not found' });
  if (!deps.authorize(req)) return unauthorized(res);
  await handler(req, res);
}

async function putConfig(req: IncomingMessage, res: ServerResponse, deps: AdminDeps): Promise<void> {
  if (!deps.authorize(req)) return unauthorized(res);
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type))
    return sendJson(res, 415, { error: 'content-type must be application/json' });
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > deps.maxBodyBytes) return tooLarge(res, deps.maxBodyBytes);
  const body = await readBody(req, deps.maxBodyBytes);
  if (body === undefined) return tooLarge(res, deps.maxBodyBytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    return sendJson(res, 400, { error: `body is not JSON: ${(err as Error).message}` });
  }
  // Parsing a big body is one stall; let waiting requests through before validating and compiling.
  await new Promise((resolve) => setImmediate(resolve));
  const result = await deps.apply(parsed, { resync: isResync(req) });
  if (result.ok) return sendJson(res, 200, { version: result.version, generation: deps.current()?.generation ?? null });
  // A 409 names what runs, so the pusher can tell a replica that claims the future and resync it.
  return sendJson(res, result.status, {
    error: result.error,
    ...(result.conflict ? { running: result.conflict.running } : {}),
  });
}

/** `X-Config-Resync: true`: the pusher renumbers; same auth as any push (ApplyOptions.resync). */
function isResync(req: IncomingMessage): boolean {
  return String(req.headers['x-config-resync'] ?? '').toLowerCase() === 'true';
}

function readyz(res: ServerResponse, deps: AdminDeps): void {
  if (!deps.ready()) return sendJson(res, 503, { status: 'no config loaded' });
  const conflict = deps.conflict();
  if (conflict) return sendJson(res, 503, { status: conflictText(conflict) });
  sendJson(res, 200, { status: 'ready' });
}

/** Exposition of the conflict gauge, served after the registry (a cluster primary's workers cannot know it). */
function conflictGauge(conflict: GenerationConflict | undefined): string {
  return [
    '# HELP proxy_config_generation_conflict 1 while the last config push was refused as older than the running generation but carried other content (the pusher must resync)',
    '# TYPE proxy_config_generation_conflict gauge',
    `proxy_config_generation_conflict ${conflict ? 1 : 0}`,
    '',
  ].join('\n');
}

/** undefined when the body is over the limit. */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(res: ServerResponse, max: number): void {
  res.shouldKeepAlive = false;
  sendJson(res, 413, { error: `body over ${max} bytes` });
}

function unauthorized(res: ServerResponse): void {
  res.setHeader('www-authenticate', 'Bearer');
  sendJson(res, 401, { error: 'unauthorized' });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
