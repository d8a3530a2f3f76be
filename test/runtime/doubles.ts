// Test doubles for the control plane: a SnapshotSource whose objects the test edits, a translate() small
// enough to read, a proxy replica that speaks real HTTP (PUT/GET /config on 127.0.0.1:0), a recording
// status sink and edge adapter.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  EdgeAdapter,
  EdgeResult,
  ReplicaClient,
  ResourceEvent,
  SnapshotSource,
  StatusSink,
} from '../../src/core/ports.js';
import {
  emptySnapshot,
  type Condition,
  type DesiredState,
  type K8sObject,
  type ResourceStatus,
  type Snapshot,
} from '../../src/core/types.js';

export class EditableSource implements SnapshotSource {
  private handlers?: Parameters<SnapshotSource['start']>[0];
  private readonly routes = new Map<string, K8sObject>();

  async start(handlers: Parameters<SnapshotSource['start']>[0]): Promise<void> {
    this.handlers = handlers;
    queueMicrotask(() => handlers.onSynced());
  }
  async stop(): Promise<void> {
    this.handlers = undefined;
  }
  snapshot(): Snapshot {
    return { ...emptySnapshot(), httpRoutes: [...this.routes.values()] };
  }
  /**
   * Creates or updates a route (a new spec bumps metadata.generation, as the API server does). `silently`: no
   * event, as when a status written back onto the object changes only what the next snapshot holds.
   */
  setRoute(name: string, spec: { hostname: string; backend?: string }, silently = false): void {
    const old = this.routes.get(name);
    const object: K8sObject = {
      kind: 'HTTPRoute',
      metadata: { name, namespace: 'ns', generation: (old?.metadata.generation ?? 0) + 1 },
      spec,
    };
    this.routes.set(name, object);
    if (!silently) this.handlers?.onEvent({ type: 'upsert', kind: 'HTTPRoute', object } satisfies ResourceEvent);
  }
}

const condition = (type: string, ok: boolean, reason: string, generation: number): Condition => ({
  type,
  status: ok ? 'True' : 'False',
  reason,
  message: '',
  observedGeneration: generation,
  lastTransitionTime: '2026-01-01T00:00:00Z',
});

/** A readable stand-in for the translator: one Gateway, one status per route, a host per route. */
export function fakeTranslate(snapshot: Snapshot): DesiredState {
  const routes = [...snapshot.httpRoutes].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const gateway: ResourceStatus = {
    kind: 'Gateway',
    namespace: 'ns',
    name: 'gw',
    status: {
      conditions: [condition('Accepted', true, 'Accepted', 1), condition('Programmed', true, 'Programmed', 1)],
      listeners: [
        {
          name: 'http',
          attachedRoutes: routes.length,
          supportedKinds: [{ kind: 'HTTPRoute' }],
          conditions: [condition('Programmed', true, 'Programmed', 1)],
        },
      ],
    },
  };
  const routeStatuses: ResourceStatus[] = routes.map((r) => ({
    kind: 'HTTPRoute',
    namespace: 'ns',
    name: r.metadata.name,
    status: {
      parents: [
        {
          parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'ns', name: 'gw' },
          controllerName: 'example.dev/controller',
          conditions: [
            condition('Accepted', true, 'Accepted', r.metadata.generation ?? 1),
            condition(
              'ResolvedRefs',
              r.spec.backend !== 'missing',
              r.spec.backend === 'missing' ? 'BackendNotFound' : 'ResolvedRefs',
              r.metadata.generation ?? 1,
            ),
          ],
        },
      ],
    },
  }));
  const hosts = routes.map((r) => ({ hostname: String(r.spec.hostname), matches: [] }));
  const version = JSON.stringify(routes.map((r) => [r.metadata.name, r.spec]));
  return {
    statuses: [gateway, ...routeStatuses],
    proxyConfig: { version, rules: [], hosts },
    ingress: {
      ingress: [...new Set(hosts.map((h) => h.hostname))]
        .sort()
        .map((hostname) => ({ hostname, service: 'http://localhost:8080' }))
        .concat([{ service: 'http_status:404' } as never]),
    },
    dns: [],
  };
}

/** A proxy replica's admin API, for real: PUT /config (409 on a stale generation), GET /config. */
export class HttpReplica {
  running?: { version: string; generation: number };
  readonly pushes: Array<{ version: string; generation: number }> = [];
  failures = 0;
  private server?: Server;
  port = 0;

  /** Answers the next N pushes with 503 (an overloaded or starting proxy). */
  failNext = 0;

  /** `validate` throws on a config the real proxy would refuse (answered 400, like the proxy). */
  constructor(private readonly validate: (body: unknown) => void = () => {}) {}

  async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url !== '/config') return void res.writeHead(404).end();
        if (req.method === 'GET') {
          if (!this.running) return void res.writeHead(404).end();
          return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.running));
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { version: string; generation: number };
        if (this.failNext > 0) {
          this.failNext--;
          this.failures++;
          return void res.writeHead(503).end('not ready');
        }
        try {
          this.validate(body);
        } catch (err) {
          return void res.writeHead(400).end(String(err));
        }
        if (this.running && body.generation < this.running.generation)
          return void res.writeHead(409).end('stale generation');
        this.running = { version: body.version, generation: body.generation };
        this.pushes.push(this.running);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.running));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as AddressInfo).port;
  }

  /** What a restarted proxy looks like from outside: it runs nothing. */
  restart(): void {
    this.running = undefined;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  client(): ReplicaClient {
    const base = `http://127.0.0.1:${this.port}/config`;
    return {
      async push(config, signal) {
        const res = await fetch(base, {
          method: 'PUT',
          body: JSON.stringify(config),
          headers: { 'content-type': 'application/json' },
          signal,
        });
        if (!res.ok) throw new Error(`PUT /config: HTTP ${res.status}`);
        return (await res.json()) as { version: string; generation: number };
      },
      async current(signal) {
        const res = await fetch(base, { signal });
        if (res.status === 404) return null;
        if (!res.ok) throw new Error(`GET /config: HTTP ${res.status}`);
        return (await res.json()) as { version: string; generation: number };
      },
    };
  }
}

/** A replica that acknowledges each push at once and records the versions pushed to it, in order. */
export class AcceptingReplica implements ReplicaClient {
  readonly pushed: string[] = [];
  async push(config: Parameters<ReplicaClient['push']>[0]) {
    this.pushed.push(config.version);
    return { version: config.version, generation: config.generation };
  }
  async current() {
    return null;
  }
}

export class RecordingSink implements StatusSink {
  readonly writes: ResourceStatus[] = [];
  async write(status: ResourceStatus): Promise<void> {
    this.writes.push(structuredClone(status));
  }
  last(kind: string, name: string): ResourceStatus | undefined {
    return this.writes.filter((w) => w.kind === kind && w.name === name).at(-1);
  }
}

export class RecordingEdge implements EdgeAdapter {
  readonly reconciles: string[][] = [];
  /** Results to answer before succeeding (e.g. a 429 with Retry-After). */
  readonly faults: EdgeResult[] = [];
  async reconcile(desired: Parameters<EdgeAdapter['reconcile']>[0]): Promise<EdgeResult> {
    this.reconciles.push(desired.ingress.ingress.map((r) => r.hostname ?? r.service));
    return this.faults.shift() ?? { ok: true, writes: 1 };
  }
}

/** Polls until `check` holds (no fixed sleeps). */
export async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
