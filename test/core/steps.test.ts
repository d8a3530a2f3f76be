// sortSteps (src/core/steps.ts): the translator ranks a host's matches with it, so that tens of thousands of
// them are sorted in bounded steps; it must give exactly what a stable Array.prototype.sort gives.
import { describe, expect, it } from '@jest/globals';
import { runSteps, sortSteps } from '../../src/core/steps.js';

/** Items with many equal keys (stability shows), from a fixed seed. */
function items(n: number): Array<{ key: number; at: number }> {
  let s = n + 1;
  return Array.from({ length: n }, (_, at) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return { key: s % 97, at };
  });
}

const byKey = (a: { key: number }, b: { key: number }) => a.key - b.key;

describe('sortSteps', () => {
  it.each([0, 1, 2, 1023, 1024, 1025, 3000, 5121])('orders %i items as a stable sort does', (n) => {
    const input = items(n);
    const frozen = JSON.stringify(input);
    expect(runSteps(sortSteps(input, byKey))).toEqual([...input].sort(byKey));
    expect(JSON.stringify(input)).toBe(frozen); // the input is left as it was
  });

  it('compares no more per step than a native sort of 1,024 items does', () => {
    let comparisons = 0;
    const counted = (a: { key: number }, b: { key: number }) => {
      comparisons++;
      return a.key - b.key;
    };
    const steps = sortSteps(items(20_000), counted);
    const perStep: number[] = [];
    for (let done = false; !done;) {
      const before = comparisons;
      done = steps.next().done === true;
      perStep.push(comparisons - before);
    }
    expect(perStep.length).toBeGreaterThan(20); // 20 runs, then the merges
    expect(Math.max(...perStep)).toBeLessThanOrEqual(1024 * Math.log2(1024)); // a whole sort in one step: ~290,000
  });
});
