// Model spec of the coordinator: the sync schedule (no sync before the source synced, leading edge,
// coalescing with holdoff and its cap) and what each sync hands out (verdicts, config, edge document,
// replica actors, data-plane health). Its children are recording doubles. What must happen at each step
// comes from models of the contract (contracts.ts: the schedule; coordinator-contract.ts: the delivery);
// `check` adds the schedule's states, child release and route conflicts.
import { expect } from './fast-expect.js';
import type { AnyEventObject, AnyMachineSnapshot } from 'xstate';
import { coordinatorMachine } from '../../machines/coordinator.js';
import type { CoordinatorContext, SyncResult } from '../../machines/shared/coordinator-types.js';
import type { DesiredState } from '../../src/core/types.js';
import { statePaths } from '../../src/debug/actors.js';
import { pendingActor, type ModelSpec, type StepRecord } from './harness.js';
import { classVerdict, fingerprint, gatewayVerdict, routeVerdict } from './fixtures.js';
import { scheduleMust, type ScheduleDelays } from './contracts.js';
import { deliveryMust } from './coordinator-contract.js';
import { keyedEntries, keyedKeys, keyedValues } from '../../machines/shared/keyed.js';

const leaf = (s: AnyMachineSnapshot) => statePaths(s.value).at(-1)!;
function desired(version: string, host: string, withRoute: boolean): DesiredState {
  const statuses = [
    classVerdict(true),
    gatewayVerdict({ accepted: true, spec: 1 }),
    ...(withRoute ? [routeVerdict({ accepted: true, spec: 1 })] : []),
  ];
  // The route (HTTPRoute ns/web) publishes `host` through its rule 0.
  const rules = withRoute ? [{ id: 'httproute/ns/web/0', kind: 'http' as const }] : [];
  const hosts = withRoute ? [{ hostname: host, matches: [{ match: {}, rule: 0 }] }] : [];
  return {
    statuses,
    proxyConfig: { version, rules, hosts },
    ingress: { ingress: [{ hostname: host, service: 'http://localhost:8080' }, { service: 'http_status:404' }] },
    dns: [],
  };
}
const DESIRED_A = desired('v1', 'a.example.com', true);
const DESIRED_B = desired('v2', 'b.example.com', false);
// The Gateway's own spec changed in B: its actor must be handed the new verdict (the class's stays the same).
DESIRED_B.statuses[1] = gatewayVerdict({ accepted: true, spec: 2 });
// C: the route back (a new actor), on another hostname; the Gateway as in B.
const DESIRED_C = desired('v3', 'c.example.com', true);
DESIRED_C.statuses[1] = DESIRED_B.statuses[1]!;
// A: the same again as new objects (a translation that found nothing changed but built afresh).
const DESIRED_A_AGAIN = JSON.parse(JSON.stringify(DESIRED_A)) as DesiredState;
const syncDone = (d: DesiredState): AnyEventObject => ({
  type: 'sync.done',
  output: { desired: d, durationMs: 1 } satisfies SyncResult,
});

const ctxOf = (s: AnyMachineSnapshot) => s.context as CoordinatorContext;
/** The syncs this step started: each is a `sync.run` sent to the sync child. */
const syncsAsked = (step: StepRecord) => step.sent.filter((e) => e.to === 'sync' && e.type === 'sync.run');

function checkSchedule(step: StepRecord): void {
  const state = leaf(step.snapshot);
  const before = leaf(step.before);
  const syncs = syncsAsked(step);
  const type = step.event.type;
  // Never translate a partial view.
  if (syncs.length) expect(step.history.events.some((e) => e.type === 'source.synced')).toBe(true);
  if (state.startsWith('syncing') && !before.startsWith('syncing')) expect(syncs).toHaveLength(1);
  else expect(syncs).toEqual([]);
  if (type === 'source.changed') {
    if (before === 'idle') expect(state).toBe('syncing.clean'); // leading edge: at once
    if (before.startsWith('syncing')) expect(state).toBe('syncing.dirty');
    if (before.startsWith('settling')) expect(state).toBe('settling.dirty');
    if (before === 'waitingForSource') expect(state).toBe('waitingForSource');
  }
  if (type === 'sync.done' || type === 'sync.failed') {
    expect(state).toBe(before === 'syncing.dirty' ? 'settling.dirty' : 'settling.quiet');
  }
  if (type === 'xstate.after.holdoff.coordinator.settling.quiet') expect(state).toBe('idle');
  if (type === 'xstate.after.holdoff.coordinator.settling.dirty') expect(state).toBe('syncing.clean');
  if (type === 'xstate.after.maxHoldoff.coordinator.settling')
    expect(state).toBe(before === 'settling.dirty' ? 'syncing.clean' : before);
}

const TAKEN_A = {
  hostname: 'a.example.com',
  reason: 'HostnameTaken',
  message: 'has A record(s) not managed by this controller; left untouched',
};
const TAKEN_OTHER = {
  hostname: 'other.example.com',
  reason: 'HostnameTaken',
  message: 'has a tunnel ingress rule → http://elsewhere not created by this controller; kept',
};

/** Every route actor has been told (last edge.conflicts it received, none = no conflicts) exactly the
 * conflicts on the hostnames its rules serve; a told value is re-sent only when it changed. */
function checkConflicts(step: StepRecord): void {
  const ctx = ctxOf(step.snapshot);
  const gateways = keyedKeys(ctx.resources)
    .filter((k) => k.startsWith('Gateway/'))
    .sort();
  const served = (key: string) => {
    const [kind, ns, name] = key.split('/');
    const rules = (ctx.config?.rules ?? []).flatMap((r, i) =>
      r.id.startsWith(`${kind!.toLowerCase()}/${ns}/${name}/`) ? [i] : [],
    );
    return (ctx.config?.hosts ?? [])
      .filter((h) => h.matches.some((m) => rules.includes(m.rule)))
      .map((h) => h.hostname);
  };
  const told = (id: string, events: AnyEventObject[]) =>
    events.filter((e) => e.type === 'edge.conflicts' && e.to === id).at(-1);
  const earlier = step.history.sent.slice(0, step.history.sent.length - step.sent.length);
  for (const [key, id] of keyedEntries(ctx.resources)) {
    const last = told(id, step.history.sent);
    if (!key.startsWith('HTTPRoute/')) {
      expect(last).toBeUndefined();
      continue;
    }
    const want = ctx.edgeConflicts.filter((c) => served(key).includes(c.hostname));
    expect(last?.conflicts ?? []).toEqual(want);
    if (want.length) expect(last!.gateways).toEqual(gateways);
    const now = told(id, step.sent);
    const before = told(id, earlier);
    if (now)
      expect(fingerprint([now.conflicts, now.conflicts.length ? now.gateways : []])).not.toBe(
        fingerprint([before?.conflicts ?? [], before?.conflicts.length ? before.gateways : []]),
      );
  }
  // The coordinator keeps what the edge said last.
  if (step.event.type === 'edge.synced') expect(ctx.edgeConflicts).toEqual(step.event.conflicts);
}

function checkChildRelease(step: StepRecord): void {
  const { type, actorId } = step.event as { type: string; actorId?: string };
  if (!type.startsWith('xstate.done.actor.')) return;
  expect(step.snapshot.children[actorId!]).toBeUndefined();
}

/** The runtime's defaults, given here so the schedule model does not read them from the machine. */
const DELAYS: ScheduleDelays = { holdoff: 50, maxHoldoff: 1_000 };

/** The coordinator with recording children, and `delays` (none: the machine's own defaults). */
const doubles = (probe: Parameters<ModelSpec['machine']>[0], delays?: ScheduleDelays) =>
  coordinatorMachine.provide({
    actors: Object.fromEntries(
      ['sync', 'statusWriter', 'leader', 'edge', 'gatewayClass', 'gateway', 'route', 'policy', 'replica'].map((src) => [
        src,
        pendingActor(probe, src),
      ]),
    ) as never,
    ...(delays && { delays }),
  });

// The sync child answers only while a sync runs (it is asked once per sync and never runs two).
const timingEvents = (s: AnyMachineSnapshot): AnyEventObject[] => [
  { type: 'source.synced' },
  { type: 'source.changed' },
  ...(leaf(s).startsWith('syncing')
    ? [syncDone(DESIRED_A), syncDone(DESIRED_B), { type: 'sync.failed', error: new Error('translate failed') }]
    : []),
];

/** The schedule's model and the delivery's, for the spec's input. */
function coordinatorMust(delays: ScheduleDelays): NonNullable<ModelSpec['must']> {
  const schedule = scheduleMust(delays);
  const delivery = new Map<string, ReturnType<typeof deliveryMust>>();
  return (steps, input) => {
    schedule(steps);
    const { hasEdge, generationBase } = input as { hasEdge: boolean; generationBase: number };
    const key = `${hasEdge}/${generationBase}`;
    if (!delivery.has(key)) delivery.set(key, deliveryMust(hasEdge, generationBase));
    delivery.get(key)!(steps);
  };
}

function check(step: StepRecord): void {
  checkSchedule(step);
  checkChildRelease(step);
  checkConflicts(step);
}

/** The schedule: every source/sync/timer event in every schedule state. */
export const coordinatorScheduleSpec: ModelSpec = {
  name: 'coordinator schedule',
  // The machine's default delays, which must be the documented ones the model is given.
  machine: (probe) => doubles(probe),
  input: () => ({ hasEdge: false, generationBase: 100 }),
  events: timingEvents,
  serialize: (s) => JSON.stringify([s.value, ctxOf(s).config?.version]),
  check,
  must: coordinatorMust(DELAYS),
};

/**
 * The schedule again, with a cap (maxHoldoff, 20 ms) shorter than the quiet window (holdoff, 50 ms): how a
 * burst that outlasts the cap looks on the clock. Timers fire by the clock, and with the default delays
 * (50 ms, 1 s) a cap can only fire first when changes keep arriving for a whole second, which an untimed
 * walk does not produce.
 */
const CAP_DELAYS: ScheduleDelays = { holdoff: 50, maxHoldoff: 20 };
export const coordinatorCapSpec: ModelSpec = {
  ...coordinatorScheduleSpec,
  name: 'coordinator schedule, cap shorter than the quiet window',
  machine: (probe) => doubles(probe, CAP_DELAYS),
  must: coordinatorMust(CAP_DELAYS),
};

const SETTLED_DIRTY = { type: 'xstate.after.holdoff.coordinator.settling.dirty' };
const ELECTED_WITH_A = [{ type: 'leader.elected' }, { type: 'replicas.set', endpoints: [{ id: 'a', ready: true }] }];
const confirmed = (version: string, generation: number) => [
  { type: 'replica.inSync', id: 'a', version, generation },
  { type: 'edge.synced', generation, conflicts: [] },
];
/** A leader whose data plane is live on A (replica a and the edge confirmed generation 1), then a change synced as `d`. */
const liveOnAThen = (d: DesiredState): AnyEventObject[] => [
  { type: 'source.synced' },
  syncDone(DESIRED_A),
  ...ELECTED_WITH_A,
  ...confirmed('v1', 1),
  { type: 'source.changed' },
  SETTLED_DIRTY,
  syncDone(d),
];
/** Live, then each cause of degraded in turn (each news to every actor), then leadership lost. */
const HEALTH_STORY: AnyEventObject[] = [
  // Nothing to hand anyone after that change: the same version, document and verdicts.
  ...liveOnAThen(DESIRED_A_AGAIN),
  { type: 'replica.failing', id: 'a', error: 'HTTP 503', attempt: 1 },
  { type: 'replicas.set', endpoints: [{ id: 'a', ready: false }] },
  { type: 'replicas.set', endpoints: [{ id: 'a', ready: true }] },
  { type: 'edge.failing', error: 'HTTP 500', attempt: 1 },
  { type: 'leader.lost' },
];
/**
 * Two new versions while live, the second before the first is confirmed: live again reaches only the actors
 * handed a verdict since (the Gateway in B, the route back in C), not the class.
 */
const NEWER_VERSION_STORY: AnyEventObject[] = [
  ...liveOnAThen(DESIRED_B),
  { type: 'edge.synced', generation: 1, conflicts: [] },
  { type: 'source.changed' },
  SETTLED_DIRTY,
  syncDone(DESIRED_C),
  ...confirmed('v3', 3),
];
const edgeSaid = (...conflicts: unknown[]) => ({ type: 'edge.synced', generation: 0, conflicts });
/**
 * Conflicts the edge reports reach the route that serves the hostname, when they change: at once between syncs,
 * and at the end of a sync that moved the route to another hostname (a sync that ran dirty, then a clean one).
 */
const CONFLICTS_STORY: AnyEventObject[] = [
  { type: 'source.synced' },
  syncDone(DESIRED_A),
  edgeSaid(TAKEN_A, TAKEN_OTHER),
  edgeSaid(TAKEN_OTHER),
  edgeSaid(TAKEN_A),
  { type: 'source.changed' },
  SETTLED_DIRTY,
  edgeSaid(TAKEN_A),
  { type: 'source.changed' },
  syncDone(DESIRED_C),
  SETTLED_DIRTY,
  syncDone(DESIRED_A),
];
/** Changes during a sync and while settling coalesce into one more sync, which counts them all. */
const COALESCED_STORY: AnyEventObject[] = [
  { type: 'source.changed' },
  { type: 'source.synced' },
  { type: 'source.changed' },
  syncDone(DESIRED_A),
  { type: 'source.changed' },
  SETTLED_DIRTY,
  syncDone(DESIRED_B),
  { type: 'xstate.after.holdoff.coordinator.settling.quiet' },
  { type: 'source.changed' },
  syncDone(DESIRED_A),
];

/** The hand-out: replica set, replica and edge reports between syncs, with and without an edge. */
export const coordinatorHandOutSpec: ModelSpec = {
  name: 'coordinator hand-out',
  machine: doubles,
  input: () => ({ hasEdge: true, generationBase: 0 }),
  cover: 'transitions',
  events: (s) => {
    const ctx = ctxOf(s);
    // Collaborator reports are machine-wide handlers: sending them from the resting states covers them.
    if (leaf(s) !== 'idle') return timingEvents(s);
    return [
      ...timingEvents(s),
      { type: 'replicas.set', endpoints: [{ id: 'a', ready: true }] },
      { type: 'replicas.set', endpoints: [{ id: 'a', ready: false }] },
      { type: 'replicas.set', endpoints: [] },
      { type: 'replica.inSync', id: 'a', version: ctx.config?.version ?? 'v1', generation: ctx.generation },
      { type: 'replica.failing', id: 'a', error: 'HTTP 503', attempt: 1 },
      { type: 'edge.synced', generation: ctx.edgeGeneration, conflicts: [] },
      { type: 'edge.synced', generation: ctx.edgeGeneration, conflicts: [TAKEN_A, TAKEN_OTHER] },
      { type: 'edge.synced', generation: ctx.edgeGeneration, conflicts: [TAKEN_OTHER] },
      { type: 'edge.failing', error: 'HTTP 500', attempt: 1 },
      { type: 'leader.elected' },
      { type: 'leader.lost' },
      // A retired child (deleted route, removed replica) finishing.
      ...keyedValues(ctx.resources)
        .slice(0, 1)
        .map((actorId) => ({ type: `xstate.done.actor.${actorId}`, actorId })),
    ];
  },
  serialize: (s) => {
    const c = ctxOf(s);
    const replicas = Object.entries(c.replicas).map(([id, r]) => [
      id,
      r.ready,
      r.ackedVersion === c.config?.version,
      Boolean(r.failing),
    ]);
    return JSON.stringify([
      s.value,
      c.leadership,
      c.endpoints,
      c.config?.version,
      replicas,
      c.edgeHealth.state,
      Object.values(c.routeConflicts).filter(Boolean).length,
    ]);
  },
  check,
  must: coordinatorMust(DELAYS),
  // The cover is explored on the machine under test, so one that forgets a report (or a change) merges states
  // the contract keeps apart and is never walked to where that shows: these stories go there regardless.
  paths: () => [HEALTH_STORY, NEWER_VERSION_STORY, COALESCED_STORY, CONFLICTS_STORY],
};
