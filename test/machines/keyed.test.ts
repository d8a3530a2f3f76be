// keyed.ts, the coordinator's resource record: against a Map as the model, after any sequence of changes;
// every earlier value left as it was (the coordinator's old snapshots are read by the debug page and the model
// tests); and a change copies only the buckets it touches, which is what it is for.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  emptyKeyed,
  keyedEntries,
  keyedGet,
  keyedKeys,
  keyedOf,
  keyedValues,
  keyedWith,
  type Keyed,
} from '../../machines/shared/keyed.js';
import { propertyRuns } from '../support/runs.js';

const KEYS = Array.from({ length: 40 }, (_, i) => `HTTPRoute/ns/r-${i}`).concat(['', 'constructor', '__proto__']);
const change = fc.record({
  set: fc.array(fc.tuple(fc.constantFrom(...KEYS), fc.string({ maxLength: 3 })), { maxLength: 4 }),
  removed: fc.array(fc.constantFrom(...KEYS), { maxLength: 4 }),
});

const sorted = (entries: Array<[string, string]>) => [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

describe('keyed record', () => {
  it('answers as a Map after any sequence of changes, and leaves every earlier value as it was', () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 25 }), (changes) => {
        let record = emptyKeyed<string>();
        const model = new Map<string, string>();
        const history: Array<[Keyed<string>, Array<[string, string]>]> = [];
        for (const { set, removed } of changes) {
          history.push([record, sorted([...model])]);
          record = keyedWith(record, set, removed);
          for (const [k, v] of set) model.set(k, v);
          for (const k of removed) model.delete(k);
          expect(record.size).toBe(model.size);
          for (const key of KEYS) expect(keyedGet(record, key)).toBe(model.get(key));
          expect(sorted(keyedEntries(record))).toEqual(sorted([...model]));
          expect(keyedKeys(record).sort()).toEqual([...model.keys()].sort());
          expect(keyedValues(record).sort()).toEqual([...model.values()].sort());
        }
        for (const [old, entries] of history) expect(sorted(keyedEntries(old))).toEqual(entries);
      }),
      { numRuns: propertyRuns(300) },
    );
  });

  it('copies only the buckets a change touches', () => {
    const many = keyedOf(
      Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`HTTPRoute/ns/r-${i}`, `id-${i}`])),
    );
    const next = keyedWith(many, [['HTTPRoute/ns/new', 'id-new']], ['HTTPRoute/ns/r-7']);
    const copied = next.buckets.filter((bucket, i) => bucket !== many.buckets[i]).length;
    expect(copied).toBeGreaterThanOrEqual(1);
    expect(copied).toBeLessThanOrEqual(2);
    expect(next.size).toBe(5000);
    // A bucket holds a small share of the keys: copying one is not copying the record.
    expect(Math.max(...many.buckets.map((b) => Object.keys(b).length))).toBeLessThan(5000 / 16);
  });

  it('gives the same record back when nothing changes, and reads no inherited property as a key', () => {
    const record = keyedOf({ a: '1' });
    expect(keyedWith(record, [], [])).toBe(record);
    expect(keyedWith(record, [])).toBe(record);
    expect(keyedGet(record, 'toString')).toBeUndefined();
    expect(keyedGet(record, 'hasOwnProperty')).toBeUndefined();
    expect(keyedWith(record, [], ['missing']).size).toBe(1);
  });
});
