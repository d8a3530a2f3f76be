// Model specs of the delivery machines: replica (config push to one proxy) and edge (Cloudflare). The
// oracle checks the outgoing commands each state must produce: what is pushed or reconciled, what is
// reported to the coordinator, and that nothing is pushed that the replica already runs.
import { expect } from './fast-expect.js';
import type { AnyEventObject, AnyMachineSnapshot } from 'xstate';
import { GenerationConflictError, replicaMachine, type ReplicaContext } from '../../machines/replica.js';
import { edgeMachine, type EdgeContext } from '../../machines/edge.js';
import { BUSY } from '../../machines/shared/tags.js';
import { statePaths } from '../../src/debug/actors.js';
import { bucket, pendingActor, type ModelSpec, type StepRecord } from './harness.js';
import { fingerprint } from './fixtures.js';
import { replicaMust } from './replica-contract.js';

const leaf = (s: AnyMachineSnapshot) => statePaths(s.value).at(-1)!;
const entered = (step: StepRecord, state: string) =>
  leaf(step.snapshot) === state && (leaf(step.before) !== state || step.started.length > 0 || step.sent.length > 0);
const config = (version: string) => ({ version, rules: [], hosts: [] });
/** The generation a replica pushed from the future runs. */
const FUTURE = Number.MAX_SAFE_INTEGER;

function checkReplica(step: StepRecord): void {
  const ctx = step.snapshot.context as ReplicaContext;
  const prev = step.before.context as ReplicaContext;
  const state = leaf(step.snapshot);
  const pushes = step.started.filter((s) => s.id === 'pushConfig');
  const resyncs = step.started.filter((s) => s.id === 'resyncConfig');
  const reads = step.started.filter((s) => s.src === 'readCurrent');
  const reports = step.sent.filter((e) => e.type.startsWith('replica.'));
  if (state === 'pushing' && pushes.length) {
    // What is pushed is the desired config with its generation, never a stale one.
    expect(pushes).toEqual([{ src: 'pushConfig', id: 'pushConfig', input: { id: 'r1', ...ctx.desired } }]);
    expect(ctx.acked?.version).not.toBe(ctx.desired!.config.version);
  }
  if (state !== 'pushing') expect(pushes).toEqual([]);
  // A replica that runs a newer generation gets our desired config again, marked as a resync, at once.
  if (entered(step, 'conflict')) {
    expect(step.event.type).toBe('xstate.error.actor.pushConfig');
    expect(ctx.conflict).toEqual({ running: FUTURE, wanted: ctx.desired!.generation });
    expect(resyncs).toEqual([
      { src: 'pushConfig', id: 'resyncConfig', input: { id: 'r1', ...ctx.desired, resync: true } },
    ]);
    expect(ctx.attempt).toBe(prev.attempt + 1);
    expect(reports).toEqual([{ type: 'replica.failing', id: 'r1', error: ctx.lastError, attempt: ctx.attempt }]);
  }
  if (state !== 'conflict') expect(resyncs).toEqual([]);
  if (step.event.type === 'xstate.done.actor.resyncConfig') {
    expect(ctx.conflict).toBeUndefined();
    expect(ctx.attempt).toBe(0);
  }
  if (state === 'checking' && reads.length)
    expect(reads).toEqual([{ src: 'readCurrent', id: 'readCurrent', input: { id: 'r1' } }]);
  if (state === 'unready' || state === 'gone') expect(step.started).toEqual([]);
  if (entered(step, 'inSync')) {
    expect(ctx.acked?.version).toBe(ctx.desired?.config.version);
    expect(reports).toEqual([
      { type: 'replica.inSync', id: 'r1', version: ctx.acked!.version, generation: ctx.acked!.generation },
    ]);
  }
  if (leaf(step.snapshot) === 'backoff' && leaf(step.before) !== 'backoff') {
    expect(ctx.attempt).toBe(prev.attempt + 1);
    expect(reports).toEqual([{ type: 'replica.failing', id: 'r1', error: ctx.lastError, attempt: ctx.attempt }]);
  }
  if (step.event.type === 'xstate.done.actor.pushConfig') expect(ctx.attempt).toBe(0);
  // Restart detection: a replica reporting another version than the desired one gets it replayed.
  if (step.event.type === 'xstate.done.actor.readCurrent' && ctx.desired) {
    expect(state).toBe(step.event.output?.version === ctx.desired.config.version ? 'inSync' : 'pushing');
  }
  if (!['inSync', 'backoff', 'conflict'].includes(state) || !entered(step, state)) expect(reports).toEqual([]);
  // Readiness is the last replica.ready's word, else the input's.
  const readiness = step.history.events.filter((e) => e.type === 'replica.ready').at(-1);
  if (readiness) expect(ctx.ready).toBe(readiness.ready);
  // Every push that landed is counted, a resync too (the debug page shows it).
  const landed = step.history.events.filter(
    (e) => e.type === 'xstate.done.actor.pushConfig' || e.type === 'xstate.done.actor.resyncConfig',
  ).length;
  expect(ctx.pushes).toBe(landed);
  // A failure's words are kept until a push lands.
  if (step.event.type.startsWith('xstate.error.actor.')) {
    const { error } = step.event as unknown as { error: Error | string };
    expect(ctx.lastError).toBe(typeof error === 'string' ? error : error.message);
  }
  // whenIdle waits while the replica is read or pushed to (the BUSY tag), not while it waits or backs off.
  expect(step.snapshot.hasTag(BUSY)).toBe(['checking', 'pushing', 'conflict'].includes(state));
}

export const replicaSpec: ModelSpec = {
  name: 'replica',
  // The contract says how a replica meets each event in any state (replica-contract.ts): walk them all, so a
  // handler the machine lacks (the machine-wide readiness one, say) is walked too instead of never offered.
  offer: 'all',
  machine: (probe) =>
    replicaMachine.provide({
      actors: {
        pushConfig: pendingActor(probe, 'pushConfig') as never,
        readCurrent: pendingActor(probe, 'readCurrent') as never,
      },
    }),
  inputs: (probe) => [
    { id: 'r1', ready: true, reportTo: probe.recorder },
    { id: 'r1', ready: false, desired: { config: config('v1'), generation: 1 }, reportTo: probe.recorder },
  ],
  events: (s) => {
    const ctx = s.context as ReplicaContext;
    const desired = ctx.desired ?? { config: config('v1'), generation: 1 };
    return [
      { type: 'config.desired', config: config('v1'), generation: 1 },
      { type: 'config.desired', config: config('v2'), generation: 2 },
      { type: 'replica.ready', ready: true },
      { type: 'replica.ready', ready: false },
      { type: 'replica.removed' },
      { type: 'xstate.done.actor.readCurrent', output: null },
      { type: 'xstate.done.actor.readCurrent', output: { version: 'v1', generation: 1 } },
      { type: 'xstate.error.actor.readCurrent', error: new Error('connect ECONNREFUSED') },
      // A rejection that is not an Error (an abort reason, a string thrown): its words are the string.
      { type: 'xstate.error.actor.readCurrent', error: 'socket hang up' },
      {
        type: 'xstate.done.actor.pushConfig',
        output: { version: desired.config.version, generation: desired.generation },
      },
      { type: 'xstate.error.actor.pushConfig', error: new Error('HTTP 503') },
      { type: 'xstate.error.actor.pushConfig', error: new GenerationConflictError(FUTURE, desired.generation) },
      {
        type: 'xstate.done.actor.resyncConfig',
        output: { version: desired.config.version, generation: desired.generation },
      },
      { type: 'xstate.error.actor.resyncConfig', error: new Error('HTTP 503') },
    ];
  },
  serialize: (s) => {
    const c = s.context as ReplicaContext;
    return JSON.stringify([
      s.value,
      c.ready,
      c.desired?.config.version,
      c.acked?.version,
      bucket(c.attempt, 1),
      c.conflict !== undefined,
    ]);
  },
  check: checkReplica,
  must: replicaMust,
  // From the ready replica told nothing yet (input #0): a config told while the replica is read is the one
  // pushed once the read answers; a read that found what is later desired makes the replica in sync, unpushed.
  paths: (input) =>
    input === 0
      ? [
          [
            { type: 'config.desired', config: config('v1'), generation: 1 },
            { type: 'xstate.done.actor.readCurrent', output: null },
          ],
          [
            { type: 'xstate.done.actor.readCurrent', output: { version: 'v1', generation: 1 } },
            { type: 'config.desired', config: config('v1'), generation: 1 },
          ],
        ]
      : [],
};

const doc = (host: string) => ({
  ingress: { ingress: [{ hostname: host, service: 'http://localhost:8080' }, { service: 'http_status:404' }] },
  dns: [],
});

const TAKEN = {
  hostname: 'a.example.com',
  reason: 'HostnameTaken',
  message: 'has A record(s) not managed by this controller; left untouched',
};

/** The hostname conflicts of the last successful reconcile in the path (what the edge must report). */
function lastConflicts(step: StepRecord): unknown[] {
  const done = step.history.events.filter((e) => e.type === 'xstate.done.actor.reconcileEdge' && e.output.ok);
  return done.at(-1)?.output.hostnameConflicts ?? [];
}

function checkEdge(step: StepRecord, retryDelay: (ctx: EdgeContext) => number): void {
  const ctx = step.snapshot.context as EdgeContext;
  const state = leaf(step.snapshot);
  const before = leaf(step.before);
  const calls = step.started.filter((s) => s.src === 'reconcileEdge');
  const reports = step.sent.filter((e) => e.type.startsWith('edge.'));
  if (calls.length) {
    expect(state).toBe('reconciling');
    expect(calls[0]!.input).toEqual({ ingress: ctx.desired!.ingress, dns: ctx.desired!.dns });
    // Reconciles happen for a new document, a retry, or the periodic resync — never on their own otherwise.
    expect([
      'edge.desired',
      'xstate.after.edgeBackoff.edge.backoff',
      'xstate.after.edgeResync.edge.synced',
      'xstate.done.actor.reconcileEdge',
    ]).toContain(step.event.type);
  }
  // Drift repair: in sync, the resync timer reconciles the confirmed document again.
  if (step.event.type === 'xstate.after.edgeResync.edge.synced') {
    expect(before).toBe('synced');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.input).toEqual({ ingress: ctx.confirmed!.ingress, dns: ctx.confirmed!.dns });
  }
  // Nothing is written when the desired document is what the edge already confirmed.
  if (step.event.type === 'edge.desired' && leaf(step.before) === 'synced') {
    const same =
      fingerprint({ i: step.event.ingress, d: step.event.dns }) ===
      fingerprint({ i: ctx.confirmed!.ingress, d: ctx.confirmed!.dns });
    expect(calls).toHaveLength(same ? 0 : 1);
  }
  // Must happen: every entry into synced (a confirmation caught up with the desired document, or a desired
  // document equal to the confirmed one came while in sync) tells the coordinator once.
  if (state === 'synced' && (before !== 'synced' || step.event.type === 'edge.desired'))
    expect(reports.map((r) => r.type)).toEqual(['edge.synced']);
  // Every confirmed reconcile is counted (the debug page shows it).
  const confirmedCount = step.history.events.filter(
    (e) => e.type === 'xstate.done.actor.reconcileEdge' && e.output.ok,
  ).length;
  expect(ctx.reconciles).toBe(confirmedCount);
  // What it reports as unpublishable is what the last confirmation said (nothing before the first).
  expect(ctx.conflicts).toEqual(lastConflicts(step));
  // A report answers the newest desired document: the one this step brought, when it brought one.
  if (step.event.type === 'edge.desired')
    for (const r of reports) if (r.type === 'edge.synced') expect(r.generation).toBe(step.event.generation);
  if (state === 'synced' && reports.length) {
    expect(fingerprint(ctx.confirmed!.ingress)).toBe(fingerprint(ctx.desired!.ingress));
    expect(reports).toEqual([
      { type: 'edge.synced', generation: ctx.desired!.generation, conflicts: lastConflicts(step) },
    ]);
  }
  // Must happen: a failed reconcile (an error, or an answer that is not ok) backs off and says so.
  const failed =
    step.event.type === 'xstate.error.actor.reconcileEdge' ||
    (step.event.type === 'xstate.done.actor.reconcileEdge' && !step.event.output.ok);
  if (failed) expect(state).toBe('backoff');
  // whenIdle waits while a reconcile runs (the BUSY tag), not while a backoff or the resync timer waits.
  expect(step.snapshot.hasTag(BUSY)).toBe(state === 'reconciling');
  if (state === 'backoff' && leaf(step.before) !== 'backoff') {
    expect(reports).toEqual([
      { type: 'edge.failing', error: ctx.lastError, attempt: ctx.attempt, retryAfterMs: ctx.retryAfterMs },
    ]);
    // Retry-After is honoured: the backoff never ends sooner than the edge asked.
    expect(retryDelay(ctx)).toBeGreaterThanOrEqual(ctx.retryAfterMs ?? 0);
  }
}

export const edgeSpec: ModelSpec = {
  name: 'edge',
  machine: (probe) => edgeMachine.provide({ actors: { reconcileEdge: pendingActor(probe, 'reconcileEdge') as never } }),
  input: (probe) => ({ reportTo: probe.recorder }),
  events: [
    { type: 'edge.desired', ...doc('a.example.com'), generation: 1 },
    { type: 'edge.desired', ...doc('b.example.com'), generation: 2 },
    // The first document again under a newer generation (the config moved, the edge did not).
    { type: 'edge.desired', ...doc('a.example.com'), generation: 3 },
    { type: 'xstate.done.actor.reconcileEdge', output: { ok: true, writes: 1 } },
    {
      type: 'xstate.done.actor.reconcileEdge',
      output: { ok: true, writes: 0, conflicts: ['hostname taken: a.example.com …'], hostnameConflicts: [TAKEN] },
    },
    { type: 'xstate.done.actor.reconcileEdge', output: { ok: false, error: 'HTTP 429', retryAfterMs: 120_000 } },
    { type: 'xstate.error.actor.reconcileEdge', error: new Error('socket hang up') },
  ],
  serialize: (s) => {
    const c = s.context as EdgeContext;
    return JSON.stringify([
      s.value,
      c.desired?.generation,
      c.sending?.generation,
      c.confirmed?.generation,
      bucket(c.attempt),
      c.retryAfterMs,
      c.lastError,
      c.conflicts.length,
    ]);
  },
  check: (step) => {
    const delay = edgeMachine.implementations.delays.edgeBackoff as (a: { context: EdgeContext }) => number;
    checkEdge(step, (context) => delay({ context }));
  },
};

export type { AnyEventObject };
