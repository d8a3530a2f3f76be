// Where the control plane's allocation per change comes from (issue 15): `tunnel-gateway standalone` as the
// cli-churn bench runs it (the CLI in a child process on a folder of N routes, 100 to a file), started cold,
// then CHANGES single changes from idle (each served before the next: a new route in a file of its own, or
// a path changed in a file of 100) while V8's sampling heap profiler counts what the CLI's primary process
// allocates (lib/heap-sampler.mjs: garbage included). Prints KiB per change by origin and by function.
// Allocation drives the collector's share of a change's CPU, and unlike CPU time it does not move with the
// machine's load, so it can be compared between source trees on a busy machine.
//
//   npm run build && node bin/run-ts.mjs test/bench/heap-profile-cli.ts [ROUTES=5000] [CHANGES=40] [TOP=30]
import { fileURLToPath } from 'node:url';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { coldStart, singleChange } from './lib/cli-phases.js';
import { cliBuildState, tempDir } from './lib/cli-standalone.js';
import { printAllocations, sampledProfile, summarizeAllocations } from './lib/heap-summary.js';
import { startNginxBackend } from './lib/nginx.js';
import { waitQuiet } from './lib/proc-stats.js';
import { stopAll, stopAllOnExit } from './lib/procs.js';
import { createLayout, writeLayout } from './lib/route-churn.js';
import { addSbinToPath } from './lib/tools.js';

const [routesArg = '5000', changesArg = '40', topArg = '30'] = process.argv.slice(2);
const SAMPLER = fileURLToPath(new URL('./lib/heap-sampler.mjs', import.meta.url));

async function main(): Promise<void> {
  addSbinToPath();
  stopAllOnExit();
  const routes = Number(routesArg);
  const changes = Number(changesArg);
  const dir = await tempDir('bench-heap-cli-');
  const backend = await startNginxBackend();
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  try {
    const layout = createLayout(dir.path, routes);
    await writeLayout(layout, backend.http);
    const out = join(dir.path, 'allocations.heapprofile');
    // A coarser interval than the data plane's: a change allocates megabytes, not kilobytes.
    const env = { HEAP_SAMPLE_OUT: out, HEAP_SAMPLE_INTERVAL: '4096' };
    const { cli } = await coldStart(layout, { nodeArgs: ['--import', SAMPLER], env });
    await waitQuiet(cli.pid, { timeoutMs: Math.max(30_000, routes * 10) });
    process.kill(cli.pid, 'SIGUSR2');
    for (let k = 0; k < changes; k++) await singleChange(cli, layout, agent);
    await waitQuiet(cli.pid);
    process.kill(cli.pid, 'SIGUSR2');
    const summary = summarizeAllocations(await sampledProfile(out), changes);
    const title = `${routes} routes, ${changes} changes, the CLI's primary (${cliBuildState()})`;
    printAllocations(title, 'change', summary, Number(topArg));
    await cli.stop();
  } finally {
    agent.destroy();
    await backend.stop();
    await stopAll();
    dir.remove();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
