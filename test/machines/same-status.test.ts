// sameStatus compares without building fingerprints; it must answer exactly what comparing the
// fingerprints (sorted-key JSON without lastTransitionTime) answers.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { sameStatus, statusFingerprint } from '../../machines/shared/status.js';
import type { ResourceStatus } from '../../src/core/types.js';

const KEYS = ['type', 'status', 'reason', 'lastTransitionTime', 'parents', 'conditions', 'x'];

/** JSON-like values over few keys and leaves, so that random pairs are often equal or nearly so. */
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<unknown>(null, undefined, 0, -0, 1, NaN, Infinity, 'a', 'b', '', true, false),
    // What JSON leaves out (or writes as null in arrays), and a value written through its toJSON.
    fc.constantFrom<unknown>(() => 1, Symbol('s'), new Date(0), '1970-01-01T00:00:00.000Z'),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('v'), { maxKeys: 4 }),
  ),
})).v;

/** The same value with keys reordered and every lastTransitionTime replaced. */
function reshuffled(v: unknown, seed: number): unknown {
  if (Array.isArray(v)) return v.map((x) => reshuffled(x, seed));
  if (!v || typeof v !== 'object' || v instanceof Date) return v;
  const entries = Object.entries(v).map(([k, x]): [string, unknown] => [
    k,
    k === 'lastTransitionTime' ? `t${seed}` : reshuffled(x, seed),
  ]);
  return Object.fromEntries(seed % 2 ? entries.reverse() : entries);
}

const asStatus = (v: unknown) =>
  ({ kind: 'HTTPRoute', namespace: 'ns', name: 'r', status: v }) as unknown as ResourceStatus;
const byFingerprint = (a: unknown, b: unknown) => statusFingerprint(asStatus(a)) === statusFingerprint(asStatus(b));

describe('sameStatus', () => {
  it('agrees with comparing fingerprints on random pairs', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(sameStatus(asStatus(a), asStatus(b))).toBe(byFingerprint(a, b));
      }),
      { numRuns: 3000 },
    );
  });

  it('treats reordered keys and other transition times as the same status, and any other edit as a different one', () => {
    fc.assert(
      fc.property(value, fc.nat(), value, (a, seed, other) => {
        const b = reshuffled(a, seed);
        expect(sameStatus(asStatus(a), asStatus(b))).toBe(true);
        const edited = { wrapper: a, extra: other };
        expect(sameStatus(asStatus(edited), asStatus({ wrapper: b, extra: other }))).toBe(true);
        expect(sameStatus(asStatus(edited), asStatus({ wrapper: b }))).toBe(byFingerprint(edited, { wrapper: b }));
      }),
      { numRuns: 1000 },
    );
  });

  it('is false when the status compared with is missing', () => {
    expect(sameStatus(asStatus({}), undefined)).toBe(false);
  });
});
