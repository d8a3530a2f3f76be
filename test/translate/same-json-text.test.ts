// sameJsonText (src/translate/statuses.ts) decides whether a route still carries the status computed for it:
// it must say what comparing the two JSON texts says, for any JSON data, without building them.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { sameJsonText } from '../../src/translate/statuses.js';
import { propertyRuns } from '../support/runs.js';

const text = (v: unknown) => JSON.stringify(v);

/** A JSON value and a variant of it: itself copied, with keys reordered, or with one leaf changed. */
const pair = fc
  .jsonValue()
  .chain((a) =>
    fc.tuple(
      fc.constant(a),
      fc.oneof(
        fc.constant(JSON.parse(JSON.stringify(a)) as unknown),
        fc.constant(reordered(a)),
        fc.jsonValue(),
        fc.constant(withLeafChanged(a)),
      ),
    ),
  );

function reordered(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reordered);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.entries(v)
      .reverse()
      .map(([k, x]) => [k, reordered(x)]),
  );
}

function withLeafChanged(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [withLeafChanged(v[0]), ...v.slice(1)] : [0];
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v);
    if (!entries.length) return { k: 1 };
    const [[k, x], ...rest] = entries;
    return { [k]: withLeafChanged(x), ...Object.fromEntries(rest) };
  }
  return typeof v === 'number' ? v + 1 : `${String(v)}x`;
}

describe('sameJsonText', () => {
  it('agrees with comparing JSON texts', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        expect(sameJsonText(a, b)).toBe(text(a) === text(b));
      }),
      { numRuns: propertyRuns(2000) },
    );
  });

  it('skips undefined properties as JSON does, and tells a missing array element from a present one', () => {
    expect(sameJsonText({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJsonText({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(sameJsonText([1, 2], [1])).toBe(false);
    expect(sameJsonText({ a: [] }, { a: {} })).toBe(false);
    expect(sameJsonText({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
  });

  it('tells an object from a primitive, and an array from an object that looks like one', () => {
    expect(sameJsonText({}, 5)).toBe(false);
    expect(sameJsonText(5, {})).toBe(false);
    expect(sameJsonText([1], { 0: 1, length: 1 })).toBe(false);
    expect(sameJsonText({ 0: 1, length: 1 }, [1])).toBe(false);
    expect(sameJsonText({ length: 0 }, [])).toBe(false);
  });
});
