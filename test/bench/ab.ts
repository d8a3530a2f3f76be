// A/B of our proxy between source trees, interleaved on this machine: the tool behind "every change
// measured A/B" (docs/performance.md, issue 19). Each tree's proxy runs as in the bench (servers/ours.ts,
// cluster primary + worker, the tree's own sources) behind the same nginx backend, next to the Node floor;
// rounds go A B floor A B floor …, and each target's median CPU µs and heap KiB per request is printed.
//
//   git archive HEAD | tar -x -C /tmp/base && ln -s "$PWD/node_modules" /tmp/base/node_modules
//   node bin/run-ts.mjs test/bench/ab.ts /tmp/base .            # HTTP/1.1 (wrk, 32 connections)
//   AB_MODE=grpc AB_ROUNDS=8 node bin/run-ts.mjs test/bench/ab.ts /tmp/base .
//
// Knobs: AB_MODE (h1 | grpc), AB_ROUNDS (5), AB_DURATION (s per run, 3), AB_FLOOR=0 (leave the floor out).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { grpcRoute, singleRoute } from './lib/configs.js';
import { withCpu } from './lib/cpu.js';
import { GC_TRACE_FLAG, GcLog, withHeap } from './lib/gc-trace.js';
import { forwardLoad } from './lib/forward-load.js';
import { EMPTY_GRPC_FRAME, startNginxBackend } from './lib/nginx.js';
import { startChild, stopAll, stopAllOnExit } from './lib/procs.js';
import { median } from './lib/stats.js';
import { startFloor } from './lib/targets.js';
import { addSbinToPath } from './lib/tools.js';

interface Target {
  name: string;
  pid: number;
  port: number;
  gc: GcLog;
}

const mode = process.env.AB_MODE === 'grpc' ? 'grpc' : 'h1';
const rounds = Number(process.env.AB_ROUNDS ?? 5);
const durationS = Number(process.env.AB_DURATION ?? 3);

/** Our proxy from one source tree (its own bin/run-ts.mjs and sources), loaded with `config`. */
async function startOursFrom(dir: string, config: unknown): Promise<Target> {
  const token = randomBytes(16).toString('hex');
  const gc = new GcLog();
  const { child, ready } = await startChild<{ http: number; admin: number }>(
    'node',
    [GC_TRACE_FLAG, 'bin/run-ts.mjs', 'test/bench/servers/ours.ts'],
    {
      cwd: dir,
      readyJson: true,
      onLine: (line) => gc.line(line),
      env: { BENCH_ADMIN_TOKEN: token, BENCH_PROXY_WORKERS: '1', LOG_LEVEL: 'silent' },
    },
  );
  const res = await fetch(`http://127.0.0.1:${ready!.admin}/config`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(config),
  });
  if (res.status !== 200) throw new Error(`${dir}: PUT /config answered ${res.status}: ${await res.text()}`);
  return { name: dir, pid: child.proc.pid!, port: ready!.http, gc };
}

async function main(dirs: string[]): Promise<void> {
  if (dirs.length === 0) throw new Error('usage: ab.ts DIR_A [DIR_B …] (source trees of this project)');
  addSbinToPath();
  stopAllOnExit();
  const backend = await startNginxBackend();
  const scratch = await mkdtemp(join(tmpdir(), 'bench-ab-'));
  try {
    const backendPort = mode === 'h1' ? backend.http : backend.grpc;
    const config = mode === 'h1' ? singleRoute(backendPort) : grpcRoute(backendPort);
    const targets: Target[] = [];
    for (const dir of dirs) targets.push(await startOursFrom(resolve(dir), config));
    if (process.env.AB_FLOOR !== '0') {
      const floor = await startFloor(mode === 'h1' ? 'h1' : 'h2', `http://127.0.0.1:${backendPort}`);
      targets.push({ name: 'Node floor', pid: floor.pid, port: floor.port, gc: floor.gc });
    }
    const bodyFile = join(scratch, 'request.bin');
    await writeFile(bodyFile, EMPTY_GRPC_FRAME);
    const load = (port: number, seconds: number) => forwardLoad(mode, port, seconds, bodyFile);
    for (const t of targets) await load(t.port, 1);
    const cpu: number[][] = targets.map(() => []);
    const heap: number[][] = targets.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (const [i, t] of targets.entries()) {
        const { result, bytes } = await withHeap(t.gc, () => withCpu(t.pid, () => load(t.port, durationS)));
        cpu[i]!.push((result.cpuS * 1e6) / result.result);
        heap[i]!.push(bytes / result.result / 1024);
        console.error(`  round ${round + 1}/${rounds} ${t.name}: ${cpu[i]!.at(-1)!.toFixed(1)} µs/req`);
      }
    }
    const load1 = loadavg().map((l) => l.toFixed(2));
    console.log(`${mode}, ${rounds} rounds × ${durationS} s, load average ${load1.join(' ')}`);
    for (const [i, t] of targets.entries()) {
      const runs = cpu[i]!.map((c) => c.toFixed(0)).join(' ');
      console.log(
        `${t.name}: ${median(cpu[i]!).toFixed(1)} µs/req [${runs}], ${median(heap[i]!).toFixed(2)} KiB/req heap`,
      );
    }
  } finally {
    await backend.stop();
    await stopAll();
    await rm(scratch, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
