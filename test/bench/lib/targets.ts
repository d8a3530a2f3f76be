// Starting the things a bench measures: nginx backend/proxy, Node peers, our proxy (all child processes).
import { randomBytes } from 'node:crypto';
import { startChild } from './procs.js';
import type { NginxInstance } from './nginx.js';
import { GC_TRACE_FLAG, GcLog } from './gc-trace.js';

const RUN_TS = 'bin/run-ts.mjs';

export type PeerKind = 'hello' | 'http-proxy' | 'fastify' | 'undici';

export async function startPeer(
  kind: PeerKind,
  backend: NginxInstance,
): Promise<{ pid: number; port: number; gc: GcLog; stop(): Promise<void> }> {
  const gc = new GcLog();
  const { child, ready } = await startChild<{ port: number }>(
    'node',
    [GC_TRACE_FLAG, RUN_TS, 'test/bench/servers/peer.ts', kind, `http://127.0.0.1:${backend.http}`],
    { readyJson: true, onLine: (line) => gc.line(line) },
  );
  return { pid: child.proc.pid!, port: ready!.port, gc, stop: child.stop };
}

/** A Node floor (servers/floor.ts): the leanest HTTP/1.1 (h1) or h2c (h2) forwarding hop Node allows. */
export async function startFloor(
  kind: 'h1' | 'h2',
  backendUrl: string,
): Promise<{ pid: number; port: number; gc: GcLog; stop(): Promise<void> }> {
  const gc = new GcLog();
  const { child, ready } = await startChild<{ port: number }>(
    'node',
    [GC_TRACE_FLAG, RUN_TS, 'test/bench/servers/floor.ts', kind, backendUrl],
    { readyJson: true, onLine: (line) => gc.line(line) },
  );
  return { pid: child.proc.pid!, port: ready!.port, gc, stop: child.stop };
}

export interface OursInstance {
  pid: number;
  http: number;
  admin: number;
  token: string;
  /** Its heap allocation (every process of it: the primary and the workers run with the GC trace). */
  gc: GcLog;
  /** PUT /config; resolves with the status and the time the push took. */
  push(body: string): Promise<{ status: number; ms: number; text: string }>;
  stop(): Promise<void>;
}

/** workers: as `proxy --workers N` (a cluster primary and N worker processes); 0 = one process. */
export async function startOurs(
  workers: number,
  cpuProfDir?: string,
  env: Record<string, string> = {},
): Promise<OursInstance> {
  const token = randomBytes(16).toString('hex');
  const prof = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
  const gc = new GcLog();
  const { child, ready } = await startChild<{ http: number; admin: number }>(
    'node',
    // Cluster workers inherit the flags and the primary's stdout: one log hears them all.
    [...prof, GC_TRACE_FLAG, RUN_TS, 'test/bench/servers/ours.ts'],
    {
      readyJson: true,
      onLine: (line) => gc.line(line),
      env: { BENCH_ADMIN_TOKEN: token, BENCH_PROXY_WORKERS: String(workers), LOG_LEVEL: 'silent', ...env },
    },
  );
  const { http, admin } = ready!;
  const push = async (body: string) => {
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${admin}/config`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });
    const text = await res.text();
    return { status: res.status, ms: performance.now() - started, text };
  };
  return { pid: child.proc.pid!, http, admin, token, gc, push, stop: child.stop };
}

/** Pushes a config and fails loudly unless the proxy took it. */
export async function load(ours: OursInstance, config: unknown): Promise<void> {
  const res = await ours.push(JSON.stringify(config));
  if (res.status !== 200) throw new Error(`PUT /config answered ${res.status}: ${res.text.slice(0, 500)}`);
}
