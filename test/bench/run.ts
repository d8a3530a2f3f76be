// `npm run bench`: the data-plane benchmark suite in one run on this machine, interleaved (A B A B) and
// reported as ratios against references measured in the same run (see docs/performance.md).
// Installs nothing: it needs nginx, wrk and h2load on PATH and says how to get them when missing.
import { cpus, loadavg, totalmem } from 'node:os';
import { spawnSync } from 'node:child_process';
import type { BenchContext } from './lib/context.js';
import { startNginxBackend, startNginxProxy } from './lib/nginx.js';
import { stopAll, stopAllOnExit } from './lib/procs.js';
import { renderChecks, renderReport, type BenchReport, type Check } from './lib/report.js';
import { readSettings, SETTINGS_HELP } from './lib/settings.js';
import { addSbinToPath, missingTools } from './lib/tools.js';
import { startOurs } from './lib/targets.js';

type Bench = (ctx: BenchContext) => Promise<BenchReport>;

// Loaded only when selected: the control-plane bench pulls in the whole runtime, the others only the proxy.
const BENCHES: Record<string, () => Promise<Bench>> = {
  throughput: async () => (await import('./benches/throughput.js')).throughput,
  paced: async () => (await import('./benches/paced.js')).paced,
  grpc: async () => (await import('./benches/grpc.js')).grpcUnary,
  routes: async () => (await import('./benches/routes.js')).routeScaling,
  push: async () => (await import('./benches/push.js')).configPush,
  'control-plane': async () => (await import('./benches/control-plane.js')).controlPlane,
  'access-log': async () => (await import('./benches/access-log.js')).accessLogCost,
  'cli-churn': async () => (await import('./benches/cli-churn.js')).cliChurn,
};

function machine(): string {
  const cpu = cpus();
  const nginxVersion = spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr.trim().replace('nginx version: ', '');
  return `${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${nginxVersion}`;
}

async function main(): Promise<number> {
  if (process.argv.includes('--help')) {
    console.log(
      `npm run bench — data-plane benchmarks (ratios against nginx and Node peers, same run)\n\n${SETTINGS_HELP}\n  benches: ${Object.keys(BENCHES).join(', ')}`,
    );
    return 0;
  }
  addSbinToPath();
  const missing = missingTools();
  if (missing.length > 0) {
    console.error(
      `missing on PATH: ${missing.join(', ')}.\nInstall them (Debian): apt-get install -y nginx-light wrk nghttp2-client`,
    );
    return 2;
  }
  const settings = readSettings();
  const selected = settings.only.length ? settings.only : Object.keys(BENCHES);
  const unknown = selected.filter((n) => !(n in BENCHES));
  if (unknown.length) throw new Error(`unknown bench ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  stopAllOnExit();
  console.log(`## Benchmark run ${new Date().toISOString()}\n\nMachine: ${machine()}\n`);
  console.log(
    `Settings: ${settings.durationS}s runs, ${settings.rounds} interleaved rounds, ${settings.warmupS}s warm-up, ${settings.connections} connections, our proxy with ${settings.proxyWorkers} worker process(es)\n`,
  );
  const started = performance.now();
  const backend = await startNginxBackend();
  const nginx = await startNginxProxy(backend);
  const ours = await startOurs(settings.proxyWorkers, settings.cpuProfDir);
  const ctx: BenchContext = { settings, backend, nginx, ours, log: (m) => console.error(`  … ${m}`) };
  const checks: Check[] = [];
  const failed: string[] = [];
  try {
    for (const name of selected) {
      try {
        const bench = await BENCHES[name]!();
        const report = await bench(ctx);
        checks.push(...report.checks);
        console.log(`${renderReport(report)}\n`);
      } catch (err) {
        // One broken bench (e.g. a part still being built) must not hide the others' numbers.
        failed.push(name);
        console.log(
          `### ${name}: FAILED\n\n    ${String((err as Error).message ?? err)
            .split('\n')
            .join('\n    ')}\n`,
        );
      }
    }
  } finally {
    await ours.stop();
    await nginx.stop();
    await backend.stop();
    await stopAll();
  }
  console.log(`### Targets\n\n${renderChecks(checks)}\n`);
  console.log(`Whole run: ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (failed.length) console.log(`Failed benches: ${failed.join(', ')}`);
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    await stopAll();
    process.exit(1);
  },
);
