// Route-count independence: req/s with few vs many routes, where the route that matches is the
// last-declared one. Two shapes: many path routes on one host, and many hosts with one route each.
// Both configs run on the same proxy process, swapped by PUT /config between runs (A B A B).
import type { BenchContext } from '../lib/context.js';
import { probe } from '../lib/context.js';
import { BENCH_HOST, lastHost, lastRoutePath, routesOnManyHosts, routesOnOneHost } from '../lib/configs.js';
import type { BenchReport, Check } from '../lib/report.js';
import { fmt, interleave, medianOf } from '../lib/stats.js';
import { load } from '../lib/targets.js';
import { runWrk, type WrkResult } from '../lib/wrk.js';
import { withCpu } from '../lib/cpu.js';

type Sample = WrkResult & { cpuUsPerRequest: number };

interface Shape {
  name: string;
  config(count: number): unknown;
  host(count: number): string;
  path(count: number): string;
}

export async function routeScaling(ctx: BenchContext): Promise<BenchReport> {
  const { settings: s, backend, ours } = ctx;
  const shapes: Shape[] = [
    {
      name: 'path routes on one host',
      config: (n) => routesOnOneHost(n, backend.http),
      host: () => BENCH_HOST,
      path: lastRoutePath,
    },
    {
      name: 'hosts, one route each',
      config: (n) => routesOnManyHosts(n, backend.http),
      host: lastHost,
      path: () => '/item',
    },
  ];
  const rows: string[][] = [];
  const checks: Check[] = [];
  for (const shape of shapes) {
    const counts = [s.fewRoutes, s.manyRoutes];
    const bodies = counts.map((n) => shape.config(n));
    const measure = async (i: number, durationS: number): Promise<Sample> => {
      await load(ours, bodies[i]);
      const n = counts[i]!;
      const url = `http://127.0.0.1:${ours.http}${shape.path(n)}`;
      await probe(url, { Host: shape.host(n) });
      // Unmeasured settle run: the previous table's garbage is collected here, not charged to this config.
      await runWrk(url, { connections: s.connections, durationS: s.warmupS, headers: { Host: shape.host(n) } });
      const { result, cpuS } = await withCpu(ours.pid, () =>
        runWrk(url, { connections: s.connections, durationS, headers: { Host: shape.host(n) } }),
      );
      return { ...result, cpuUsPerRequest: (cpuS * 1e6) / result.requests };
    };
    const samples = await interleave([0, 1], s.rounds, (i, round) => {
      ctx.log(`routes: round ${round + 1}/${s.rounds} ${shape.name}, ${counts[i]} routes`);
      return measure(i, s.durationS);
    });
    const rps = samples.map((runs) => medianOf(runs, (r) => r.rps));
    const ratio = rps[1]! / rps[0]!;
    const cpu = samples.map((runs) => medianOf(runs, (r) => r.cpuUsPerRequest));
    const cpuRatio = cpu[0]! / cpu[1]!;
    for (const i of [0, 1]) {
      const runs = samples[i]!;
      rows.push([
        shape.name,
        fmt.rps(counts[i]!),
        fmt.rps(rps[i]!),
        fmt.ms(medianOf(runs, (r) => r.p99Ms)),
        String(runs.reduce((a, r) => a + r.errors, 0)),
        fmt.rps(cpu[i]!),
        i === 0 ? '—' : fmt.ratio(ratio),
        i === 0 ? '—' : fmt.ratio(cpuRatio),
      ]);
    }
    checks.push({
      name: `rps(${counts[1]}) ÷ rps(${counts[0]}): ${shape.name}`,
      value: fmt.ratio(ratio),
      target: '≥ 0.95×',
      pass: ratio >= 0.95,
    });
    checks.push({
      name: `CPU/req(${counts[0]}) ÷ CPU/req(${counts[1]}): ${shape.name}`,
      value: fmt.ratio(cpuRatio),
      target: '≥ 0.95×',
      pass: cpuRatio >= 0.95,
    });
  }
  return {
    title: `Route count: last-declared route matches (wrk, ${s.connections} connections, median of rounds)`,
    columns: ['shape', 'routes', 'req/s', 'p99 ms', 'errors', 'CPU µs/req', 'req/s many ÷ few', 'CPU/req few ÷ many'],
    rows,
    checks,
  };
}
