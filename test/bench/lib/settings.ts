// Benchmark knobs, all from the environment so a run can be shortened or focused without editing code.

export interface BenchSettings {
  /** Seconds per measured run (each target, each round). */
  durationS: number;
  /** Seconds of unmeasured load before the rounds, per target. */
  warmupS: number;
  /** Interleaved rounds (A B A B …); the median of the rounds is reported. */
  rounds: number;
  /** HTTP/1.1 keep-alive connections for the throughput runs. */
  connections: number;
  /** Fixed request rate for the latency run. */
  pacedRps: number;
  /** Route counts compared by the route-scaling bench. */
  fewRoutes: number;
  manyRoutes: number;
  /** Routes in the config pushed once a second by the push bench. */
  pushRoutes: number;
  /** Which benches to run (names), all when empty. */
  only: string[];
  /** Worker processes of our proxy (as `proxy --workers N`, default 1 like the product); 0 runs it in one process. */
  proxyWorkers: number;
  /** Write a V8 CPU profile of our proxy (node --cpu-prof) into this folder. */
  cpuProfDir?: string;
}

function num(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

export function readSettings(): BenchSettings {
  return {
    durationS: num('BENCH_DURATION', 5),
    warmupS: num('BENCH_WARMUP', 1),
    rounds: Math.round(num('BENCH_ROUNDS', 2)),
    connections: Math.round(num('BENCH_CONNECTIONS', 32)),
    pacedRps: Math.round(num('BENCH_RPS', 1000)),
    fewRoutes: Math.round(num('BENCH_FEW_ROUTES', 10)),
    manyRoutes: Math.round(num('BENCH_MANY_ROUTES', 10_000)),
    pushRoutes: Math.round(num('BENCH_PUSH_ROUTES', 5_000)),
    only: (process.env.BENCH_ONLY ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    proxyWorkers: process.env.BENCH_PROXY_WORKERS === '0' ? 0 : Math.round(num('BENCH_PROXY_WORKERS', 1)),
    cpuProfDir: process.env.BENCH_CPU_PROF || undefined,
  };
}

export const SETTINGS_HELP = `Environment:
  BENCH_DURATION=5      seconds per measured run        BENCH_ROUNDS=2     interleaved rounds (median reported)
  BENCH_WARMUP=1        seconds of warm-up per target   BENCH_CONNECTIONS=32
  BENCH_RPS=1000        fixed rate for the latency run  BENCH_ONLY=a,b     run only these benches
  BENCH_FEW_ROUTES=10   BENCH_MANY_ROUTES=10000         BENCH_PUSH_ROUTES=5000
  BENCH_PROXY_WORKERS=1 our proxy's worker processes (0: one process, no cluster)
  BENCH_CPU_PROF=DIR    write a --cpu-prof profile of our proxy (and of the CLI under test) into DIR
  BENCH_CP_SIZES=1000,5000   control-plane (in-process) route counts
  BENCH_CLI_SIZES=1000,5000  cli-churn route counts (the CLI in a child process; 20000 allowed)`;
