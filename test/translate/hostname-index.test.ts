// The attachments-by-hostname index (src/translate/hostname-index.ts) against a plain Map updated in place:
// random sequences of updates, long enough to flatten the overlay several times, read back through get, has
// and keys; and every earlier index still answers as it did (a later build never changes an earlier one's).
import fc from 'fast-check';
import type { Attachment } from '../../src/translate/host-matches.js';
import { HostnameIndex, OVERLAY_MAX } from '../../src/translate/hostname-index.js';

// More hostnames than the overlay holds, so that sequences flatten it.
const HOSTS = Array.from({ length: OVERLAY_MAX + 8 }, (_, i) => `h${i}.com`);
const attachment = (n: number) => ({ firstRule: n }) as unknown as Attachment;

const updates = fc.array(
  fc.array(fc.tuple(fc.constantFrom(...HOSTS), fc.array(fc.nat({ max: 9 }), { maxLength: 3 })), { maxLength: 4 }),
  // Long enough to flatten (fast-check keeps arrays short unless told).
  { minLength: OVERLAY_MAX, maxLength: 3 * OVERLAY_MAX, size: 'max' },
);

/** Where the index differs from the map ([] when nowhere): plain comparisons, one expect per run (jest's are slow). */
function differences(index: HostnameIndex, map: Map<string, Attachment[]>): string[] {
  const out: string[] = [];
  const keys = [...index.keys()].sort().join(' ');
  if (keys !== [...map.keys()].sort().join(' ')) out.push(`keys ${keys}`);
  for (const h of HOSTS) {
    if (index.get(h) !== map.get(h)) out.push(`get ${h}`);
    if (index.has(h) !== map.has(h)) out.push(`has ${h}`);
  }
  return out;
}

describe('the attachments-by-hostname index', () => {
  it('holds what a map updated in place holds, and each earlier index what it held', () => {
    fc.assert(
      fc.property(updates, (sequence) => {
        const map = new Map<string, Attachment[]>([[HOSTS[0]!, [attachment(0)]]]);
        let index = HostnameIndex.of(new Map(map));
        const history: Array<[HostnameIndex, Map<string, Attachment[]>]> = [[index, new Map(map)]];
        for (const step of sequence) {
          const lists = new Map(step.map(([h, ns]) => [h, ns.map(attachment)]));
          for (const [h, list] of lists) {
            if (list.length > 0) map.set(h, list);
            else map.delete(h);
          }
          index = index.with(lists);
          history.push([index, new Map(map)]);
        }
        expect(history.flatMap(([earlier, held], i) => differences(earlier, held).map((d) => `${i}: ${d}`))).toEqual(
          [],
        );
      }),
      { numRuns: 200 },
    );
  });

  it('lists a hostname once when the overlay replaces a list of the base', () => {
    const index = HostnameIndex.of(new Map([['a.com', [attachment(1)]]])).with(new Map([['a.com', [attachment(2)]]]));
    expect([...index.keys()]).toEqual(['a.com']);
    expect(index.get('a.com')).toEqual([attachment(2)]);
  });
});
