// Writes resource status, coalesced per object: a newer request for an object replaces the one waiting,
// so a burst of changes costs one write per object. Writes one at a time, backs off on failure (the sink
// resolves conflicts itself: re-read, mutate, retry), and writes only while this process leads.
import { BUSY } from './shared/tags.js';
import { assign, fromPromise, setup } from 'xstate';
import type { ResourceStatus } from '../src/core/types.js';
import type { StatusRequest } from './shared/resource.js';
import { resourceKey } from './shared/status.js';
import { backoffDelay, DEFAULT_BACKOFF } from './shared/backoff.js';
import { EMPTY_LOG, recordForget, recordWrite, writtenStatuses, type WrittenLog } from './shared/written-log.js';

export interface StatusWriterContext {
  /** Latest requested status per object key, for objects waiting or being written. Written ones move to
   * `written`: this stays as short as the queue, so a request costs O(queue), not O(all objects). */
  latest: Record<string, ResourceStatus>;
  /** Keys waiting to be written, oldest first, each once. */
  pending: string[];
  inflight?: string;
  /** What was written per object (for a new leader to write again). */
  written: WrittenLog;
  attempt: number;
  lastError?: string;
  writes: number;
}
export type StatusWriterEvent = StatusRequest | { type: 'leader.elected' } | { type: 'leader.lost' };

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const without = (keys: string[], key: string) => keys.filter((k) => k !== key);

export const statusWriterMachine = setup({
  types: {} as { context: StatusWriterContext; events: StatusWriterEvent },
  actors: {
    // Provided by src/runtime: StatusSink.write.
    writeStatus: fromPromise<void, { status: ResourceStatus }>(async () => {
      throw new Error('writeStatus not provided');
    }),
  },
  guards: {
    hasPending: ({ context }) => context.pending.length > 0,
  },
  actions: {
    enqueueWrite: assign(({ context, event }) => {
      if (event.type !== 'status.write') return {};
      const key = resourceKey(event.status);
      const pending = context.pending.includes(key) ? context.pending : [...context.pending, key];
      return { latest: { ...context.latest, [key]: event.status }, pending };
    }),
    forget: assign(({ context, event }) => {
      if (event.type !== 'status.forget') return {};
      const { [event.key]: _dropped, ...latest } = context.latest;
      return {
        latest,
        pending: without(context.pending, event.key),
        written: recordForget(context.written, event.key),
      };
    }),
    // A new leader cannot know what the old one wrote: write everything once (the newest status of each).
    enqueueAll: assign(({ context }) => {
      const latest = { ...Object.fromEntries(writtenStatuses(context.written)), ...context.latest };
      return { latest, pending: Object.keys(latest), written: EMPTY_LOG };
    }),
    takeNext: assign(({ context }) => ({ inflight: context.pending[0], pending: context.pending.slice(1) })),
    recordWritten: assign(({ context }) => {
      const key = context.inflight!;
      const done = { inflight: undefined, attempt: 0, lastError: undefined, writes: context.writes + 1 };
      // Forgotten while being written (nothing to keep), or a newer request waits (it stays in `latest`).
      if (!(key in context.latest) || context.pending.includes(key)) return done;
      const { [key]: status, ...latest } = context.latest;
      return { ...done, latest, written: recordWrite(context.written, key, status!) };
    }),
    requeueInflight: assign(({ context }, params: { error: unknown }) => {
      const key = context.inflight;
      const requeue = key !== undefined && key in context.latest && !context.pending.includes(key);
      return {
        inflight: undefined,
        pending: requeue ? [key, ...context.pending] : context.pending,
        attempt: context.attempt + 1,
        lastError: errorText(params.error),
      };
    }),
  },
  delays: {
    retryBackoff: ({ context }) => backoffDelay(context.attempt, DEFAULT_BACKOFF, 0.5),
  },
}).createMachine({
  id: 'statusWriter',
  initial: 'standby',
  context: { latest: {}, pending: [], written: EMPTY_LOG, attempt: 0, writes: 0 },
  on: {
    'status.write': { actions: 'enqueueWrite' },
    'status.forget': { actions: 'forget' },
  },
  states: {
    // Not the leader: remember what to write, write nothing.
    standby: {
      on: { 'leader.elected': { target: 'active', actions: 'enqueueAll' } },
    },
    active: {
      initial: 'idle',
      on: { 'leader.lost': 'standby' },
      states: {
        idle: { always: { guard: 'hasPending', target: 'writing' } },
        writing: {
          tags: [BUSY],
          entry: 'takeNext',
          invoke: {
            id: 'writeStatus',
            src: 'writeStatus',
            input: ({ context }) => ({ status: context.latest[context.inflight!]! }),
            onDone: { target: 'idle', actions: 'recordWritten' },
            onError: {
              target: 'backoff',
              actions: { type: 'requeueInflight', params: ({ event }) => ({ error: event.error }) },
            },
          },
        },
        backoff: { after: { retryBackoff: 'idle' } },
      },
    },
  },
});
