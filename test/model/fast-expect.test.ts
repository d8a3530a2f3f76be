// The model walks' cheap expect passes and fails where jest's does: each matcher against a value it holds
// for and one it does not (where the fast comparison says "not equal" but jest's looser one says equal, jest
// decides).
import { describe, expect as jestExpect, it } from '@jest/globals';
import { expect } from './fast-expect.js';

const rows: Array<[string, () => void, boolean]> = [
  ['toBe same', () => expect(1).toBe(1), true],
  ['toBe other', () => expect(1).toBe(2), false],
  ['toEqual deep', () => expect({ a: [1, { b: 2 }] }).toEqual({ a: [1, { b: 2 }] }), true],
  ['toEqual other', () => expect({ a: [1] }).toEqual({ a: [2] }), false],
  ['toEqual ignores an undefined property, as jest does', () => expect({ a: 1, b: undefined }).toEqual({ a: 1 }), true],
  ['toEqual with an asymmetric matcher', () => expect({ a: 1, b: 2 }).toEqual(expect.objectContaining({ a: 1 })), true],
  ['toHaveLength', () => expect([1, 2]).toHaveLength(2), true],
  ['toHaveLength other', () => expect([1, 2]).toHaveLength(3), false],
  ['toBeUndefined', () => expect(undefined).toBeUndefined(), true],
  ['toBeUndefined other', () => expect(null).toBeUndefined(), false],
  ['toContain', () => expect(['a', 'b']).toContain('b'), true],
  ['toContain other', () => expect(['a', 'b']).toContain('c'), false],
  ['toContainEqual', () => expect([{ a: 1 }]).toContainEqual({ a: 1 }), true],
  ['toContainEqual other', () => expect([{ a: 1 }]).toContainEqual({ a: 2 }), false],
  ['toBeGreaterThan', () => expect(2).toBeGreaterThan(1), true],
  ['toBeGreaterThan equal', () => expect(1).toBeGreaterThan(1), false],
  ['toBeGreaterThanOrEqual', () => expect(1).toBeGreaterThanOrEqual(1), true],
  ['toBeGreaterThanOrEqual other', () => expect(0).toBeGreaterThanOrEqual(1), false],
  ['toBeLessThanOrEqual', () => expect(1).toBeLessThanOrEqual(1), true],
  ['toBeLessThanOrEqual other', () => expect(2).toBeLessThanOrEqual(1), false],
  ['toMatch regex', () => expect('proxy replica').toMatch(/replica$/), true],
  ['toMatch regex other', () => expect('proxy').toMatch(/replica/), false],
  ['toMatch text', () => expect('a proxy replica').toMatch('proxy'), true],
  ['toMatchObject', () => expect({ a: 1, b: 2 }).toMatchObject({ a: 1 }), true],
  ['toMatchObject other', () => expect({ a: 1 }).toMatchObject({ a: 2 }), false],
  ['not.toBe', () => expect(1).not.toBe(2), true],
  ['not.toBe other', () => expect(1).not.toBe(1), false],
];

describe('the model walks’ fast expect', () => {
  it.each(rows)('%s', (_name, assertion, passes) => {
    if (passes) assertion();
    else jestExpect(assertion).toThrow();
  });
});
