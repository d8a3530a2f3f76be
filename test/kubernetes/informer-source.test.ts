// The Kubernetes SnapshotSource against the API server double: initial sync, then convergence with nothing
// lost across a reset watch, a compacted history (410 Gone → re-list), an API server restart, and bookmarks.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/server.js';
import { kubeConfigFor } from '../support/fake-apiserver/kubeconfig.js';
import { KubernetesSource } from '../../src/kubernetes/informer-source.js';
import { KubeRest } from '../../src/kubernetes/rest.js';
import type { ResourceEvent } from '../../src/core/ports.js';
import type { Snapshot } from '../../src/core/types.js';
import { waitFor, gatewayClass, gateway, httpRoute, service, endpointSlice } from './support.js';
import { TLS_KEYPAIR_ANNOTATION } from '../../src/core/tls-keypair.js';

interface Harness {
  api: FakeApiServer;
  source: KubernetesSource;
  rest: KubeRest;
  events: ResourceEvent[];
  errors: Error[];
  synced: () => boolean;
}

let h: Harness;

async function startHarness(crdFiles?: string[], watchTimeoutSeconds?: number): Promise<Harness> {
  const api = await startFakeApiServer({ crdFiles });
  const kc = kubeConfigFor(api.url);
  const rest = await KubeRest.fromKubeConfig(kc);
  const source = new KubernetesSource({
    kubeConfig: kc,
    rest,
    backoff: { initialMs: 50, maxMs: 400, watchTimeoutSeconds },
    rediscoverMs: 100,
    paramsConfigMap: params,
  });
  const events: ResourceEvent[] = [];
  const errors: Error[] = [];
  let synced = false;
  await source.start({
    onEvent: (e) => events.push(e),
    onSynced: () => {
      synced = true;
    },
    onError: (e) => errors.push(e),
  });
  return { api, source, rest, events, errors, synced: () => synced };
}

afterEach(async () => {
  await h?.source.stop();
  await h?.rest.close();
  await h?.api.stop();
});

/** name lists per snapshot kind, for comparing the source's view with the store's. */
function names(s: Snapshot): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(s).map(([k, list]) => [
      k,
      (list as { metadata: { namespace?: string; name: string; resourceVersion?: string } }[])
        .map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}@${o.metadata.resourceVersion}`)
        .sort(),
    ]),
  );
}

function storeView(api: FakeApiServer): Record<string, string[]> {
  const kinds: [keyof Snapshot, string, string][] = [
    ['gatewayClasses', 'gateway.networking.k8s.io', 'GatewayClass'],
    ['gateways', 'gateway.networking.k8s.io', 'Gateway'],
    ['httpRoutes', 'gateway.networking.k8s.io', 'HTTPRoute'],
    ['grpcRoutes', 'gateway.networking.k8s.io', 'GRPCRoute'],
    ['referenceGrants', 'gateway.networking.k8s.io', 'ReferenceGrant'],
    ['namespaces', '', 'Namespace'],
    ['services', '', 'Service'],
    ['endpointSlices', 'discovery.k8s.io', 'EndpointSlice'],
    ['secrets', '', 'Secret'],
    ['configMaps', '', 'ConfigMap'],
    ['backendTLSPolicies', 'gateway.networking.k8s.io', 'BackendTLSPolicy'],
    ['listenerSets', 'gateway.networking.k8s.io', 'ListenerSet'],
  ];
  return Object.fromEntries(
    kinds.map(([key, group, kind]) => [
      key,
      api.store
        .list(api.type(group, kind))
        .filter((o) => kind !== 'Secret' || o.type === 'kubernetes.io/tls')
        .map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}@${o.metadata.resourceVersion}`)
        .sort(),
    ]),
  );
}

/** The ConfigMap the harness keeps whole, when a test names one (as `controller --params-configmap` does). */
let params: { namespace: string; name: string } | undefined;

async function converged(): Promise<void> {
  await waitFor(
    () => JSON.stringify(names(h.source.snapshot())) === JSON.stringify(storeView(h.api)),
    'the source to match the store',
  );
}

function seedWorld(api: FakeApiServer): void {
  api.seed(gatewayClass('cf'));
  api.seed(gateway('default', 'gw', 'cf'));
  api.seed(httpRoute('default', 'r1', 'gw'));
  api.seed({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'ListenerSet',
    metadata: { namespace: 'default', name: 'ls' },
    spec: { parentRef: { name: 'gw' }, listeners: [{ name: 'extra', port: 8080, protocol: 'HTTP' }] },
  });
  api.seed(service('default', 'web'));
  api.seed(endpointSlice('default', 'web', [{ ip: '10.0.0.1', ready: true }], 8080));
  api.seed({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace: 'default', name: 'cert' },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': 'Y3J0', 'tls.key': 'a2V5' },
  });
  api.seed({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace: 'default', name: 'token' },
    type: 'Opaque',
    data: { token: 'c2VjcmV0' },
  });
}

describe('KubernetesSource', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it('lists every kind before onSynced, and keeps only TLS Secrets, without their values', async () => {
    await h.source.stop();
    seedWorld(h.api);
    const events: ResourceEvent[] = [];
    let eventsAtSync = -1;
    const source = new KubernetesSource({
      kubeConfig: kubeConfigFor(h.api.url),
      rest: h.rest,
      backoff: { initialMs: 50, maxMs: 400 },
    });
    h.source = source;
    await source.start({
      onEvent: (e) => events.push(e),
      onSynced: () => {
        eventsAtSync = events.length;
      },
      onError: () => {},
    });
    await waitFor(() => eventsAtSync >= 0, 'onSynced');
    // 3 namespaces + class + gateway + route + listener set + service + slice + TLS secret, all before onSynced.
    expect(eventsAtSync).toBe(10);
    const snap = source.snapshot();
    expect(snap.secrets.map((s) => s.metadata.name)).toEqual(['cert']);
    expect(snap.secrets[0]!.data).toEqual({ 'tls.crt': '', 'tls.key': '' });
    // Whether the values were a usable key pair is checked before they are dropped (here they are not PEM).
    expect(snap.secrets[0]!.metadata.annotations).toEqual({
      [TLS_KEYPAIR_ANNOTATION]: 'tls.crt is not a PEM certificate',
    });
    expect(snap.httpRoutes[0]).toMatchObject({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' });
    // The server defaulted the ListenerSet's parentRef group and kind.
    expect(snap.listenerSets[0]!.spec.parentRef).toEqual({
      group: 'gateway.networking.k8s.io',
      kind: 'Gateway',
      name: 'gw',
    });
    // The server defaulted the route (as a real one does) and the source sees the defaults.
    expect(snap.httpRoutes[0]!.spec.rules[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/' } }]);
    const watches = h.api.requests.filter((r) => r.query.get('watch') === 'true');
    expect(watches.length).toBeGreaterThanOrEqual(9);
    expect(watches.every((r) => r.query.get('allowWatchBookmarks') === 'true')).toBe(true);
    expect(
      h.api.requests.find((r) => r.path === '/api/v1/secrets' && !r.query.has('watch'))?.query.get('fieldSelector'),
    ).toBe('type=kubernetes.io/tls');
  });

  it('converges after watch connections are reset, losing no change made meanwhile', async () => {
    await waitFor(h.synced, 'sync');
    seedWorld(h.api);
    await converged();
    // Watches fail to reconnect for a while; the world changes meanwhile.
    h.api.fail({
      match: (r) => r.query.get('watch') === 'true' && r.path.endsWith('/httproutes'),
      code: 500,
      times: 6,
    });
    h.api.dropWatches();
    h.api.seed(httpRoute('default', 'r2', 'gw'));
    const route = h.api.store.get(h.api.type('gateway.networking.k8s.io', 'HTTPRoute'), 'default', 'r1')!;
    h.api.store.update(h.api.type('gateway.networking.k8s.io', 'HTTPRoute'), 'default', 'r1', {
      ...route,
      spec: { ...route.spec, hostnames: ['a.example.com'] },
    });
    h.api.store.delete(h.api.type('', 'Service'), 'default', 'web');
    await converged();
    expect(h.source.snapshot().httpRoutes.find((r) => r.metadata.name === 'r1')!.spec.hostnames).toEqual([
      'a.example.com',
    ]);
    expect(h.events.filter((e) => e.type === 'delete').map((e) => `${e.kind}/${e.object.metadata.name}`)).toEqual([
      'Service/web',
    ]);
    // Failing restarts were retried with backoff and reported (once per 5 in a row), then recovered.
    expect(h.errors.filter((e) => /HTTPRoute watch failed 5 times/.test(e.message))).toHaveLength(1);
    expect(h.source.stats().HTTPRoute!.failures).toBe(0);
  });

  it('keeps a ConfigMap as its ca.crt alone, and a change to anything else in it is no event', async () => {
    await waitFor(h.synced, 'sync');
    const cmType = h.api.type('', 'ConfigMap');
    const configMap = (name: string, data: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { namespace: 'default', name, labels: { team: 'a' }, annotations: { note: 'big' } },
      data,
    });
    const upserts = (name: string) =>
      h.events.filter((e) => e.kind === 'ConfigMap' && e.type === 'upsert' && e.object.metadata.name === name);
    const kept = (name: string) => h.source.snapshot().configMaps.find((c) => c.metadata.name === name);
    h.api.seed(configMap('ca', { 'ca.crt': 'PEM-1', 'app.properties': 'x=1' }));
    await waitFor(() => kept('ca') !== undefined, 'the ConfigMap');
    expect(kept('ca')).toMatchObject({ data: { 'ca.crt': 'PEM-1' }, metadata: { name: 'ca', namespace: 'default' } });
    expect(kept('ca')!.metadata.labels).toBeUndefined();
    expect(kept('ca')!.metadata.annotations).toBeUndefined();
    // Another key changes, then a marker arrives on the same watch: nothing came for "ca" in between.
    h.api.store.update(cmType, 'default', 'ca', configMap('ca', { 'ca.crt': 'PEM-1', 'app.properties': 'x=2' }));
    h.api.seed(configMap('marker', {}));
    await waitFor(() => kept('marker') !== undefined, 'the marker');
    expect(upserts('ca')).toHaveLength(1);
    expect(kept('marker')!.data).toEqual({});
    h.api.store.update(cmType, 'default', 'ca', configMap('ca', { 'ca.crt': 'PEM-2' }));
    await waitFor(() => upserts('ca').length === 2, 'the new CA');
    expect(kept('ca')!.data).toEqual({ 'ca.crt': 'PEM-2' });
  });

  it('re-lists after 410 Gone and delivers the difference as events', async () => {
    await waitFor(h.synced, 'sync');
    seedWorld(h.api);
    await converged();
    const listsBefore = h.api.requests.filter((r) => !r.query.has('watch') && r.path.endsWith('/httproutes')).length;
    h.api.fail({ match: (r) => r.query.get('watch') === 'true', code: 503, times: 6 });
    h.api.dropWatches();
    h.api.store.delete(h.api.type('gateway.networking.k8s.io', 'HTTPRoute'), 'default', 'r1');
    h.api.seed(httpRoute('default', 'r3', 'gw'));
    h.api.compact(); // the informers' resourceVersion is now too old
    await converged();
    expect(h.api.requests.some((r) => r.query.get('watch') === 'true' && r.path.endsWith('/httproutes'))).toBe(true);
    const listsAfter = h.api.requests.filter((r) => !r.query.has('watch') && r.path.endsWith('/httproutes')).length;
    expect(listsAfter).toBeGreaterThan(listsBefore);
    const routeEvents = h.events
      .filter((e) => e.kind === 'HTTPRoute')
      .map((e) => `${e.type}:${e.object.metadata.name}`);
    expect(routeEvents.slice(-2).sort()).toEqual(['delete:r1', 'upsert:r3']);
  });

  it('re-lists when a watch request itself is answered 410 (HTTP status, not an event)', async () => {
    await waitFor(h.synced, 'sync');
    seedWorld(h.api);
    await converged();
    const lists = () => h.api.requests.filter((r) => !r.query.has('watch') && r.path.endsWith('/services')).length;
    const before = lists();
    h.api.fail({ match: (r) => r.query.get('watch') === 'true' && r.path.endsWith('/services'), code: 410, times: 1 });
    h.api.dropWatches(true);
    h.api.seed(service('default', 'after-410'));
    await converged();
    expect(lists()).toBe(before + 1);
    expect(h.errors).toEqual([]); // a 410 is routine, not a failure
  });

  it('resumes from its resourceVersion after an API server restart', async () => {
    await waitFor(h.synced, 'sync');
    seedWorld(h.api);
    await converged();
    await h.api.stop();
    h.api.seed(httpRoute('default', 'during-outage', 'gw'));
    await h.api.restart(300);
    await converged();
    expect(
      h.source
        .snapshot()
        .httpRoutes.map((r) => r.metadata.name)
        .sort(),
    ).toEqual(['during-outage', 'r1']);
  });

  it('uses bookmarks to resume without a re-list even after compaction', async () => {
    await waitFor(h.synced, 'sync');
    seedWorld(h.api); // moves the revision past every informer's list, through other kinds
    await converged();
    h.api.bookmark();
    const lists = () =>
      h.api.requests.filter((r) => !r.query.has('watch') && r.path.endsWith('/gatewayclasses')).length;
    const before = lists();
    const current = String(h.api.store.rv);
    await waitFor(() => h.source.stats().GatewayClass!.resourceVersion === current, 'the bookmark to arrive');
    h.api.compact();
    await waitFor(
      () =>
        h.api.requests.filter((r) => r.query.get('watch') === 'true' && r.path.endsWith('/gatewayclasses')).length >= 2,
      'gatewayclass watch to resume',
    );
    h.api.seed(gatewayClass('after'));
    await converged();
    expect(lists()).toBe(before);
  });
});

describe('KubernetesSource with server-side watch timeouts and a slow API server', () => {
  it('resumes each server-ended watch without re-listing, also when every answer is slow', async () => {
    h = await startHarness(undefined, 1);
    h.api.latencyMs = 150;
    await waitFor(h.synced, 'sync');
    const watches = h.api.requests.filter((r) => r.query.get('watch') === 'true');
    expect(watches.every((r) => r.query.get('timeoutSeconds') === '1')).toBe(true);
    const lists = () => h.api.requests.filter((r) => !r.query.has('watch') && r.path.endsWith('/httproutes')).length;
    const routeWatches = () =>
      h.api.requests.filter((r) => r.query.get('watch') === 'true' && r.path.endsWith('/httproutes')).length;
    const listsBefore = lists();
    await waitFor(() => routeWatches() >= 3, 'watches to end and resume', 10_000);
    seedWorld(h.api);
    await converged();
    expect(lists()).toBe(listsBefore);
    expect(h.errors).toEqual([]);
  });
});

describe('KubernetesSource without optional CRDs', () => {
  it('reports a missing GRPCRoute CRD once, still syncs, and picks the CRD up once installed', async () => {
    h = await startHarness([
      'gateway.networking.k8s.io_gatewayclasses.yaml',
      'gateway.networking.k8s.io_gateways.yaml',
      'gateway.networking.k8s.io_httproutes.yaml',
      'gateway.networking.k8s.io_referencegrants.yaml',
      'gateway.networking.k8s.io_backendtlspolicies.yaml',
      'gateway.networking.k8s.io_listenersets.yaml',
    ]);
    await waitFor(h.synced, 'sync');
    expect(h.source.missingKinds()).toEqual(['GRPCRoute']);
    // Several rediscovery rounds (100 ms) pass: still one report.
    const discoveries = () => h.api.requests.filter((r) => r.path === '/apis/gateway.networking.k8s.io/v1').length;
    const first = discoveries();
    await waitFor(() => discoveries() >= first + 3, 'rediscovery');
    expect(h.errors.filter((e) => e.message.includes('GRPCRoute'))).toHaveLength(1);
    expect(h.source.snapshot().grpcRoutes).toEqual([]);
    h.api.installCrds(['gateway.networking.k8s.io_grpcroutes.yaml']);
    h.api.seed({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GRPCRoute',
      metadata: { namespace: 'default', name: 'g1' },
      spec: {},
    });
    await waitFor(() => h.source.snapshot().grpcRoutes.length === 1, 'the GRPCRoute to appear');
    expect(h.source.missingKinds()).toEqual([]);
  });
});

describe('KubernetesSource with the GatewayClass parameters ConfigMap', () => {
  const configMap = (namespace: string, name: string, accessLog: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { namespace, name },
    data: { accessLog },
  });

  afterEach(() => {
    params = undefined;
  });

  it('keeps that ConfigMap whole, every other one reduced to its ca.crt, and follows its changes', async () => {
    params = { namespace: 'gateway-system', name: 'params' };
    h = await startHarness();
    await waitFor(h.synced, 'sync');
    h.api.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gateway-system' } });
    h.api.seed(configMap('gateway-system', 'params', 'false'));
    h.api.seed(configMap('gateway-system', 'other', 'true'));
    h.api.seed(configMap('default', 'params', 'true'));
    await converged();
    const accessLogOf = (ns: string, name: string) =>
      (
        h.source.snapshot().configMaps.find((c) => c.metadata.namespace === ns && c.metadata.name === name)?.data as
          { accessLog?: string } | undefined
      )?.accessLog;
    expect(accessLogOf('gateway-system', 'params')).toBe('false');
    expect(accessLogOf('gateway-system', 'other')).toBeUndefined();
    expect(accessLogOf('default', 'params')).toBeUndefined();
    const type = h.api.type('', 'ConfigMap');
    const current = h.api.store.get(type, 'gateway-system', 'params')!;
    h.api.store.update(type, 'gateway-system', 'params', { ...current, data: { accessLog: 'true' } });
    await waitFor(() => accessLogOf('gateway-system', 'params') === 'true', 'the ConfigMap change to arrive');
  });
});
