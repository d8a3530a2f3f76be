import { describe, expect, it } from '@jest/globals';
import { parseDuration } from '../../src/gatewayapi/durations.js';
import { selectorMatches } from '../../src/gatewayapi/selectors.js';

describe('parseDuration (GEP-2257)', () => {
  it.each([
    ['0s', 0],
    ['1s', 1_000],
    ['500ms', 500],
    ['1h30m', 5_400_000],
    ['1h1m1s1ms', 3_661_001],
    ['99999ms', 99_999],
    ['2m', 120_000],
  ])('%p → %p ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['1.5s'], // no fractions
    ['-1s'],
    ['100000s'], // at most 5 digits per group
    ['1h1m1s1ms1h'], // at most 4 groups
    ['1d'],
    ['10 seconds'],
    [''],
    [5],
    [undefined],
  ])('%p is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('selectorMatches', () => {
  const labels = { team: 'a', env: 'prod' };
  it.each([
    ['empty selector selects everything', {}, true],
    ['matchLabels all present', { matchLabels: { team: 'a', env: 'prod' } }, true],
    ['matchLabels value differs', { matchLabels: { team: 'b' } }, false],
    ['In hits', { matchExpressions: [{ key: 'team', operator: 'In', values: ['a', 'b'] }] }, true],
    ['In misses', { matchExpressions: [{ key: 'team', operator: 'In', values: ['b'] }] }, false],
    ['In on an absent key', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['x'] }] }, false],
    ['NotIn on an absent key', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['x'] }] }, true],
    ['NotIn hits', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, false],
    ['Exists', { matchExpressions: [{ key: 'env', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, false],
    ['unknown operator selects nothing', { matchExpressions: [{ key: 'env', operator: 'Like' }] }, false],
    [
      'labels and expressions are ANDed',
      { matchLabels: { team: 'a' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['dev'] }] },
      false,
    ],
  ])('%s', (_name, selector, expected) => {
    expect(selectorMatches(selector, labels)).toBe(expected);
  });
});
