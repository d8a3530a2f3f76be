// The phases of the CLI control-plane bench (benches/cli-churn.ts), each against a `standalone` child
// process on a RouteLayout folder: cold start, single changes from idle, churn under load, a burst.
import { Agent } from 'node:http';
import { writeBurst, type BurstWritten } from './burst.js';
import { startCliStandalone, type CliSpawnExtra, type CliStandalone } from './cli-standalone.js';
import { hostLayout, routeManifest } from './manifests.js';
import { httpStatus, probeUntil, waitUntil } from './poll.js';
import { cpuMs, sampleRss, waitQuiet } from './proc-stats.js';
import { nextChange, unchangedRoute, writeChange, type RouteChange, type RouteLayout } from './route-churn.js';
import type { BenchContext } from './context.js';
import { probe } from './context.js';
import { interleave } from './stats.js';
import { runWrk, type WrkResult } from './wrk.js';

export const PROBE_MS = 2;
export const SETTLE_MS = 200;
export const CHURN_PER_S = 5;
export const BURST = { files: 200, batches: 10, spacingMs: 10 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Names the phase in a poll's timeout error. */
function labelled<T>(label: string, work: Promise<T>): Promise<T> {
  return work.catch((err: Error) => {
    throw new Error(`${label}: ${err.message}`);
  });
}

/**
 * Spawns the CLI on the folder; times from the spawn until the last route is served and until every route is
 * Accepted. GET /status serializes every status (~10 ms of the process's CPU at 1,000 routes, ~50 ms at
 * 5,000), so polling it during the start would slow the start down: it is polled from the moment the last
 * route is served, and the time is when the request that saw every route Accepted was sent (the handler
 * reads the statuses after that). When they were all Accepted before, "Accepted" equals "served".
 */
export async function coldStart(
  layout: RouteLayout,
  extra?: CliSpawnExtra,
): Promise<{ cli: CliStandalone; acceptedMs: number; servedMs: number }> {
  const cli = await startCliStandalone(layout.dir, extra);
  const timeoutMs = Math.max(120_000, layout.routes * 15);
  try {
    const last = unchangedRoute(layout);
    const servedAt = await labelled(
      'cold start → last route served',
      probeUntil(
        async () => {
          cli.assertRunning();
          return (await httpStatus(cli.http, last.path, last.host)) === 200;
        },
        5,
        timeoutMs,
      ),
    );
    let sentAt = Number.NaN;
    let period = 20;
    await labelled(
      'cold start → all routes Accepted',
      waitUntil(
        async () => {
          sentAt = performance.now();
          const all = (await cli.acceptedRoutes()) >= layout.routes;
          // At most a third of the time spent on /status, whatever its size.
          period = Math.max(20, 2 * (performance.now() - sentAt));
          return all;
        },
        timeoutMs,
        () => period,
      ),
    );
    return { cli, acceptedMs: sentAt - cli.spawnedAt, servedMs: servedAt - cli.spawnedAt };
  } catch (err) {
    await cli.stop();
    throw err;
  }
}

const servedProbe = (cli: CliStandalone, change: RouteChange, agent: Agent | false) => async () => {
  cli.assertRunning();
  return (await httpStatus(cli.http, change.path, change.host, agent)) === 200;
};

export interface ChangeSample {
  kind: RouteChange['kind'];
  /** From the write until the first request answered by the changed route. */
  servedMs: number;
  /** The process's CPU from the write until served + SETTLE_MS, minus the same window without a change. */
  cpuMs: number;
}

/**
 * One change from idle. Its CPU window holds the probes too (404s until the change is served), so the idle
 * window it is compared with sends 404 probes at the same period for as long, then settles as long: the
 * difference is the change.
 */
export async function singleChange(cli: CliStandalone, layout: RouteLayout, agent: Agent): Promise<ChangeSample> {
  const change = nextChange(layout);
  await waitQuiet(cli.pid);
  const cpuBefore = cpuMs(cli.pid);
  const written = performance.now();
  await writeChange(layout, change);
  const served = await labelled(
    `${change.kind} change → served`,
    probeUntil(servedProbe(cli, change, agent), PROBE_MS, 30_000),
  );
  await sleep(SETTLE_MS);
  const changeCpu = cpuMs(cli.pid) - cpuBefore;
  const servedMs = served - written;

  await waitQuiet(cli.pid);
  // 404s, as the change's own probes answer until it is served.
  const idle = { path: '/no-route-here', host: unchangedRoute(layout).host };
  const idleBefore = cpuMs(cli.pid);
  const idleStarted = performance.now();
  await probeUntil(
    async () => {
      await httpStatus(cli.http, idle.path, idle.host, agent);
      return performance.now() - idleStarted >= servedMs;
    },
    PROBE_MS,
    servedMs + 30_000,
  );
  await sleep(SETTLE_MS);
  const idleCpu = cpuMs(cli.pid) - idleBefore;
  return { kind: change.kind, servedMs, cpuMs: changeCpu - idleCpu };
}

export interface ChurnRun {
  wrk: WrkResult;
  /** Changes written while wrk ran. */
  changes: number;
  /** The last change written → served, probed once wrk is done (so an upper bound while the control plane keeps up). */
  lastServedMs: number;
  /** Highest VmRSS sampled every 20 ms while wrk ran (MiB); not sampled in quiet runs. */
  peakMiB: number;
}

/** Runs `load` (wrk on the unchanged route) while CHURN_PER_S changes per second are written. */
export async function churnRun(
  cli: CliStandalone,
  layout: RouteLayout,
  load: () => Promise<WrkResult>,
): Promise<ChurnRun> {
  const rss = sampleRss(cli.pid, 20);
  let stopping = false;
  let changes = 0;
  let last: { change: RouteChange; at: number } | undefined;
  const writer = (async () => {
    for (let next = performance.now(); !stopping;) {
      const change = nextChange(layout);
      const at = performance.now();
      await writeChange(layout, change);
      last = { change, at };
      changes++;
      next += 1000 / CHURN_PER_S;
      await sleep(Math.max(0, next - performance.now()));
    }
  })();
  try {
    const wrk = await load();
    stopping = true;
    await writer;
    if (!last) throw new Error('churn: no change was written while wrk ran');
    const served = await labelled(
      'churn: last change → served',
      probeUntil(servedProbe(cli, last.change, false), 5, 30_000),
    );
    return { wrk, changes, lastServedMs: served - last.at, peakMiB: rss.stop() };
  } finally {
    stopping = true;
    rss.stop();
  }
}

/** wrk on the unchanged route, quiet and while changes are written, interleaved (median of the rounds is reported). */
export async function trafficUnderChurn(
  ctx: BenchContext,
  cli: CliStandalone,
  layout: RouteLayout,
): Promise<{ quiet: ChurnRun[]; churn: ChurnRun[] }> {
  const { settings: s } = ctx;
  const route = unchangedRoute(layout);
  const url = `http://127.0.0.1:${cli.http}${route.path}`;
  // wrk adds its own Host unless one named exactly "Host" is given.
  const headers = { Host: route.host };
  await probe(url, headers);
  const wrk = (durationS: number): Promise<WrkResult> =>
    runWrk(url, { connections: s.connections, durationS, headers });
  await wrk(s.warmupS);
  const [quiet, churn] = await interleave(['quiet', 'churn'], s.rounds, async (mode, round): Promise<ChurnRun> => {
    ctx.log(`cli-churn: ${layout.routes} routes, round ${round + 1}/${s.rounds} ${mode}`);
    await waitQuiet(cli.pid);
    if (mode === 'churn') return churnRun(cli, layout, () => wrk(s.durationS));
    return { wrk: await wrk(s.durationS), changes: 0, lastServedMs: Number.NaN, peakMiB: Number.NaN };
  });
  return { quiet: quiet!, churn: churn! };
}

/**
 * Requests to one route from `loops` keep-alive loops, each pausing `pauseMs` between requests, until
 * stopped; counts the answers that were not 200. Paced: a closed loop would take the CPU the burst needs.
 */
function steadyTraffic(cli: CliStandalone, route: { path: string; host: string }, loops: number, pauseMs: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: loops });
  let running = true;
  let requests = 0;
  let failed = 0;
  const workers = Array.from({ length: loops }, async () => {
    while (running) {
      const status = await httpStatus(cli.http, route.path, route.host, agent);
      requests++;
      if (status !== 200) failed++;
      await sleep(pauseMs);
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(workers);
      agent.destroy();
      return { requests, failed };
    },
  };
}

export interface BurstResult {
  syncs: number;
  writeMs: number;
  servedMs: number;
  requests: number;
  failed: number;
}

/** BURST.files new routes written by a separate process within ~100 ms, under light traffic to the unchanged route. */
export async function burst(cli: CliStandalone, layout: RouteLayout, agent: Agent): Promise<BurstResult> {
  const { files: count, batches, spacingMs } = BURST;
  const routes = Array.from({ length: count }, (_, k) => ({
    path: `/burst-${k}`,
    host: hostLayout((k * 7919) % (layout.routes - 1)),
  }));
  const files = routes.map((r, k): [string, string] => [
    `burst-${k}.yaml`,
    routeManifest(`burst-${k}`, r.path, r.host),
  ]);
  await waitQuiet(cli.pid);
  const syncsBefore = await cli.syncs();
  await waitQuiet(cli.pid);
  const traffic = steadyTraffic(cli, unchangedRoute(layout), 4, 5);
  let written: BurstWritten;
  let servedAt: number;
  try {
    written = await writeBurst(layout.dir, files, batches, spacingMs);
    const served = (r: { path: string; host: string }) =>
      httpStatus(cli.http, r.path, r.host, agent).then((s) => s === 200);
    await labelled(
      `burst of ${count} → all served`,
      waitUntil(
        async () => {
          cli.assertRunning();
          return (await served(routes.at(-1)!)) && (await Promise.all(routes.map(served))).every(Boolean);
        },
        60_000,
        10,
      ),
    );
    servedAt = performance.now();
  } catch (err) {
    await traffic.stop();
    throw err;
  }
  const seen = await traffic.stop();
  await waitQuiet(cli.pid);
  const syncs = (await cli.syncs()) - syncsBefore;
  return { syncs, writeMs: written.last - written.first, servedMs: servedAt - written.first, ...seen };
}
