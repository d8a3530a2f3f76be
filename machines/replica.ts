// One actor per proxy replica endpoint: delivers the desired config (PUT /config) until the replica
// acknowledges it, retries with backoff, and re-checks what the replica runs (GET /config) so a restarted
// replica (older or empty version) gets the config replayed. Reports inSync / failing to `reportTo`.
import { BUSY } from './shared/tags.js';
// A replica that refuses a push because it runs a newer generation (one pushed from the future, or numbered
// by a previous leader) is resynced: the control plane owns the numbering, so the actor enters `conflict`
// and pushes its config again marked as a resync, which the replica takes whatever it runs.
import { assign, enqueueActions, fromPromise, setup, type AnyActorRef } from 'xstate';
import type { ProxyConfigInput } from '../proxy/config/schema.js';
import { backoffDelay, DEFAULT_BACKOFF } from './shared/backoff.js';

export interface DesiredConfig {
  config: ProxyConfigInput;
  generation: number;
}
export interface Acknowledged {
  version: string;
  generation: number;
}
export interface ReplicaInput {
  id: string;
  ready: boolean;
  desired?: DesiredConfig;
  reportTo: AnyActorRef;
}
export interface ReplicaContext extends ReplicaInput {
  acked?: Acknowledged;
  /** Set while resyncing a replica that refused our generation as older than the one it runs. */
  conflict?: { running: number; wanted: number };
  /** Consecutive failures; drives the backoff. */
  attempt: number;
  lastError?: string;
  pushes: number;
}
export type ReplicaEvent =
  | { type: 'config.desired'; config: ProxyConfigInput; generation: number }
  | { type: 'replica.ready'; ready: boolean }
  | { type: 'replica.removed' };

/** What the replica reports to the coordinator. */
export type ReplicaReport =
  | { type: 'replica.inSync'; id: string; version: string; generation: number }
  | { type: 'replica.failing'; id: string; error: string; attempt: number };

export type PushInput = { id: string; resync?: boolean } & DesiredConfig;

/** What pushConfig rejects with when the replica runs a newer generation than the one pushed (HTTP 409). */
export class GenerationConflictError extends Error {
  constructor(
    readonly running: number,
    readonly wanted: number,
  ) {
    super(`replica runs generation ${running}, newer than ours (${wanted}): resyncing`);
    this.name = 'GenerationConflictError';
  }
}

/** A config.desired event's config and generation. */
const desiredOf = ({ event }: { event: ReplicaEvent }): DesiredConfig => {
  const e = event as Extract<ReplicaEvent, { type: 'config.desired' }>;
  return { config: e.config, generation: e.generation };
};
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const asConflict = (e: unknown) =>
  e instanceof GenerationConflictError ? { running: e.running, wanted: e.wanted } : undefined;

export const replicaMachine = setup({
  types: {} as { context: ReplicaContext; events: ReplicaEvent; input: ReplicaInput },
  actors: {
    // Provided by src/runtime: the replica's ReplicaClient.push / .current.
    pushConfig: fromPromise<Acknowledged, PushInput>(async () => {
      throw new Error('pushConfig not provided');
    }),
    readCurrent: fromPromise<Acknowledged | null, { id: string }>(async () => {
      throw new Error('readCurrent not provided');
    }),
  },
  guards: {
    isReady: ({ context }) => context.ready,
    saysReady: (_, ready: boolean) => ready,
    saysUnready: (_, ready: boolean) => !ready,
    hasDesired: ({ context }) => context.desired !== undefined,
    // Asked only on the way out of `reconciled`, which every way in reaches with a desired config.
    isBehind: ({ context }) => context.acked?.version !== context.desired!.config.version,
    isGenerationConflict: ({ event }) => 'error' in event && asConflict(event.error) !== undefined,
    // Asked only in `inSync`, which is entered once a push or a read acknowledged a version.
    isNewVersion: ({ context }, desired: DesiredConfig) => desired.config.version !== context.acked!.version,
  },
  actions: {
    recordDesired: assign((_, desired: DesiredConfig) => ({ desired })),
    recordReadiness: assign((_, ready: boolean) => ({ ready })),
    recordAck: assign((_, ack: Acknowledged | null) => ({ acked: ack ?? undefined })),
    recordPush: assign(({ context }, ack: Acknowledged) => ({
      acked: ack,
      attempt: 0,
      lastError: undefined,
      conflict: undefined,
      pushes: context.pushes + 1,
    })),
    recordFailure: assign(({ context }, params: { error: unknown }) => ({
      attempt: context.attempt + 1,
      lastError: errorText(params.error),
    })),
    recordConflict: assign((_, params: { error: unknown }) => ({ conflict: asConflict(params.error) })),
    // In sync only once a push or a read acknowledged the desired version: `acked` is set.
    reportInSync: enqueueActions(({ context, enqueue }) => {
      const report: ReplicaReport = { type: 'replica.inSync', id: context.id, ...context.acked! };
      enqueue.sendTo(context.reportTo, report);
    }),
    reportFailing: enqueueActions(({ context, enqueue }) => {
      const report: ReplicaReport = {
        type: 'replica.failing',
        id: context.id,
        // Entered (backoff, conflict) only after recordFailure has set it.
        error: context.lastError!,
        attempt: context.attempt,
      };
      enqueue.sendTo(context.reportTo, report);
    }),
  },
  delays: {
    retryBackoff: ({ context }) => backoffDelay(context.attempt, DEFAULT_BACKOFF, 0.5),
    probeInterval: 30_000,
  },
}).createMachine({
  id: 'replica',
  initial: 'discovered',
  context: ({ input }) => ({ ...input, attempt: 0, pushes: 0 }),
  on: {
    'config.desired': { actions: { type: 'recordDesired', params: desiredOf } },
    'replica.ready': {
      guard: { type: 'saysUnready', params: ({ event }) => event.ready },
      target: '.unready',
      actions: { type: 'recordReadiness', params: ({ event }) => event.ready },
    },
    'replica.removed': '.gone',
  },
  states: {
    // Transient (left at once by its eventless transitions): no snapshot ever shows it, so no tag.
    discovered: {
      always: [{ guard: 'isReady', target: 'checking' }, { target: 'unready' }],
    },
    // Ask what the replica runs before pushing: a replica that already has the version needs nothing.
    checking: {
      tags: [BUSY],
      invoke: {
        id: 'readCurrent',
        src: 'readCurrent',
        input: ({ context }) => ({ id: context.id }),
        onDone: [
          {
            guard: 'hasDesired',
            target: 'reconciled',
            actions: { type: 'recordAck', params: ({ event }) => event.output },
          },
          { target: 'waiting', actions: { type: 'recordAck', params: ({ event }) => event.output } },
        ],
        onError: {
          target: 'backoff',
          actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) },
        },
      },
    },
    waiting: {
      on: { 'config.desired': { target: 'reconciled', actions: { type: 'recordDesired', params: desiredOf } } },
    },
    // Transient, like `discovered`.
    reconciled: {
      always: [{ guard: 'isBehind', target: 'pushing' }, { target: 'inSync' }],
    },
    pushing: {
      tags: [BUSY],
      invoke: {
        id: 'pushConfig',
        src: 'pushConfig',
        input: ({ context }) => ({ id: context.id, ...context.desired! }),
        onDone: { target: 'reconciled', actions: { type: 'recordPush', params: ({ event }) => event.output } },
        onError: [
          {
            guard: 'isGenerationConflict',
            target: 'conflict',
            actions: [
              { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) },
              { type: 'recordConflict', params: ({ event }) => ({ error: event.error }) },
            ],
          },
          { target: 'backoff', actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) } },
        ],
      },
    },
    // The replica runs a newer generation than ours. We are its only writer (only the leader delivers), so
    // ours is right by definition: push it again as a resync. Reported as failing until it lands.
    conflict: {
      tags: [BUSY],
      entry: 'reportFailing',
      invoke: {
        id: 'resyncConfig',
        src: 'pushConfig',
        input: ({ context }) => ({ id: context.id, ...context.desired!, resync: true }),
        onDone: { target: 'reconciled', actions: { type: 'recordPush', params: ({ event }) => event.output } },
        onError: {
          target: 'backoff',
          actions: { type: 'recordFailure', params: ({ event }) => ({ error: event.error }) },
        },
      },
    },
    inSync: {
      entry: 'reportInSync',
      on: {
        'config.desired': {
          guard: { type: 'isNewVersion', params: desiredOf },
          target: 'pushing',
          actions: { type: 'recordDesired', params: desiredOf },
        },
      },
      after: { probeInterval: 'checking' },
    },
    backoff: {
      entry: 'reportFailing',
      after: { retryBackoff: 'checking' },
    },
    unready: {
      on: {
        'replica.ready': {
          guard: { type: 'saysReady', params: ({ event }) => event.ready },
          target: 'checking',
          actions: { type: 'recordReadiness', params: ({ event }) => event.ready },
        },
      },
    },
    gone: { type: 'final' },
  },
});
