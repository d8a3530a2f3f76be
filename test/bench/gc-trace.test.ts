// The bench's heap-per-request figures come from V8's GC trace (lib/gc-trace.ts). This checks the reading
// against a process that allocates a known amount, so a change in the trace's format or a slip in summing
// shows up here rather than as a wrong table.
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { allocatedInLine, GC_TRACE_FLAG, GcLog } from './lib/gc-trace.js';

const ARRAYS = 20_000;
const ELEMENTS = 1_000;
/** A JSArray (4 words) and its FixedArray of ELEMENTS small integers (2 words of header + one word each). */
const variables = process.config.variables as { v8_enable_pointer_compression?: number | boolean };
const pointerBytes = variables.v8_enable_pointer_compression ? 4 : 8;
const BYTES_PER_ARRAY = 4 * pointerBytes + (2 + ELEMENTS) * pointerBytes;

// Collects before "start" and before "end", so everything allocated in between is reported by a collection
// that falls between the two lines.
const ALLOCATE = `
const keep = [];
gc();
console.log('start');
for (let i = 0; i < ${ARRAYS}; i++) {
  keep.push(new Array(${ELEMENTS}).fill(0));
  if (keep.length > 50) keep.length = 0;
}
gc();
console.log('end');
`;

function heapBetweenMarkers(): Promise<{ bytes: number; collections: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GC_TRACE_FLAG, '--expose-gc', '-e', ALLOCATE], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const log = new GcLog();
    let mark: ReturnType<GcLog['mark']> | undefined;
    let result: { bytes: number; collections: number } | undefined;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line === 'start') mark = log.mark();
      else if (line === 'end' && mark !== undefined) result = log.since(mark);
      else log.line(line);
    });
    child.once('error', reject);
    child.once('close', () => (result ? resolve(result) : reject(new Error('no start/end markers seen'))));
  });
}

describe('heap allocation from the GC trace', () => {
  it('reads the bytes a collection reports, and nothing from other lines', () => {
    expect(
      allocatedInLine(
        '[1:0x1]    38 ms: pause=2.9 mutator=30.2 gc=s reduce_memory=0 total_size_before=4074352 allocated=722888 promoted=0',
      ),
    ).toBe(722888);
    // The plain --trace-gc format carries no allocation figure; a JSON ready line or a log line neither.
    expect(allocatedInLine('[1:0x1]    33 ms: Scavenge 3.9 (4.0) -> 3.2 (5.0) MB, 2.45 / 0.00 ms')).toBeUndefined();
    expect(allocatedInLine('{"port": 1234, "allocated=5": true}')).toBeUndefined();
  });

  it('sums to what a process allocated, within 10 %', async () => {
    const { bytes, collections } = await heapBetweenMarkers();
    const expected = ARRAYS * BYTES_PER_ARRAY;
    expect(collections).toBeGreaterThan(1);
    expect(bytes).toBeGreaterThan(expected * 0.9);
    expect(bytes).toBeLessThan(expected * 1.1);
  });
});
