// What sizing a route's patterns costs (src/translate/regex-size.ts): each pattern is compiled at most once
// while it is remembered (two generations of 10,000 patterns), a pattern estimated over the limit is never
// compiled, and the warm-up ahead of a rule's translation yields after each compile and stops where the
// translation would. Compiles are counted by regexCompiles(); this file's module state starts empty.
import { describe, expect, it } from '@jest/globals';
import { RE2JS } from 're2js';
import { REGEX_ESTIMATE_LIMIT, REGEX_MAX_PROGRAM_SIZE } from '../../src/translate/limits.js';
import { estimatedProgramSize, regexCompiles, regexSize, warmRegexSteps } from '../../src/translate/regex-size.js';
import { patternOf } from './support.js';

/** Compiles `sizing` causes. */
function compilesOf(sizing: () => void): number {
  const before = regexCompiles();
  sizing();
  return regexCompiles() - before;
}

/** Runs the warm-up over `patterns`: how many times it yielded and how many patterns it compiled. */
function warm(patterns: string[]): { yields: number; compiles: number } {
  let yields = 0;
  const compiles = compilesOf(() => {
    for (const _ of warmRegexSteps(patterns)) yields++;
  });
  return { yields, compiles };
}

describe('regexSize', () => {
  // First in this file: the generations are counted from an empty cache.
  it('compiles a pattern again only once 20,000 newer patterns were sized after it', () => {
    const sizeAll = (from: number, to: number) => {
      for (let i = from; i <= to; i++) regexSize(`gen${i}`);
    };
    expect(compilesOf(() => sizeAll(0, 20_000))).toBe(20_001);
    // gen0 was in the generation before the one before the current: forgotten. gen15000 is in the previous one.
    expect(compilesOf(() => regexSize('gen15000'))).toBe(0);
    expect(compilesOf(() => regexSize('gen0'))).toBe(1);
    expect(compilesOf(() => regexSize('gen20000'))).toBe(0);
  });

  it('compiles a pattern estimated at the limit, and not one estimated over it', () => {
    const atLimit = `${'[a-z]{1000}'.repeat(16)}${'b'.repeat(REGEX_ESTIMATE_LIMIT - 16_004)}`;
    expect(estimatedProgramSize(atLimit)).toBe(REGEX_ESTIMATE_LIMIT);
    expect(regexSize(atLimit)).toEqual({ kind: 'compiled', size: RE2JS.compile(atLimit).programSize() });
    const over = `${atLimit}b`;
    expect(
      compilesOf(() => expect(regexSize(over)).toEqual({ kind: 'too big', estimate: REGEX_ESTIMATE_LIMIT + 1 })),
    ).toBe(0);
  });

  it('tells a pattern RE2 refuses from one it compiles', () => {
    expect(regexSize('(a')).toEqual({ kind: 'invalid' });
    expect(regexSize('a(?=b)')).toEqual({ kind: 'invalid' });
    expect(regexSize('ab')).toEqual({ kind: 'compiled', size: RE2JS.compile('ab').programSize() });
  });
});

describe('warmRegexSteps', () => {
  it('yields after each pattern it compiles, and not for a pattern sized before', () => {
    expect(warm(['warm1', 'warm2'])).toEqual({ yields: 2, compiles: 2 });
    expect(warm(['warm1', 'warm2'])).toEqual({ yields: 0, compiles: 0 });
    expect(warm(['warm1', 'warm3'])).toEqual({ yields: 1, compiles: 1 });
  });

  it('stops at the first pattern the translation refuses, as the translation does', () => {
    const tooBig = 'a{1000}'.repeat(20); // estimated over the limit: neither compiled nor waited for
    expect(warm([tooBig, 'after-too-big'])).toEqual({ yields: 0, compiles: 0 });
    expect(warm([patternOf(REGEX_MAX_PROGRAM_SIZE + 1), 'after-over-max'])).toEqual({ yields: 1, compiles: 1 });
    expect(warm(['(unclosed', 'after-invalid'])).toEqual({ yields: 1, compiles: 1 });
    // At the size limit a pattern is allowed: the next one is sized too.
    expect(warm([patternOf(REGEX_MAX_PROGRAM_SIZE), 'after-max'])).toEqual({ yields: 2, compiles: 2 });
  });
});
