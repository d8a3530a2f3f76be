// The Cloudflare side (tunnel ingress document + DNS): reconcile when the desired state differs from the
// last one the edge confirmed; on failure back off, honouring the edge's Retry-After hint; while in sync,
// reconcile again every `edgeResync` so what someone changed by hand on Cloudflare is repaired. Reports
// synced (with the hostnames it could not publish) / failing to `reportTo` (the coordinator), which folds
// them into Programmed and into the routes' DNSReady condition.
import { BUSY } from './shared/tags.js';
import { assign, enqueueActions, fromPromise, setup, type AnyActorRef } from 'xstate';
import type { DnsRecord, IngressDocument } from '../src/core/types.js';
import type { EdgeResult, HostnameConflict } from '../src/core/ports.js';
import { backoffDelay, DEFAULT_BACKOFF } from './shared/backoff.js';
import { statusFingerprint } from './shared/status.js';

export interface EdgeDesired {
  ingress: IngressDocument;
  dns: DnsRecord[];
  generation: number;
}
export interface EdgeInput {
  reportTo: AnyActorRef;
}
export interface EdgeContext extends EdgeInput {
  desired?: EdgeDesired;
  /** What the reconcile in flight is writing: only that becomes `confirmed`. */
  sending?: EdgeDesired;
  confirmed?: EdgeDesired;
  attempt: number;
  lastError?: string;
  retryAfterMs?: number;
  reconciles: number;
  /** Hostnames the last successful pass could not publish (held by records or rules we do not own). */
  conflicts: HostnameConflict[];
}
export type EdgeEvent = { type: 'edge.desired' } & EdgeDesired;
export type EdgeReport =
  | { type: 'edge.synced'; generation: number; conflicts: HostnameConflict[] }
  | { type: 'edge.failing'; error: string; attempt: number; retryAfterMs?: number };

const sameDocument = (a: EdgeDesired, b: EdgeDesired) =>
  statusFingerprint({ i: a.ingress, d: a.dns }) === statusFingerprint({ i: b.ingress, d: b.dns });
type Failed = Extract<EdgeResult, { ok: false }>;
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The wait before the next reconcile after a failure: the process's own schedule (per attempt), or longer when
 * Cloudflare's Retry-After asks for longer. The only place Retry-After is honoured; runtimes supply the schedule.
 */
export function edgeBackoffDelay(schedule: (attempt: number) => number) {
  return ({ context }: { context: Pick<EdgeContext, 'attempt' | 'retryAfterMs'> }): number =>
    Math.max(context.retryAfterMs ?? 0, schedule(context.attempt));
}

export const edgeMachine = setup({
  types: {} as { context: EdgeContext; events: EdgeEvent; input: EdgeInput },
  actors: {
    // Provided by src/runtime: one EdgeAdapter.reconcile pass.
    reconcileEdge: fromPromise<EdgeResult, Omit<EdgeDesired, 'generation'>>(async () => {
      throw new Error('reconcileEdge not provided');
    }),
  },
  guards: {
    isOk: (_, result: EdgeResult) => result.ok,
    // Only in synced and reconciled, where a confirmation set both.
    differsFromConfirmed: ({ context, event }) => !sameDocument(event, context.confirmed!),
    isBehind: ({ context }) => !sameDocument(context.desired!, context.confirmed!),
  },
  actions: {
    takeDesired: assign(({ context }) => ({ sending: context.desired })),
    recordDesired: assign(({ event }) => ({
      desired: { ingress: event.ingress, dns: event.dns, generation: event.generation },
    })),
    // What was confirmed is what was sent; `desired` may have moved on meanwhile.
    recordConfirmed: assign(({ context }, params: { sent: EdgeDesired; conflicts: HostnameConflict[] }) => ({
      confirmed: params.sent,
      conflicts: params.conflicts,
      attempt: 0,
      lastError: undefined,
      retryAfterMs: undefined,
      reconciles: context.reconciles + 1,
    })),
    recordFailure: assign(({ context }, params: { error: string; retryAfterMs?: number }) => ({
      attempt: context.attempt + 1,
      lastError: params.error,
      retryAfterMs: params.retryAfterMs,
    })),
    reportSynced: enqueueActions(({ context, enqueue }) => {
      enqueue.sendTo(context.reportTo, {
        type: 'edge.synced',
        generation: context.desired!.generation,
        conflicts: context.conflicts,
      } satisfies EdgeReport);
    }),
    reportFailing: enqueueActions(({ context, enqueue }) => {
      const report: EdgeReport = {
        type: 'edge.failing',
        // Entered only from a failure, which recorded its words.
        error: context.lastError!,
        attempt: context.attempt,
        retryAfterMs: context.retryAfterMs,
      };
      enqueue.sendTo(context.reportTo, report);
    }),
  },
  delays: {
    edgeBackoff: edgeBackoffDelay((attempt) => backoffDelay(attempt, DEFAULT_BACKOFF, 0.5)),
    // Drift repair; the adapter's read cache keeps a steady state nearly free of API calls.
    edgeResync: 5 * 60_000,
  },
}).createMachine({
  id: 'edge',
  initial: 'idle',
  context: ({ input }) => ({ ...input, attempt: 0, reconciles: 0, conflicts: [] }),
  on: { 'edge.desired': { actions: 'recordDesired' } },
  states: {
    idle: { on: { 'edge.desired': { target: 'reconciling', actions: 'recordDesired' } } },
    reconciling: {
      tags: [BUSY],
      entry: 'takeDesired',
      invoke: {
        id: 'reconcileEdge',
        src: 'reconcileEdge',
        input: ({ context }) => ({ ingress: context.sending!.ingress, dns: context.sending!.dns }),
        onDone: [
          {
            guard: { type: 'isOk', params: ({ event }) => event.output },
            target: 'reconciled',
            actions: {
              type: 'recordConfirmed',
              params: ({ context, event }) => ({
                sent: context.sending!,
                conflicts: (event.output.ok && event.output.hostnameConflicts) || [],
              }),
            },
          },
          {
            target: 'backoff',
            actions: {
              type: 'recordFailure',
              params: ({ event }) => ({
                error: (event.output as Failed).error,
                retryAfterMs: (event.output as Failed).retryAfterMs,
              }),
            },
          },
        ],
        onError: {
          target: 'backoff',
          actions: { type: 'recordFailure', params: ({ event }) => ({ error: errorText(event.error) }) },
        },
      },
    },
    // Transient (left at once), so no snapshot shows it: no tag.
    reconciled: { always: [{ guard: 'isBehind', target: 'reconciling' }, { target: 'synced' }] },
    synced: {
      entry: 'reportSynced',
      after: { edgeResync: 'reconciling' },
      on: {
        'edge.desired': [
          { guard: 'differsFromConfirmed', target: 'reconciling', actions: 'recordDesired' },
          { target: 'synced', reenter: true, actions: 'recordDesired' },
        ],
      },
    },
    backoff: { entry: 'reportFailing', after: { edgeBackoff: 'reconciling' } },
  },
});
