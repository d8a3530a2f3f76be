// Long run: many requests through the proxy while the route table is replaced continuously. Heap (after GC),
// handle counts and the number of metric series must level off, and no request may fail. CI runs a short form; the full form is
//   SOAK_REQUESTS=1000000 npm run jest -- test/robustness/soak.test.ts
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Pool } from 'undici';
import { startEchoBackend, type EchoBackend } from '../support/backends.js';
import { ConfigBuilder, backend, prefix, startTestProxy } from '../proxy/helpers.js';
import type { RunningProxy } from '../../proxy/index.js';

const REQUESTS = Number(process.env.SOAK_REQUESTS ?? 10_000);
const CONCURRENCY = 16;
const CHURN_MS = 100;
/** How long a replaced rule keeps its metric series here (30 s in production: shortened so the run sees many go). */
const RETIRED_RULE_METRICS_MS = 500;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Per-rule series in /metrics: every generation's rule is new, so without retirement these grow with the run. */
async function ruleSeries(proxy: RunningProxy): Promise<{ requests: number; histogram: number }> {
  const lines = (await proxy.metrics.metrics())
    .split('\n')
    .filter((l) => l.includes('rule="') && !l.includes('rule="none"'));
  return {
    requests: lines.filter((l) => l.startsWith('proxy_requests_total{')).length,
    histogram: lines.filter((l) => l.startsWith('proxy_request_duration_seconds')).length,
  };
}

const activeHandles = () => (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;

describe('soak', () => {
  let proxy: RunningProxy;
  let backends: EchoBackend[];

  beforeAll(async () => {
    backends = await Promise.all(['a', 'b'].map((n) => startEchoBackend(n)));
    proxy = await startTestProxy({ retiredRuleMetricsMs: RETIRED_RULE_METRICS_MS });
  });

  afterAll(async () => {
    await proxy.close(0);
    await Promise.all(backends.map((b) => b.close()));
  });

  /** A config of `size` hosts whose backends alternate, so every swap really changes the table. */
  function config(generation: number, size = 200) {
    const b = new ConfigBuilder();
    const rule = b.rule(`r${generation}`, [backend(backends[generation % 2]!)]);
    for (let i = 0; i < size; i++) b.route(`h${i}.test`, prefix('/'), rule);
    b.route('soak.test', prefix('/'), rule);
    return b.build(generation);
  }

  it(`serves ${REQUESTS} requests under route churn with flat heap and handles`, async () => {
    let generation = 1;
    expect(proxy.applyConfig(config(generation))).toMatchObject({ ok: true });
    const churn = setInterval(() => proxy.applyConfig(config(++generation)), CHURN_MS);
    const pool = new Pool(`http://127.0.0.1:${proxy.ports.http}`, { connections: CONCURRENCY });
    let sent = 0;
    let failed = 0;
    const samples: Array<{ at: number; heap: number; handles: number }> = [];
    const sampleEvery = Math.max(1000, Math.floor(REQUESTS / 10));
    const worker = async () => {
      while (sent < REQUESTS) {
        const n = ++sent;
        const res = await pool
          .request({ method: 'GET', path: `/x${n % 50}`, headers: { host: 'soak.test' } })
          .catch(() => undefined);
        if (!res || res.statusCode !== 200) failed++;
        await res?.body.dump();
        if (n % sampleEvery === 0) samples.push({ at: n, heap: heapAfterGc(), handles: activeHandles() });
      }
    };
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    } finally {
      clearInterval(churn);
      await pool.close();
    }
    expect(failed).toBe(0);
    expect(generation).toBeGreaterThan(3);
    // Compare the second half against the first sample after warm-up: growth must stay small and bounded.
    const warm = samples[1] ?? samples[0]!;
    const last = samples.at(-1)!;
    expect(last.heap - warm.heap).toBeLessThan(32 * 1024 * 1024);
    expect(last.handles - warm.handles).toBeLessThanOrEqual(CONCURRENCY);
    // Only the rules of the last RETIRED_RULE_METRICS_MS keep series (plus slack for a loaded machine), not
    // one per generation served: 17 histogram lines per rule.
    const series = await ruleSeries(proxy);
    const bound = Math.ceil(RETIRED_RULE_METRICS_MS / CHURN_MS) + 5;
    expect(series.requests).toBeLessThanOrEqual(bound);
    expect(series.histogram).toBeLessThanOrEqual(17 * bound);
    expect(series.requests).toBeLessThan(generation / 2);
  }, 600_000);
});
