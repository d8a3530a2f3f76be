// The control plane with the real translator: manifests → snapshot → translate → verdicts, a schema-valid
// config pushed over HTTP, Gateway Programmed only after the replica acknowledged it, deletions retire actors.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createControlPlane, type ControlPlane } from '../../src/runtime/control-plane.js';
import { translate } from '../../src/translate/index.js';
import { parseManifests, toSnapshot } from '../../src/sources/manifests.js';
import { parseProxyConfig } from '../../proxy/config/schema.js';
import { DEFAULT_CONTROLLER_NAME, type Condition, type K8sObject, type Snapshot } from '../../src/core/types.js';
import type { ResourceEvent, SnapshotSource } from '../../src/core/ports.js';
import { eventually, HttpReplica, RecordingEdge, RecordingSink } from './doubles.js';

const MANIFESTS = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: cloudflare, generation: 1}
spec: {controllerName: ${DEFAULT_CONTROLLER_NAME}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra, generation: 1}
spec:
  gatewayClassName: cloudflare
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: app, generation: 1}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  hostnames: [app.example.com]
  rules:
  - backendRefs: [{name: web, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: app}
spec:
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: app, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints:
- addresses: [10.0.0.1]
`;

/** A source over a fixed set of objects that the test can remove from. */
class ObjectsSource implements SnapshotSource {
  private handlers?: Parameters<SnapshotSource['start']>[0];
  constructor(private objects: K8sObject[]) {}
  async start(handlers: Parameters<SnapshotSource['start']>[0]) {
    this.handlers = handlers;
    queueMicrotask(() => handlers.onSynced());
  }
  async stop() {}
  snapshot(): Snapshot {
    return toSnapshot(this.objects).snapshot;
  }
  remove(kind: string, name: string) {
    const object = this.objects.find((o) => o.kind === kind && o.metadata.name === name)!;
    this.objects = this.objects.filter((o) => o !== object);
    this.handlers?.onEvent({ type: 'delete', kind, object } satisfies ResourceEvent);
  }
}

const source = new ObjectsSource(parseManifests(MANIFESTS, 'inline.yaml'));
const replica = new HttpReplica((body) => parseProxyConfig(body));
const sink = new RecordingSink();
const edge = new RecordingEdge();
const options = {
  controllerName: DEFAULT_CONTROLLER_NAME,
  tunnelId: 'tunnel-1',
  proxyHttpPort: 8080,
  proxyTlsPort: 8443,
};
let cp: ControlPlane;

const condition = (conditions: unknown, type: string) =>
  (conditions as Condition[] | undefined)?.find((c) => c.type === type);

beforeAll(async () => {
  await replica.listen();
  cp = createControlPlane({
    source,
    translate: (snapshot) => translate(snapshot, { ...options, now: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }),
    statusSink: sink,
    edge,
    timing: { holdoffMs: 20, maxHoldoffMs: 200 },
  });
  cp.setReplicas([{ id: 'local', ready: true, client: replica.client() }]);
  await cp.start();
  await cp.whenIdle();
});

afterAll(async () => {
  await cp?.stop();
  await replica.close();
});

describe('control plane with the real translator', () => {
  it('pushes a schema-valid config and programs the Gateway once the replica has it', async () => {
    const desired = translate(source.snapshot(), { ...options, now: '2026-01-01T00:00:00Z' });
    expect(replica.running?.version).toBe(desired.proxyConfig.version);
    await eventually(() => condition(sink.last('Gateway', 'gw')?.status.conditions, 'Programmed')?.status === 'True');
    const gateway = sink.last('Gateway', 'gw')!.status as {
      listeners: Array<{ conditions: Condition[]; attachedRoutes: number }>;
    };
    expect(condition(gateway.listeners[0]!.conditions, 'Programmed')?.status).toBe('True');
    expect(gateway.listeners[0]!.attachedRoutes).toBe(1);
    expect(condition(sink.last('GatewayClass', 'cloudflare')?.status.conditions, 'Accepted')?.status).toBe('True');
    const parents = sink.last('HTTPRoute', 'web')!.status.parents as Array<{ conditions: Condition[] }>;
    expect(condition(parents[0]!.conditions, 'Accepted')?.status).toBe('True');
    expect(edge.reconciles.at(-1)).toEqual(expect.arrayContaining(['app.example.com']));
    // Every Programmed the actor wrote while waiting said so, and the last one is the translator's.
    const programmedHistory = sink.writes
      .filter((w) => w.kind === 'Gateway')
      .map((w) => condition(w.status.conditions, 'Programmed')!);
    for (const c of programmedHistory.slice(0, -1)) expect(c).toMatchObject({ status: 'False', reason: 'Pending' });
  });

  it('retires the route actor when the route is deleted and updates the Gateway', async () => {
    source.remove('HTTPRoute', 'web');
    await cp.whenIdle();
    await eventually(
      () =>
        (sink.last('Gateway', 'gw')!.status.listeners as Array<{ attachedRoutes: number }>)[0]!.attachedRoutes === 0,
    );
    expect(cp.inspect().filter((a) => a.machine === 'route')).toEqual([]);
    expect(edge.reconciles.at(-1)).not.toContain('app.example.com');
    const desired = translate(source.snapshot(), { ...options, now: '2026-01-01T00:00:00Z' });
    expect(replica.running?.version).toBe(desired.proxyConfig.version);
  });
});
