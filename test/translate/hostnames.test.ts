import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  compareHostKeys,
  effectiveHostnames,
  hostCovers,
  intersectHostnames,
  isValidHostname,
} from '../../src/gatewayapi/hostnames.js';

describe('intersectHostnames(listener, route)', () => {
  it.each([
    // listener, route, result
    [undefined, undefined, '*'], // neither sets one: every host
    [undefined, 'a.com', 'a.com'],
    ['a.com', undefined, 'a.com'],
    ['a.com', 'a.com', 'a.com'],
    ['a.com', 'b.com', undefined],
    ['*.a.com', 'b.a.com', 'b.a.com'],
    ['*.a.com', 'c.b.a.com', 'c.b.a.com'], // wildcards match any depth
    ['*.a.com', 'a.com', undefined], // never the apex
    ['foo.a.com', '*.a.com', 'foo.a.com'], // route wildcard narrowed to the listener's name
    ['*.a.com', '*.a.com', '*.a.com'],
    ['*.a.com', '*.b.a.com', '*.b.a.com'], // the narrower wildcard wins
    ['*.b.a.com', '*.a.com', '*.b.a.com'],
    ['*.a.com', '*.b.com', undefined],
    ['*.specific.com', 'very.specific.com', 'very.specific.com'],
    ['very.specific.com', '*.nonmatchingwildcard.io', undefined],
    ['*.wildcard.io', 'wildcard.io', undefined],
    ['*.a.com', 'xa.com', undefined], // suffix must start at a label boundary
  ])('listener %p × route %p → %p', (listener, route, expected) => {
    expect(intersectHostnames(listener, route)).toBe(expected);
  });
});

describe('hostCovers(broad, narrow)', () => {
  it.each([
    ['*', 'anything.com', true],
    ['*', '*', true],
    ['a.com', '*', false],
    ['*.a.com', '*', false],
    ['*.a.com', 'x.y.a.com', true],
    ['*.a.com', '*.y.a.com', true],
    ['*.y.a.com', '*.a.com', false],
    ['x.a.com', '*.a.com', false],
    ['x.a.com', 'x.a.com', true],
  ])('%p covers %p: %p', (broad, narrow, expected) => {
    expect(hostCovers(broad, narrow)).toBe(expected);
  });
});

describe('effectiveHostnames', () => {
  it('keeps each intersecting route hostname once, most specific first', () => {
    expect(effectiveHostnames('*.a.com', ['*.a.com', 'x.a.com', 'b.com', 'x.a.com'])).toEqual(['x.a.com', '*.a.com']);
  });
  it('is empty when nothing intersects, and "*" when neither side names a host', () => {
    expect(effectiveHostnames('a.com', ['b.com'])).toEqual([]);
    expect(effectiveHostnames(undefined, [])).toEqual(['*']);
  });
});

describe('compareHostKeys', () => {
  it('orders exact names, then wildcards longest suffix first, then "*"', () => {
    const keys = ['*', '*.a.com', 'b.com', '*.x.a.com', 'a.com'];
    expect([...keys].sort(compareHostKeys)).toEqual(['a.com', 'b.com', '*.x.a.com', '*.a.com', '*']);
  });
});

describe('isValidHostname', () => {
  it.each([
    ['a.com', true],
    ['*.a.com', true],
    ['A.com', false], // upper case is refused by the CRD pattern
    ['a..com', false],
    ['-a.com', false],
    ['*a.com', false],
    ['', false],
  ])('%p → %p', (host, expected) => {
    expect(isValidHostname(host)).toBe(expected);
  });
});

describe('intersectHostnames properties', () => {
  // Small alphabet so that names overlap often.
  const label = fc.constantFrom('a', 'b', 'c');
  const exact = fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.'));
  const host = fc.oneof(
    exact,
    exact.map((h) => `*.${h}`),
  );

  it('is symmetric and gives a name both sides cover', () => {
    fc.assert(
      fc.property(host, host, (l, r) => {
        const hit = intersectHostnames(l, r);
        expect(intersectHostnames(r, l)).toBe(hit);
        if (hit !== undefined) {
          expect(hostCovers(l, hit)).toBe(true);
          expect(hostCovers(r, hit)).toBe(true);
        }
      }),
    );
  });

  it('finds an intersection whenever a concrete name matches both', () => {
    fc.assert(
      fc.property(host, host, exact, (l, r, name) => {
        if (hostCovers(l, name) && hostCovers(r, name)) expect(intersectHostnames(l, r)).toBeDefined();
      }),
    );
  });
});
