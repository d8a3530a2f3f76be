// The statusWriter's logs (machines/shared/written-log.ts): the latest status per object, every version of a
// log unchanged by later appends, the newest extended in place (O(1), the reason the log exists), compacted
// only when it has doubled.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  EMPTY_LOG,
  recordForget,
  recordWrite,
  writtenStatuses,
  type WrittenLog,
} from '../../machines/shared/written-log.js';
import type { ResourceStatus } from '../../src/core/types.js';

const status = (name: string, n: number): ResourceStatus => ({
  kind: 'HTTPRoute',
  namespace: 'ns',
  name,
  status: { n },
});

type Op = { forget: boolean; key: string; n: number; from: number };
const op = fc.record({ forget: fc.boolean(), key: fc.constantFrom('a', 'b', 'c', 'd'), n: fc.nat(9), from: fc.nat() });

/** The reference: latest status per key, forgotten keys dropped, in order of (re)appearance. */
function reference(ops: Op[]): Array<[string, ResourceStatus]> {
  const m = new Map<string, ResourceStatus>();
  for (const o of ops) {
    if (o.forget) m.delete(o.key);
    else m.set(o.key, status(o.key, o.n));
  }
  return [...m];
}

const writes = (log: WrittenLog, keys: string[]) => keys.reduce((l, k, i) => recordWrite(l, k, status(k, i)), log);
const keys = (n: number, name = (i: number) => `k${i}`) => Array.from({ length: n }, (_, i) => name(i));

describe('written log', () => {
  it('holds the latest status per object, also when older versions are extended (branches)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        // Every log version with the ops that made it; each op extends a random earlier version.
        const versions: Array<{ log: WrittenLog; ops: Op[]; seen: Array<[string, ResourceStatus]> }> = [
          { log: EMPTY_LOG, ops: [], seen: [] },
        ];
        for (const o of ops) {
          const base = versions[o.from % versions.length]!;
          const log = o.forget ? recordForget(base.log, o.key) : recordWrite(base.log, o.key, status(o.key, o.n));
          const mine = [...base.ops, o];
          versions.push({ log, ops: mine, seen: writtenStatuses(log) });
          expect(writtenStatuses(log)).toEqual(reference(mine));
        }
        // Extending any version never changed what an earlier one holds.
        for (const v of versions) expect(writtenStatuses(v.log)).toEqual(v.seen);
      }),
      { numRuns: 300 },
    );
  });

  it('puts an object forgotten and written again after the others', () => {
    const log = recordWrite(recordForget(writes(EMPTY_LOG, ['a', 'b']), 'a'), 'a', status('a', 9));
    expect(writtenStatuses(log).map(([key]) => key)).toEqual(['b', 'a']);
  });

  it('extends the newest version in place, a superseded one by a copy, and never the shared empty log', () => {
    const first = recordWrite(EMPTY_LOG, 'a', status('a', 1));
    expect(EMPTY_LOG.items).toEqual([]);
    const second = recordWrite(first, 'b', status('b', 1));
    expect(second.items).toBe(first.items);
    const branch = recordWrite(first, 'c', status('c', 1));
    expect(branch.items).not.toBe(first.items);
    expect(writtenStatuses(second).map(([key]) => key)).toEqual(['a', 'b']);
    expect(writtenStatuses(branch).map(([key]) => key)).toEqual(['a', 'c']);
  });

  it('compacts only when its length passes compactAt: 64 at first, then twice the statuses it kept', () => {
    const one = writes(
      EMPTY_LOG,
      keys(64, () => 'k'),
    );
    expect(one).toMatchObject({ length: 64, compactAt: 64 });
    expect(recordWrite(one, 'k', status('k', 64))).toMatchObject({ length: 1, compactAt: 64 });

    const many = writes(EMPTY_LOG, keys(100));
    // Compacted at the 65th write, all 65 statuses live: the next compaction waits for 130.
    expect(many).toMatchObject({ length: 100, compactAt: 130 });
    expect(writtenStatuses(many)).toHaveLength(100);
  });

  it('stays bounded by compaction', () => {
    let log = EMPTY_LOG;
    for (let i = 0; i < 10_000; i++) log = recordWrite(log, `k${i % 10}`, status(`k${i % 10}`, i));
    expect(log.length).toBeLessThanOrEqual(64 + 1);
    expect(writtenStatuses(log).map(([, s]) => (s.status as { n: number }).n)).toEqual([
      9990, 9991, 9992, 9993, 9994, 9995, 9996, 9997, 9998, 9999,
    ]);
  });
});
