// The assembled control plane with a fake source, a readable fake translate, a proxy replica that speaks
// real HTTP, a recording status sink and edge: leading-edge sync, bursts, a change mid-sync, restart
// replay, statuses written only on change, degraded without a ready replica, and /debug/actors.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createControlPlane, type ActorInfo, type ControlPlane } from '../../src/runtime/control-plane.js';
import { debugActorsHandler } from '../../src/debug/handler.js';
import type { Condition, Snapshot } from '../../src/core/types.js';
import { EditableSource, eventually, fakeTranslate, HttpReplica, RecordingEdge, RecordingSink } from './doubles.js';

const source = new EditableSource();
const replica = new HttpReplica();
const sink = new RecordingSink();
const edge = new RecordingEdge();
let translations = 0;
let duringTranslate: (() => void) | undefined;
let cp: ControlPlane;
let debugServer: Server;

function translate(snapshot: Snapshot) {
  translations++;
  const hook = duringTranslate;
  duringTranslate = undefined;
  hook?.(); // a change that arrives while the sync runs
  return fakeTranslate(snapshot);
}
const expectedVersion = () => fakeTranslate(source.snapshot()).proxyConfig.version;
const programmed = (kind: string, name: string) =>
  (sink.last(kind, name)?.status.conditions as Condition[] | undefined)?.find((c) => c.type === 'Programmed');
const endpoint = (ready: boolean) => ({ id: 'r1', ready, client: replica.client() });

beforeAll(async () => {
  await replica.listen();
  source.setRoute('a', { hostname: 'a.example.com' });
  source.setRoute('b', { hostname: 'b.example.com' });
  cp = createControlPlane({
    source,
    translate,
    statusSink: sink,
    edge,
    timing: { holdoffMs: 20, maxHoldoffMs: 300, probeIntervalMs: 100, retryBaseMs: 20, retryMaxMs: 200 },
  });
  cp.setReplicas([endpoint(true)]);
  await cp.start();
  await cp.whenIdle();
});

afterAll(async () => {
  await cp?.stop();
  await replica.close();
  await new Promise<void>((resolve) => (debugServer ? debugServer.close(() => resolve()) : resolve()));
});

describe('control plane', () => {
  it('syncs once the source has synced: config pushed, edge written, Gateway Programmed after the ack', async () => {
    await eventually(() => programmed('Gateway', 'gw')?.status === 'True');
    expect(replica.running?.version).toBe(expectedVersion());
    expect(edge.reconciles).toEqual([['a.example.com', 'b.example.com', 'http_status:404']]);
    expect(sink.last('HTTPRoute', 'a')).toBeDefined();
    // Times are stamped at the edge: no condition is written without one.
    for (const w of sink.writes) expect(JSON.stringify(w)).not.toContain('"lastTransitionTime":""');
    expect(cp.stats()).toMatchObject({ syncs: 1, lastSync: { reason: 'initial', pushed: true } });
  });

  // How fast (tens of milliseconds) is a speed goal, measured by `npm run bench` (control-plane: change → served).
  it('serves a single change on the leading edge', async () => {
    const syncs = cp.stats().syncs;
    source.setRoute('c', { hostname: 'c.example.com' });
    await eventually(() => replica.running?.version === expectedVersion());
    // One sync, started by the change itself from idle ('change'), not by the holdoff window closing ('coalesced').
    expect(cp.stats().syncs).toBe(syncs + 1);
    expect(cp.stats().lastSync).toMatchObject({ reason: 'change', changes: 1, pushed: true });
    await cp.whenIdle();
  });

  it('coalesces a burst of 200 changes into at most 3 syncs, ending on the last state', async () => {
    const before = cp.stats().syncs;
    for (let i = 0; i < 200; i++) source.setRoute('burst', { hostname: `h${i}.example.com` });
    await cp.whenIdle();
    expect(cp.stats().syncs - before).toBeLessThanOrEqual(3);
    expect(cp.stats().syncs - before).toBeGreaterThanOrEqual(1);
    expect(replica.running?.version).toBe(expectedVersion());
    const parents = sink.last('HTTPRoute', 'burst')!.status.parents as Array<{ conditions: Condition[] }>;
    expect(parents[0]!.conditions[0]!.observedGeneration).toBe(200);
  });

  it('runs exactly one more sync for a change that arrives during a sync', async () => {
    const before = cp.stats().syncs;
    duringTranslate = () => source.setRoute('d', { hostname: 'd.example.com' });
    source.setRoute('a', { hostname: 'a.example.com', backend: 'v2' });
    await cp.whenIdle();
    expect(cp.stats().syncs - before).toBe(2);
    expect(replica.running?.version).toBe(expectedVersion());
    expect(sink.last('HTTPRoute', 'd')).toBeDefined();
  });

  it('replays the config to a replica that restarted', async () => {
    const version = replica.running!.version;
    const pushes = replica.pushes.length;
    replica.restart();
    await eventually(() => replica.running?.version === version);
    expect(replica.pushes.length).toBe(pushes + 1);
    expect(cp.stats().syncs).toBeGreaterThan(0);
  });

  it('writes a status only when it changes', async () => {
    await cp.whenIdle();
    const writes = sink.writes.length;
    const pushes = replica.pushes.length;
    const syncs = cp.stats().syncs;
    source.setRoute('b', { hostname: 'b.example.com' }); // same spec, new generation: only b's status changes
    await cp.whenIdle();
    expect(cp.stats().syncs).toBe(syncs + 1);
    expect(sink.writes.slice(writes).map((w) => `${w.kind}/${w.name}`)).toEqual(['HTTPRoute/b']);
    const conditions = (sink.last('HTTPRoute', 'b')!.status.parents as Array<{ conditions: Condition[] }>)[0]!
      .conditions;
    expect(conditions.map((c) => c.observedGeneration)).toEqual([2, 2]);
    // Same spec, same proxy config version: nothing is pushed.
    expect(replica.pushes.length).toBe(pushes);

    source.setRoute('b', { hostname: 'b.example.com', backend: 'missing' });
    await cp.whenIdle();
    const resolved = (sink.last('HTTPRoute', 'b')!.status.parents as Array<{ conditions: Condition[] }>)[0]!
      .conditions[1]!;
    expect(resolved).toMatchObject({ type: 'ResolvedRefs', status: 'False', reason: 'BackendNotFound' });
    expect(sink.writes.slice(writes).map((w) => `${w.kind}/${w.name}`)).toEqual(['HTTPRoute/b', 'HTTPRoute/b']);
    expect(replica.pushes.length).toBe(pushes + 1);
  });

  it('marks the Gateway degraded while no replica is ready, and programmed again after', async () => {
    cp.setReplicas([endpoint(false)]);
    await eventually(() => programmed('Gateway', 'gw')?.status === 'False');
    expect(programmed('Gateway', 'gw')).toMatchObject({ reason: 'NoResources', message: 'No ready proxy replica' });
    cp.setReplicas([endpoint(true)]);
    await eventually(() => programmed('Gateway', 'gw')?.status === 'True');
    await cp.whenIdle();
  });

  it('serves the actors as JSON on GET /debug/actors', async () => {
    debugServer = createServer(debugActorsHandler(cp));
    await new Promise<void>((resolve) => debugServer.listen(0, '127.0.0.1', resolve));
    const res = await fetch(`http://127.0.0.1:${(debugServer.address() as AddressInfo).port}/debug/actors`);
    expect(res.status).toBe(200);
    const { actors } = (await res.json()) as { actors: ActorInfo[] };
    const byId = new Map(actors.map((a) => [a.id, a]));
    expect(byId.get('coordinator')).toMatchObject({ machine: 'coordinator', state: 'idle' });
    const gateway = actors.find((a) => a.machine === 'gateway')!;
    expect(gateway).toMatchObject({ kind: 'Gateway', name: 'ns/gw', state: 'accepted.programmed' });
    expect(gateway.conditions).toContainEqual(
      expect.objectContaining({ type: 'Programmed', status: 'True', scope: '' }),
    );
    expect(gateway.transitions.map((t) => t.to)).toEqual(
      expect.arrayContaining(['accepted.programming', 'accepted.degraded.dataPlaneNotReady', 'accepted.programmed']),
    );
    for (const t of gateway.transitions) expect(Object.keys(t).sort()).toEqual(['at', 'event', 'from', 'to']);
    const replicaActor = actors.find((a) => a.machine === 'replica')!;
    expect(replicaActor).toMatchObject({ name: 'r1', state: 'inSync', context: { ready: true } });
    expect(
      actors
        .filter((a) => a.machine === 'route')
        .map((a) => a.name)
        .sort(),
    ).toEqual(['ns/a', 'ns/b', 'ns/burst', 'ns/c', 'ns/d']);
    expect(byId.get('coordinator')!.syncs!.length).toBe(cp.stats().syncs);
    // Its resource actors, counted: every actor of a resource machine above.
    const resourceActors = actors.filter((a) => ['gatewayClass', 'gateway', 'route', 'policy'].includes(a.machine));
    expect(byId.get('coordinator')!.context).toMatchObject({ resources: resourceActors.length });
    expect(translations).toBe(cp.stats().syncs);
  });
});
