// copyWith: a shallow copy with properties set (what it is for, hidden classes shared where an object spread
// made one per copy, is measured on a heap snapshot: docs/performance.md, ninth session).
import { describe, expect, it } from '@jest/globals';
import { copyWith } from '../../src/core/copy.js';

describe('copyWith', () => {
  it('copies shallowly and sets the extra properties over the base', () => {
    const metadata = { name: 'r' };
    const base = { kind: 'HTTPRoute', metadata, status: { old: true } };
    const copy = copyWith(base, { status: { new: true } });
    expect(copy).toEqual({ kind: 'HTTPRoute', metadata, status: { new: true } });
    expect(copy.metadata).toBe(metadata);
    expect(base.status).toEqual({ old: true });
  });
});
