// Model specs of statusWriter (coalesced, leader-gated status writes) and leader (lease lifecycle).
import { expect } from './fast-expect.js';
import type { AnyMachineSnapshot } from 'xstate';
import {
  MAX_BATCH,
  statusWriterMachine,
  type StatusBatchOutcome,
  type StatusWriterContext,
} from '../../machines/status-writer.js';
import { writtenStatuses } from '../../machines/shared/written-log.js';
import type { ResourceStatus } from '../../src/core/types.js';
import { leaderMachine } from '../../machines/leader.js';
import { BUSY } from '../../machines/shared/tags.js';
import { statePaths } from '../../src/debug/actors.js';
import { bucket, pendingActor, type ModelSpec, type StepRecord } from './harness.js';
import { classVerdict, gatewayVerdict } from './fixtures.js';
import { LEASE_DELAYS, leaderMust } from './contracts.js';

const leaf = (s: AnyMachineSnapshot) => statePaths(s.value).at(-1)!;
const keyOf = (s: { kind: string; namespace: string; name: string }) => `${s.kind}/${s.namespace}/${s.name}`;

const GW_1 = gatewayVerdict({ accepted: true, spec: 1 });
const GW_2 = gatewayVerdict({ accepted: false, spec: 2 });
const CLASS = classVerdict(true);

const waitingOf = (c: StatusWriterContext) => new Map(writtenStatuses(c.queue));
const writtenOf = (c: StatusWriterContext) => new Map(writtenStatuses(c.written));

function checkStatusWriter(step: StepRecord): void {
  const ctx = step.snapshot.context as StatusWriterContext;
  const prev = step.before.context as StatusWriterContext;
  const state = leaf(step.snapshot);
  const writes = step.started.filter((s) => s.src === 'writeStatuses');
  const waiting = waitingOf(ctx);
  const waitingBefore = waitingOf(prev);
  if (state === 'standby') expect(writes).toEqual([]);
  if (writes.length) {
    expect(state).toBe('active.writing');
    expect(writes).toHaveLength(1);
    // It writes the latest status requested for each object it takes, oldest request first, and those
    // objects no longer wait.
    const batch = (writes[0]!.input as { statuses: ResourceStatus[] }).statuses;
    expect(batch).toEqual(ctx.inflight);
    expect(batch.length).toBeGreaterThan(0);
    if (step.event.type !== 'leader.elected') {
      // Taken after the event: a request it made waits too (a new object last, a known one in its place).
      const requested = new Map(waitingBefore);
      if (step.event.type === 'status.write') requested.set(keyOf(step.event.status), step.event.status);
      expect(batch).toEqual([...requested.values()].slice(0, MAX_BATCH));
    }
    for (const s of batch) expect(waiting.has(keyOf(s))).toBe(false);
  }
  if (step.event.type === 'status.write' && !writes.length)
    expect(waiting.get(keyOf(step.event.status))).toEqual(step.event.status);
  if (step.event.type === 'status.forget') {
    expect(waiting.has(step.event.key)).toBe(false);
    expect(writtenOf(ctx).has(step.event.key)).toBe(false);
  }
  // A new leader writes everything it knows once: what was written, what was being written, what waits.
  if (step.event.type === 'leader.elected' && leaf(step.before) === 'standby') {
    const known = [...writtenOf(prev).keys(), ...prev.inflight.map(keyOf), ...waitingBefore.keys()];
    const forgotten = new Set(prev.forgottenInFlight);
    for (const key of known)
      if (!forgotten.has(key)) expect([...waiting.keys(), ...ctx.inflight.map(keyOf)]).toContain(key);
  }
  const outcome = batchOutcome(step);
  if (outcome) checkBatchEnd(prev, ctx, state, outcome);
  // The last failure's words stay until a batch goes through (the debug page shows them).
  if (outcome?.error !== undefined) expect(ctx.lastError).toBe(outcome.error);
  if (outcome && outcome.error === undefined) expect(ctx.lastError).toBeUndefined();
  // whenIdle waits while a batch is written (the BUSY tag), not while the writer backs off or stands by.
  expect(step.snapshot.hasTag(BUSY)).toBe(state === 'active.writing');
}

/** The outcome a step's event reports for the batch in flight (an error event: nothing written). */
function batchOutcome(step: StepRecord): StatusBatchOutcome | undefined {
  if (leaf(step.before) !== 'active.writing') return undefined;
  if (step.event.type === 'xstate.done.actor.writeStatuses')
    return (step.event as unknown as { output: StatusBatchOutcome }).output;
  if (step.event.type === 'xstate.error.actor.writeStatuses')
    return { written: 0, error: (step.event as unknown as { error: Error }).error.message };
  return undefined;
}

// What a batch wrote is recorded (unless forgotten meanwhile); after a failure, the rest waits again
// (unless forgotten or a newer request waits) and the writer backs off.
function checkBatchEnd(
  prev: StatusWriterContext,
  ctx: StatusWriterContext,
  state: string,
  outcome: StatusBatchOutcome,
) {
  const count = Math.min(outcome.written, prev.inflight.length);
  const written = writtenOf(ctx);
  const waiting = waitingOf(ctx);
  const forgotten = new Set(prev.forgottenInFlight);
  for (const s of prev.inflight.slice(0, count)) if (!forgotten.has(keyOf(s))) expect(written.get(keyOf(s))).toEqual(s);
  for (const key of forgotten) expect(written.has(key)).toBe(false);
  expect(ctx.writes).toBe(prev.writes + count);
  if (outcome.error === undefined) {
    // Done: idle, or straight on to the next batch when more waits.
    const next = [...waitingOf(prev).values()].slice(0, MAX_BATCH);
    expect(state).toBe(next.length ? 'active.writing' : 'active.idle');
    expect(ctx.inflight).toEqual(next);
    return;
  }
  expect(state).toBe('active.backoff');
  expect(ctx.inflight).toEqual([]);
  for (const s of prev.inflight.slice(count))
    if (!forgotten.has(keyOf(s))) expect(waiting.get(keyOf(s))).toEqual(waitingOf(prev).get(keyOf(s)) ?? s);
}

export const statusWriterSpec: ModelSpec = {
  name: 'statusWriter',
  machine: (probe) =>
    statusWriterMachine.provide({ actors: { writeStatuses: pendingActor(probe, 'writeStatuses') as never } }),
  events: [
    { type: 'status.write', status: GW_1 },
    { type: 'status.write', status: GW_2 },
    { type: 'status.write', status: CLASS },
    { type: 'status.forget', key: keyOf(GW_1) },
    { type: 'leader.elected' },
    { type: 'leader.lost' },
    { type: 'xstate.done.actor.writeStatuses', output: { written: 2 } },
    { type: 'xstate.done.actor.writeStatuses', output: { written: 0, error: '409 Conflict' } },
    { type: 'xstate.done.actor.writeStatuses', output: { written: 1, error: '409 Conflict' } },
    { type: 'xstate.error.actor.writeStatuses', error: new Error('sink crashed') },
  ],
  serialize: (s) => {
    const c = s.context as StatusWriterContext;
    const waiting = writtenStatuses(c.queue).map(([k]) => k);
    return JSON.stringify([s.value, waiting, c.inflight.map(keyOf), c.forgottenInFlight, bucket(c.attempt, 1)]);
  },
  check: checkStatusWriter,
};

function checkLeader(step: StepRecord): void {
  const state = leaf(step.snapshot);
  const before = leaf(step.before);
  const reports = step.sent.map((e) => e.type);
  const wasLeader = before.startsWith('leader');
  const isLeader = state.startsWith('leader');
  if (isLeader && !wasLeader) expect(reports).toEqual(['leader.elected']);
  else if (wasLeader && !isLeader) expect(reports).toEqual(['leader.lost']);
  else expect(reports).toEqual([]);
  // Elected and lost alternate, starting with elected: two writers never overlap.
  const history = step.history.sent.map((e) => e.type);
  history.forEach((t, i) => expect(t).toBe(i % 2 === 0 ? 'leader.elected' : 'leader.lost'));
  if (step.event.type === 'xstate.after.renewDeadline.leader.leader.renewing') expect(state).toBe('follower');
  if (state === 'releasing') expect(step.started.map((s) => s.src)).toEqual(before === 'releasing' ? [] : ['release']);
}

export const leaderSpec: ModelSpec = {
  name: 'leader',
  machine: (probe) =>
    leaderMachine.provide({
      actors: {
        tryAcquire: pendingActor(probe, 'tryAcquire') as never,
        renew: pendingActor(probe, 'renew') as never,
        release: pendingActor(probe, 'release') as never,
      },
      delays: LEASE_DELAYS,
    }),
  input: (probe) => ({ reportTo: [probe.recorder] }),
  // Every event in every state: a lease answer or a stop the machine would not take is walked too.
  offer: 'all',
  events: [
    { type: 'xstate.done.actor.tryAcquire', output: true },
    { type: 'xstate.done.actor.tryAcquire', output: false },
    { type: 'xstate.error.actor.tryAcquire', error: new Error('lease API down') },
    { type: 'xstate.done.actor.renew', output: true },
    { type: 'xstate.done.actor.renew', output: false },
    { type: 'xstate.error.actor.renew', error: new Error('timeout') },
    { type: 'xstate.done.actor.release' },
    { type: 'xstate.error.actor.release', error: new Error('gone') },
    { type: 'leader.stop' },
  ],
  serialize: (s) => JSON.stringify([s.value, bucket((s.context as { terms: number }).terms, 1)]),
  check: checkLeader,
  must: leaderMust,
};
