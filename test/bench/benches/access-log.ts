// What the access log costs: runs alternating between the log off and on (A B C A B C …) under wrk, the
// log switched by the pushed config (`accessLog`), as the GatewayClass parameter does. On, every request
// is one JSON line: appended to a file (the CLI's file destination), or written to stdout (what a pod's
// log collector reads; the bench reads that pipe). Off, a request pays one branch.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchContext } from '../lib/context.js';
import { probe } from '../lib/context.js';
import { singleRoute } from '../lib/configs.js';
import { withCpu } from '../lib/cpu.js';
import type { BenchReport } from '../lib/report.js';
import { fmt, interleave, medianOf } from '../lib/stats.js';
import { load, startOurs, type OursInstance } from '../lib/targets.js';
import { runWrk, type WrkResult } from '../lib/wrk.js';

type Sample = WrkResult & { cpuUsPerRequest: number };

interface Mode {
  name: string;
  proxy: OursInstance;
  accessLog: boolean;
}

export async function accessLogCost(ctx: BenchContext): Promise<BenchReport> {
  const { settings: s, backend } = ctx;
  const dir = mkdtempSync(join(tmpdir(), 'bench-access-log-'));
  const file = join(dir, 'access.log');
  const toFile = await startOurs(s.proxyWorkers, undefined, { BENCH_ACCESS_LOG: file });
  const toStdout = await startOurs(s.proxyWorkers, undefined, { BENCH_ACCESS_LOG: 'stdout' });
  try {
    const modes: Mode[] = [
      { name: 'access log off', proxy: toFile, accessLog: false },
      { name: 'access log on, to a file', proxy: toFile, accessLog: true },
      { name: 'access log on, to stdout', proxy: toStdout, accessLog: true },
    ];
    const samples = await interleave(modes, s.rounds, async (m, round): Promise<Sample> => {
      ctx.log(`access-log: round ${round + 1}/${s.rounds} ${m.name}`);
      await load(m.proxy, { ...singleRoute(backend.http, `single-${m.accessLog}`), accessLog: m.accessLog });
      const url = `http://127.0.0.1:${m.proxy.http}/bench/item?id=1`;
      await probe(url);
      await runWrk(url, { connections: s.connections, durationS: s.warmupS });
      const { result, cpuS } = await withCpu(m.proxy.pid, () =>
        runWrk(url, { connections: s.connections, durationS: s.durationS }),
      );
      return { ...result, cpuUsPerRequest: (cpuS * 1e6) / result.requests };
    });
    const lineBytes = String(readFileSync(file, 'utf8').indexOf('\n') + 1);
    return summarize(modes, samples, s.connections, lineBytes);
  } finally {
    await Promise.all([toFile.stop(), toStdout.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

function summarize(modes: Mode[], samples: Sample[][], connections: number, lineBytes: string): BenchReport {
  const rps = samples.map((runs) => medianOf(runs, (r) => r.rps));
  const cpu = samples.map((runs) => medianOf(runs, (r) => r.cpuUsPerRequest));
  const rows = modes.map((m, i) => {
    const runs = samples[i]!;
    return [
      m.name,
      fmt.rps(rps[i]!),
      fmt.ms(medianOf(runs, (r) => r.p50Ms)),
      fmt.ms(medianOf(runs, (r) => r.p99Ms)),
      String(runs.reduce((sum, r) => sum + r.errors, 0)),
      fmt.rps(cpu[i]!),
      fmt.rps(cpu[i]! - cpu[0]!),
      fmt.ratio(cpu[i]! / cpu[0]!),
    ];
  });
  const reported = (name: string, i: number) => ({
    name,
    value: `+${fmt.rps(cpu[i]! - cpu[0]!)} µs (${fmt.ratio(cpu[i]! / cpu[0]!)})`,
    target: 'reported (no target set)',
    pass: true,
  });
  return {
    title: `Access log off vs on, HTTP/1.1 keep-alive, ${connections} connections (wrk, median of rounds)`,
    columns: ['run', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'CPU µs/req', 'CPU µs/req added', 'CPU/req ÷ off'],
    rows,
    checks: [
      reported('CPU per request, access log to a file', 1),
      reported('CPU per request, access log to stdout', 2),
    ],
    notes: [
      `The log is switched by the pushed config between runs (off and "to a file" are the same processes); a line is ${lineBytes} bytes here.`,
      'CPU µs/req: user+system CPU of the proxy process tree per request, from /proc (the log writes happen on libuv threads of the same processes).',
    ],
  };
}
