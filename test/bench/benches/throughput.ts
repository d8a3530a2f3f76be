// HTTP/1.1 keep-alive throughput and latency (wrk, closed loop): our proxy against nginx as the
// reference proxy, the best Node peers, Node's bare ceiling, and a direct connection as the floor.
import type { BenchContext } from '../lib/context.js';
import { probe } from '../lib/context.js';
import { singleRoute } from '../lib/configs.js';
import type { BenchReport } from '../lib/report.js';
import { fmt, interleave, medianOf } from '../lib/stats.js';
import { load, startFloor, startOurs, startPeer, type PeerKind } from '../lib/targets.js';
import { startNginxProxy } from '../lib/nginx.js';
import { runWrk, type WrkResult } from '../lib/wrk.js';
import { withCpu } from '../lib/cpu.js';
import { kibPerRequest, withHeap, type GcLog } from '../lib/gc-trace.js';

type Sample = WrkResult & { cpuUsPerRequest: number; heapBytes: number };

interface Target {
  name: string;
  port: number;
  /** The process whose CPU is charged to this target (the backend's for the direct run). */
  pid: number;
  role: 'floor' | 'node-floor' | 'reference' | 'ours' | 'peer' | 'ceiling' | 'variant';
  /** Its GC trace, for heap allocated per request (the Node processes: ours, the floor, the peers). */
  gc?: GcLog;
}

/** Workers per proxy for the "one per core" rows. */
const WIDE = 2;

const PEERS: Array<[PeerKind, Target['role'], string]> = [
  ['hello', 'ceiling', 'node:http hello (no upstream)'],
  ['http-proxy', 'peer', 'http-proxy + keep-alive agent'],
  ['fastify', 'peer', 'fastify + @fastify/reply-from'],
  ['undici', 'peer', 'bare undici forwarder'],
];

export async function throughput(ctx: BenchContext): Promise<BenchReport> {
  const { settings: s, backend, nginx, ours } = ctx;
  await load(ours, singleRoute(backend.http));
  const peers = await Promise.all(
    PEERS.map(async ([kind, role, name]) => ({ peer: await startPeer(kind, backend), role, name })),
  );
  // Both sides with one worker per core as well (nginx `worker_processes 2`, `proxy --workers 2`).
  const wide = WIDE === s.proxyWorkers ? undefined : await startOurs(WIDE);
  const nginxWide = await startNginxProxy(backend, WIDE);
  const floor = await startFloor('h1', `http://127.0.0.1:${backend.http}`);
  try {
    if (wide) await load(wide, singleRoute(backend.http));
    const targets: Target[] = [
      { name: 'direct to backend (floor)', port: backend.http, pid: backend.pid, role: 'floor' },
      {
        name: 'Node floor: raw sockets + llhttp, no routing',
        port: floor.port,
        pid: floor.pid,
        role: 'node-floor',
        gc: floor.gc,
      },
      { name: 'nginx proxy, 1 worker (reference)', port: nginx.http, pid: nginx.pid, role: 'reference' },
      { name: `nginx proxy, ${WIDE} workers`, port: nginxWide.http, pid: nginxWide.pid, role: 'variant' },
      {
        name: `our proxy, ${s.proxyWorkers === 0 ? 'one process' : `${s.proxyWorkers} worker(s)`}`,
        port: ours.http,
        pid: ours.pid,
        role: 'ours',
        gc: ours.gc,
      },
      ...(wide
        ? [
            {
              name: `our proxy, ${WIDE} workers`,
              port: wide.http,
              pid: wide.pid,
              role: 'variant' as const,
              gc: wide.gc,
            },
          ]
        : []),
      ...peers.map(({ peer, role, name }) => ({ name, port: peer.port, pid: peer.pid, role, gc: peer.gc })),
    ];
    const url = (t: Target) => `http://127.0.0.1:${t.port}/bench/item?id=1`;
    for (const t of targets) await probe(url(t));
    ctx.log(`throughput: warming up ${targets.length} targets`);
    for (const t of targets) await runWrk(url(t), { connections: s.connections, durationS: s.warmupS });
    const samples = await interleave(targets, s.rounds, async (t, round): Promise<Sample> => {
      ctx.log(`throughput: round ${round + 1}/${s.rounds} ${t.name}`);
      const {
        result: { result, cpuS },
        bytes,
      } = await withHeap(t.gc, () =>
        withCpu(t.pid, () => runWrk(url(t), { connections: s.connections, durationS: s.durationS })),
      );
      return { ...result, cpuUsPerRequest: (cpuS * 1e6) / result.requests, heapBytes: bytes };
    });
    return summarize(targets, samples, s.connections);
  } finally {
    await Promise.all([...peers.map(({ peer }) => peer.stop()), wide?.stop(), nginxWide.stop(), floor.stop()]);
  }
}

/** Heap allocated per request over all rounds of a target ("—" for an untraced one). */
function heapPerRequest(runs: Sample[]): string {
  return kibPerRequest(
    runs.reduce((sum, r) => sum + r.heapBytes, 0),
    runs.reduce((sum, r) => sum + r.requests, 0),
  );
}

function summarize(targets: Target[], samples: Sample[][], connections: number): BenchReport {
  const rps = samples.map((runs) => medianOf(runs, (r) => r.rps));
  const at = (role: Target['role']) => targets.findIndex((t) => t.role === role);
  const oursRps = rps[at('ours')]!;
  const nginxRps = rps[at('reference')]!;
  const bestPeer = Math.max(...targets.map((t, i) => (t.role === 'peer' ? rps[i]! : 0)));
  const cpu = samples.map((runs) => medianOf(runs, (r) => r.cpuUsPerRequest));
  const oursCpu = cpu[at('ours')]!;
  const bestPeerCpu = Math.min(...targets.map((t, i) => (t.role === 'peer' ? cpu[i]! : Infinity)));
  const rows = targets.map((t, i) => {
    const runs = samples[i]!;
    return [
      t.name,
      fmt.rps(rps[i]!),
      fmt.ms(medianOf(runs, (r) => r.p50Ms)),
      fmt.ms(medianOf(runs, (r) => r.p99Ms)),
      String(runs.reduce((sum, r) => sum + r.errors, 0)),
      fmt.ratio(rps[i]! / nginxRps),
      fmt.ratio(oursRps / rps[i]!),
      fmt.rps(cpu[i]!),
      fmt.ratio(cpu[i]! / oursCpu),
      heapPerRequest(runs),
    ];
  });
  const vsNginx = oursRps / nginxRps;
  const vsPeer = oursRps / bestPeer;
  const oursErrors = samples[at('ours')]!.reduce((sum, r) => sum + r.errors, 0);
  const variant = (prefix: string) => targets.findIndex((t) => t.role === 'variant' && t.name.startsWith(prefix));
  const [oursWide, nginxWide] = [variant('our'), variant('nginx')];
  const wideRps = oursWide === -1 ? oursRps : rps[oursWide]!;
  const sameWorkers = [
    {
      name: `req/s with ${WIDE} workers each: ours ÷ nginx`,
      value: fmt.ratio(wideRps / rps[nginxWide]!),
      target: '≥ 0.50×',
      pass: wideRps / rps[nginxWide]! >= 0.5,
    },
  ];
  return {
    title: `HTTP/1.1 keep-alive, ${connections} connections (wrk, median of rounds)`,
    columns: [
      'target',
      'req/s',
      'p50 ms',
      'p99 ms',
      'errors',
      'req/s ÷ nginx',
      'ours ÷ this',
      'CPU µs/req',
      'this CPU ÷ ours',
      'heap KiB/req',
    ],
    rows,
    checks: [
      { name: 'req/s vs nginx', value: fmt.ratio(vsNginx), target: '≥ 0.50×', pass: vsNginx >= 0.5 },
      ...sameWorkers,
      { name: 'req/s vs best Node peer', value: fmt.ratio(vsPeer), target: '≥ 2.00×', pass: vsPeer >= 2 },
      { name: 'errors through our proxy', value: String(oursErrors), target: '0', pass: oursErrors === 0 },
      // The same two targets on CPU per request, which a busy shared machine distorts far less than req/s.
      {
        name: 'CPU per request: nginx ÷ ours',
        value: fmt.ratio(cpu[at('reference')]! / oursCpu),
        target: '≥ 0.50×',
        pass: cpu[at('reference')]! / oursCpu >= 0.5,
      },
      // How much of our cost is ours: the leanest hop Node allows does the same forwarding with nothing else.
      {
        name: 'CPU per request: ours ÷ Node floor',
        value: fmt.ratio(oursCpu / cpu[at('node-floor')]!),
        target: '≤ 1.50×',
        pass: oursCpu / cpu[at('node-floor')]! <= 1.5,
      },
      { name: 'our CPU per request', value: `${fmt.rps(oursCpu)} µs`, target: '≤ 50 µs', pass: oursCpu <= 50 },
      {
        name: 'heap allocated per request: ours / Node floor',
        value: `${heapPerRequest(samples[at('ours')]!)} / ${heapPerRequest(samples[at('node-floor')]!)} KiB`,
        target: 'reported (no target set)',
        pass: true,
      },
      {
        name: 'CPU per request: best Node peer ÷ ours',
        value: fmt.ratio(bestPeerCpu / oursCpu),
        target: '≥ 2.00×',
        pass: bestPeerCpu / oursCpu >= 2,
      },
    ],
    notes: [
      'CPU µs/req: user+system CPU of the proxy process tree (of the backend nginx for the direct run) per request, from /proc; lower is better.',
      "heap KiB/req: JavaScript heap allocated per request by the Node process tree (ours: primary and workers), summed from V8's GC trace (`--trace-gc-nvp`, lib/gc-trace.ts) over the rounds; Buffers' off-heap memory is not in it.",
      "Node floor (test/bench/servers/floor.ts): raw sockets and llhttp through Node's parser binding, pooled keep-alive upstreams, bytes relayed as read; no routing, header handling, timeouts or metrics. What Node costs per forwarded request at the least.",
    ],
  };
}
