// Recent: the few remembered answers of a per-change pass, newest first, found by a predicate.
import { describe, expect, it } from '@jest/globals';
import { Recent } from '../../src/core/recent.js';

describe('Recent', () => {
  it('finds the newest match and moves it to the front; keeps only the newest few', () => {
    const recent = new Recent<{ n: number }>(3);
    const [a, b, c, d] = [1, 2, 3, 4].map((n) => ({ n }));
    for (const e of [a!, b!, c!]) recent.add(e);
    expect(recent.take((e) => e.n % 2 === 1)).toBe(c); // c is newer than a
    expect(recent.take((e) => e === a)).toBe(a);
    recent.add(d!); // drops the oldest: b (a and c were taken since)
    expect(recent.take((e) => e === b)).toBeUndefined();
    expect([a, c, d].every((e) => recent.take((x) => x === e) === e)).toBe(true);
  });

  it('replaces an answer by its update, or adds it when it is gone', () => {
    const recent = new Recent<{ n: number }>(2);
    const old = recent.add({ n: 1 });
    const updated = recent.replace(old, { n: 2 });
    expect(recent.take((e) => e === old)).toBeUndefined();
    expect(recent.take((e) => e === updated)).toBe(updated);
    recent.add({ n: 3 });
    recent.add({ n: 4 }); // `updated` is dropped
    const late = recent.replace(updated, { n: 5 });
    expect(recent.take((e) => e.n === 4)).toBeDefined();
    expect(recent.take((e) => e === late)).toBe(late);
    expect(recent.take((e) => e.n === 3)).toBeUndefined(); // kept 2: the newest, 5 and 4
  });
});
