// h2load: gRPC unary throughput over h2c, and HTTP/1.1 latency at a fixed request rate (--rps per client,
// per-request times from --log-file, so percentiles are ours rather than h2load's mean/sd).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runToEnd } from './procs.js';
import { percentileOf } from './stats.js';

export interface H2loadResult {
  rps: number;
  succeeded: number;
  failed: number;
  /** Responses whose status was not 2xx. */
  non2xx: number;
}

export function parseH2load(out: string): H2loadResult {
  const rps = Number(/finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out)?.[1]);
  const req =
    /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(out);
  const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(out);
  if (!Number.isFinite(rps) || !req || !codes) throw new Error(`unexpected h2load output:\n${out}`);
  return {
    rps,
    succeeded: Number(req[1]),
    failed: Number(req[2]) + Number(req[3]) + Number(req[4]),
    non2xx: Number(codes[2]) + Number(codes[3]) + Number(codes[4]),
  };
}

export interface GrpcLoadOptions {
  clients: number;
  streamsPerClient: number;
  durationS: number;
  bodyFile: string;
}

/** Unary gRPC calls over h2c with prior knowledge: POST of one framed message, te: trailers. */
export async function runGrpcLoad(url: string, opts: GrpcLoadOptions): Promise<H2loadResult> {
  const out = await runToEnd('h2load', [
    '-c',
    String(opts.clients),
    '-m',
    String(opts.streamsPerClient),
    '-D',
    String(opts.durationS),
    '-d',
    opts.bodyFile,
    '-H',
    'content-type: application/grpc',
    '-H',
    'te: trailers',
    url,
  ]);
  return parseH2load(out);
}

export interface PacedResult extends H2loadResult {
  p50Ms: number;
  p99Ms: number;
  /** Requests actually completed per second (to check the rate was held). */
  achievedRps: number;
}

/** HTTP/1.1 at a fixed total rate: `clients` connections × (rate / clients) req/s each. */
export async function runPaced(url: string, rate: number, durationS: number, clients = 10): Promise<PacedResult> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-h2load-'));
  const log = join(dir, 'requests.tsv');
  try {
    const out = await runToEnd('h2load', [
      '--h1',
      '-c',
      String(clients),
      '--rps',
      String(rate / clients),
      '-D',
      String(durationS),
      `--log-file=${log}`,
      url,
    ]);
    const base = parseH2load(out);
    const micros = (await readFile(log, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => Number(line.split('\t')[2]));
    return {
      ...base,
      p50Ms: percentileOf(micros, 50) / 1000,
      p99Ms: percentileOf(micros, 99) / 1000,
      achievedRps: micros.length / durationS,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
