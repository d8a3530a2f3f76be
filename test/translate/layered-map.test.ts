// The layered map (src/translate/layered-map.ts) against a plain Map updated in place: random sequences of
// updates, long enough to flatten the overlay several times, read back through get, has and keys; and every
// earlier map still answers as it did (a later build never changes an earlier one's).
import fc from 'fast-check';
import { LayeredMap, OVERLAY_MAX } from '../../src/translate/layered-map.js';

// More keys than the overlay holds, so that sequences flatten it.
const KEYS = Array.from({ length: OVERLAY_MAX + 8 }, (_, i) => `h${i}.com`);
/** Values by identity, as port-hosts.ts's lists and entries are compared. */
const value = (n: number) => ({ n });
type Value = ReturnType<typeof value>;

const updates = fc.array(
  // undefined: the key removed.
  fc.array(fc.tuple(fc.constantFrom(...KEYS), fc.option(fc.nat({ max: 9 }), { nil: undefined })), { maxLength: 4 }),
  // Long enough to flatten (fast-check keeps arrays short unless told).
  { minLength: OVERLAY_MAX, maxLength: 3 * OVERLAY_MAX, size: 'max' },
);

/** Where the layered map differs from the map ([] when nowhere): plain comparisons, one expect per run (jest's are slow). */
function differences(layered: LayeredMap<Value>, map: Map<string, Value>): string[] {
  const out: string[] = [];
  const keys = [...layered.keys()].sort().join(' ');
  if (keys !== [...map.keys()].sort().join(' ')) out.push(`keys ${keys}`);
  for (const k of KEYS) {
    if (layered.get(k) !== map.get(k)) out.push(`get ${k}`);
    if (layered.has(k) !== map.has(k)) out.push(`has ${k}`);
  }
  return out;
}

describe('the layered map', () => {
  it('holds what a map updated in place holds, and each earlier one what it held', () => {
    fc.assert(
      fc.property(updates, (sequence) => {
        const map = new Map<string, Value>([[KEYS[0]!, value(0)]]);
        let layered = LayeredMap.of(new Map(map));
        const history: Array<[LayeredMap<Value>, Map<string, Value>]> = [[layered, new Map(map)]];
        for (const step of sequence) {
          const values = new Map(step.map(([k, n]) => [k, n === undefined ? undefined : value(n)]));
          for (const [k, v] of values) {
            if (v !== undefined) map.set(k, v);
            else map.delete(k);
          }
          layered = layered.with(values);
          history.push([layered, new Map(map)]);
        }
        expect(history.flatMap(([earlier, held], i) => differences(earlier, held).map((d) => `${i}: ${d}`))).toEqual(
          [],
        );
      }),
      { numRuns: 200 },
    );
  });

  it('lists a key once when the overlay replaces a value of the base', () => {
    const replacement = value(2);
    const layered = LayeredMap.of(new Map([['a.com', value(1)]])).with(new Map([['a.com', replacement]]));
    expect([...layered.keys()]).toEqual(['a.com']);
    expect(layered.get('a.com')).toBe(replacement);
  });
});
