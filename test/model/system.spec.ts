// Model specs of statusWriter (coalesced, leader-gated status writes) and leader (lease lifecycle).
import { expect } from '@jest/globals';
import type { AnyMachineSnapshot } from 'xstate';
import { statusWriterMachine, type StatusWriterContext } from '../../machines/status-writer.js';
import { leaderMachine } from '../../machines/leader.js';
import { statePaths } from '../../src/debug/actors.js';
import { bucket, pendingActor, type ModelSpec, type StepRecord } from './harness.js';
import { classVerdict, gatewayVerdict } from './fixtures.js';
import { LEASE_DELAYS, leaderMust } from './contracts.js';

const leaf = (s: AnyMachineSnapshot) => statePaths(s.value).at(-1)!;
const keyOf = (s: { kind: string; namespace: string; name: string }) => `${s.kind}/${s.namespace}/${s.name}`;

const GW_1 = gatewayVerdict({ accepted: true, spec: 1 });
const GW_2 = gatewayVerdict({ accepted: false, spec: 2 });
const CLASS = classVerdict(true);

function checkStatusWriter(step: StepRecord): void {
  const ctx = step.snapshot.context as StatusWriterContext;
  const prev = step.before.context as StatusWriterContext;
  const state = leaf(step.snapshot);
  const writes = step.started.filter((s) => s.src === 'writeStatus');
  // Each object waits at most once: a newer request replaces the older one.
  expect(new Set(ctx.pending).size).toBe(ctx.pending.length);
  for (const key of ctx.pending) expect(ctx.latest[key]).toBeDefined();
  if (state === 'standby') expect(writes).toEqual([]);
  if (writes.length) {
    expect(state).toBe('active.writing');
    expect(writes).toHaveLength(1);
    // It writes the latest status requested for the object, and that object no longer waits.
    expect(writes[0]!.input).toEqual({ status: ctx.latest[ctx.inflight!] });
    expect(ctx.pending).not.toContain(ctx.inflight);
  }
  if (step.event.type === 'status.write' && prev.pending.includes(keyOf(step.event.status)) && !writes.length) {
    expect(ctx.pending).toEqual(prev.pending);
  }
  if (step.event.type === 'leader.elected')
    for (const key of Object.keys(ctx.latest)) expect([...ctx.pending, ctx.inflight]).toContain(key);
  if (step.event.type === 'status.forget') {
    expect(ctx.latest[step.event.key]).toBeUndefined();
    expect(ctx.pending).not.toContain(step.event.key);
  }
  // A failed write is retried: its object waits again (first in line unless a newer request already
  // queued it) — unless it was forgotten meanwhile.
  if (step.event.type === 'xstate.error.actor.writeStatus' && prev.inflight && prev.latest[prev.inflight]) {
    expect(ctx.pending[0] === prev.inflight || prev.pending.includes(prev.inflight)).toBe(true);
    expect(ctx.pending).toContain(prev.inflight);
    expect(state).toBe('active.backoff');
  }
}

export const statusWriterSpec: ModelSpec = {
  name: 'statusWriter',
  machine: (probe) =>
    statusWriterMachine.provide({ actors: { writeStatus: pendingActor(probe, 'writeStatus') as never } }),
  events: [
    { type: 'status.write', status: GW_1 },
    { type: 'status.write', status: GW_2 },
    { type: 'status.write', status: CLASS },
    { type: 'status.forget', key: keyOf(GW_1) },
    { type: 'leader.elected' },
    { type: 'leader.lost' },
    { type: 'xstate.done.actor.writeStatus' },
    { type: 'xstate.error.actor.writeStatus', error: new Error('409 Conflict') },
  ],
  serialize: (s) => {
    const c = s.context as StatusWriterContext;
    return JSON.stringify([s.value, c.pending, c.inflight, Object.keys(c.latest).sort(), bucket(c.attempt, 1)]);
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
