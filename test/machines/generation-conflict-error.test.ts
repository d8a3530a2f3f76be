// What a replica that runs a newer generation than ours is reported with (the replica actor's lastError on
// the debug page, the control plane's log): both generations and what happens next, under a name of its own.
import { describe, expect, it } from '@jest/globals';
import { GenerationConflictError } from '../../machines/replica.js';

describe('GenerationConflictError', () => {
  it('names the generation the replica runs, ours, and the resync', () => {
    const err = new GenerationConflictError(9, 4);
    expect(err.message).toBe('replica runs generation 9, newer than ours (4): resyncing');
    expect([err.running, err.wanted]).toEqual([9, 4]);
  });

  it('is an Error known by its name', () => {
    const err = new GenerationConflictError(9, 4);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('GenerationConflictError');
    expect(String(err)).toBe('GenerationConflictError: replica runs generation 9, newer than ours (4): resyncing');
  });
});
