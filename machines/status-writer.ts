// Writes resource status, coalesced per object: a newer request for an object replaces the one waiting,
// so a burst of changes costs one write per object. Writes in batches of up to MAX_BATCH objects (one write
// actor per batch, the objects one after another), backs off on failure (the sink resolves conflicts
// itself: re-read, mutate, retry), and writes only while this process leads.
//
// Batches, and a queue that is O(1) to extend: at start every object's first status arrives in one burst
// (5,000 routes, 5,000 requests before the first write ends). With one actor per write and the queue copied
// per request, that burst cost ~0.9 ms per status on the control plane's event loop (issue 15's cold start).
import { BUSY } from './shared/tags.js';
import { assign, fromPromise, setup } from 'xstate';
import type { ResourceStatus } from '../src/core/types.js';
import type { StatusRequest } from './shared/resource.js';
import { resourceKey } from './shared/status.js';
import { backoffDelay, DEFAULT_BACKOFF } from './shared/backoff.js';
import { EMPTY_LOG, logOf, recordForget, recordWrite, writtenStatuses, type WrittenLog } from './shared/written-log.js';

/** Objects one write actor is given at most: a leader change or a newer status waits for one batch at most. */
export const MAX_BATCH = 256;

export interface StatusWriterContext {
  /** Requests waiting to be written: the latest per object counts, in order of first request (written-log.ts). */
  queue: WrittenLog;
  /** The batch being written (or being written when leadership was lost), in order. */
  inflight: ResourceStatus[];
  /** Keys of `inflight` forgotten since it was taken: not recorded as written. */
  forgottenInFlight: string[];
  /** What was written per object (for a new leader to write again). */
  written: WrittenLog;
  attempt: number;
  lastError?: string;
  writes: number;
}
export type StatusWriterEvent = StatusRequest | { type: 'leader.elected' } | { type: 'leader.lost' };

/** What a write actor did with its batch: the first `written` statuses were written; `error` stopped the rest. */
export interface StatusBatchOutcome {
  written: number;
  error?: string;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The batch's statuses from `from` on, not forgotten meanwhile. A newer request for one of them replaces it
 * where they meet in a log (the latest per object counts), so it is written first in line, newest status.
 */
function unwritten(context: StatusWriterContext, from: number): Array<[string, ResourceStatus]> {
  return context.inflight
    .slice(from)
    .map((s): [string, ResourceStatus] => [resourceKey(s), s])
    .filter(([key]) => !context.forgottenInFlight.includes(key));
}

/** No batch in flight. */
const NO_BATCH: Pick<StatusWriterContext, 'inflight' | 'forgottenInFlight'> = {
  inflight: [],
  // Stryker disable next-line ArrayDeclaration: a key no object has filters nothing
  forgottenInFlight: [],
};

function recordBatch(context: StatusWriterContext, count: number): Partial<StatusWriterContext> {
  let written = context.written;
  for (const status of context.inflight.slice(0, count)) {
    const key = resourceKey(status);
    if (!context.forgottenInFlight.includes(key)) written = recordWrite(written, key, status);
  }
  return { written, writes: context.writes + count };
}

export const statusWriterMachine = setup({
  types: {} as { context: StatusWriterContext; events: StatusWriterEvent },
  actors: {
    // Provided by src/runtime: StatusSink.write for each status, in order, until one fails.
    writeStatuses: fromPromise<StatusBatchOutcome, { statuses: ResourceStatus[] }>(async () => {
      throw new Error('writeStatuses not provided');
    }),
  },
  guards: {
    // Every item in the queue is a status that waits (a forget rebuilds it without the object).
    hasPending: ({ context }) => context.queue.length > 0,
    batchStopped: (_, params: { outcome: StatusBatchOutcome }) => params.outcome.error !== undefined,
  },
  actions: {
    enqueueWrite: assign(({ context }, status: ResourceStatus) => ({
      queue: recordWrite(context.queue, resourceKey(status), status),
    })),
    forget: assign(({ context }, key: string) => {
      const held = context.forgottenInFlight;
      // Only a key in flight, once: the list stays as short as the batch (the model walk's states stay finite).
      // Stryker disable ConditionalExpression,EqualityOperator,LogicalOperator,ArrayDeclaration: more keys filter nothing more
      const forgottenInFlight =
        context.inflight.some((s) => resourceKey(s) === key) && !held.includes(key) ? [...held, key] : held;
      // Stryker restore all
      return {
        // Rebuilt without the object (O(queue); forgets are rare): the queue then holds only what waits.
        queue: logOf(writtenStatuses(recordForget(context.queue, key))),
        written: recordForget(context.written, key),
        forgottenInFlight,
      };
    }),
    // A new leader cannot know what the old one wrote: write everything once (the newest status of each).
    enqueueAll: assign(({ context }) => ({
      queue: logOf([...writtenStatuses(context.written), ...unwritten(context, 0), ...writtenStatuses(context.queue)]),
      ...NO_BATCH,
      written: EMPTY_LOG,
    })),
    takeBatch: assign(({ context }) => {
      const waiting = writtenStatuses(context.queue);
      return {
        inflight: waiting.slice(0, MAX_BATCH).map(([, status]) => status),
        queue: logOf(waiting.slice(MAX_BATCH)),
        forgottenInFlight: NO_BATCH.forgottenInFlight,
      };
    }),
    recordWritten: assign(({ context }, params: { outcome: StatusBatchOutcome }) => ({
      ...recordBatch(context, Math.min(params.outcome.written, context.inflight.length)),
      ...NO_BATCH,
      attempt: 0,
      lastError: undefined,
    })),
    // What was written is recorded; the rest waits again, first in line (unless a newer request waits).
    requeueUnwritten: assign(({ context }, params: { outcome: StatusBatchOutcome }) => {
      const count = Math.min(params.outcome.written, context.inflight.length);
      return {
        ...recordBatch(context, count),
        queue: logOf([...unwritten(context, count), ...writtenStatuses(context.queue)]),
        ...NO_BATCH,
        attempt: context.attempt + 1,
        lastError: params.outcome.error,
      };
    }),
  },
  delays: {
    retryBackoff: ({ context }) => backoffDelay(context.attempt, DEFAULT_BACKOFF, 0.5),
  },
}).createMachine({
  id: 'statusWriter',
  initial: 'standby',
  context: { queue: EMPTY_LOG, ...NO_BATCH, written: EMPTY_LOG, attempt: 0, writes: 0 },
  on: {
    'status.write': { actions: { type: 'enqueueWrite', params: ({ event }) => event.status } },
    'status.forget': { actions: { type: 'forget', params: ({ event }) => event.key } },
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
          entry: 'takeBatch',
          invoke: {
            id: 'writeStatuses',
            src: 'writeStatuses',
            input: ({ context }) => ({ statuses: context.inflight }),
            onDone: [
              {
                guard: { type: 'batchStopped', params: ({ event }) => ({ outcome: event.output }) },
                target: 'backoff',
                actions: { type: 'requeueUnwritten', params: ({ event }) => ({ outcome: event.output }) },
              },
              {
                target: 'idle',
                actions: { type: 'recordWritten', params: ({ event }) => ({ outcome: event.output }) },
              },
            ],
            onError: {
              target: 'backoff',
              actions: {
                type: 'requeueUnwritten',
                params: ({ event }) => ({ outcome: { written: 0, error: errorText(event.error) } }),
              },
            },
          },
        },
        backoff: { after: { retryBackoff: 'idle' } },
      },
    },
  },
});
