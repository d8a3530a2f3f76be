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
});
