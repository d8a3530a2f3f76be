// The allocation split of test/bench/heap-profile.ts: the sampler preload (lib/heap-sampler.mjs) must count
// what was allocated, garbage included, and the summary must charge it to the function and origin that
// allocated it. Checked against a process that allocates a known amount in a named function.
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { originOf, summarizeAllocations, type SamplingNode } from './lib/heap-summary.js';

const ARRAYS = 5_000;
const ELEMENTS = 1_000;

// Allocates ARRAYS arrays of ELEMENTS small integers between the two SIGUSR2s, keeping almost none of them:
// a profile of live objects would hold next to nothing of it.
const ALLOCATE = `
process.kill(process.pid, 'SIGUSR2');
function allocateKnown() {
  let keep = [];
  for (let i = 0; i < ${ARRAYS}; i++) {
    keep.push(new Array(${ELEMENTS}).fill(0));
    if (keep.length > 10) keep = [];
  }
  return keep.length;
}
setTimeout(() => {
  allocateKnown();
  process.kill(process.pid, 'SIGUSR2');
  setTimeout(() => process.exit(0), 300);
}, 50);
`;

async function profileOfKnownAllocation(): Promise<SamplingNode> {
  const dir = await mkdtemp(join(tmpdir(), 'heap-summary-'));
  try {
    const out = join(dir, 'p.heapprofile');
    const sampler = fileURLToPath(new URL('./lib/heap-sampler.mjs', import.meta.url));
    const child = spawn(process.execPath, ['--import', sampler, '-e', ALLOCATE], {
      env: { ...process.env, HEAP_SAMPLE_OUT: out, NODE_OPTIONS: '' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await new Promise<void>((resolve, reject) =>
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exited ${code}`)))),
    );
    return (JSON.parse(await readFile(out, 'utf8')) as { head: SamplingNode }).head;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function node(url: string, fn: string, selfSize: number, children: SamplingNode[] = []): SamplingNode {
  return { callFrame: { functionName: fn, url, lineNumber: 9 }, selfSize, children };
}

describe('allocation profile summary', () => {
  it('charges a known allocation, garbage included, to the function that made it', async () => {
    const head = await profileOfKnownAllocation();
    const summary = summarizeAllocations(head, 1);
    const known = summary.byFunction.find(([fn]) => fn.startsWith('allocateKnown '));
    // Each array's elements alone take ELEMENTS words; the sampler's 512-byte interval is far below that.
    const minimumKiB = (ARRAYS * ELEMENTS * 4) / 1024;
    expect(known).toBeDefined();
    expect(known![1]).toBeGreaterThan(minimumKiB * 0.8);
    expect(known![1]).toBeLessThan(minimumKiB * 2.5);
    expect(summary.byFunction[0]![0]).toBe(known![0]);
  }, 30_000);

  it('sums self sizes by function and origin, largest first, per request', () => {
    const head = node('', '(root)', 0, [
      node('file:///app/proxy/forward/http1.ts', 'onHeaders', 2048, [
        node('node:_http_outgoing', '_storeHeader', 1024),
      ]),
      node('file:///app/node_modules/undici/lib/core/request.js', 'processHeader', 4096),
      node('file:///app/proxy/forward/http1.ts', 'onHeaders', 2048),
    ]);
    const s = summarizeAllocations(head, 2);
    expect(s.totalKiB).toBe(4.5);
    expect(s.byOrigin).toEqual([
      ['ours (proxy/)', 2],
      ['undici', 2],
      ['node:http', 0.5],
    ]);
    expect(s.byFunction[0]).toEqual(['onHeaders proxy/forward/http1.ts:10', 2]);
    expect(s.byFunction.map(([, kib]) => kib)).toEqual([2, 2, 0.5]);
  });

  it.each([
    ['node:internal/http2/core', 'node:http2'],
    ['node:_http_server', 'node:http'],
    ['node:internal/streams/writable', 'node streams'],
    ['node:timers', 'node timers'],
    ['node:internal/timers', 'node timers'],
    ['node:internal/process/task_queues', 'node nextTick'],
    ['node:buffer', 'node other'],
    ['', 'V8 / native'],
    ['file:///app/node_modules/@scope/pkg/index.js', '@scope/pkg'],
    ['file:///app/node_modules/undici/lib/dispatcher/client-h1.js', 'undici'],
    ['file:///app/src/translate/routes.ts', 'ours (src/)'],
    ['file:///app/dist/machines/coordinator.js', 'ours (machines/)'],
    ['file:///elsewhere/tool.js', 'other'],
  ])('%s belongs to %s', (url, origin) => {
    expect(originOf(url)).toBe(origin);
  });
});
