// The statusWriter keeps only waiting statuses in `latest`; written ones go to an append-only log that a
// new leader writes again. Each object: written once per request (coalesced), again once per election,
// never after it was forgotten.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createActor, fromPromise, waitFor } from 'xstate';
import { statusWriterMachine } from '../../machines/status-writer.js';
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

  it('stays bounded by compaction', () => {
    let log = EMPTY_LOG;
    for (let i = 0; i < 10_000; i++) log = recordWrite(log, `k${i % 10}`, status(`k${i % 10}`, i));
    expect(log.length).toBeLessThanOrEqual(64 + 1);
    expect(writtenStatuses(log).map(([, s]) => (s.status as { n: number }).n)).toEqual([
      9990, 9991, 9992, 9993, 9994, 9995, 9996, 9997, 9998, 9999,
    ]);
  });
});

describe('statusWriter', () => {
  function writer() {
    const written: ResourceStatus[] = [];
    const actor = createActor(
      statusWriterMachine.provide({
        actors: {
          writeStatus: fromPromise<void, { status: ResourceStatus }>(async ({ input }) => {
            written.push(input.status);
          }),
        },
      }),
    );
    actor.start();
    // At rest: idle with nothing queued (a writer with statuses queued leaves idle at once).
    const settled = () => waitFor(actor, (snap) => snap.matches({ active: 'idle' }), { timeout: 5_000 });
    return { actor, written, settled };
  }

  it('writes each request once, keeps only the queue in `latest`, and writes everything again for a new leader', async () => {
    const { actor, written, settled } = writer();
    actor.send({ type: 'leader.elected' });
    for (let i = 0; i < 300; i++) actor.send({ type: 'status.write', status: status(`r${i}`, 1) });
    // Requests while the first write is under way: the newer status replaces the one waiting.
    actor.send({ type: 'status.write', status: status('r299', 2) });
    actor.send({ type: 'status.forget', key: 'HTTPRoute/ns/r7' });
    await settled();
    expect(actor.getSnapshot().value).toEqual({ active: 'idle' });
    expect(actor.getSnapshot().context.latest).toEqual({});
    const names = written.map((s) => s.name);
    expect(names).toHaveLength(299);
    expect(new Set(names).size).toBe(299);
    expect(names).not.toContain('r7');
    expect(written.find((s) => s.name === 'r299')!.status).toEqual({ n: 2 });

    actor.send({ type: 'status.write', status: status('r5', 3) });
    await settled();
    actor.send({ type: 'leader.lost' });
    actor.send({ type: 'status.write', status: status('r6', 4) });
    actor.send({ type: 'status.forget', key: 'HTTPRoute/ns/r8' });
    written.length = 0;
    actor.send({ type: 'leader.elected' });
    await settled();
    const again = new Map(written.map((s) => [s.name, (s.status as { n: number }).n]));
    expect(written).toHaveLength(298);
    expect(again.size).toBe(298);
    expect(again.has('r7') || again.has('r8')).toBe(false);
    expect([again.get('r5'), again.get('r6'), again.get('r299'), again.get('r0')]).toEqual([3, 4, 2, 1]);
    expect(actor.getSnapshot().context.latest).toEqual({});
    actor.stop();
  });
});
