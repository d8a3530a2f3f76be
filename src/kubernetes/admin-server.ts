// The controller's own admin HTTP server (it runs no proxy): /healthz (process alive), /readyz (caches
// synced and the first sync done), /metrics (prom-client), /debug/actors and the live /debug/ page.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { ControlPlane } from '../runtime/control-plane.js';
import { debugSource } from '../runtime/admin-routes.js';
import { debugActorsHandler } from '../debug/handler.js';
import { handleDebugRequest } from '../debug-page/routes.js';

export interface AdminServerOptions {
  host: string;
  port: number;
  registry: Registry;
  controlPlane: ControlPlane;
  ready(): boolean;
  /** Extra JSON for /debug/state (source, leader, replicas). */
  state(): unknown;
}

export interface AdminServer {
  port: number;
  close(): Promise<void>;
}

export async function startAdminServer(o: AdminServerOptions): Promise<AdminServer> {
  const actors = debugActorsHandler(o.controlPlane);
  const page = debugSource(o.controlPlane);
  const server: Server = createServer((req, res) => void route(req, res));
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
    if (path === '/healthz') return text(res, 200, 'ok\n');
    if (path === '/readyz') return o.ready() ? text(res, 200, 'ready\n') : text(res, 503, 'not synced yet\n');
    if (path === '/metrics') return text(res, 200, await o.registry.metrics(), o.registry.contentType);
    if (path === '/debug/actors') return actors(req, res);
    if (path === '/debug/state') return text(res, 200, JSON.stringify(o.state(), null, 2), 'application/json');
    if (handleDebugRequest(page, req, res)) return;
    text(res, 404, 'not found\n');
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function text(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res
    .writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) })
    .end(body);
}
