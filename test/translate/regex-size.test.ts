// The translator estimates a pattern's RE2 program size before compiling it (src/translate/regex-size.ts), and
// refuses one estimated over REGEX_ESTIMATE_LIMIT without compiling. That is only right if the estimate is
// never below the compiled size (else a costly pattern is compiled) and, for every pattern within
// REGEX_MAX_PROGRAM_SIZE, within REGEX_ESTIMATE_LIMIT (else a valid pattern is refused).
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { estimatedProgramSize } from '../../src/translate/regex-size.js';
import { REGEX_ESTIMATE_LIMIT, REGEX_MAX_PROGRAM_SIZE } from '../../src/translate/limits.js';
import { propertyRuns } from '../support/runs.js';

function compiledSize(pattern: string): number | undefined {
  try {
    return RE2JS.compile(pattern).programSize();
  } catch {
    return undefined;
  }
}

const ATOMS = [
  'a',
  'b',
  '-',
  '.',
  '^',
  '$',
  '\\b',
  '\\d',
  '\\pL',
  '\\p{Greek}',
  '\\PN',
  '\\x41',
  '\\x{263a}',
  '\\101',
  '\\Qa*b\\E',
  '\\.',
  '[a-c]',
  '[^x]',
  '[]a]',
  '[[:alpha:]0-9]',
  '[\\]\\d]',
  '(?i)',
  'é',
  '{',
  '{x}',
];
const QUANTIFIERS = ['', '', '*', '+', '?', '*?', '+?', '{3}', '{2,}', '{0,4}', '{1,5}?', '{0}', '{12}'];
const OPENERS = ['(', '(?:', '(?P<n>', '(?<m>', '(?i:', '(?s-i:'];

/** Random RE2 patterns: atoms, groups and alternations under every kind of quantifier. */
const pattern: fc.Arbitrary<string> = fc.letrec<{ alt: string; seq: string; term: string }>((tie) => ({
  alt: fc.array(tie('seq'), { minLength: 1, maxLength: 3 }).map((seqs) => seqs.join('|')),
  seq: fc.array(tie('term'), { minLength: 0, maxLength: 4 }).map((terms) => terms.join('')),
  term: fc
    .tuple(
      fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom(...ATOMS),
        fc.tuple(fc.constantFrom(...OPENERS), tie('alt')).map(([open, inner]) => `${open}${inner})`),
      ),
      fc.constantFrom(...QUANTIFIERS),
    )
    .map(([atom, q]) => atom + q),
})).alt;

/**
 * Patterns RE2 compiles without simplifying or factoring: no alternation, no unbounded loop that may run zero
 * times ("*", "{0,}"), no "{0}", no flags-only group, and a non-capturing group always holds two terms or more
 * (RE2 folds "(?:x+)+" into "x+").
 */
const PLAIN_ATOMS = ATOMS.filter((a) => a !== '(?i)');
const PLAIN_QUANTIFIERS = ['', '', '+', '?', '+?', '??', '{3}', '{2,}', '{0,4}', '{1,5}?', '{12}', '{1}', '{1,}'];
const plainPattern: fc.Arbitrary<string> = fc.letrec<{ seq: string; pair: string; term: string }>((tie) => ({
  seq: fc.array(tie('term'), { minLength: 1, maxLength: 4 }).map((terms) => terms.join('')),
  pair: fc.array(tie('term'), { minLength: 2, maxLength: 4 }).map((terms) => terms.join('')),
  term: fc
    .tuple(
      fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom(...PLAIN_ATOMS),
        fc.tuple(fc.constantFrom('(', '(?P<n>', '(?<m>'), tie('seq')).map(([open, inner]) => `${open}${inner})`),
        fc.tuple(fc.constantFrom('(?:', '(?i:', '(?s-i:'), tie('pair')).map(([open, inner]) => `${open}${inner})`),
      ),
      fc.constantFrom(...PLAIN_QUANTIFIERS),
    )
    .map(([atom, q]) => atom + q),
})).seq;

/** Instructions the estimate counts that a compiled program of RE2JS does not have (measured: always 2). */
const ESTIMATE_OVERHEAD = 2;

describe('estimatedProgramSize', () => {
  it('is exactly the compiled size (plus its constant) where RE2 neither simplifies nor factors', () => {
    // The bound that matters for a valid pattern near the limit: an estimate too large refuses it.
    const runs = propertyRuns(2_000);
    let compiled = 0;
    fc.assert(
      fc.property(plainPattern, (p) => {
        const size = compiledSize(p);
        if (size === undefined) return;
        compiled++;
        expect([p, estimatedProgramSize(p) - size]).toEqual([p, ESTIMATE_OVERHEAD]);
      }),
      { numRuns: runs },
    );
    // About two in five are valid (a group name used twice is not): the property is not vacuous.
    expect(compiled).toBeGreaterThan(runs / 4);
  });

  // Atoms that match one character ("\Q…\E" and "{x}" are several, of which a quantifier takes the last;
  // "^", "$" and "\b" match none).
  const ONE_CHARACTER = PLAIN_ATOMS.filter((a) => !/^(\\Q|\^|\$|\\b|\{x\})/.test(a));

  it('counts a loop that may run zero times one instruction over RE2, and no more', () => {
    for (const atom of ONE_CHARACTER)
      for (const loop of ['*', '*?', '{0,}'])
        for (const after of ['', 'b']) {
          const p = `${atom}${loop}${after}`;
          const size = compiledSize(p);
          if (size === undefined) continue;
          expect([p, estimatedProgramSize(p) - size]).toEqual([p, ESTIMATE_OVERHEAD + 1]);
        }
  });

  it('counts an atom repeated zero times as RE2 does when it stands alone, and one over when more follows', () => {
    for (const atom of ONE_CHARACTER) {
      expect([atom, estimatedProgramSize(`${atom}{0}`) - compiledSize(`${atom}{0}`)!]).toEqual([
        atom,
        ESTIMATE_OVERHEAD,
      ]);
      expect([atom, estimatedProgramSize(`${atom}{0}b`) - compiledSize(`${atom}{0}b`)!]).toEqual([
        atom,
        ESTIMATE_OVERHEAD + 1,
      ]);
    }
  });

  it('reads escapes, classes and group openers whose text looks like other syntax as RE2 does', () => {
    // Each is exact (plus the constant), so an atom read as more or fewer than it is shows.
    const exact = [
      ...['\\d12', '\\.12', '\\012', '\\101', '\\0a7', '\\701', '\\0', '\\08'], // octal only after \0–\7
      ...['\\Qa\\E', '\\Q\\E', 'x\\Qabc', 'a\\p{Greek}b', 'a\\P{Greek}b', 'a\\x{263a}b', '\\pLx', '\\x41b'], // literals, braces
      ...['[^]a]', '[x]y[[:alpha:]]', '[a[:^alpha:]b]c', '[\\]]a', '[a\\]b]c'], // where a class ends
      ...['(x[(?=!])', '(x[(?:])', '(x[(?P<n>])', '(?P<name>a)', '(?<id>ab)'], // group syntax inside a class; long names
      ...['a(?is)b', 'a(?s-i)b', '(?i)a', 'a(?i){3}', 'ab(?i)+'], // flags-only groups: a quantifier after one repeats the atom before
      '(a)'.repeat(1200), // more groups in a row than RE2's nesting limit: siblings do not nest
    ];
    for (const p of exact) expect([p, estimatedProgramSize(p) - compiledSize(p)!]).toEqual([p, ESTIMATE_OVERHEAD]);
    expect(estimatedProgramSize('a(?i)*') - compiledSize('a(?i)*')!).toBe(ESTIMATE_OVERHEAD + 1);
  });

  it('is never below the compiled size, and within the estimate limit when the size is within its limit', () => {
    let compiled = 0;
    const runs = propertyRuns(3_000);
    fc.assert(
      fc.property(pattern, (p) => {
        const size = compiledSize(p);
        if (size === undefined || size > 50_000) return;
        compiled++;
        expect(estimatedProgramSize(p)).toBeGreaterThanOrEqual(size);
        if (size <= REGEX_MAX_PROGRAM_SIZE) expect(estimatedProgramSize(p)).toBeLessThanOrEqual(REGEX_ESTIMATE_LIMIT);
      }),
      { numRuns: runs },
    );
    // About a third of the generated patterns are valid RE2 of a size worth compiling: the property is not vacuous.
    expect(compiled).toBeGreaterThan(runs / 4);
  });

  it('stays within the estimate limit for every pattern within the size limit, factored alternations too', () => {
    // RE2 compiles "pre0|pre1|…" as the shared prefix and a class, which the estimate counts in full: the
    // largest overshoot there is. A sweep over alternation width, literal length and repetition.
    for (const width of [2, 4, 16, 64, 200])
      for (const length of [2, 8, 32, 128])
        for (const times of [1, 2, 8, 32, 1000]) {
          const alternatives = Array.from({ length: width }, (_, i) => `${'p'.repeat(length)}${i}`);
          const p = `(?:${alternatives.join('|')}){${times}}`;
          if (p.length > 4096) continue; // longer than any route value
          const size = compiledSize(p);
          if (size === undefined || size > REGEX_MAX_PROGRAM_SIZE) continue;
          expect([p, estimatedProgramSize(p) <= REGEX_ESTIMATE_LIMIT]).toEqual([p, true]);
        }
  });

  it('sees the size of repeated counted repetitions without compiling them', () => {
    expect(estimatedProgramSize('a{1000}'.repeat(585))).toBeGreaterThanOrEqual(585_000);
    expect(estimatedProgramSize(`x${'\\pL{1000}'.repeat(100)}`)).toBeGreaterThanOrEqual(100_000);
    expect(estimatedProgramSize('(?:(?:a{1000}){1000}){1000}')).toBeGreaterThan(REGEX_ESTIMATE_LIMIT);
    expect(estimatedProgramSize('[a-z]{254}')).toBe(compiledSize('[a-z]{254}')! + 2);
  });

  it('answers for the worst texts a route may hold, without running out of stack', () => {
    // 4,096 characters each: nesting as deep as it goes (RE2 refuses past 1,000), unclosed classes and groups.
    for (const p of [
      '('.repeat(4096),
      '(?:'.repeat(1365),
      `${'('.repeat(2048)}${')'.repeat(2048)}`,
      '[[:'.repeat(1365),
      '\\Q'.repeat(2048),
      'a\\p{Greek', // unclosed braces
      'a\\x{263a',
    ]) {
      expect(estimatedProgramSize(p)).toBeGreaterThan(0);
    }
    // An unmatched ")" is an error RE2 reports only where it stands: what follows it still counts.
    expect(estimatedProgramSize(`)${'a{1000}'.repeat(20)}`)).toBeGreaterThan(REGEX_ESTIMATE_LIMIT);
    expect(estimatedProgramSize(`${'('.repeat(2048)}a${')'.repeat(2048)}`)).toBeGreaterThan(REGEX_ESTIMATE_LIMIT);
  });
});
