// Serves the live actor page under /debug/ on the admin port: static assets (Mermaid served by us, so nothing
// is loaded from the internet), the machine diagrams, and a server-sent-event stream of actor changes.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What the page shows of one actor. */
export interface DebugActor {
  id: string;
  name: string;
  kind: string;
  machine: string;
  state: unknown;
  /** Every active state node path ("accepted", "accepted.programmed"), for highlighting. */
  activeStates: string[];
  conditions?: Array<{ type: string; status: string; reason: string; message?: string; scope?: string }>;
  context?: Record<string, unknown>;
  transitions?: Array<{ event: string; from: unknown; to: unknown; at: string }>;
  syncs?: Array<{ at: string; durationMs: number; changes: number; pushed: boolean; reason?: string }>;
}

export interface DebugSource {
  actors(): DebugActor[];
  /** Calls back with an actor after each of its transitions, or with {removed: id}. */
  subscribe(listener: (change: DebugActor | { removed: string }) => void): () => void;
  /** Per machine id: its Mermaid diagram and the diagram node id of each state path. */
  machines(): Record<string, { mermaid: string; ids: Record<string, string> }>;
}

const require = createRequire(import.meta.url);
const ASSETS: Record<string, { file: string; type: string }> = {
  '': { file: new URL('./assets/index.html', import.meta.url).pathname, type: 'text/html; charset=utf-8' },
  'index.html': { file: new URL('./assets/index.html', import.meta.url).pathname, type: 'text/html; charset=utf-8' },
  'app.js': { file: new URL('./assets/app.js', import.meta.url).pathname, type: 'text/javascript; charset=utf-8' },
  'diagram.js': {
    file: new URL('./assets/diagram.js', import.meta.url).pathname,
    type: 'text/javascript; charset=utf-8',
  },
  'list.js': { file: new URL('./assets/list.js', import.meta.url).pathname, type: 'text/javascript; charset=utf-8' },
  'app.css': { file: new URL('./assets/app.css', import.meta.url).pathname, type: 'text/css; charset=utf-8' },
  'mermaid.min.js': { file: mermaidBundle(), type: 'text/javascript; charset=utf-8' },
};

/**
 * The build (scripts/build.mjs) copies Mermaid's bundle next to the compiled assets, so the image ships no
 * `mermaid` package; run from source (tsx, jest), it comes from node_modules, where it is a devDependency.
 */
function mermaidBundle(): string {
  const copied = new URL('./assets/mermaid.min.js', import.meta.url).pathname;
  if (existsSync(copied)) return copied;
  try {
    return require.resolve('mermaid/dist/mermaid.min.js');
  } catch {
    return copied; // neither: GET /debug/mermaid.min.js answers 404 rather than the server failing to start
  }
}
const cache = new Map<string, Buffer>();

const SECURITY_HEADERS = {
  // The page talks only to this server; no inline script, no third-party origin.
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/** Handles GET /debug/* (the page, machines, events); false for paths it does not own. Auth is the caller's. */
export function handleDebugRequest(source: DebugSource, req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? '').split('?')[0]!;
  if (path === '/debug') return redirect(res, '/debug/');
  if (!path.startsWith('/debug/')) return false;
  const rest = path.slice('/debug/'.length);
  if (rest === 'machines') return json(res, source.machines());
  if (rest === 'events') return stream(source, req, res);
  const asset = ASSETS[rest];
  if (!asset || (!cache.has(asset.file) && !existsSync(asset.file))) {
    res.writeHead(404, SECURITY_HEADERS).end('not found\n');
    return true;
  }
  if (!cache.has(asset.file)) cache.set(asset.file, readFileSync(asset.file));
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': asset.type }).end(cache.get(asset.file));
  return true;
}

function redirect(res: ServerResponse, location: string): boolean {
  res.writeHead(301, { location }).end();
  return true;
}

function json(res: ServerResponse, body: unknown): boolean {
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/json' }).end(JSON.stringify(body));
  return true;
}

function stream(source: DebugSource, req: IncomingMessage, res: ServerResponse): boolean {
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream', connection: 'keep-alive' });
  const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  send('snapshot', { actors: source.actors() });
  const unsubscribe = source.subscribe((change) =>
    'removed' in change ? send('removed', { id: change.removed }) : send('actor', change),
  );
  // A comment line every 15 s keeps proxies and browsers from closing an idle stream.
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  keepAlive.unref();
  const end = () => {
    clearInterval(keepAlive);
    unsubscribe();
  };
  req.on('close', end);
  res.on('error', end);
  return true;
}
