// changedRange: the one region where a list of values differs from an earlier one, by identity, as the
// per-change passes use it (route IRs, published hostnames, the coordinator's statuses). Letters stand for
// objects: the same letter is the same object, an upper-case one another object of the same item.
import { describe, expect, it } from '@jest/globals';
import { changedRange, positionBefore, replacedRange } from '../../src/core/changed-range.js';

const objects = new Map<string, object>();
const list = (letters: string) => [...letters].map((l) => objects.get(l) ?? (objects.set(l, { l }), objects.get(l)!));

describe('changedRange', () => {
  it.each([
    ['abcd', 'abcd', { start: 4, beforeEnd: 4, nowEnd: 4 }, 'the same list: an empty range at the end'],
    ['abcd', 'aBcd', { start: 1, beforeEnd: 2, nowEnd: 2 }, 'one replaced in place'],
    ['abcd', 'abxcd', { start: 2, beforeEnd: 2, nowEnd: 3 }, 'one inserted'],
    ['abcd', 'abcdx', { start: 4, beforeEnd: 4, nowEnd: 5 }, 'one appended'],
    ['abcd', 'acd', { start: 1, beforeEnd: 2, nowEnd: 1 }, 'one removed'],
    ['abcd', '', { start: 0, beforeEnd: 4, nowEnd: 0 }, 'all removed'],
    ['aaaa', 'aaa', { start: 3, beforeEnd: 4, nowEnd: 3 }, 'a repeated object: head first, then tail'],
    ['abcd', 'ABcd', { start: 0, beforeEnd: 2, nowEnd: 2 }, 'two neighbours replaced'],
    ['abcd', 'AbcD', { start: 0, beforeEnd: 4, nowEnd: 4 }, 'two far apart: the range spans both'],
  ])('%s → %s is %p (%s)', (before, now, range) => {
    expect(changedRange(list(before), list(now))).toEqual(range);
  });

  it('has nothing to compare with no earlier list', () => {
    expect(changedRange(undefined, list('ab'))).toBeUndefined();
  });

  it('gives up past 8 items or an eighth of the list, whichever is more', () => {
    const long = (n: number) => Array.from({ length: n }, (_, i) => ({ i }));
    const before = long(160);
    const replaced = (from: number, count: number) =>
      before.map((o, i) => (i >= from && i < from + count ? { ...o } : o));
    expect(changedRange(before, replaced(10, 20))).toEqual({ start: 10, beforeEnd: 30, nowEnd: 30 });
    expect(changedRange(before, replaced(10, 21))).toBeUndefined();
    const short = long(20);
    expect(
      changedRange(
        short,
        short.map((o, i) => (i < 8 ? { ...o } : o)),
      ),
    ).toEqual({ start: 0, beforeEnd: 8, nowEnd: 8 });
    expect(
      changedRange(
        short,
        short.map((o, i) => (i < 9 ? { ...o } : o)),
      ),
    ).toBeUndefined();
    expect(changedRange(short, [...short.slice(0, 5), ...long(9), ...short.slice(5)])).toBeUndefined();
  });
});

describe('positionBefore', () => {
  // The oracle: each item of the new list outside the range is found at its old position by identity.
  it.each([
    ['abcd', 'abxcd'],
    ['abcd', 'acd'],
    ['abcd', 'aBcd'],
    ['abcd', 'abcdx'],
    ['abcd', 'xabcd'],
    ['abcd', 'AbcD'],
  ])('maps %s → %s: every item outside the range to its old position, -1 inside', (before, now) => {
    const [b, n] = [list(before), list(now)];
    const range = changedRange(b, n)!;
    const positions = n.map((_, i) => positionBefore(range, i));
    positions.forEach((at, i) => {
      const inside = i >= range.start && i < range.nowEnd;
      expect(at).toBe(inside ? -1 : b.indexOf(n[i]!));
    });
  });

  it('keeps the position when there is no range (callers check identity there)', () => {
    expect([0, 3, 7].map((i) => positionBefore(undefined, i))).toEqual([0, 3, 7]);
  });
});

describe('replacedRange', () => {
  const plus10 = (n: number) => n + 10;
  it.each<[number[], number, number, number[], ((n: number) => number) | undefined, number[]]>([
    [[1, 2, 3, 4], 1, 3, [7, 8, 9], undefined, [1, 7, 8, 9, 4]],
    [[1, 2, 3, 4], 1, 3, [], undefined, [1, 4]],
    [[1, 2, 3, 4], 2, 2, [7], undefined, [1, 2, 7, 3, 4]],
    [[1, 2, 3, 4], 0, 4, [7], undefined, [7]],
    [[1, 2, 3, 4], 4, 4, [7], undefined, [1, 2, 3, 4, 7]],
    [[1, 2, 3, 4], 0, 0, [7], plus10, [7, 11, 12, 13, 14]],
    [[1, 2, 3, 4], 1, 2, [7, 8], plus10, [1, 7, 8, 13, 14]],
    [[], 0, 0, [], plus10, []],
  ])('%j with [%i, %i) replaced by %j (items after: %p) is %j', (list, start, end, middle, after, expected) => {
    const out = replacedRange(list, start, end, middle, after);
    expect(out).toEqual(expected);
    expect(out).not.toBe(list);
  });

  it('leaves its input untouched', () => {
    const list = [1, 2, 3];
    replacedRange(list, 0, 1, [9], plus10);
    expect(list).toEqual([1, 2, 3]);
  });
});
