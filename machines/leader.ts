// Leadership of this process: follower ↔ candidate → leader → lost. The lease actions (tryAcquire, renew,
// release) are injected: a Kubernetes Lease in a cluster, "always yes" in standalone. A leader that cannot
// renew within `renewDeadline` reports lost before its lease can expire, so two writers never overlap.
import { assign, enqueueActions, fromPromise, setup, type AnyActorRef } from 'xstate';

export interface LeaderInput {
  /** Who learns about leadership (the statusWriter, the control plane). */
  reportTo: AnyActorRef[];
}
export interface LeaderContext {
  reportTo: AnyActorRef[];
  terms: number;
}
export type LeaderEvent = { type: 'leader.stop' };
export type LeaderReport = { type: 'leader.elected' } | { type: 'leader.lost' };

export const leaderMachine = setup({
  types: {} as { context: LeaderContext; events: LeaderEvent; input: LeaderInput },
  actors: {
    tryAcquire: fromPromise<boolean>(async () => {
      throw new Error('tryAcquire not provided');
    }),
    renew: fromPromise<boolean>(async () => {
      throw new Error('renew not provided');
    }),
    release: fromPromise<void>(async () => {
      throw new Error('release not provided');
    }),
  },
  guards: {
    isGranted: (_, granted: boolean) => granted,
  },
  actions: {
    report: enqueueActions(({ context, enqueue }, params: LeaderReport) => {
      for (const ref of context.reportTo) enqueue.sendTo(ref, params);
    }),
    countTerm: assign(({ context }) => ({ terms: context.terms + 1 })),
  },
  // Stryker disable next-line ObjectLiteral: defaults only; the runtime always provides the lease's own delays (leaseDelays)
  delays: {
    retryPeriod: 2_000,
    renewInterval: 5_000,
    renewDeadline: 10_000,
  },
}).createMachine({
  id: 'leader',
  initial: 'candidate',
  context: ({ input }) => ({ reportTo: input.reportTo, terms: 0 }),
  states: {
    follower: {
      after: { retryPeriod: 'candidate' },
      on: { 'leader.stop': 'stopped' },
    },
    candidate: {
      invoke: {
        id: 'tryAcquire',
        src: 'tryAcquire',
        onDone: [
          { guard: { type: 'isGranted', params: ({ event }) => event.output }, target: 'leader' },
          { target: 'follower' },
        ],
        onError: 'follower',
      },
      on: { 'leader.stop': 'stopped' },
    },
    leader: {
      entry: ['countTerm', { type: 'report', params: { type: 'leader.elected' } }],
      initial: 'holding',
      on: { 'leader.stop': 'releasing' },
      states: {
        holding: { after: { renewInterval: 'renewing' } },
        renewing: {
          invoke: {
            id: 'renew',
            src: 'renew',
            onDone: [
              { guard: { type: 'isGranted', params: ({ event }) => event.output }, target: 'holding' },
              { target: '#leader.lost' },
            ],
            onError: '#leader.lost',
          },
          after: { renewDeadline: '#leader.lost' },
        },
      },
    },
    // Stop writing first, then go back to competing for the lease.
    lost: {
      entry: { type: 'report', params: { type: 'leader.lost' } },
      always: 'follower',
    },
    releasing: {
      entry: { type: 'report', params: { type: 'leader.lost' } },
      invoke: { id: 'release', src: 'release', onDone: 'stopped', onError: 'stopped' },
    },
    stopped: { type: 'final' },
  },
});
