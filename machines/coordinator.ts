// The coordinator (Contour's handler redrawn as a statechart, with a leading edge): no sync before the
// source has synced; a change after a quiet period syncs at once; changes during a sync or within `holdoff`
// after it coalesce into exactly one more sync, at most `maxHoldoff` after the previous one ended.
// Each sync translates the snapshot (the `sync` child, injected, asked with `sync.run`) and hands out the result: verdicts to
// resource actors, config to replica actors, ingress/DNS to the edge actor (planned in shared/coordinator-plan.ts).
import { BUSY } from './shared/tags.js';
import { assign, enqueueActions, sendTo, setup, stateIn, type ActorRefFrom, type AnyActorRef } from 'xstate';
import { gatewayClassMachine } from './gateway-class.js';
import { policyMachine } from './policy.js';
import { gatewayMachine } from './gateway.js';
import { routeMachine } from './route.js';
import { replicaMachine, type ReplicaReport } from './replica.js';
import { edgeMachine, type EdgeReport } from './edge.js';
import { statusWriterMachine } from './status-writer.js';
import { leaderMachine } from './leader.js';
import {
  syncNotProvided,
  type CoordinatorContext,
  type CoordinatorEvent,
  type CoordinatorInput,
  type OutboxEntry,
  type ReplicaEndpoint,
} from './shared/coordinator-types.js';
import {
  planHealth,
  planLeadership,
  planReplicaSet,
  planSync,
  recordEdge,
  recordReplica,
  type Plan,
} from './shared/coordinator-plan.js';
import type { SyncResult } from './shared/coordinator-types.js';
import { planConflicts } from './shared/route-conflicts.js';
import { emptyKeyed } from './shared/keyed.js';

export type { CoordinatorContext, CoordinatorEvent, CoordinatorInput, ReplicaReport, EdgeReport };

// Executes a pure plan: remember, spawn, send. (`enqueue` is typed by setup(); the plan is plain data.)
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function runPlan(enqueue: any, plan: Plan, context: CoordinatorContext, self: AnyActorRef): void {
  // Replica and edge actors are spawned at once, resource actors from the outbox (see HAND_OUT_CHUNK).
  const queued: OutboxEntry[] = [];
  const now: Plan['spawns'] = [];
  for (const s of plan.spawns) {
    if (s.src === 'replica' || s.src === 'edge') now.push(s);
    else queued.push({ start: { src: s.src, id: s.id, key: s.key } });
  }
  enqueue.assign(({ spawn }: { spawn: Spawner }) => spawnAll(spawn, now, plan, context, self));
  for (const m of plan.sends) {
    if (m.toResource) queued.push({ to: m.to, event: m.event });
    else enqueue.sendTo(m.to, m.event);
  }
  if (queued.length === 0) return;
  // `context` is the one these actions see (after the assigns before them): a hand-out already under way
  // will reach what is appended here.
  enqueue.assign(({ context: latest }: { context: CoordinatorContext }) => ({ outbox: latest.outbox.concat(queued) }));
  if (context.outbox.length === 0) enqueue.raise({ type: 'handOut.next' }, { delay: 'handOut' });
}

/**
 * Resource actors get their events in order, HAND_OUT_CHUNK at a time (about a millisecond's work): a sync
 * hands out a verdict per resource and a health change reaches every one of them, thousands of events in
 * all. Without a `handOut` delay (the default) the chunks follow at once, in the same macrostep; the runtime
 * gives it 0 ms, so an embedded proxy serves requests between chunks. New resource actors start from the
 * outbox too, ahead of their first verdict: spawning one copies the coordinator's map of children (xstate),
 * ~3 ms at 5,000 resources, which the config's push would otherwise wait behind (it is sent at once). Starts
 * count toward a chunk (STARTS_PER_EVENT to an event): 5,000 started in one turn held the event loop ~300 ms at a
 * cold start, and the config on its way to the proxy workers waited in the IPC pipe until it was over. The
 * starts of a chunk are spawned together, from one assign: one spawn per assign copied the map per resource.
 */
const HAND_OUT_CHUNK = 50;

type Spawner = (src: string, options: object) => unknown;

function spawnAll(
  spawn: Spawner,
  spawns: Plan['spawns'],
  plan: Plan,
  context: CoordinatorContext,
  self: AnyActorRef,
): Partial<CoordinatorContext> {
  for (const s of spawns) {
    const input =
      s.src === 'replica'
        ? { id: s.key, ready: s.ready, desired: desiredFor(context, plan), reportTo: self }
        : { reportTo: self };
    spawn(s.src, { id: s.id, input });
  }
  return plan.context;
}

/**
 * Starts a chunk holds for one event: a start is a fraction of an event's work, and each chunk's starts
 * copy xstate's map of children once (5,000 started 50 at a time cost ~130 ms more of a cold start).
 */
const STARTS_PER_EVENT = 5;

/** The next chunk: HAND_OUT_CHUNK events' worth of entries, the actors to start and the events to send among them. */
function nextChunk(outbox: readonly OutboxEntry[]) {
  const starts: Array<Extract<OutboxEntry, { start: unknown }>['start']> = [];
  const sends: Array<Extract<OutboxEntry, { to: string }>> = [];
  let taken = 0;
  while (taken < outbox.length && sends.length + starts.length / STARTS_PER_EVENT < HAND_OUT_CHUNK) {
    const entry = outbox[taken++]!;
    if ('start' in entry) starts.push(entry.start);
    else sends.push(entry);
  }
  return { starts, sends, rest: outbox.slice(taken) };
}

function desiredFor(context: CoordinatorContext, plan: Plan) {
  const config = plan.context.config ?? context.config;
  return config ? { config, generation: plan.context.generation ?? context.generation } : undefined;
}

const leadershipOf = ({ event }: { event: CoordinatorEvent }) => ({ leader: event.type === 'leader.elected' });

export const coordinatorMachine = setup({
  types: {} as { context: CoordinatorContext; events: CoordinatorEvent; input: CoordinatorInput },
  actors: {
    sync: syncNotProvided,
    gatewayClass: gatewayClassMachine,
    gateway: gatewayMachine,
    route: routeMachine,
    policy: policyMachine,
    replica: replicaMachine,
    edge: edgeMachine,
    statusWriter: statusWriterMachine,
    leader: leaderMachine,
  },
  guards: {
    isDirty: stateIn('#coordinator.settling.dirty'),
    wasDirtyDuringSync: stateIn('#coordinator.syncing.dirty'),
  },
  actions: {
    countChange: assign(({ context }) => ({ changes: context.changes + 1 })),
    startSync: assign(({ context }, params: { reason: CoordinatorContext['syncReason'] }) => ({
      syncReason: params.reason,
      changesInSync: context.changes,
      changes: 0,
    })),
    applySyncResult: enqueueActions(({ context, enqueue, self }, result: SyncResult) =>
      runPlan(enqueue, planSync(context, result), context, self),
    ),
    recordSyncFailure: assign(({ context }, params: { error: unknown }) => ({
      syncs: context.syncs + 1,
      lastSyncError: params.error instanceof Error ? params.error.message : String(params.error),
    })),
    applyReplicaSet: enqueueActions(({ context, enqueue, self }, endpoints: ReplicaEndpoint[]) =>
      runPlan(enqueue, planReplicaSet(context, endpoints), context, self),
    ),
    applyLeadership: enqueueActions(({ context, enqueue, self }, params: { leader: boolean }) => {
      runPlan(enqueue, planLeadership(context, params.leader), context, self);
      if (!params.leader && context.hasEdge) enqueue.stopChild('edge');
    }),
    recordReplicaReport: assign(({ context }, report: ReplicaReport) => recordReplica(context, report)),
    recordEdgeReport: assign(({ context }, report: EdgeReport) => recordEdge(context, report)),
    // Finished children stay in `children` until stopped: release them so churn does not accumulate.
    releaseFinishedChild: enqueueActions(({ enqueue }, actorId: string) => enqueue.stopChild(actorId)),
    broadcastHealth: enqueueActions(({ context, enqueue, self }) =>
      runPlan(enqueue, planHealth(context), context, self),
    ),
    handOutConflicts: enqueueActions(({ context, enqueue, self }) =>
      runPlan(enqueue, planConflicts(context), context, self),
    ),
    handOutChunk: enqueueActions(({ context, enqueue }) => {
      const { starts, sends, rest } = nextChunk(context.outbox);
      enqueue.assign({ outbox: rest });
      if (starts.length > 0)
        enqueue.assign(({ spawn }: { spawn: Spawner }) => {
          for (const s of starts) spawn(s.src, { id: s.id, input: { key: s.key, statusWriter: context.statusWriter } });
          return {};
        });
      for (const m of sends) enqueue.sendTo(m.to, m.event);
      if (rest.length > 0) enqueue.raise({ type: 'handOut.next' }, { delay: 'handOut' });
    }),
  },
  delays: {
    holdoff: 50,
    maxHoldoff: 1_000,
    // No delay: the next chunk in the same macrostep (a function, as a delay that is not a number is none).
    handOut: (() => undefined) as unknown as number,
  },
}).createMachine({
  id: 'coordinator',
  initial: 'waitingForSource',
  context: ({ input, spawn, self }) => {
    const statusWriter = spawn('statusWriter', { id: 'statusWriter' }) as ActorRefFrom<typeof statusWriterMachine>;
    spawn('leader', { id: 'leader', input: { reportTo: [statusWriter, self] } });
    spawn('sync', { id: 'sync' });
    return {
      statusWriter,
      hasEdge: input.hasEdge,
      leadership: 'follower',
      endpoints: [],
      generation: input.generationBase ?? 0,
      resources: emptyKeyed(),
      awaitingHealth: {},
      replicas: {},
      incarnations: 0,
      edgeHealth: { state: input.hasEdge ? 'pending' : 'none' },
      edgeConflicts: [],
      routeConflicts: {},
      edgeGeneration: input.generationBase ?? 0,
      changes: 0,
      changesInSync: 0,
      syncs: 0,
      syncReason: 'initial',
      outbox: [],
    };
  },
  on: {
    'source.changed': { actions: 'countChange' },
    'replicas.set': {
      actions: [{ type: 'applyReplicaSet', params: ({ event }) => event.endpoints }, 'broadcastHealth'],
    },
    'replica.inSync': { actions: [{ type: 'recordReplicaReport', params: ({ event }) => event }, 'broadcastHealth'] },
    'replica.failing': { actions: [{ type: 'recordReplicaReport', params: ({ event }) => event }, 'broadcastHealth'] },
    'edge.synced': {
      actions: [{ type: 'recordEdgeReport', params: ({ event }) => event }, 'broadcastHealth', 'handOutConflicts'],
    },
    'edge.failing': { actions: [{ type: 'recordEdgeReport', params: ({ event }) => event }, 'broadcastHealth'] },
    'leader.elected': { actions: [{ type: 'applyLeadership', params: leadershipOf }, 'broadcastHealth'] },
    // A follower tells no health (it delivers nothing, so it cannot know).
    'leader.lost': { actions: { type: 'applyLeadership', params: leadershipOf } },
    'xstate.done.actor.*': { actions: { type: 'releaseFinishedChild', params: ({ event }) => event.actorId } },
    'handOut.next': { actions: 'handOutChunk' },
  },
  states: {
    // Nothing is translated from a partial view: wait for the source's initial list.
    waitingForSource: {
      on: { 'source.synced': { target: 'syncing', actions: { type: 'startSync', params: { reason: 'initial' } } } },
    },
    idle: {
      on: {
        'source.changed': {
          target: 'syncing',
          actions: ['countChange', { type: 'startSync', params: { reason: 'change' } }],
        },
      },
    },
    syncing: {
      tags: [BUSY],
      initial: 'clean',
      states: {
        clean: { on: { 'source.changed': { target: 'dirty', actions: 'countChange' } } },
        dirty: {},
      },
      entry: sendTo('sync', { type: 'sync.run' }),
      on: {
        'sync.done': [
          {
            guard: 'wasDirtyDuringSync',
            target: 'settling.dirty',
            actions: [
              { type: 'applySyncResult', params: ({ event }) => event.output },
              'broadcastHealth',
              'handOutConflicts',
            ],
          },
          {
            target: 'settling',
            actions: [
              { type: 'applySyncResult', params: ({ event }) => event.output },
              'broadcastHealth',
              'handOutConflicts',
            ],
          },
        ],
        'sync.failed': [
          {
            guard: 'wasDirtyDuringSync',
            target: 'settling.dirty',
            actions: { type: 'recordSyncFailure', params: ({ event }) => ({ error: event.error }) },
          },
          {
            target: 'settling',
            actions: { type: 'recordSyncFailure', params: ({ event }) => ({ error: event.error }) },
          },
        ],
      },
    },
    // The holdoff window after a sync: quiet → idle; a change makes it dirty and restarts the window,
    // but never past maxHoldoff from the end of the sync.
    settling: {
      tags: [BUSY],
      initial: 'quiet',
      after: {
        maxHoldoff: {
          guard: 'isDirty',
          target: 'syncing',
          actions: { type: 'startSync', params: { reason: 'coalesced' } },
        },
      },
      states: {
        quiet: {
          after: { holdoff: '#coordinator.idle' },
          on: { 'source.changed': { target: 'dirty', actions: 'countChange' } },
        },
        dirty: {
          after: {
            holdoff: {
              target: '#coordinator.syncing',
              actions: { type: 'startSync', params: { reason: 'coalesced' } },
            },
          },
          on: { 'source.changed': { target: 'dirty', reenter: true, actions: 'countChange' } },
        },
      },
    },
  },
});
