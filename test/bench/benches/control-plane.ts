// Control plane, in this process on the actor system (standalone: file source → coordinator → translator
// → the embedded proxy), at 1,000 and 5,000 routes (issue 8): cold start until every route is Accepted;
// single route changes → served (mean and max of 50, probed every 5 ms), split into where the time goes;
// syncs (translator runs) for a burst of 200 changes written within 100 ms; translate() time and heap.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { runStandalone, type Standalone } from '../../../src/runtime/standalone.js';
import { parseManifests, toSnapshot } from '../../../src/sources/manifests.js';
import { translate } from '../../../src/translate/index.js';
import { DEFAULT_CONTROLLER_NAME, type Snapshot } from '../../../src/core/types.js';
import type { BenchContext } from '../lib/context.js';
import {
  baseManifests,
  CP_HOST,
  CP_NAMESPACE,
  ROUTES_PER_FILE,
  routeFile,
  routeFileName,
  routeFiles,
  routeManifest,
  routesManifest,
} from '../lib/manifests.js';
import type { BenchReport, Check } from '../lib/report.js';
import { fmt, median } from '../lib/stats.js';
import { httpStatus, probeUntil, waitUntil } from '../lib/poll.js';
import { writeBurst } from '../lib/burst.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Route counts; BENCH_CP_SIZES=1000 (comma list) narrows a run, e.g. for a profile. */
const SIZES = (process.env.BENCH_CP_SIZES ?? '1000,5000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const CHANGES = 50;
const PROBE_MS = 5;
const BURST = 200;
const BURST_BATCHES = 10;
const BURST_SPACING_MS = 10;
/** Published bars (issue 8): change → served mean and max, syncs per burst, cold start → Accepted. */
const BAR = { meanMs: 16.6, maxMs: 75, burstSyncs: 3, coldAcceptMs: 1_000 };

interface SizeResult {
  coldAcceptedMs: number;
  coldServedMs: number;
  changes: ChangeTiming[];
  burstSyncs: number;
  burstWriteMs: number;
  burstServedMs: number;
  translateMs: number;
  translateOneChangedMs: number;
  heapMiB: number;
  configMiB: number;
}

/** One change, in ms after the write started. */
interface ChangeTiming {
  kind: 'add' | 'path';
  served: number;
  /** The sync started: the watcher saw the write, the file was read, parsed and applied. */
  syncStarted: number;
  /** Snapshot + translate (the coordinator's own measure). */
  syncMs: number;
  /** The embedded proxy's applySharedConfig started and how long it took until it resolved (check + compile in slices + swap). */
  pushStarted: number;
  pushMs: number;
  /** The proxy serves the new table from here. */
  swapped: number;
}

/** A copy sharing no object with `snapshot`: translate() remembers rule translations per object. */
const fresh = (snapshot: Snapshot): Snapshot => JSON.parse(JSON.stringify(snapshot)) as Snapshot;

/** translate() of a snapshot it has never seen, of the same snapshot with one route replaced, and the heap its result holds. */
function translatorCost(
  backendPort: number,
  routes: number,
): { ms: number; oneChangedMs: number; heapMiB: number; configMiB: number } {
  const objects = parseManifests(`${baseManifests(backendPort)}---\n${routesManifest('t', routes)}`, 'bench.yaml');
  const { snapshot } = toSnapshot(objects);
  const options = {
    controllerName: DEFAULT_CONTROLLER_NAME,
    now: '2026-01-01T00:00:00Z',
    proxyHttpPort: 8080,
    proxyTlsPort: 8443,
  };
  const times: number[] = [];
  const changedTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const copy = fresh(snapshot);
    let started = performance.now();
    translate(copy, options);
    times.push(performance.now() - started);
    copy.httpRoutes[i] = parseManifests(routeManifest(`t-${i}`, `/changed-${i}`), 'changed.yaml')[0]!;
    started = performance.now();
    translate(copy, options);
    changedTimes.push(performance.now() - started);
  }
  const copy = fresh(snapshot);
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = translate(copy, options);
  gc();
  const heapMiB = (process.memoryUsage().heapUsed - before) / 2 ** 20;
  const configMiB = Buffer.byteLength(JSON.stringify(kept.proxyConfig)) / 2 ** 20;
  return { ms: median(times), oneChangedMs: median(changedTimes), heapMiB, configMiB };
}

function isAccepted(app: Standalone, name: string): boolean {
  const status = app.source.statusOf('HTTPRoute', CP_NAMESPACE, name) as
    { parents?: Array<{ conditions?: Array<{ type: string; status: string }> }> } | undefined;
  return status?.parents?.[0]?.conditions?.some((c) => c.type === 'Accepted' && c.status === 'True') === true;
}

/** Timestamps of one change's way through the system: the coordinator's inspection stream (its first
 * snapshot in `settling` comes right after the sync's result: the translation runs in slices while it is
 * `syncing`) and the embedded proxy's apply. */
function phaseMarks(app: Standalone) {
  let marks: { syncDone?: number; pushStarted?: number; pushMs?: number } = {};
  const unsubscribe = app.controlPlane.onChange((info) => {
    if (marks.syncDone === undefined && info.machine === 'coordinator' && info.state.startsWith('settling'))
      marks.syncDone = performance.now();
  });
  // The in-process replica pushes through applySharedConfig (local-replica.ts).
  const applyConfig = app.proxy.applySharedConfig;
  app.proxy.applySharedConfig = async (cfg) => {
    const started = performance.now();
    const result = await applyConfig(cfg);
    if (marks.pushStarted === undefined)
      marks = { ...marks, pushStarted: started, pushMs: performance.now() - started };
    return result;
  };
  return {
    reset: () => (marks = {}),
    get: () => marks,
    unsubscribe: () => {
      unsubscribe();
      app.proxy.applySharedConfig = applyConfig;
    },
  };
}

async function coldStart(
  dir: string,
  routes: number,
): Promise<{ app: Standalone; acceptedMs: number; servedMs: number }> {
  const started = performance.now();
  const app = await runStandalone({
    manifests: dir,
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    controllerName: DEFAULT_CONTROLLER_NAME,
  });
  let accepted = 0;
  await waitUntil(
    () => {
      while (accepted < routes && isAccepted(app, `r-${accepted}`)) accepted++;
      return accepted === routes;
    },
    120_000,
    PROBE_MS,
  );
  const acceptedMs = performance.now() - started;
  await waitUntil(
    async () => (await httpStatus(app.proxy.ports.http, `/r-${routes - 1}`, CP_HOST)) === 200,
    60_000,
    PROBE_MS,
  );
  return { app, acceptedMs, servedMs: performance.now() - started };
}

/** Alternately adds a route in a file of its own and changes the path of an existing route (its file of
 * ROUTES_PER_FILE routes is rewritten); each change starts when the system is idle. */
async function singleChanges(
  app: Standalone,
  dir: string,
  routes: number,
  paths: string[],
  agent: Agent,
): Promise<ChangeTiming[]> {
  const marks = phaseMarks(app);
  const out: ChangeTiming[] = [];
  try {
    for (let k = 0; k < CHANGES; k++) {
      const kind = k % 2 === 0 ? 'add' : 'path';
      const index = (k * 7919) % routes;
      const path = kind === 'add' ? `/add-${k}` : `/r-${index}-v${k}`;
      let file: string;
      let content: string;
      if (kind === 'add') {
        file = `add-${k}.yaml`;
        content = routeManifest(`add-${k}`, path);
      } else {
        paths[index] = path;
        file = routeFileName('r', index);
        content = routeFile('r', index, routes, (i) => paths[i]!);
      }
      await app.controlPlane.whenIdle();
      marks.reset();
      const started = performance.now();
      await writeFile(join(dir, file), content);
      const served = await probeUntil(
        async () => (await httpStatus(app.proxy.ports.http, path, CP_HOST, agent)) === 200,
        PROBE_MS,
        30_000,
      );
      const m = marks.get();
      const syncMs = app.controlPlane.stats().lastSync?.durationMs ?? NaN;
      const pushStarted = (m.pushStarted ?? NaN) - started;
      out.push({
        kind,
        served: served - started,
        syncStarted: (m.syncDone ?? NaN) - syncMs - started,
        syncMs,
        pushStarted,
        pushMs: m.pushMs ?? NaN,
        swapped: pushStarted + (m.pushMs ?? NaN),
      });
    }
  } finally {
    marks.unsubscribe();
  }
  return out;
}

/** BURST new route files written in BURST_BATCHES batches BURST_SPACING_MS apart; counts the syncs. */
async function burst(
  app: Standalone,
  dir: string,
  agent: Agent,
): Promise<{ syncs: number; writeMs: number; servedMs: number }> {
  await app.controlPlane.whenIdle();
  const syncsBefore = app.controlPlane.stats().syncs;
  const files = Array.from({ length: BURST }, (_, k): [string, string] => [
    `burst-${k}.yaml`,
    routeManifest(`burst-${k}`, `/burst-${k}`),
  ]);
  const written = await writeBurst(dir, files, BURST_BATCHES, BURST_SPACING_MS);
  const started = written.first;
  const served = (k: number) => httpStatus(app.proxy.ports.http, `/burst-${k}`, CP_HOST, agent).then((s) => s === 200);
  await waitUntil(
    async () =>
      (await served(BURST - 1)) &&
      (await Promise.all(Array.from({ length: BURST }, (_, k) => served(k)))).every(Boolean),
    60_000,
    PROBE_MS,
  );
  const servedMs = performance.now() - started;
  await app.controlPlane.whenIdle();
  return { syncs: app.controlPlane.stats().syncs - syncsBefore, writeMs: written.last - written.first, servedMs };
}

async function runSize(ctx: BenchContext, routes: number): Promise<SizeResult> {
  ctx.log(`control plane: translate() at ${routes} routes`);
  const cost = translatorCost(ctx.backend.http, routes);
  const dir = await mkdtemp(join(tmpdir(), 'bench-cp-'));
  const paths = Array.from({ length: routes }, (_, i) => `/r-${i}`);
  await writeFile(join(dir, 'base.yaml'), baseManifests(ctx.backend.http));
  for (const [name, content] of routeFiles('r', routes, (i) => paths[i]!)) await writeFile(join(dir, name), content);
  ctx.log(`control plane: cold start with ${routes} routes`);
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const { app, acceptedMs, servedMs } = await coldStart(dir, routes);
  try {
    ctx.log(`control plane: ${CHANGES} single changes at ${routes} routes`);
    const changes = await singleChanges(app, dir, routes, paths, agent);
    ctx.log(`control plane: burst of ${BURST} changes at ${routes} routes`);
    const b = await burst(app, dir, agent);
    return {
      coldAcceptedMs: acceptedMs,
      coldServedMs: servedMs,
      changes,
      burstSyncs: b.syncs,
      burstWriteMs: b.writeMs,
      burstServedMs: b.servedMs,
      translateMs: cost.ms,
      translateOneChangedMs: cost.oneChangedMs,
      heapMiB: cost.heapMiB,
      configMiB: cost.configMiB,
    };
  } finally {
    agent.destroy();
    await app.close(0);
    await rm(dir, { recursive: true, force: true });
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const meanMax = (xs: number[]) => `${fmt.ms(mean(xs))} / ${fmt.ms(Math.max(...xs))} ms`;
const pick = (r: SizeResult, f: (c: ChangeTiming) => number, kind?: ChangeTiming['kind']) =>
  r.changes.filter((c) => !kind || c.kind === kind).map(f);

function rows(results: SizeResult[]): string[][] {
  const row = (name: string, cell: (r: SizeResult) => string) => [name, ...results.map(cell)];
  return [
    row('cold start (standalone started on the folder) → all routes Accepted', (r) => `${fmt.ms(r.coldAcceptedMs)} ms`),
    row('cold start → last route served', (r) => `${fmt.ms(r.coldServedMs)} ms`),
    row(`one route changed → served, mean / max of ${CHANGES} (probed every ${PROBE_MS} ms)`, (r) =>
      meanMax(pick(r, (c) => c.served)),
    ),
    row(`  new route in its own file`, (r) => meanMax(pick(r, (c) => c.served, 'add'))),
    row(`  path changed (its file of ${ROUTES_PER_FILE} routes rewritten)`, (r) =>
      meanMax(pick(r, (c) => c.served, 'path')),
    ),
    row('  write → sync starts (watcher event, read, parse, apply to the source)', (r) =>
      meanMax(pick(r, (c) => c.syncStarted)),
    ),
    row('  sync: snapshot + translate', (r) => meanMax(pick(r, (c) => c.syncMs))),
    row('  sync done → push starts (plan, actor messages)', (r) =>
      meanMax(pick(r, (c) => c.pushStarted - c.syncStarted - c.syncMs)),
    ),
    row('  push: applySharedConfig (check new rules + compile changes + swap)', (r) =>
      meanMax(pick(r, (c) => c.pushMs)),
    ),
    row('  swapped → probe answered 200 (rest of the hand-out, probe period)', (r) =>
      meanMax(pick(r, (c) => c.served - c.swapped)),
    ),
    row(
      `burst: ${BURST} changes written within ${BURST_BATCHES * BURST_SPACING_MS} ms → syncs (translator runs)`,
      (r) => `${r.burstSyncs} (written in ${fmt.ms(r.burstWriteMs)} ms)`,
    ),
    row('burst → all served', (r) => `${fmt.ms(r.burstServedMs)} ms`),
    row('translate() of a snapshot it has not seen (median of 5)', (r) => `${fmt.ms(r.translateMs)} ms`),
    row('translate() after one route was replaced (median of 5)', (r) => `${fmt.ms(r.translateOneChangedMs)} ms`),
    row(
      'heap held by one DesiredState (and the translator memo for it)',
      (r) => `${r.heapMiB.toFixed(1)} MiB (proxy config ${r.configMiB.toFixed(1)} MiB as JSON)`,
    ),
  ];
}

function checks(results: SizeResult[]): Check[] {
  return SIZES.flatMap((size, i) => {
    const r = results[i]!;
    const served = pick(r, (c) => c.served);
    const out: Check[] = [
      {
        name: `change → served mean, ${size} routes`,
        value: `${fmt.ms(mean(served))} ms`,
        target: `< ${BAR.meanMs} ms`,
        pass: mean(served) < BAR.meanMs,
      },
      {
        name: `change → served max, ${size} routes`,
        value: `${fmt.ms(Math.max(...served))} ms`,
        target: `< ${BAR.maxMs} ms`,
        pass: Math.max(...served) < BAR.maxMs,
      },
      {
        name: `syncs per burst of ${BURST}, ${size} routes`,
        value: String(r.burstSyncs),
        target: `≤ ${BAR.burstSyncs}`,
        pass: r.burstSyncs <= BAR.burstSyncs,
      },
    ];
    if (size === 1_000)
      out.push({
        name: 'cold start → 1000 routes Accepted',
        value: `${fmt.ms(r.coldAcceptedMs)} ms`,
        target: `≤ ${BAR.coldAcceptMs} ms`,
        pass: r.coldAcceptedMs <= BAR.coldAcceptMs,
      });
    return out;
  });
}

export async function controlPlane(ctx: BenchContext): Promise<BenchReport> {
  const results: SizeResult[] = [];
  for (const size of SIZES) results.push(await runSize(ctx, size));
  return {
    title: 'Control plane (standalone on the actor system, in-process)',
    columns: ['measure', ...SIZES.map((s) => `${s.toLocaleString('en-US')} routes`)],
    rows: rows(results),
    checks: checks(results),
    notes: [
      `Routes are laid out ${ROUTES_PER_FILE} to a file next to one Gateway; changes alternate between a new route in a file of its own and a changed path on an existing route. Each change starts when the system is idle; the probe is a GET through the proxy every ${PROBE_MS} ms.`,
      "Breakdown: the sync's own duration, the coordinator's first inspected state after it, and a timer around the embedded proxy's applySharedConfig. Everything from the file event to the hand-out runs on one event loop, so the probe is answered only after it.",
      `The burst is written by a separate process (${BURST_BATCHES} batches ${BURST_SPACING_MS} ms apart), as an external writer would: a sync blocks this process's event loop, which would otherwise delay the writes themselves.`,
    ],
  };
}
