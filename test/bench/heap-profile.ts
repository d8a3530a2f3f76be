// Where our proxy's allocation per request comes from (issue 19): the proxy as the bench runs it (one
// process, servers/ours.ts) behind the nginx backend, loaded with wrk (HTTP/1.1) or h2load (gRPC unary)
// while V8's sampling heap profiler counts every allocation (lib/heap-sampler.mjs), then the KiB per
// request by origin — our code, undici, node:http, streams, timers — and the functions that allocate most.
// The bench's heap column (lib/gc-trace.ts) gives the total; this splits it.
//
//   node bin/run-ts.mjs test/bench/heap-profile.ts [h1|grpc] [SECONDS=5] [TOP=20]
// HEAP_PROFILE_KEEP=FILE keeps the profile (it opens in Chrome DevTools' Memory tab) for a closer look.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { grpcRoute, singleRoute } from './lib/configs.js';
import { forwardLoad } from './lib/forward-load.js';
import { printAllocations, sampledProfile, summarizeAllocations } from './lib/heap-summary.js';
import { EMPTY_GRPC_FRAME, startNginxBackend } from './lib/nginx.js';
import { startChild, stopAll, stopAllOnExit } from './lib/procs.js';
import { addSbinToPath } from './lib/tools.js';

const [modeArg = 'h1', secondsArg = '5', topArg = '20'] = process.argv.slice(2);
const mode = modeArg === 'grpc' ? 'grpc' : 'h1';

async function main(): Promise<void> {
  addSbinToPath();
  stopAllOnExit();
  const scratch = await mkdtemp(join(tmpdir(), 'bench-heap-'));
  const backend = await startNginxBackend();
  try {
    const out = join(scratch, 'allocations.heapprofile');
    const token = randomBytes(16).toString('hex');
    const { child, ready } = await startChild<{ http: number; admin: number }>(
      'node',
      ['--import', './test/bench/lib/heap-sampler.mjs', 'bin/run-ts.mjs', 'test/bench/servers/ours.ts'],
      { readyJson: true, env: { BENCH_ADMIN_TOKEN: token, BENCH_PROXY_WORKERS: '0', HEAP_SAMPLE_OUT: out } },
    );
    const config = mode === 'h1' ? singleRoute(backend.http) : grpcRoute(backend.grpc);
    const put = await fetch(`http://127.0.0.1:${ready!.admin}/config`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(config),
    });
    if (put.status !== 200) throw new Error(`PUT /config answered ${put.status}`);
    const bodyFile = join(scratch, 'request.bin');
    await writeFile(bodyFile, EMPTY_GRPC_FRAME);
    const load = (seconds: number) => forwardLoad(mode, ready!.http, seconds, bodyFile);
    await load(2); // warm: what is compiled and pooled once is not what a request costs
    child.proc.kill('SIGUSR2');
    await sleep(200);
    const requests = await load(Number(secondsArg));
    child.proc.kill('SIGUSR2');
    const summary = summarizeAllocations(await sampledProfile(out), requests);
    printAllocations(`${mode}: ${requests} requests`, 'request', summary, Number(topArg));
  } finally {
    await backend.stop();
    await stopAll();
    await rm(scratch, { recursive: true, force: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
