// What the three resource machines (gatewayClass, gateway, route) share: their events, context, and the
// implementations behind the action and guard names their configs use. Status is a pure function of
// (phase, context); `publish` hands it to the statusWriter only when it differs from what was last handed.
import { assign, enqueueActions, setup, type AnyActorRef } from 'xstate';
import type { ResourceStatus } from '../../src/core/types.js';
import type { HostnameConflict } from '../../src/core/ports.js';
import { isAcceptedStatus, sameStatus, specGeneration } from './status.js';
import { verdictProblem } from './verdict-health.js';

// No clocks in machines: a condition the actor changes gets lastTransitionTime "" and the runtime's
// status writer stamps it (keeping the previous time when the condition's status did not change).
export type ResourceEvent =
  | { type: 'verdict'; status: ResourceStatus; generation: number }
  | { type: 'dataplane.live'; generation: number }
  | { type: 'dataplane.degraded'; reason: string }
  | { type: 'resource.deleted' }
  // Routes only: the hostnames of this route the edge could not publish; `gateways` are the keys of our
  // Gateways and ListenerSets (parents[] entries for those are ours to annotate).
  | { type: 'edge.conflicts'; conflicts: HostnameConflict[]; gateways: string[] };

/** What a resource actor tells the statusWriter. */
export type StatusRequest = { type: 'status.write'; status: ResourceStatus } | { type: 'status.forget'; key: string };

export interface ResourceInput {
  key: string;
  /** Where statuses go (the coordinator's statusWriter child). */
  statusWriter: AnyActorRef;
}

export interface ResourceContext {
  key: string;
  statusWriter: AnyActorRef;
  /** The translator's status from the latest sync. */
  verdict?: ResourceStatus;
  /** metadata.generation the verdict was computed for: a new one means the object itself changed. */
  specGeneration: number;
  /** Config generation that first carried the current spec: Programmed waits for its acknowledgement. */
  requiredGeneration: number;
  degradedReason: string;
  /** The status last handed to the statusWriter. */
  published?: ResourceStatus;
  /** Routes only: what the edge could not publish of this route (latest edge.conflicts). */
  edgeConflicts?: { conflicts: HostnameConflict[]; gateways: string[] };
}

export type ResourcePhase = 'pending' | 'programming' | 'programmed' | 'degraded' | 'accepted' | 'rejected';

/** The status a resource in `phase` must have, or undefined when it has none to write yet. */
export type DeriveStatus = (phase: ResourcePhase, context: ResourceContext) => ResourceStatus | undefined;

export function initialResourceContext(input: ResourceInput): ResourceContext {
  return {
    key: input.key,
    statusWriter: input.statusWriter,
    specGeneration: 0,
    requiredGeneration: 0,
    degradedReason: '',
  };
}

function verdictOf(event: ResourceEvent) {
  if (event.type !== 'verdict') throw new Error(`expected a verdict, got ${event.type}`);
  return event;
}

/** setup() for a resource machine: types, guard and action implementations; configs use the names. */
export function resourceSetup(derive: DeriveStatus) {
  return setup({
    types: {} as { context: ResourceContext; events: ResourceEvent; input: ResourceInput },
    guards: {
      isAcceptedVerdict: ({ event }) => event.type === 'verdict' && isAcceptedStatus(event.status.status),
      isSameSpecAccepted: ({ context, event }) =>
        event.type === 'verdict' &&
        isAcceptedStatus(event.status.status) &&
        specGeneration(event.status.status) === context.specGeneration,
      /** The verdict the actor holds, again (a sync where this object did not change): nothing to re-derive. */
      isSameVerdict: ({ context, event }) => event.type === 'verdict' && sameStatus(event.status, context.verdict),
      coversRequired: ({ context, event }) =>
        event.type === 'dataplane.live' && event.generation >= context.requiredGeneration,
      // What the conditions written while served (derive 'programmed') say is wrong, most urgent first.
      isConflicted: ({ context }) => verdictProblem(derive('programmed', context)) === 'conflicted',
      hasUnresolvedRefs: ({ context }) => verdictProblem(derive('programmed', context)) === 'unresolvedRefs',
      isPartiallyInvalid: ({ context }) => verdictProblem(derive('programmed', context)) === 'partiallyInvalid',
    },
    actions: {
      recordVerdict: assign(({ event }) => {
        const v = verdictOf(event);
        return { verdict: v.status, specGeneration: specGeneration(v.status.status), requiredGeneration: v.generation };
      }),
      /** Same spec, new details (e.g. attachedRoutes): keep the phase and what it waits for. */
      refreshVerdict: assign(({ event }) => ({ verdict: verdictOf(event).status })),
      recordConflicts: assign(({ event }) =>
        event.type === 'edge.conflicts'
          ? { edgeConflicts: { conflicts: event.conflicts, gateways: event.gateways } }
          : {},
      ),
      recordDegraded: assign(({ event }) =>
        event.type === 'dataplane.degraded' ? { degradedReason: event.reason } : {},
      ),
      publish: enqueueActions(({ context, enqueue }, params: { phase: ResourcePhase }) => {
        const next = derive(params.phase, context);
        if (!next || sameStatus(next, context.published)) return;
        enqueue.assign({ published: next });
        enqueue.sendTo(context.statusWriter, { type: 'status.write', status: next } satisfies StatusRequest);
      }),
      forgetStatus: enqueueActions(({ context, enqueue }) => {
        enqueue.sendTo(context.statusWriter, { type: 'status.forget', key: context.key } satisfies StatusRequest);
      }),
    },
  });
}

/**
 * A verdict that keeps the spec re-derives the state (`to`: the phase itself, or the `live` choice). One
 * equal to the held verdict (most of them: every sync hands one to every resource) is only recorded: the
 * status derived from it is the one already handed to the statusWriter, so re-entering would write nothing.
 */
const refresh = (to: string, reenter = true) =>
  [
    { guard: 'isSameVerdict', actions: 'refreshVerdict' },
    { guard: 'isSameSpecAccepted', target: to, reenter, actions: 'refreshVerdict' },
  ] as const;
const publishAs = (phase: ResourcePhase) => ({ type: 'publish', params: { phase } }) as const;

/** Machines that take edge.conflicts (routes): record them and re-derive the state (and so the status). */
function conflictHandlers(enabled: boolean) {
  const on = (to: string, reenter = true) =>
    enabled ? { 'edge.conflicts': { target: to, reenter, actions: 'recordConflicts' } as const } : {};
  return { pending: enabled ? { 'edge.conflicts': { actions: 'recordConflicts' } as const } : {}, on };
}

/** What a state does while the data plane serves the resource: a change re-derives which served state. */
function servedHandlers(live: string, conflicts: ReturnType<typeof conflictHandlers>) {
  return { ...conflicts.on(live, false), verdict: refresh(live, false) };
}

/**
 * The lifecycle shared by gateways and routes: pending → accepted.programming → accepted.programmed, or
 * accepted.degraded.<why>: the data plane is not ready, or it serves the resource but its conditions show
 * a problem (VERDICT_PROBLEMS); rejected; deleting → gone. `derive` decides what each phase writes.
 */
export function createProgrammableMachine(id: string, derive: DeriveStatus, opts: { edgeConflicts?: boolean } = {}) {
  const conflicts = conflictHandlers(opts.edgeConflicts ?? false);
  const live = `#${id}.accepted.live`;
  return resourceSetup(derive).createMachine({
    id,
    initial: 'pending',
    context: ({ input }) => initialResourceContext(input),
    on: { 'resource.deleted': '.deleting' },
    states: {
      pending: {
        on: {
          ...conflicts.pending,
          verdict: [
            { guard: 'isAcceptedVerdict', target: 'accepted', actions: 'recordVerdict' },
            { target: 'rejected', actions: 'recordVerdict' },
          ],
        },
      },
      accepted: {
        initial: 'programming',
        on: {
          verdict: [
            { guard: 'isAcceptedVerdict', target: '.programming', actions: 'recordVerdict' },
            { target: 'rejected', actions: 'recordVerdict' },
          ],
          // From any accepted state (re-entering dataPlaneNotReady writes a new reason).
          'dataplane.degraded': { target: '.degraded.dataPlaneNotReady', actions: 'recordDegraded' },
        },
        states: {
          programming: {
            entry: publishAs('programming'),
            on: {
              ...conflicts.on('programming'),
              verdict: refresh('programming'),
              'dataplane.live': { guard: 'coversRequired', target: 'live' },
            },
          },
          // The data plane serves the current spec: which served state the conditions call for.
          live: {
            always: [
              { guard: 'isConflicted', target: 'degraded.conflicted' },
              { guard: 'hasUnresolvedRefs', target: 'degraded.unresolvedRefs' },
              { guard: 'isPartiallyInvalid', target: 'degraded.partiallyInvalid' },
              { target: 'programmed' },
            ],
          },
          programmed: { entry: publishAs('programmed'), on: servedHandlers(live, conflicts) },
          degraded: {
            // Only entered through a child (the initial state is never targeted).
            initial: 'dataPlaneNotReady',
            // For the served children; dataPlaneNotReady handles these events itself.
            on: servedHandlers(live, conflicts),
            states: {
              dataPlaneNotReady: {
                entry: publishAs('degraded'),
                on: {
                  ...conflicts.on('dataPlaneNotReady'),
                  verdict: refresh('dataPlaneNotReady'),
                  'dataplane.live': { guard: 'coversRequired', target: live },
                },
              },
              // Served, with a problem its conditions show: written as programmed writes.
              conflicted: { entry: publishAs('programmed') },
              unresolvedRefs: { entry: publishAs('programmed') },
              partiallyInvalid: { entry: publishAs('programmed') },
            },
          },
        },
      },
      rejected: {
        entry: publishAs('rejected'),
        on: {
          ...conflicts.on('rejected'),
          verdict: [
            { guard: 'isAcceptedVerdict', target: 'accepted', actions: 'recordVerdict' },
            { target: 'rejected', reenter: true, actions: 'recordVerdict' },
          ],
        },
      },
      deleting: { entry: 'forgetStatus', always: 'gone' },
      gone: { type: 'final' },
    },
  });
}
