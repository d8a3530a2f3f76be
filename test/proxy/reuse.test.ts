// The incremental compile's two helpers (proxy/router/reuse.ts): the changed range of two lists, and use
// counts that report which keys appeared or vanished from the replaced rules alone. Each is checked
// against the obvious full computation over random lists.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { sameEnds, UseCounts } from '../../proxy/router/reuse.js';

const list = fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 12 });

describe('sameEnds', () => {
  it('keeps the longest equal head, then the longest equal tail of what is left', () => {
    fc.assert(
      fc.property(list, list, (before, now) => {
        const { start, beforeEnd, nowEnd } = sameEnds(before, now);
        // Two ranges that begin where the head ends (never inside it) and end where one tail begins.
        expect(beforeEnd).toBeGreaterThanOrEqual(start);
        expect(nowEnd).toBeGreaterThanOrEqual(start);
        expect(before.length - beforeEnd).toBe(now.length - nowEnd);
        expect(before.slice(0, start)).toEqual(now.slice(0, start));
        expect(before.slice(beforeEnd)).toEqual(now.slice(nowEnd));
        // Neither end could be longer.
        if (start < Math.min(before.length, now.length)) expect(before[start]).not.toBe(now[start]);
        if (beforeEnd > start && nowEnd > start) expect(before[beforeEnd - 1]).not.toBe(now[nowEnd - 1]);
        // The middles replaced each other: the lists rebuild from the ends and the new middle.
        expect([...before.slice(0, start), ...now.slice(start, nowEnd), ...before.slice(beforeEnd)]).toEqual(now);
      }),
    );
  });

  it('names the one replaced, inserted or removed item', () => {
    expect(sameEnds(['a', 'b', 'c'], ['a', 'x', 'c'])).toEqual({ start: 1, beforeEnd: 2, nowEnd: 2 });
    expect(sameEnds(['a', 'b'], ['a', 'b', 'n'])).toEqual({ start: 2, beforeEnd: 2, nowEnd: 3 });
    expect(sameEnds(['a', 'b', 'c'], ['a', 'c'])).toEqual({ start: 1, beforeEnd: 2, nowEnd: 1 });
    expect(sameEnds(['a', 'b'], ['a', 'b'])).toEqual({ start: 2, beforeEnd: 2, nowEnd: 2 });
  });
});

describe('UseCounts', () => {
  const distinct = (xs: string[]) => new Set(xs);

  it('reports exactly the keys that appear or vanish when some uses are replaced, over any sequence', () => {
    const step = fc.record({ remove: fc.nat(), add: list });
    fc.assert(
      fc.property(list, fc.array(step, { maxLength: 8 }), (initial, steps) => {
        const counts = new UseCounts<string>();
        counts.commit(counts.change([], initial));
        let uses = [...initial];
        for (const { remove, add } of steps) {
          // Take out some of the uses there are (each key once per use, as the compiler passes them).
          const removed = uses.slice(0, remove % (uses.length + 1));
          const next = [...uses.slice(removed.length), ...add];
          const change = counts.change(removed, add);
          const [was, is] = [distinct(uses), distinct(next)];
          expect(distinct(change.appeared)).toEqual(new Set([...is].filter((k) => !was.has(k))));
          expect(distinct(change.vanished)).toEqual(new Set([...was].filter((k) => !is.has(k))));
          counts.commit(change);
          uses = next;
        }
      }),
    );
  });

  it('changes nothing until committed', () => {
    const counts = new UseCounts<string>();
    expect(counts.change([], ['a']).appeared).toEqual(['a']);
    expect(counts.change([], ['a']).appeared).toEqual(['a']);
    counts.commit(counts.change([], ['a', 'a']));
    expect(counts.change(['a'], []).vanished).toEqual([]);
    expect(counts.change(['a', 'a'], []).vanished).toEqual(['a']);
  });
});
