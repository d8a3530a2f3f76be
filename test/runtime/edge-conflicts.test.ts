// The control plane with the real translator and an edge that reports a hostname as taken: the route that
// publishes it carries DNSReady=False/HostnameTaken on its parent entry (its neighbour and the Gateway are
// untouched), the edge reconciles again every edgeResyncMs while in sync (simulated clock), and once the
// hostname is free the condition is removed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SimulatedClock } from 'xstate';
import { createControlPlane, type ControlPlane } from '../../src/runtime/control-plane.js';
import { translate } from '../../src/translate/index.js';
import { parseManifests, toSnapshot } from '../../src/sources/manifests.js';
import { parseProxyConfig } from '../../proxy/config/schema.js';
import { DEFAULT_CONTROLLER_NAME, type Condition, type K8sObject } from '../../src/core/types.js';
import type { EdgeAdapter, EdgeResult, SnapshotSource } from '../../src/core/ports.js';
import { eventually, HttpReplica, RecordingSink } from './doubles.js';

const route = (name: string, host: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: app, generation: 1}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  hostnames: [${host}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
`;
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
  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]
---${route('web', 'app.example.com')}---${route('other', 'free.example.com')}`;

const RESYNC_MS = 60_000;
const DNS_READY = 'cloudflare-tunnel-gateway.dev/DNSReady';

/** An edge on which some hostnames are held by records we do not own. */
class TakenEdge implements EdgeAdapter {
  readonly taken = new Set(['app.example.com']);
  readonly calls: number[] = [];
  constructor(private readonly clock: SimulatedClock) {}
  async reconcile(desired: Parameters<EdgeAdapter['reconcile']>[0]): Promise<EdgeResult> {
    this.calls.push(this.clock.now());
    const held = desired.dns.filter((d) => this.taken.has(d.name));
    if (held.length === 0) return { ok: true, writes: desired.dns.length };
    const hostnameConflicts = held.map((d) => ({
      hostname: d.name,
      reason: 'HostnameTaken' as const,
      message: 'has A record(s) not managed by this controller; left untouched',
    }));
    return {
      ok: true,
      writes: desired.dns.length - held.length,
      conflicts: hostnameConflicts.map((c) => `hostname taken: ${c.hostname}`),
      hostnameConflicts,
    };
  }
}

const objects: K8sObject[] = parseManifests(MANIFESTS, 'inline.yaml');
const source: SnapshotSource = {
  start: async (handlers) => queueMicrotask(() => handlers.onSynced()),
  stop: async () => {},
  snapshot: () => toSnapshot(objects).snapshot,
};
const clock = new SimulatedClock();
const edge = new TakenEdge(clock);
const replica = new HttpReplica((body) => parseProxyConfig(body));
const sink = new RecordingSink();
const options = {
  controllerName: DEFAULT_CONTROLLER_NAME,
  tunnelId: 'tunnel-1',
  proxyHttpPort: 8080,
  proxyTlsPort: 8443,
};
let cp: ControlPlane;

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
};
/** Lets simulated time pass in small steps until `check` holds. */
async function until(check: () => boolean, maxMs = 5_000): Promise<void> {
  for (let t = 0; !check(); t += 10) {
    if (t > maxMs) throw new Error('condition not reached in simulated time');
    await settle();
    if (!check()) clock.increment(10);
  }
}
const parentConditions = (name: string) =>
  ((sink.last('HTTPRoute', name)?.status.parents ?? []) as Array<{ conditions: Condition[] }>)[0]?.conditions ?? [];
const find = (conditions: Condition[], type: string) => conditions.find((c) => c.type === type);

beforeAll(async () => {
  await replica.listen();
  cp = createControlPlane({
    source,
    translate: (snapshot) => translate(snapshot, { ...options, now: '2026-01-01T00:00:00Z' }),
    statusSink: sink,
    edge,
    clock,
    timing: { holdoffMs: 20, maxHoldoffMs: 200, edgeResyncMs: RESYNC_MS, probeIntervalMs: 3_600_000 },
  });
  cp.setReplicas([{ id: 'local', ready: true, client: replica.client() }]);
  await cp.start();
});

afterAll(async () => {
  await cp?.stop();
  await replica.close();
});

describe('hostname conflicts on the edge', () => {
  it('marks the route whose hostname is taken, and only that route; the Gateway stays Programmed', async () => {
    await until(
      () =>
        find(parentConditions('web'), DNS_READY) !== undefined &&
        find((sink.last('Gateway', 'gw')?.status.conditions as Condition[]) ?? [], 'Programmed')?.status === 'True',
    );
    const dns = find(parentConditions('web'), DNS_READY)!;
    expect(dns).toMatchObject({ status: 'False', reason: 'HostnameTaken', observedGeneration: 1 });
    expect(dns.message).toContain('app.example.com');
    expect(dns.message).toContain('A record');
    expect(dns.lastTransitionTime).not.toBe('');
    // The translator's conditions are kept as they were.
    const verdict = translate(source.snapshot(), { ...options, now: '2026-01-01T00:00:00Z' }).statuses.find(
      (s) => s.name === 'web',
    )!;
    const translated = (verdict.status.parents as Array<{ conditions: Condition[] }>)[0]!.conditions;
    expect(parentConditions('web').filter((c) => c.type !== DNS_READY)).toEqual(translated);
    expect(find(parentConditions('other'), DNS_READY)).toBeUndefined();
    expect(edge.calls).toHaveLength(1);
  });

  it('reconciles again after exactly edgeResyncMs in sync, and drops the condition once the hostname is free', async () => {
    const otherWrites = sink.writes.filter((w) => w.name === 'other').length;
    const gatewayWrites = sink.writes.filter((w) => w.kind === 'Gateway').length;
    edge.taken.clear();
    clock.increment(edge.calls[0]! + RESYNC_MS - 1 - clock.now());
    await settle();
    expect(edge.calls).toHaveLength(1);
    clock.increment(1);
    await eventually(() => edge.calls.length === 2);
    expect(edge.calls[1]! - edge.calls[0]!).toBe(RESYNC_MS);
    await eventually(() => find(parentConditions('web'), DNS_READY) === undefined);
    expect(find(parentConditions('web'), 'Accepted')?.status).toBe('True');
    // Statuses that did not change are not rewritten.
    expect(sink.writes.filter((w) => w.name === 'other')).toHaveLength(otherWrites);
    expect(sink.writes.filter((w) => w.kind === 'Gateway')).toHaveLength(gatewayWrites);
  });

  it('keeps resyncing while in sync', async () => {
    clock.increment(RESYNC_MS);
    await eventually(() => edge.calls.length === 3);
    expect(edge.calls[2]! - edge.calls[1]!).toBe(RESYNC_MS);
  });
});
