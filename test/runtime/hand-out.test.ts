// The coordinator hands resource events out in chunks, each in a macrotask of its own (real clock): a
// process that embeds the proxy answers requests between the config push and the last verdict. The
// chunks keep the order: every route ends programmed, each object's status is written once per change,
// and the config is pushed once per version.
//
// The replica below answers a probe (GET /config) with what it runs, as a proxy does. (It used to answer
// "nothing", i.e. a proxy that restarted before every probe: each `probeInterval` of wall-clock time, 1 s,
// the replica actor replayed the config, so the push count depended on how slowly the machine ran.)
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createControlPlane, type ControlPlane } from '../../src/runtime/control-plane.js';
import type { ReplicaClient } from '../../src/core/ports.js';
import { EditableSource, fakeTranslate, RecordingSink } from './doubles.js';

const ROUTES = 700; // a verdict each, plus the Gateway's: several chunks
const name = (i: number) => `r-${String(i).padStart(4, '0')}`;

const source = new EditableSource();
const sink = new RecordingSink();
/** Per push: how many route statuses had been written when a macrotask queued at the push ran. */
const writtenAtNextMacrotask: Array<Promise<number>> = [];
/** Every config the replica acknowledged, in order; the last one is what it runs. */
const pushes: Array<{ version: string; generation: number }> = [];
let cp: ControlPlane;

const routeWrites = () => sink.writes.filter((w) => w.kind === 'HTTPRoute').length;

const replica: ReplicaClient = {
  async push(config) {
    writtenAtNextMacrotask.push(new Promise((resolve) => setImmediate(() => resolve(routeWrites()))));
    pushes.push({ version: config.version, generation: config.generation });
    return pushes.at(-1)!;
  },
  async current() {
    return pushes.at(-1) ?? null;
  },
};

beforeAll(async () => {
  for (let i = 0; i < ROUTES; i++) source.setRoute(name(i), { hostname: `h${i}.example.com` });
  cp = createControlPlane({
    source,
    translate: fakeTranslate,
    statusSink: sink,
    timing: { holdoffMs: 5, maxHoldoffMs: 50 },
  });
  cp.setReplicas([{ id: 'local', ready: true, client: replica }]);
  await cp.start();
  await cp.whenIdle();
}, 60_000);

let stopped = false;
afterAll(async () => {
  if (!stopped) await cp.stop();
});

/** The config version the translator makes of what the source holds now. */
const wantedVersion = () => fakeTranslate(source.snapshot()).proxyConfig.version;

const routeStates = () =>
  cp
    .inspect()
    .filter((a) => a.machine === 'route')
    .map((a) => a.state);
const routeState = (route: string) =>
  cp.inspect().find((a) => a.machine === 'route' && a.name.endsWith(`/${route}`))?.state;

describe('chunked hand-out', () => {
  it('pushes the config first and answers a macrotask before the verdicts are all out', async () => {
    expect(pushes.map((p) => p.version)).toEqual([wantedVersion()]);
    // The first sync spawns every route actor; a macrotask right after the push ran before all of them had a verdict.
    expect(await writtenAtNextMacrotask[0]).toBeLessThan(ROUTES);
    expect(routeWrites()).toBe(ROUTES);
    expect(new Set(sink.writes.map((w) => `${w.kind}/${w.name}`)).size).toBe(ROUTES + 1);
    expect(routeStates()).toEqual(Array(ROUTES).fill('accepted.programmed'));
  });

  it('keeps verdicts before the health that covers them, change after change', async () => {
    for (let k = 0; k < 5; k++) {
      const before = sink.writes.length;
      const changed = name((k * 131) % ROUTES);
      source.setRoute(changed, { hostname: `h${k}.changed.example.com`, backend: k % 2 ? 'missing' : undefined });
      await cp.whenIdle();
      const writes = sink.writes.slice(before);
      // Only the changed route's status changed (a new observedGeneration): exactly one write, for it.
      expect(writes.map((w) => w.name)).toEqual([changed]);
      // A route whose backend is missing is served, and its state says what its ResolvedRefs=False says.
      expect(new Set(routeStates())).toEqual(
        new Set(['accepted.programmed', ...(k > 0 ? ['accepted.degraded.unresolvedRefs'] : [])]),
      );
      expect(routeState(changed)).toBe(k % 2 ? 'accepted.degraded.unresolvedRefs' : 'accepted.programmed');
      // One settled change, one new config version: pushed once, with the next generation.
      expect(pushes).toHaveLength(k + 2);
      expect(pushes.at(-1)).toEqual({ version: wantedVersion(), generation: pushes[0]!.generation + k + 1 });
    }
    expect(new Set(pushes.map((p) => p.version)).size).toBe(pushes.length);
  }, 60_000);

  it('stops every actor on stop(), resource actors included, without writing anything more', async () => {
    const writes = sink.writes.length;
    expect(cp.inspect().length).toBeGreaterThan(ROUTES);
    await cp.stop();
    stopped = true;
    expect(cp.inspect()).toEqual([]);
    expect(sink.writes.length).toBe(writes);
  }, 30_000);
});
