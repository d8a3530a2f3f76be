// The rehearsal after the first sync (src/runtime/rehearsal.ts): the translator runs once more on variants
// of the user's own snapshot so the first real change does not run cold code. What must hold: the variants
// are the two kinds of change and then the snapshot itself; nothing of a rehearsal reaches a push or a
// status; a real sync stops it and never waits for it; and translations after it are exactly what a
// translator that never saw the rehearsal gives (its memory only makes it faster).
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONTROLLER_NAME } from '../../src/core/types.js';
import { runStandalone } from '../../src/runtime/standalone.js';
import { capturingLogger } from '../support/capture-log.js';
import { gatewayYaml, routeYaml, serviceYaml } from '../support/manifests.js';
import { freePort } from '../support/ports.js';
import { createControlPlane, type ControlPlane } from '../../src/runtime/control-plane.js';
import { Rehearsal, REHEARSAL_MIN_ROUTES, rehearsalSnapshots } from '../../src/runtime/rehearsal.js';
import type { DesiredState, K8sObject, ResourceStatus, Snapshot } from '../../src/core/types.js';
import { parseManifests, toSnapshot } from '../../src/sources/manifests.js';
import { translate, translateSteps } from '../../src/translate/index.js';
import { baseManifests, hostLayout, routeManifest } from '../bench/lib/manifests.js';
import { unrecognisable } from '../translate/memo-world.js';
import { AcceptingReplica, EditableSource, eventually, fakeTranslate, RecordingSink } from './doubles.js';

const OPTIONS = {
  controllerName: 'example.com/tunnel',
  now: '2026-01-01T00:00:00Z',
  proxyHttpPort: 8080,
  proxyTlsPort: 8443,
};

/** The bench's world: one Gateway and n routes, each created a second after the one before. */
function world(n: number): Snapshot {
  const snapshot = toSnapshot(parseManifests(baseManifests(9), 'base.yaml')).snapshot;
  snapshot.httpRoutes = Array.from({ length: n }, (_, i) => {
    const obj = parseManifests(routeManifest(`r-${i}`, `/r-${i}`, hostLayout(i)), `r-${i}.yaml`)[0]!;
    obj.metadata.creationTimestamp = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
    obj.metadata.uid = `uid-${i}`;
    return obj;
  });
  return snapshot;
}

describe('rehearsalSnapshots', () => {
  it('is none below the size where a first change is slow', () => {
    expect(rehearsalSnapshots(world(REHEARSAL_MIN_ROUTES - 1))).toEqual([]);
  });

  it('replaces the last route by an equal copy, and adds a copy as the newest route', () => {
    const snapshot = world(REHEARSAL_MIN_ROUTES);
    const routes = snapshot.httpRoutes;
    const last = routes[routes.length - 1]!;
    const variants = rehearsalSnapshots(snapshot);
    expect(variants).toHaveLength(2);
    const [replaced, added] = variants;
    expect(replaced!.httpRoutes.slice(0, -1)).toEqual(routes.slice(0, -1));
    expect(replaced!.httpRoutes.at(-1)).toEqual(last);
    expect(replaced!.httpRoutes.at(-1)!.spec).not.toBe(last.spec);
    const copy = added!.httpRoutes.at(-1)! as K8sObject;
    expect(added!.httpRoutes.slice(0, -1)).toEqual(routes);
    expect(copy.spec).toEqual(last.spec);
    expect(routes.map((r) => r.metadata.name)).not.toContain(copy.metadata.name);
    expect(copy.metadata.uid).toBeUndefined();
    expect(copy.status).toBeUndefined();
    expect(Date.parse(copy.metadata.creationTimestamp!)).toBeGreaterThan(Date.parse(last.metadata.creationTimestamp!));
    // The variants are new lists: the snapshot the sync translated is left as it was.
    expect(snapshot.httpRoutes).toBe(routes);
    expect(routes).toHaveLength(REHEARSAL_MIN_ROUTES);
  });
});

describe('translations after a rehearsal', () => {
  it('are exactly what a translator that never saw it gives, for a route changed and a route added', async () => {
    const snapshot = world(REHEARSAL_MIN_ROUTES);
    translate(snapshot, OPTIONS);
    const translated: Snapshot[] = [];
    const rehearsal = new Rehearsal(
      () => snapshot,
      (s: Snapshot) => (translated.push(s), translateSteps(s, OPTIONS)),
      () => Promise.resolve(),
    );
    await rehearsal.finished;
    // Each variant, then the snapshot itself: the translator's memory is left on the real one.
    expect(translated.map((s) => s.httpRoutes.length)).toEqual([
      REHEARSAL_MIN_ROUTES,
      REHEARSAL_MIN_ROUTES,
      REHEARSAL_MIN_ROUTES + 1,
      REHEARSAL_MIN_ROUTES,
    ]);
    expect(translated[1]).toBe(snapshot);
    expect(translated[3]).toBe(snapshot);
    const routes = snapshot.httpRoutes;
    const changedPath = parseManifests(routeManifest('r-7', '/r-7-v2', hostLayout(7)), 'r-7.yaml')[0]!;
    changedPath.metadata = { ...routes[7]!.metadata };
    const added = parseManifests(routeManifest('new', '/new', hostLayout(3)), 'new.yaml')[0]!;
    added.metadata.creationTimestamp = '2027-01-01T00:00:00Z';
    const next: Snapshot = { ...snapshot, httpRoutes: [...routes.slice(0, 7), changedPath, ...routes.slice(8), added] };
    expect(JSON.stringify(translate(next, OPTIONS))).toBe(JSON.stringify(translate(unrecognisable(next), OPTIONS)));
  });
});

describe('the rehearsal in the control plane', () => {
  let cp: ControlPlane | undefined;
  afterEach(async () => {
    await cp?.stop();
    cp = undefined;
  });

  /**
   * A control plane on n routes whose translator records what it is given (each translation `stepMs` × 3,000
   * steps long) and whose status sink holds every write until `release` when `held`.
   */
  function start(n: number, { stepMs = 0, held = false } = {}) {
    const source = new EditableSource();
    for (let i = 0; i < n; i++) source.setRoute(`r${i}`, { hostname: `r${i}.example.com` });
    const translated: Snapshot[] = [];
    const translator = function* (snapshot: Snapshot): Generator<void, DesiredState, undefined> {
      translated.push(snapshot);
      for (let i = 0; stepMs > 0 && i < 3_000; i++) {
        const until = performance.now() + stepMs;
        while (performance.now() < until);
        yield;
      }
      return fakeTranslate(snapshot);
    };
    let release!: () => void;
    const gate = held ? new Promise<void>((r) => (release = r)) : Promise.resolve();
    const sink = new RecordingSink();
    const heldSink = { write: async (status: ResourceStatus) => (await gate, sink.write(status)) };
    cp = createControlPlane({ source, translate: translator, statusSink: heldSink, rehearse: true });
    const replica = new AcceptingReplica();
    cp.setReplicas([{ id: 'r1', ready: true, client: replica }]);
    return { source, cp, translated, sink, pushed: replica.pushed, release: () => release() };
  }

  const changed = (s: Snapshot) => s.httpRoutes[0]!.spec.hostname === 'changed.example.com';

  it('translates each variant and the snapshot after it once the system rests, pushing and writing nothing for them', async () => {
    const { cp: plane, translated, sink, pushed } = start(REHEARSAL_MIN_ROUTES);
    await plane.start();
    await eventually(() => translated.length === 5);
    expect(translated.map((s) => s.httpRoutes.length)).toEqual([
      REHEARSAL_MIN_ROUTES,
      REHEARSAL_MIN_ROUTES,
      REHEARSAL_MIN_ROUTES,
      REHEARSAL_MIN_ROUTES + 1,
      REHEARSAL_MIN_ROUTES,
    ]);
    // The snapshot as the source gives it when the system rests, the same object after each variant.
    expect(translated[2]).toEqual(translated[0]);
    expect(translated[4]).toBe(translated[2]);
    await plane.whenIdle();
    await new Promise((r) => setTimeout(r, 100));
    expect(translated).toHaveLength(5);
    // Only the first sync's config was pushed (the replica actor's probe may push it again), and no status
    // was written for the route only the added variant had.
    expect(new Set(pushed)).toEqual(new Set([fakeTranslate(translated[0]!).proxyConfig.version]));
    const names = new Set(translated[0]!.httpRoutes.map((r) => r.metadata.name));
    expect(sink.writes.filter((w) => w.kind === 'HTTPRoute' && !names.has(w.name))).toEqual([]);
    expect(sink.writes.length).toBeGreaterThan(0);
  });

  it('rehearses on the snapshot as it is when the system rests, not as the first sync saw it', async () => {
    const { source, cp: plane, translated, release, pushed } = start(REHEARSAL_MIN_ROUTES, { held: true });
    await plane.start();
    await eventually(() => pushed.length === 1);
    // What a status written back does in standalone: the next snapshot holds a new object, and no sync runs.
    source.setRoute('r0', { hostname: 'written-back.example.com' }, true);
    release();
    await eventually(() => translated.length === 5);
    expect(translated[0]!.httpRoutes[0]!.spec.hostname).toBe('r0.example.com');
    for (const rehearsed of translated.slice(1))
      expect(rehearsed.httpRoutes[0]!.spec.hostname).toBe('written-back.example.com');
  });

  it('rehearses after the first sync it rests after when a real change came first (a controller’s statuses come back as changes), never for a small snapshot', async () => {
    const { source, cp: plane, translated, release, pushed } = start(REHEARSAL_MIN_ROUTES, { held: true });
    await plane.start();
    await eventually(() => pushed.length === 1);
    source.setRoute('r0', { hostname: 'changed.example.com' });
    await eventually(() => translated.length === 2);
    release();
    await eventually(() => translated.length === 6);
    await plane.whenIdle();
    await new Promise((r) => setTimeout(r, 100));
    expect(translated).toHaveLength(6);
    // On the changed snapshot, each variant followed by the snapshot itself.
    for (const rehearsed of translated.slice(2))
      expect(rehearsed.httpRoutes[0]!.spec.hostname).toBe('changed.example.com');
    expect(translated[3]).toEqual(translated[1]);
    expect(translated[5]).toBe(translated[3]);
    await plane.stop();
    const small = start(REHEARSAL_MIN_ROUTES - 1);
    await small.cp.start();
    await small.cp.whenIdle();
    await new Promise((r) => setTimeout(r, 100));
    expect(small.translated).toHaveLength(1);
  });

  it('ends a rehearsal under way at its pair for a real sync: the snapshot itself is translated just before', async () => {
    // ~300 ms a translation, in slices: the change lands while the rehearsal's first variant is translated.
    const { source, cp: plane, translated, pushed } = start(REHEARSAL_MIN_ROUTES, { stepMs: 0.1 });
    await plane.start();
    await eventually(() => translated.length >= 2);
    source.setRoute('r0', { hostname: 'changed.example.com' });
    // Until the change's config is pushed (its own version: the replica actor's probe may push the first one
    // again), then longer than a translation: a rehearsal translation running beside it would show by then.
    await eventually(() => translated.some(changed));
    const changedVersion = fakeTranslate(translated.find(changed)!).proxyConfig.version;
    await eventually(() => pushed.includes(changedVersion));
    await new Promise((r) => setTimeout(r, 500));
    expect(changed(translated.at(-1)!)).toBe(true);
    expect(translated.filter(changed)).toHaveLength(1);
    expect(translated.at(-2)).toEqual(translated[0]);
    // The rehearsal's other pair never came (it would make six).
    expect(translated.length).toBeLessThan(6);
  });
});

describe('standalone', () => {
  it('rehearses on its own manifests once it rests after the first sync', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tgw-rehearse-'));
    const routes = Array.from({ length: REHEARSAL_MIN_ROUTES }, (_, i) => routeYaml(`r${i}`, `h${i % 50}.test`));
    await writeFile(join(dir, 'all.yaml'), [gatewayYaml, serviceYaml('svc', 9), ...routes].join('---\n'));
    const { logger, lines } = capturingLogger('debug');
    const running = await runStandalone({
      manifests: dir,
      listen: { host: '127.0.0.1', port: await freePort() },
      admin: { host: '127.0.0.1', port: 0 },
      controllerName: DEFAULT_CONTROLLER_NAME,
      logger,
    });
    try {
      await eventually(() => lines.some((l) => l.msg === 'rehearsed the per-change paths'), 30_000);
      expect(lines.find((l) => l.msg === 'rehearsed the per-change paths')).toMatchObject({ translations: 4 });
    } finally {
      await running.close(0);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
