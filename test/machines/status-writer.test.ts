// The statusWriter queues requests in one append-only log and records what it wrote in another, which a new
// leader writes again. Each object: written once per request (coalesced), again once per election, never
// after it was forgotten; written in batches of at most MAX_BATCH, a failed batch's rest written later.
import { describe, expect, it } from '@jest/globals';
import { createActor, fromPromise, waitFor } from 'xstate';
import {
  MAX_BATCH,
  statusWriterMachine,
  type StatusBatchOutcome,
  type StatusWriterContext,
} from '../../machines/status-writer.js';
import { writtenStatuses } from '../../machines/shared/written-log.js';
import type { ResourceStatus } from '../../src/core/types.js';

const status = (name: string, n: number): ResourceStatus => ({
  kind: 'HTTPRoute',
  namespace: 'ns',
  name,
  status: { n },
});

const waiting = (c: StatusWriterContext) => writtenStatuses(c.queue).map(([key]) => key);

describe('statusWriter', () => {
  /** A writer whose sink records each batch; `failAt(name)` makes the write of that object fail once. */
  function writer() {
    const written: ResourceStatus[] = [];
    const batches: number[] = [];
    const failing = new Set<string>();
    const actor = createActor(
      statusWriterMachine.provide({
        actors: {
          writeStatuses: fromPromise<StatusBatchOutcome, { statuses: ResourceStatus[] }>(async ({ input }) => {
            batches.push(input.statuses.length);
            for (const [i, s] of input.statuses.entries()) {
              if (failing.delete(s.name)) return { written: i, error: `409 on ${s.name}` };
              written.push(s);
            }
            return { written: input.statuses.length };
          }),
        },
        delays: { retryBackoff: 1 },
      }),
    );
    actor.start();
    // At rest: idle with nothing queued (a writer with statuses queued leaves idle at once).
    const settled = () => waitFor(actor, (snap) => snap.matches({ active: 'idle' }), { timeout: 5_000 });
    return { actor, written, batches, failAt: (name: string) => failing.add(name), settled };
  }

  it('writes each request once, in batches of at most MAX_BATCH, and everything again for a new leader', async () => {
    const { actor, written, batches, settled } = writer();
    actor.send({ type: 'leader.elected' });
    for (let i = 0; i < 600; i++) actor.send({ type: 'status.write', status: status(`r${i}`, 1) });
    // Requests while the first write is under way: the newer status replaces the one waiting.
    actor.send({ type: 'status.write', status: status('r599', 2) });
    actor.send({ type: 'status.forget', key: 'HTTPRoute/ns/r7' });
    await settled();
    expect(actor.getSnapshot().value).toEqual({ active: 'idle' });
    expect(waiting(actor.getSnapshot().context)).toEqual([]);
    // The first request is taken alone (the writer was idle); the burst behind it, in full batches.
    expect(batches).toEqual([1, MAX_BATCH, MAX_BATCH, 599 - 1 - 2 * MAX_BATCH]);
    const names = written.map((s) => s.name);
    expect(names).toHaveLength(599);
    expect(new Set(names).size).toBe(599);
    expect(names).not.toContain('r7');
    expect(written.find((s) => s.name === 'r599')!.status).toEqual({ n: 2 });
    expect(actor.getSnapshot().context.writes).toBe(599);

    actor.send({ type: 'status.write', status: status('r5', 3) });
    await settled();
    actor.send({ type: 'leader.lost' });
    actor.send({ type: 'status.write', status: status('r6', 4) });
    actor.send({ type: 'status.forget', key: 'HTTPRoute/ns/r8' });
    written.length = 0;
    actor.send({ type: 'leader.elected' });
    await settled();
    const again = new Map(written.map((s) => [s.name, (s.status as { n: number }).n]));
    expect(written).toHaveLength(598);
    expect(again.size).toBe(598);
    expect(again.has('r7') || again.has('r8')).toBe(false);
    expect([again.get('r5'), again.get('r6'), again.get('r599'), again.get('r0')]).toEqual([3, 4, 2, 1]);
    expect(waiting(actor.getSnapshot().context)).toEqual([]);
    actor.stop();
  });

  it('a batch that fails part-way: what was written counts, the rest is written after a backoff', async () => {
    const { actor, written, batches, failAt, settled } = writer();
    actor.send({ type: 'status.write', status: status('first', 1) });
    for (let i = 0; i < 5; i++) actor.send({ type: 'status.write', status: status(`r${i}`, 1) });
    failAt('r2');
    actor.send({ type: 'leader.elected' });
    await waitFor(actor, (snap) => snap.matches({ active: 'backoff' }));
    expect(actor.getSnapshot().context.lastError).toBe('409 on r2');
    expect(waiting(actor.getSnapshot().context)).toEqual(['HTTPRoute/ns/r2', 'HTTPRoute/ns/r3', 'HTTPRoute/ns/r4']);
    await settled();
    expect(batches).toEqual([6, 3]);
    expect(written.map((s) => s.name)).toEqual(['first', 'r0', 'r1', 'r2', 'r3', 'r4']);
    expect(actor.getSnapshot().context).toMatchObject({ attempt: 0, lastError: undefined, writes: 6 });
    // A new leader writes each of them once more: the written part of the failed batch was recorded.
    written.length = 0;
    actor.send({ type: 'leader.lost' });
    actor.send({ type: 'leader.elected' });
    await settled();
    expect(written.map((s) => s.name).sort()).toEqual(['first', 'r0', 'r1', 'r2', 'r3', 'r4']);
    actor.stop();
  });

  it('objects forgotten while their batch is written are neither written again nor recorded for a new leader', async () => {
    let release!: () => void;
    const calls: string[][] = [];
    const actor = createActor(
      statusWriterMachine.provide({
        actors: {
          writeStatuses: fromPromise<StatusBatchOutcome, { statuses: ResourceStatus[] }>(async ({ input }) => {
            calls.push(input.statuses.map((s) => s.name));
            await new Promise<void>((resolve) => (release = resolve));
            return { written: 1, error: 'timeout' };
          }),
        },
        delays: { retryBackoff: 1 },
      }),
    );
    actor.start();
    for (const name of ['a', 'b', 'c']) actor.send({ type: 'status.write', status: status(name, 1) });
    actor.send({ type: 'leader.elected' });
    await waitFor(actor, () => calls.length === 1);
    actor.send({ type: 'status.forget', key: 'HTTPRoute/ns/a' });
    actor.send({ type: 'status.forget', key: 'HTTPRoute/ns/b' });
    release();
    await waitFor(actor, () => calls.length === 2);
    // a was written but forgotten meanwhile: not recorded (a new leader must not bring it back); b
    // forgotten before its turn; only c is written again.
    expect(calls).toEqual([['a', 'b', 'c'], ['c']]);
    expect(writtenStatuses(actor.getSnapshot().context.written)).toEqual([]);
    actor.stop();
  });
});
