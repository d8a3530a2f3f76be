// jest's `expect` for the model walks, cheap when the assertion holds. The walks check every step of tens of
// thousands of replayed paths, and each jest matcher call builds its matcher object and an Error for its stack
// before comparing: a CPU profile of the route walk put ~12 of its ~40 s in jest's expect (measured
// 2026-12-04). Here each matcher first makes a comparison that can only pass when jest's would (Object.is,
// node's isDeepStrictEqual, includes, >=); when it does not pass, jest's own matcher runs, so a failure
// reads and decides exactly as before.
import { expect as jestExpect } from '@jest/globals';
import { isDeepStrictEqual } from 'node:util';

/** The matchers the model specs use; anything else goes to jest. */
function fastExpect<T>(actual: T) {
  const jest = () => jestExpect(actual);
  const list = actual as unknown as readonly unknown[] & string;
  return {
    toBe: (expected: unknown) => void (Object.is(actual, expected) || jest().toBe(expected)),
    toEqual: (expected: unknown) => void (isDeepStrictEqual(actual, expected) || jest().toEqual(expected)),
    toHaveLength: (n: number) => void (list?.length === n || jest().toHaveLength(n)),
    toBeUndefined: () => void (actual === undefined || jest().toBeUndefined()),
    toContain: (item: unknown) => void (list?.includes?.(item as never) || jest().toContain(item)),
    toContainEqual: (item: unknown) =>
      void ((Array.isArray(actual) && actual.some((x) => isDeepStrictEqual(x, item))) || jest().toContainEqual(item)),
    toBeGreaterThan: (n: number) => void ((actual as number) > n || jest().toBeGreaterThan(n)),
    toBeGreaterThanOrEqual: (n: number) => void ((actual as number) >= n || jest().toBeGreaterThanOrEqual(n)),
    toBeLessThanOrEqual: (n: number) => void ((actual as number) <= n || jest().toBeLessThanOrEqual(n)),
    toMatch: (pattern: RegExp | string) =>
      void (
        (typeof actual === 'string' &&
          (typeof pattern === 'string' ? actual.includes(pattern) : new RegExp(pattern).test(actual))) ||
        jest().toMatch(pattern)
      ),
    toMatchObject: (expected: Record<string, unknown>) => jest().toMatchObject(expected),
    get not() {
      return jest().not;
    },
  };
}

export const expect = Object.assign(fastExpect, { objectContaining: jestExpect.objectContaining });
