// gRPC unary calls/s over h2c (h2load, several streams per connection): through our proxy vs direct to
// the backend (nginx answering every call with an empty message and grpc-status 0), nginx grpc_pass as
// the reference. Each path is first checked with a real @grpc/grpc-js call.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import type { BenchContext } from '../lib/context.js';
import { grpcRoute } from '../lib/configs.js';
import { EMPTY_GRPC_FRAME } from '../lib/nginx.js';
import { runGrpcLoad, type H2loadResult } from '../lib/h2load.js';
import type { BenchReport } from '../lib/report.js';
import { fmt, interleave, medianOf } from '../lib/stats.js';
import { load, startFloor } from '../lib/targets.js';
import { withCpu } from '../lib/cpu.js';
import { kibPerRequest, withHeap, type GcLog } from '../lib/gc-trace.js';

type Sample = H2loadResult & { cpuUsPerCall: number; heapBytes: number };
type Target = { name: string; port: number; pid: number; gc?: GcLog };

const METHOD = '/bench.Echo/Unary';
const CLIENTS = 4;
const STREAMS = 16;

/** One unary call with grpc-js; resolves when it ends with status OK. */
function grpcCall(port: number): Promise<void> {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const identity = (b: Buffer) => b;
  return new Promise<void>((resolve, reject) => {
    client.makeUnaryRequest(METHOD, identity, identity, Buffer.alloc(0), { deadline: Date.now() + 5000 }, (err) => {
      client.close();
      if (err) reject(new Error(`gRPC call on :${port} failed: ${err.message}`));
      else resolve();
    });
  });
}

export async function grpcUnary(ctx: BenchContext): Promise<BenchReport> {
  const { settings: s, backend, nginx, ours } = ctx;
  await load(ours, grpcRoute(backend.grpc));
  const floor = await startFloor('h2', `http://127.0.0.1:${backend.grpc}`);
  // The order matters to summarize(): direct, nginx, ours, the Node floor.
  const targets: Target[] = [
    { name: 'direct to backend', port: backend.grpc, pid: backend.pid },
    { name: 'nginx grpc_pass', port: nginx.grpc, pid: nginx.pid },
    { name: 'our proxy (h2c port)', port: ours.http, pid: ours.pid, gc: ours.gc },
    { name: 'Node floor: bare node:http2 relay', port: floor.port, pid: floor.pid, gc: floor.gc },
  ];
  const dir = await mkdtemp(join(tmpdir(), 'bench-grpc-'));
  const bodyFile = join(dir, 'request.bin');
  await writeFile(bodyFile, EMPTY_GRPC_FRAME);
  try {
    for (const t of targets) await grpcCall(t.port);
    const run = (port: number, durationS: number) =>
      runGrpcLoad(`http://127.0.0.1:${port}${METHOD}`, {
        clients: CLIENTS,
        streamsPerClient: STREAMS,
        durationS,
        bodyFile,
      });
    for (const t of targets) await run(t.port, s.warmupS);
    const samples = await interleave(targets, s.rounds, async (t, round): Promise<Sample> => {
      ctx.log(`grpc: round ${round + 1}/${s.rounds} ${t.name}`);
      const {
        result: { result, cpuS },
        bytes,
      } = await withHeap(t.gc, () => withCpu(t.pid, () => run(t.port, s.durationS)));
      return { ...result, cpuUsPerCall: (cpuS * 1e6) / Math.max(1, result.succeeded), heapBytes: bytes };
    });
    return summarize(targets, samples);
  } finally {
    await floor.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Heap allocated per call over all rounds of a target ("—" for an untraced one). */
function heapPerCall(runs: Sample[]): string {
  return kibPerRequest(
    runs.reduce((sum, r) => sum + r.heapBytes, 0),
    runs.reduce((sum, r) => sum + r.succeeded, 0),
  );
}

function summarize(targets: Target[], samples: Sample[][]): BenchReport {
  const rps = samples.map((runs) => medianOf(runs, (r) => r.rps));
  const failed = samples.map((runs) => runs.reduce((sum, r) => sum + r.failed + r.non2xx, 0));
  const oursVsDirect = rps[2]! / rps[0]!;
  const cpu = samples.map((runs) => medianOf(runs, (r) => r.cpuUsPerCall));
  return {
    title: `gRPC unary over h2c (h2load, ${CLIENTS} connections × ${STREAMS} streams, median of rounds)`,
    columns: ['target', 'calls/s', 'failed', '÷ direct', 'ours ÷ this', 'CPU µs/call', 'heap KiB/call'],
    rows: targets.map((t, i) => [
      t.name,
      fmt.rps(rps[i]!),
      String(failed[i]),
      fmt.ratio(rps[i]! / rps[0]!),
      fmt.ratio(rps[2]! / rps[i]!),
      fmt.rps(cpu[i]!),
      heapPerCall(samples[i]!),
    ]),
    checks: [
      {
        name: 'gRPC calls/s through the proxy ÷ direct',
        value: fmt.ratio(oursVsDirect),
        target: 'reported (no target set)',
        pass: true,
      },
      { name: 'gRPC failures through our proxy', value: String(failed[2]), target: '0', pass: failed[2] === 0 },
      {
        name: 'CPU per gRPC call: ours ÷ Node floor',
        value: fmt.ratio(cpu[2]! / cpu[3]!),
        target: '≤ 1.50×',
        pass: cpu[2]! / cpu[3]! <= 1.5,
      },
      { name: 'our CPU per gRPC call', value: `${fmt.rps(cpu[2]!)} µs`, target: '≤ 100 µs', pass: cpu[2]! <= 100 },
      {
        name: 'heap allocated per gRPC call: ours / Node floor',
        value: `${heapPerCall(samples[2]!)} / ${heapPerCall(samples[3]!)} KiB`,
        target: 'reported (no target set)',
        pass: true,
      },
    ],
    notes: [
      'h2load counts HTTP status only; the grpc-js call before each target checks that grpc-status 0 comes back through it.',
      'CPU µs/call: CPU of that process tree (the backend nginx for the direct run) per successful call.',
      "heap KiB/call: JavaScript heap allocated per call (V8's GC trace, lib/gc-trace.ts), ours and the Node floor.",
      'nginx grpc_pass failures are nginx 1.22 logging "upstream sent frame for unknown stream" against the canned backend, which answers before reading the request body.',
    ],
  };
}
