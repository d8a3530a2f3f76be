// A Kubernetes API server double over real HTTP on 127.0.0.1: client-node and kubectl talk to it unmodified.
// Serves discovery, OpenAPI v3, CRUD + patch + status + watch (see store.ts / watch.ts), and injects faults:
// dropped watches, compaction (410 Gone), restarts on the same port with the same store, slow answers, and
// failing requests. Every request is recorded for assertions.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { BUILTIN_TYPES, loadCrdTypes, GATEWAY_CRD_FILES, type ResourceType } from './resources.js';
import { Store } from './store.js';
import { WatchHub } from './watch.js';
import { ApiError } from './errors.js';
import { parseResourcePath } from './routes.js';
import { handleResource } from './handlers.js';
import * as discovery from './discovery.js';

export interface FakeApiServerOptions {
  /** CRD files (names under the Gateway API bundle, or absolute paths); default: the five kinds we watch. */
  crdFiles?: string[];
  /** When set, requests without `Authorization: Bearer <token>` get 401. */
  token?: string;
  /** Send BOOKMARK events this often to watches that allow them (0: only on bookmark()). */
  bookmarkIntervalMs?: number;
  /** Namespaces that exist from the start. */
  namespaces?: string[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType?: string;
  /** The bearer token the client sent (tells clients apart in fault rules and assertions). */
  token?: string;
  at: number;
  body?: unknown;
}

/** A fault rule: requests it matches are answered with `code` (`times` times, or forever). */
export interface FaultRule {
  match(r: RecordedRequest): boolean;
  code: number;
  times?: number;
}

export class FakeApiServer {
  readonly store = new Store();
  readonly types: ResourceType[];
  readonly requests: RecordedRequest[] = [];
  latencyMs = 0;
  /** When set, requests without `Authorization: Bearer <token>` get 401 (change it to rotate credentials). */
  token?: string;
  /** Runs before a request is handled (after recording); lets a test change the store "concurrently". */
  beforeHandle?: (r: RecordedRequest) => void | Promise<void>;
  private readonly hub = new WatchHub(this.store);
  private readonly faults: FaultRule[] = [];
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  private bookmarkTimer?: NodeJS.Timeout;
  private port = 0;

  constructor(private readonly options: FakeApiServerOptions = {}) {
    this.token = options.token;
    this.types = [...BUILTIN_TYPES, ...loadCrdTypes(options.crdFiles ?? GATEWAY_CRD_FILES)];
    this.store.types = this.types;
    const nsType = this.type('', 'Namespace');
    for (const name of options.namespaces ?? ['default', 'kube-system', 'kube-public']) {
      this.store.create(nsType, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get watchCount(): number {
    return this.hub.count;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    if (this.options.bookmarkIntervalMs)
      this.bookmarkTimer = setInterval(() => this.hub.bookmark(), this.options.bookmarkIntervalMs);
    return this;
  }

  /** Closes every connection (watches included) and stops listening; the store is kept. */
  async stop(): Promise<void> {
    clearInterval(this.bookmarkTimer);
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Like an API server restart: connections reset, the same port answers again with the same store. */
  async restart(downMs = 0): Promise<void> {
    await this.stop();
    if (downMs) await new Promise((r) => setTimeout(r, downMs));
    await this.start();
  }

  /** Resets every watch connection (graceful: ends them like a server-side timeout instead). */
  dropWatches(graceful = false): void {
    this.hub.dropAll(graceful);
  }

  /** Compacts history (resumes from older revisions get 410 Gone) and ends all watches so clients resume. */
  compact(): void {
    this.store.compact();
    this.hub.dropAll(true);
  }

  bookmark(): void {
    this.hub.bookmark();
  }

  /** Installs more CRDs while running (discovery and REST serve them from then on). */
  installCrds(files: string[]): void {
    this.types.push(...loadCrdTypes(files));
  }

  fail(rule: FaultRule): void {
    this.faults.push(rule);
  }

  type(group: string, kind: string): ResourceType {
    const t = this.types.find((x) => x.group === group && x.kind === kind);
    if (!t) throw new Error(`the double does not serve ${kind}.${group}`);
    return t;
  }

  /** Direct store access for tests: create an object without going through HTTP. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  seed(obj: Record<string, any>): Record<string, any> {
    const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
    const t = this.type(group, obj.kind);
    void version;
    return this.store.create(t, obj.metadata.namespace ?? '', obj);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const raw = await readBody(req);
      const record: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        contentType: req.headers['content-type'],
        body: raw ? parseJson(raw) : undefined,
        token: /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1],
        at: Date.now(),
      };
      this.requests.push(record);
      if (this.token && req.headers.authorization !== `Bearer ${this.token}`) {
        throw new ApiError(401, 'Unauthorized', 'Unauthorized');
      }
      const fault = this.faults.find((f) => f.match(record) && (f.times === undefined || f.times > 0));
      if (fault) {
        if (fault.times !== undefined) fault.times--;
        throw new ApiError(
          fault.code,
          fault.code === 410 ? 'Expired' : 'InternalError',
          `injected fault ${fault.code}`,
        );
      }
      if (this.latencyMs) await new Promise((r) => setTimeout(r, this.latencyMs));
      await this.beforeHandle?.(record);
      const reply = this.route(record, url, req, res);
      if (reply) send(res, reply.status, reply.body);
    } catch (err) {
      const apiErr = err instanceof ApiError ? err : new ApiError(500, 'InternalError', String(err));
      if (!res.headersSent) send(res, apiErr.code, apiErr.toStatus());
    }
  }

  private route(
    r: RecordedRequest,
    url: URL,
    req: IncomingMessage,
    res: ServerResponse,
  ): { status: number; body: unknown } | undefined {
    const fixed = this.discovery(r.path);
    if (fixed !== undefined && r.method === 'GET') return { status: 200, body: fixed };
    const p = parseResourcePath(this.types, r.path);
    if (!p) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    return handleResource(this.store, this.hub, p, r.method, url, r.body, req, res);
  }

  private discovery(path: string): unknown {
    const t = this.types;
    if (path === '/version') return discovery.versionInfo();
    if (path === '/healthz' || path === '/readyz' || path === '/livez') return 'ok';
    if (path === '/api') return discovery.coreVersions();
    if (path === '/apis') return discovery.apiGroupList(t);
    if (path === '/openapi/v3') return discovery.openApiIndex(t);
    let m = /^\/api\/(v1)$/.exec(path);
    if (m) return discovery.resourceList(t, '', m[1]!);
    m = /^\/apis\/([^/]+)$/.exec(path);
    if (m) return discovery.apiGroup(t, m[1]!);
    m = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
    if (m) return discovery.resourceList(t, m[1]!, m[2]!);
    m = /^\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
    if (m) return m[1] ? discovery.openApiDocument(t, '', m[1]) : discovery.openApiDocument(t, m[2]!, m[3]!);
    return undefined;
  }
}

export async function startFakeApiServer(options?: FakeApiServerOptions): Promise<FakeApiServer> {
  return new FakeApiServer(options).start();
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new ApiError(400, 'BadRequest', 'the request body is not valid JSON');
  }
}
