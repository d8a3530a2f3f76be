// wrk (HTTP/1.1, keep-alive, closed loop): req/s, latency percentiles and errors, parsed from its report.
import { runToEnd } from './procs.js';

export interface WrkResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx/3xx responses plus socket errors (connect, read, write, timeout). */
  errors: number;
  requests: number;
}

export interface WrkOptions {
  connections: number;
  durationS: number;
  threads?: number;
  /** Extra request headers; name the Host header exactly "Host" or wrk sends its own as well. */
  headers?: Record<string, string>;
}

export async function runWrk(url: string, opts: WrkOptions): Promise<WrkResult> {
  const args = [
    '-t',
    String(opts.threads ?? 1),
    '-c',
    String(opts.connections),
    '-d',
    `${opts.durationS}s`,
    '--latency',
    '--timeout',
    '5s',
  ];
  for (const [name, value] of Object.entries(opts.headers ?? {})) args.push('-H', `${name}: ${value}`);
  return parseWrk(await runToEnd('wrk', [...args, url]));
}

export function parseWrk(out: string): WrkResult {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  if (!Number.isFinite(rps) || !Number.isFinite(requests)) throw new Error(`unexpected wrk output:\n${out}`);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return { rps, requests, p50Ms: percentile(out, '50'), p99Ms: percentile(out, '99'), errors: non2xx + socketErrors };
}

function percentile(out: string, p: string): number {
  const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
  if (!m) throw new Error(`no ${p}% latency in wrk output:\n${out}`);
  const value = Number(m[1]);
  return m[2] === 'us' ? value / 1000 : m[2] === 's' ? value * 1000 : value;
}
