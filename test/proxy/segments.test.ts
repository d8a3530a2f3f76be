// The first-segment index must never change which match wins: for any list of matches and any path, the
// indexed lookup equals a linear scan of the whole list (precedence is the list order).
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { compileMatch, matches, RequestMatchInput, type MatchInput } from '../../proxy/router/match.js';
import { firstSegment, indexBySegment } from '../../proxy/router/segments.js';
import type { ProxyMatch } from '../../proxy/config/schema.js';

const segment = fc.constantFrom('a', 'b', 'ab', 'api', 'v1', '');
const path = fc.array(segment, { minLength: 0, maxLength: 3 }).map((s) => `/${s.join('/')}`);
const match: fc.Arbitrary<ProxyMatch> = fc.oneof(
  { weight: 4, arbitrary: path.map((value) => ({ path: { type: 'Exact' as const, value } })) },
  {
    weight: 4,
    arbitrary: fc.tuple(path, fc.boolean()).map(([value, slash]) => ({
      path: { type: 'PathPrefix' as const, value: slash && value !== '/' ? `${value}/` : value },
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('/a.*', '/[ab]+/v1', '/.*')
      .map((value) => ({ path: { type: 'RegularExpression' as const, value } })),
  },
  { weight: 1, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: path.map((value) => ({ path: { type: 'PathPrefix' as const, value }, method: 'POST' })) },
);
const input = (p: string, method = 'GET'): MatchInput => new RequestMatchInput(method, p, {}, '');

describe('first-segment index', () => {
  it.each([
    ['/foo/bar', 'foo'],
    ['/foo', 'foo'],
    ['/', ''],
    ['//x', ''],
  ])('firstSegment(%s) = %s', (p, s) => expect(firstSegment(p)).toBe(s));

  it('picks the same winner as a linear scan, for any matches and any path', () => {
    fc.assert(
      fc.property(
        fc.array(match, { minLength: 16, maxLength: 80 }),
        fc.array(fc.tuple(path, fc.constantFrom('GET', 'POST')), { minLength: 1, maxLength: 20 }),
        (list, requests) => {
          const compiled = list.map((m, i) => compileMatch(m, i));
          const index = indexBySegment(compiled);
          for (const [p, method] of requests) {
            const linear = compiled.find((m) => matches(m, input(p, method)))?.rule;
            const candidates = index ? (index.bySegment.get(firstSegment(p)) ?? index.others) : compiled;
            expect(candidates.find((m) => matches(m, input(p, method)))?.rule).toBe(linear);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('indexes 10,000 path routes so a request scans only its own segment', () => {
    const compiled = Array.from({ length: 10_000 }, (_, i) =>
      compileMatch({ path: { type: 'PathPrefix', value: `/r${i}` } }, i),
    );
    const index = indexBySegment(compiled)!;
    expect(index.bySegment.get('r9999')!.map((m) => m.rule)).toEqual([9999]);
  });

  it('does not index when matches for every path would be copied into too many buckets', () => {
    const list = [
      ...Array.from({ length: 100 }, (_, i) =>
        compileMatch({ path: { type: 'RegularExpression', value: `/x${i}.*` } }, i),
      ),
      ...Array.from({ length: 100 }, (_, i) => compileMatch({ path: { type: 'Exact', value: `/e${i}` } }, 100 + i)),
    ];
    expect(indexBySegment(list)).toBeUndefined();
  });

  // When to index is a cost decision the comments in segments.ts promise; these pin its edges.
  const prefixes = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => compileMatch({ path: { type: 'PathPrefix', value: `/p${i}` } }, from + i));
  const regexes = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) =>
      compileMatch({ path: { type: 'RegularExpression', value: `/x${i}.*` } }, from + i),
    );

  it('scans fewer than 16 matches linearly and indexes 16', () => {
    expect(indexBySegment(prefixes(15))).toBeUndefined();
    expect(indexBySegment(prefixes(16))).toBeDefined();
  });

  it('indexes two segments, but not a single one', () => {
    const under = (segment: string, n: number, from = 0) =>
      Array.from({ length: n }, (_, i) =>
        compileMatch({ path: { type: 'PathPrefix', value: `/${segment}/${i}` } }, from + i),
      );
    expect([...indexBySegment([...under('a', 8), ...under('b', 8, 8)])!.bySegment.keys()]).toEqual(['a', 'b']);
    expect(indexBySegment([...under('a', 16), ...regexes(1, 16)])).toBeUndefined();
  });

  it('buckets an Exact match under its first segment only, and keys buckets by named segments only', () => {
    const exact = Array.from({ length: 16 }, (_, i) => compileMatch({ path: { type: 'Exact', value: `/e${i}/x` } }, i));
    const index = indexBySegment([...exact, ...regexes(1, 16)])!;
    expect([...index.bySegment.keys()]).toEqual(exact.map((_, i) => `e${i}`));
    expect(index.bySegment.get('e3')!.map((m) => m.rule)).toEqual([3, 16]);
    expect(index.others.map((m) => m.rule)).toEqual([16]);
  });

  it('indexes when the copies of path-agnostic matches reach exactly 4 × the matches, not one segment more', () => {
    // 8 segments × 8 regexes = 64 copies = 4 × 16 matches; 9 × 8 = 72 > 4 × 17.
    expect(indexBySegment([...prefixes(8), ...regexes(8, 8)])).toBeDefined();
    expect(indexBySegment([...prefixes(9), ...regexes(8, 9)])).toBeUndefined();
  });
});
