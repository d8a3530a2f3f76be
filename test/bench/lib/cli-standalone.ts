// `tunnel-gateway standalone` as a user runs it: the CLI (bin/tunnel-gateway.mjs) in a child process on a
// folder of manifests, read from the outside only — its data port, its admin API (/status, /metrics) and
// /proc. The admin port is loopback without a token file, which needs no token.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { startChild } from './procs.js';

const CLI = 'bin/tunnel-gateway.mjs';

export interface CliStandalone {
  pid: number;
  http: number;
  admin: number;
  /** performance.now() just before the spawn. */
  spawnedAt: number;
  /** HTTPRoutes whose status says Accepted=True (GET /status). */
  acceptedRoutes(): Promise<number>;
  /** tunnel_gateway_syncs_total over every outcome (GET /metrics). */
  syncs(): Promise<number>;
  /** Throws with the child's stderr when it has exited (a poll would otherwise time out silently). */
  assertRunning(): void;
  stop(): Promise<void>;
}

/** More for the CLI's node: flags before the script (e.g. `--import` a preload) and environment. */
export interface CliSpawnExtra {
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
}

export async function startCliStandalone(manifests: string, extra: CliSpawnExtra = {}): Promise<CliStandalone> {
  const [http, tls, admin] = [await freePort(), await freePort(), await freePort()];
  const at = (port: number) => `127.0.0.1:${port}`;
  const spawnedAt = performance.now();
  // BENCH_CPU_PROF (settings.ts) profiles the CLI too: each of its processes writes its own profile there.
  // Sampled every 4 ms, not V8's 1 ms: at 1 ms the sampler alone costs ~9 ms of CPU per 200 ms, and the
  // bench's wait for an idle process (< 4 ms in 200 ms) never ends.
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', '--cpu-prof-interval=4000', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const { child } = await startChild(
    'node',
    [
      ...profile,
      ...(extra.nodeArgs ?? []),
      CLI,
      'standalone',
      '--manifests',
      manifests,
      '--listen',
      at(http),
      '--tls-listen',
      at(tls),
      '--admin',
      at(admin),
    ],
    { env: { LOG_LEVEL: 'warn', ...extra.env } },
  );
  const assertRunning = () => {
    const { exitCode, signalCode } = child.proc;
    if (exitCode !== null || signalCode !== null)
      throw new Error(`standalone exited (${exitCode ?? signalCode}):\n${child.stderrTail()}`);
  };
  const get = async (path: string): Promise<string> => {
    assertRunning();
    const res = await fetch(`http://${at(admin)}${path}`, { signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return text;
  };
  return {
    pid: child.proc.pid!,
    http,
    admin,
    spawnedAt,
    acceptedRoutes: async () => {
      try {
        return acceptedHttpRoutes(JSON.parse(await get('/status')) as StatusBody);
      } catch (err) {
        assertRunning();
        if ((err as Error).name === 'TypeError') return 0; // admin port not listening yet (fetch failed)
        throw err;
      }
    },
    syncs: async () => metricSum(await get('/metrics'), 'tunnel_gateway_syncs_total'),
    assertRunning,
    stop: child.stop,
  };
}

interface StatusBody {
  statuses: Array<{
    kind: string;
    status?: { parents?: Array<{ conditions?: Array<{ type: string; status: string }> }> };
  }>;
}

/** HTTPRoutes accepted by at least one parent in a GET /status body. */
export function acceptedHttpRoutes(body: StatusBody): number {
  return body.statuses.filter(
    (s) =>
      s.kind === 'HTTPRoute' &&
      s.status?.parents?.some((p) => p.conditions?.some((c) => c.type === 'Accepted' && c.status === 'True')),
  ).length;
}

/** Sum of a counter's samples over all its label sets in Prometheus text format (0 when absent). */
export function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue; // another metric with this prefix (…_created)
    sum += Number(rest.slice(rest.lastIndexOf(' ') + 1));
  }
  return sum;
}

/**
 * What bin/tunnel-gateway.mjs will run: "dist/" when the build is current, else why the sources run through
 * tsx (slower start, more memory: a number measured so is not the product's). Mirrors the bin's own check.
 */
export function cliBuildState(root = process.cwd()): string {
  const built = join(root, 'dist', '.built');
  if (!existsSync(join(root, 'dist', 'src', 'cli.js')) || !existsSync(built)) return 'sources via tsx (no build)';
  const builtAt = statSync(built).mtimeMs;
  if (statSync(join(root, 'tsconfig.json')).mtimeMs > builtAt)
    return 'sources via tsx (tsconfig.json is newer than the build)';
  for (const dir of ['src', 'machines', 'proxy']) {
    for (const name of ['', ...readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })]) {
      if (statSync(join(root, dir, name)).mtimeMs > builtAt)
        return `sources via tsx (${join(dir, name)} is newer than the build)`;
    }
  }
  return 'dist/ (current build)';
}

/** A temp folder removed at the end of the bench and, should the run be cut short, when this process exits. */
export async function tempDir(prefix: string): Promise<{ path: string; remove(): void }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  const remove = () => {
    process.off('exit', remove);
    rmSync(path, { recursive: true, force: true });
  };
  process.on('exit', remove);
  return { path, remove };
}
