// Where the CPU of one config push goes, measured in this process with CPU time (process.cpuUsage), which
// a busy machine distorts far less than wall time. With workers, the primary pays JSON.parse and checking
// the rules and hosts whose JSON it has not seen in the last push; each worker pays only the compile of
// what changed, in slices. The single-process proxy pays full validation and the compile on its serving loop.
import { startProxy } from '../../../proxy/index.js';
import { ConfigPreparer, type PreparedConfig } from '../../../proxy/config/prepared.js';
import { parseProxyConfig } from '../../../proxy/config/schema.js';
import { median } from './stats.js';

export interface PushCost {
  jsonParseMs: number;
  /** The primary checking and preparing a push that repeats all but one route of the previous one. */
  primaryPrepareMs: number;
  /** Schema validation of the whole config (what a single process does on each push). */
  validateMs: number;
  /** A worker applying a prepared config in which one route changed. */
  workerApplyMs: number;
  /** The single-process proxy's whole applyConfig (validation + compile + swap). */
  inProcessApplyMs: number;
}

async function cpuMs(fn: () => unknown): Promise<number> {
  const before = process.cpuUsage();
  await fn();
  const d = process.cpuUsage(before);
  return (d.user + d.system) / 1000;
}

/** Median over `runs` of each step; bodies alternate so every apply is a real change. */
export async function measurePushCost(bodies: string[], runs = 5): Promise<PushCost> {
  const worker = await startProxy({ listen: { host: '127.0.0.1', port: 0 } });
  const single = await startProxy({ listen: { host: '127.0.0.1', port: 0 } });
  const steps: Record<keyof PushCost, number[]> = {
    jsonParseMs: [],
    primaryPrepareMs: [],
    validateMs: [],
    workerApplyMs: [],
    inProcessApplyMs: [],
  };
  const preparer = new ConfigPreparer('text');
  try {
    for (let i = 0; i < runs + 1; i++) {
      const body = bodies[i % bodies.length]!;
      let parsed: unknown;
      let prepared: PreparedConfig | undefined;
      const sample = {
        jsonParseMs: await cpuMs(() => (parsed = JSON.parse(body))),
        primaryPrepareMs: await cpuMs(() => (prepared = expectPrepared(preparer.prepare(parsed)))),
        validateMs: await cpuMs(() => parseProxyConfig(parsed)),
        workerApplyMs: await cpuMs(async () => expectOk(await worker.applyPrepared(prepared!))),
        inProcessApplyMs: await cpuMs(() => expectOk(single.applyConfig(JSON.parse(body)))),
      };
      if (i === 0) continue; // the first round warms the JIT (and gives the worker its base table)
      for (const key of Object.keys(steps) as Array<keyof PushCost>) steps[key].push(sample[key]);
    }
    return Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, median(v)])) as unknown as PushCost;
  } finally {
    await Promise.all([worker.close(0), single.close(0)]);
  }
}

function expectPrepared(result: ReturnType<ConfigPreparer['prepare']>): PreparedConfig {
  if (!result.ok) throw new Error(`config refused: ${result.error}`);
  return result.prepared;
}

function expectOk(result: { ok: boolean; error?: string }): void {
  if (!result.ok) throw new Error(`config refused: ${result.error}`);
}
