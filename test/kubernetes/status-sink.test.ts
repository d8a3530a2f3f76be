// The status sink against the API server double: merge patch on /status with the read resourceVersion, only
// when changed, only our route parents (other controllers' entries kept), 409 → re-read and retry, stale
// generations skipped, Events for notable transitions.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/server.js';
import { kubeConfigFor } from '../support/fake-apiserver/kubeconfig.js';
import { KubeRest } from '../../src/kubernetes/rest.js';
import { KubernetesStatusSink, NotLeaderError } from '../../src/kubernetes/status-sink.js';
import { EventRecorder } from '../../src/kubernetes/events.js';
import type { Condition, ResourceStatus } from '../../src/core/types.js';
import { gateway, gatewayClass, httpRoute } from './support.js';

const OURS = 'cloudflare-tunnel-gateway.dev/controller';
const OTHER = 'example.com/other-controller';
let api: FakeApiServer;
let rest: KubeRest;
let sink: KubernetesStatusSink;

const cond = (type: string, status: 'True' | 'False', reason: string, generation = 1): Condition => ({
  type,
  status,
  reason,
  message: `${type} ${reason}`,
  observedGeneration: generation,
  lastTransitionTime: '2026-01-01T00:00:00Z',
});

const routeType = () => api.type('gateway.networking.k8s.io', 'HTTPRoute');
const routeStatus = (conds: Condition[], name = 'r1'): ResourceStatus => ({
  kind: 'HTTPRoute',
  namespace: 'default',
  name,
  status: {
    parents: [
      {
        parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' },
        controllerName: OURS,
        conditions: conds,
      },
    ],
  },
});
const statusPatches = (name: string) =>
  api.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/${name}/status`));

beforeAll(async () => {
  api = await startFakeApiServer();
  rest = await KubeRest.fromKubeConfig(kubeConfigFor(api.url));
});

afterAll(async () => {
  await rest.close();
  await api.stop();
});

beforeEach(() => {
  for (const name of ['r1', 'r2'])
    if (api.store.get(routeType(), 'default', name)) api.store.delete(routeType(), 'default', name);
  api.requests.length = 0;
  sink = new KubernetesStatusSink({
    rest,
    controllerName: OURS,
    events: new EventRecorder({ rest, controllerName: OURS, instance: 'test-pod', defaultNamespace: 'default' }),
  });
});

describe('KubernetesStatusSink', () => {
  it('merge-patches /status with the read resourceVersion, and skips a write that changes nothing', async () => {
    api.seed(httpRoute('default', 'r1', 'gw'));
    await sink.write(routeStatus([cond('Accepted', 'True', 'Accepted')]));
    const [patch] = statusPatches('r1');
    expect(patch?.contentType).toBe('application/merge-patch+json');
    expect((patch?.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion).toMatch(/^\d+$/);
    const stored = api.store.get(routeType(), 'default', 'r1')!;
    expect(stored.status.parents[0].conditions[0]).toMatchObject({
      type: 'Accepted',
      status: 'True',
      observedGeneration: 1,
    });
    expect(stored.metadata.generation).toBe(1);
    await sink.write(routeStatus([cond('Accepted', 'True', 'Accepted')]));
    expect(statusPatches('r1')).toHaveLength(1);
    expect(sink.stats).toMatchObject({ patches: 1, skippedUnchanged: 1 });
  });

  it("replaces only our parents[] entries and keeps other controllers'", async () => {
    api.seed(httpRoute('default', 'r1', 'gw'));
    const other = {
      parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'theirs' },
      controllerName: OTHER,
      conditions: [cond('Accepted', 'True', 'Accepted')],
    };
    const stale = {
      parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'old' },
      controllerName: OURS,
      conditions: [cond('Accepted', 'False', 'NoMatchingParent')],
    };
    const r = api.store.get(routeType(), 'default', 'r1')!;
    api.store.update(routeType(), 'default', 'r1', { ...r, status: { parents: [stale, other] } }, 'status');
    // The translator's view may predate the other controller's write: the sink re-reads and keeps it.
    await sink.write(routeStatus([cond('Accepted', 'True', 'Accepted')]));
    const parents = api.store.get(routeType(), 'default', 'r1')!.status.parents;
    expect(
      parents.map(
        (p: { controllerName: string; parentRef: { name: string } }) => `${p.controllerName}:${p.parentRef.name}`,
      ),
    ).toEqual([`${OURS}:gw`, `${OTHER}:theirs`]);
  });

  it("replaces only our ancestors[] entries of a BackendTLSPolicy and keeps other controllers'", async () => {
    const policyType = api.type('gateway.networking.k8s.io', 'BackendTLSPolicy');
    api.seed({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'BackendTLSPolicy',
      metadata: { namespace: 'default', name: 'tls' },
      spec: {
        targetRefs: [{ group: '', kind: 'Service', name: 'web' }],
        validation: { hostname: 'web.example.com', wellKnownCACertificates: 'System' },
      },
    });
    const entry = (name: string, controllerName: string, reason: string) => ({
      ancestorRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'default', name },
      controllerName,
      conditions: [cond('Accepted', reason === 'Accepted' ? 'True' : 'False', reason)],
    });
    const p = api.store.get(policyType, 'default', 'tls')!;
    const before = [entry('old', OURS, 'Conflicted'), entry('theirs', OTHER, 'Accepted')];
    api.store.update(policyType, 'default', 'tls', { ...p, status: { ancestors: before } }, 'status');
    // No Event recorder here: the Events test below counts every Event the API server holds.
    await new KubernetesStatusSink({ rest, controllerName: OURS }).write({
      kind: 'BackendTLSPolicy',
      namespace: 'default',
      name: 'tls',
      status: { ancestors: [entry('gw', OURS, 'Accepted')] },
    });
    const ancestors = api.store.get(policyType, 'default', 'tls')!.status.ancestors;
    expect(
      ancestors.map(
        (a: { controllerName: string; ancestorRef: { name: string } }) => `${a.controllerName}:${a.ancestorRef.name}`,
      ),
    ).toEqual([`${OURS}:gw`, `${OTHER}:theirs`]);
    const patches = api.requests.filter(
      (r) => r.method === 'PATCH' && r.path.endsWith('/backendtlspolicies/tls/status'),
    );
    expect(patches).toHaveLength(1);
  });

  it('re-reads and retries when another writer changes the route between read and patch (409)', async () => {
    api.seed(httpRoute('default', 'r1', 'gw'));
    let raced = false;
    api.beforeHandle = (req) => {
      if (raced || req.method !== 'PATCH') return;
      raced = true; // another controller writes its entry right before our patch lands
      const r = api.store.get(routeType(), 'default', 'r1')!;
      api.store.update(
        routeType(),
        'default',
        'r1',
        {
          ...r,
          status: {
            parents: [
              { parentRef: { name: 'x' }, controllerName: OTHER, conditions: [cond('Accepted', 'True', 'Accepted')] },
            ],
          },
        },
        'status',
      );
    };
    try {
      await sink.write(routeStatus([cond('Accepted', 'True', 'Accepted')]));
    } finally {
      api.beforeHandle = undefined;
    }
    expect(sink.stats.conflicts).toBe(1);
    expect(statusPatches('r1')).toHaveLength(2);
    const parents = api.store.get(routeType(), 'default', 'r1')!.status.parents;
    expect(parents.map((p: { controllerName: string }) => p.controllerName)).toEqual([OURS, OTHER]);
  });

  it('does not write a status computed for an older generation', async () => {
    api.seed(httpRoute('default', 'r1', 'gw'));
    const r = api.store.get(routeType(), 'default', 'r1')!;
    api.store.update(routeType(), 'default', 'r1', { ...r, spec: { ...r.spec, hostnames: ['new.example.com'] } });
    await sink.write(routeStatus([cond('Accepted', 'True', 'Accepted', 1)]));
    expect(statusPatches('r1')).toHaveLength(0);
    expect(sink.stats.skippedStale).toBe(1);
    await sink.write(routeStatus([cond('Accepted', 'True', 'Accepted', 2)]));
    expect(statusPatches('r1')).toHaveLength(1);
  });

  it('writes Gateway and GatewayClass status and records Events for transitions only', async () => {
    api.seed(gatewayClass('cf'));
    api.seed(gateway('default', 'gw', 'cf'));
    await sink.write({
      kind: 'GatewayClass',
      namespace: '',
      name: 'cf',
      status: { conditions: [cond('Accepted', 'True', 'Accepted')] },
    });
    const gw = (programmed: 'True' | 'False', reason: string): ResourceStatus => ({
      kind: 'Gateway',
      namespace: 'default',
      name: 'gw',
      status: {
        addresses: [{ type: 'Hostname', value: 'pending.cfargotunnel.com' }],
        conditions: [cond('Accepted', 'True', 'Accepted'), cond('Programmed', programmed, reason)],
      },
    });
    await sink.write(gw('False', 'Pending'));
    await sink.write(gw('True', 'Programmed'));
    expect(
      api.store.get(api.type('gateway.networking.k8s.io', 'Gateway'), 'default', 'gw')!.status.conditions[1].status,
    ).toBe('True');
    expect(
      api.store.get(api.type('gateway.networking.k8s.io', 'GatewayClass'), '', 'cf')!.status.conditions[0].reason,
    ).toBe('Accepted');
    const events = api.store
      .list(api.type('events.k8s.io', 'Event'), 'default')
      .filter((e) => e.regarding.kind !== 'HTTPRoute')
      .map((e) => `${e.regarding.kind}/${e.regarding.name} ${e.type} ${e.reason}`);
    expect(events.sort()).toEqual([
      'Gateway/gw Normal Accepted',
      'Gateway/gw Normal Programmed',
      'Gateway/gw Warning Pending',
      'GatewayClass/cf Normal Accepted',
    ]);
  });

  it('writes ListenerSet status, and removes a Gateway attachedListenerSets it no longer writes', async () => {
    api.seed(gateway('default', 'gw2', 'cf'));
    api.seed({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'ListenerSet',
      metadata: { namespace: 'default', name: 'ls' },
      spec: { parentRef: { name: 'gw2' }, listeners: [{ name: 'extra', port: 8080, protocol: 'HTTP' }] },
    });
    const lsStatus = {
      conditions: [cond('Accepted', 'True', 'Accepted'), cond('Programmed', 'True', 'Programmed')],
      listeners: [
        { name: 'extra', supportedKinds: [], attachedRoutes: 0, conditions: [cond('Accepted', 'True', 'Accepted')] },
      ],
    };
    await sink.write({ kind: 'ListenerSet', namespace: 'default', name: 'ls', status: lsStatus });
    expect(statusPatches('ls')).toHaveLength(1);
    expect(statusPatches('ls')[0]!.path).toBe(
      '/apis/gateway.networking.k8s.io/v1/namespaces/default/listenersets/ls/status',
    );
    const ls = api.store.get(api.type('gateway.networking.k8s.io', 'ListenerSet'), 'default', 'ls')!;
    expect(ls.status.listeners[0].name).toBe('extra');
    const gwType = api.type('gateway.networking.k8s.io', 'Gateway');
    const gw = (extra: Record<string, unknown>): ResourceStatus => ({
      kind: 'Gateway',
      namespace: 'default',
      name: 'gw2',
      status: { conditions: [cond('Accepted', 'True', 'Accepted')], ...extra },
    });
    await sink.write(gw({ attachedListenerSets: 1 }));
    expect(api.store.get(gwType, 'default', 'gw2')!.status.attachedListenerSets).toBe(1);
    // A merge patch keeps what it does not name: the sink names the field with null to remove it.
    await sink.write(gw({}));
    expect(api.store.get(gwType, 'default', 'gw2')!.status).not.toHaveProperty('attachedListenerSets');
    await sink.write(gw({}));
    expect(statusPatches('gw2')).toHaveLength(2);
  });

  it('skips a deleted object and refuses to write without the lease', async () => {
    await expect(sink.write(routeStatus([cond('Accepted', 'True', 'Accepted')], 'r2'))).resolves.toBeUndefined();
    api.seed(httpRoute('default', 'r2', 'gw'));
    const fenced = new KubernetesStatusSink({ rest, controllerName: OURS, canWrite: () => false });
    await expect(fenced.write(routeStatus([cond('Accepted', 'True', 'Accepted')], 'r2'))).rejects.toBeInstanceOf(
      NotLeaderError,
    );
    expect(statusPatches('r2')).toHaveLength(0);
  });
});
