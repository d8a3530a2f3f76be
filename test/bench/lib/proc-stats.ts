// What a process costs, read from Linux /proc: CPU time to the nanosecond and resident memory.
// CPU comes from each thread's schedstat (the scheduler's own run-time account) because utime + stime in
// /proc/<pid>/stat count 10 ms clock ticks, as coarse as the ~10 ms per change the control-plane bench
// measures. Threads that have exited drop out of the sum; a Node process keeps its threads (main, libuv
// pool, V8 platform), so a window between two readings is exact. Without schedstat it falls back to stat.
import { readdirSync, readFileSync } from 'node:fs';
import { cpuSeconds, processTree } from './cpu.js';

/** Run time in ns: the first field of /proc/<pid>/task/<tid>/schedstat ("run wait timeslices"). */
export function parseSchedstatNs(text: string): number {
  const ns = Number(text.trim().split(/\s+/)[0]);
  if (!Number.isFinite(ns)) throw new Error(`unexpected schedstat: ${JSON.stringify(text)}`);
  return ns;
}

/** A "Name:   1234 kB" field of /proc/<pid>/status, in bytes. */
export function parseStatusBytes(text: string, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(text);
  if (!m) throw new Error(`no ${field} in /proc status`);
  return Number(m[1]) * 1024;
}

function threadsNs(pid: number): number | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0; // process gone
  }
  let ns = 0;
  for (const tid of tids) {
    try {
      ns += parseSchedstatNs(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && tid === String(pid)) return undefined; // no schedstat
      /* thread gone meanwhile */
    }
  }
  return ns;
}

/** CPU time (user + system) used so far by the process tree of `pid`, in ms. */
export function cpuMs(pid: number): number {
  const pids = processTree(pid);
  let ns = 0;
  for (const p of pids) {
    const n = threadsNs(p);
    if (n === undefined) return cpuSeconds(pids) * 1000;
    ns += n;
  }
  return ns / 1e6;
}

/**
 * Resident set now and its peak over each process's life, in MiB, summed over the process tree of `pid`
 * (standalone serves from a worker process by default: both are what the product costs).
 */
export function memoryMiB(pid: number): { rss: number; hwm: number } {
  let rss = 0;
  let hwm = 0;
  for (const p of processTree(pid)) {
    let text: string;
    try {
      text = readFileSync(`/proc/${p}/status`, 'utf8');
    } catch {
      if (p === pid) throw new Error(`process ${pid} is gone`);
      continue; // a child exited meanwhile
    }
    // A child that has exited but not been reaped (a zombie) has no memory lines left: it holds none.
    if (p !== pid && /^State:\s+Z/m.test(text)) continue;
    rss += parseStatusBytes(text, 'VmRSS');
    hwm += parseStatusBytes(text, 'VmHWM');
  }
  return { rss: rss / 2 ** 20, hwm: hwm / 2 ** 20 };
}

/** Samples VmRSS every `everyMs` until stopped; stop() returns the highest value seen (MiB). */
export function sampleRss(pid: number, everyMs = 20): { stop(): number } {
  let peak = memoryMiB(pid).rss;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, memoryMiB(pid).rss);
    } catch {
      /* the process is gone; the bench's own checks report that */
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

/**
 * Waits until the process tree of `pid` used less than `maxMs` of CPU in one `windowMs` window: the work a
 * change set off (sync, push, status writes, GC) is over. Returns that window's CPU in ms per second.
 */
export async function waitQuiet(
  pid: number,
  { windowMs = 200, maxMs = 4, timeoutMs = 30_000 }: { windowMs?: number; maxMs?: number; timeoutMs?: number } = {},
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let used = Number.NaN;
  while (performance.now() < deadline) {
    const before = cpuMs(pid);
    const started = performance.now();
    await new Promise((r) => setTimeout(r, windowMs));
    used = cpuMs(pid) - before;
    if (used < maxMs) return (used / (performance.now() - started)) * 1000;
  }
  throw new Error(
    `process ${pid} did not go quiet within ${timeoutMs} ms (last ${windowMs} ms window: ${used.toFixed(1)} ms CPU)`,
  );
}
