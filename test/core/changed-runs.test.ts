// changedRuns: every region where a list differs from an earlier one, by identity (the coordinator's statuses,
// where a route added changes its own status and its Gateway's, thousands apart). Letters stand for objects:
// the same letter is the same object, an upper-case one another object of the same item.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { changedRuns, type ChangedRun } from '../../src/core/changed-range.js';

const objects = new Map<string, object>();
const list = (letters: string) => [...letters].map((l) => objects.get(l) ?? (objects.set(l, { l }), objects.get(l)!));
/** A run as "before-slice→now-slice" at its start indexes, e.g. "1:b→B". */
const shown = (before: string, now: string, runs: ChangedRun[] | undefined) =>
  runs?.map((r) => `${r.beforeStart}:${before.slice(r.beforeStart, r.beforeEnd)}→${now.slice(r.nowStart, r.nowEnd)}`);

describe('changedRuns', () => {
  it.each([
    ['abcdefghij', 'abcdefghij', [], 'the same list: no run'],
    ['abcdefghij', 'aBcdefghij', ['1:b→B'], 'one replaced in place'],
    ['abcdefghij', 'abcxdefghij', ['3:→x'], 'one inserted'],
    ['abcdefghij', 'abcdefghijx', ['10:→x'], 'one appended'],
    ['abcdefghij', 'abdefghij', ['2:c→'], 'one removed'],
    ['abcdefghij', 'aBcdefghxij', ['1:b→B', '8:→x'], 'a route added and its Gateway changed, apart'],
    ['abcdefghij', 'AbcdefghiJ', ['0:a→A', '9:j→J'], 'the first and the last replaced'],
    ['abcdefghij', 'aBCDEfghij', ['1:bcde→BCDE'], 'neighbours replaced: one run'],
    ['abcdefghij', 'aBCDEFGhij', ['1:bcdefg→BCDEFG'], 'past the resync distance: the rest less the common tail'],
  ])('%s → %s is %p (%s)', (before, now, runs) => {
    expect(shown(before, now, changedRuns(list(before), list(now)))).toEqual(runs);
  });

  it('has nothing to compare with no earlier list, and gives up past an eighth of the list (8 at least)', () => {
    expect(changedRuns(undefined, list('ab'))).toBeUndefined();
    const long = Array.from({ length: 160 }, (_, i) => ({ i }));
    const replacedAt = (at: number[]) => long.map((o, i) => (at.includes(i) ? { ...o } : o));
    const everyFifth = (count: number) => Array.from({ length: count }, (_, k) => 5 * k);
    expect(changedRuns(long, replacedAt(everyFifth(20)))).toHaveLength(20);
    expect(changedRuns(long, replacedAt(everyFifth(21)))).toBeUndefined();
  });

  /** Unique objects, and an edit script: at a position, replace, insert or remove one item. */
  const edits = fc.array(fc.record({ at: fc.nat(), op: fc.constantFrom('replace', 'insert', 'remove') }), {
    maxLength: 6,
  });

  it('always describes the new list: outside the runs the same objects, inside them the new items', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), edits, (length, script) => {
        const before = Array.from({ length }, (_, i) => ({ i }));
        const now = [...before];
        for (const { at, op } of script) {
          const k = now.length === 0 ? 0 : at % (now.length + (op === 'insert' ? 1 : 0));
          if (op === 'insert') now.splice(k, 0, { i: -1 });
          else if (now.length > 0 && op === 'replace') now[k] = { ...now[k]! };
          else if (now.length > 0) now.splice(k, 1);
        }
        const runs = changedRuns(before, now);
        if (runs === undefined) return;
        const rebuilt: object[] = [];
        let [i, j] = [0, 0];
        for (const r of runs) {
          expect(r.beforeStart - i).toBe(r.nowStart - j); // the same stretch between runs
          expect(r.beforeStart >= i && r.nowStart >= j).toBe(true);
          rebuilt.push(...before.slice(i, r.beforeStart), ...now.slice(r.nowStart, r.nowEnd));
          [i, j] = [r.beforeEnd, r.nowEnd];
        }
        rebuilt.push(...before.slice(i));
        expect(rebuilt.length).toBe(now.length);
        rebuilt.forEach((o, k) => expect(o).toBe(now[k]));
      }),
      { numRuns: 500 },
    );
  });
});
