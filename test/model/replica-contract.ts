// The proxy replica's contract as a small model (contracts.ts has the others), written from the replica's
// promise and never from its machine: a ready replica is first asked what it runs; it is pushed the latest
// desired config until it acknowledges it, and told in sync only when what it runs is what is desired; a
// replica that runs a newer generation gets ours again as a resync; a failure is reported with its words
// and the count of failures in a row, and retried once the backoff is over; in sync, it is asked again every
// probe interval; an unready replica is left alone, a removed one for good.
import type { AnyEventObject } from 'xstate';
import { backoffDelay, DEFAULT_BACKOFF } from '../../machines/shared/backoff.js';
import { demand, incremental } from './contracts.js';
import type { StepRecord } from './harness.js';

export const PROBE_INTERVAL_MS = 30_000;

interface Desired {
  config: { version: string };
  generation: number;
}
interface Ack {
  version: string;
  generation: number;
}
type Call = 'readCurrent' | 'pushConfig' | 'resyncConfig';

interface ReplicaModel {
  ready: boolean;
  gone: boolean;
  desired?: Desired;
  /** What the replica was last known to run (its answer to a read, or to a push). */
  ack?: Ack;
  /** The call in flight. */
  call?: Call;
  waitingFor?: 'retry' | 'probe';
  /** When the wait began. */
  since: number;
  failures: number;
  lastError?: string;
}

interface Outcome {
  next: ReplicaModel;
  calls: Array<{ id: Call; input: unknown }>;
  reports: AnyEventObject[];
}

export interface ReplicaInputLike {
  id: string;
  ready: boolean;
  desired?: Desired;
}

const wordsOf = (error: unknown) => (typeof error === 'string' ? error : (error as Error).message);
const isConflict = (error: unknown) => (error as Error).name === 'GenerationConflictError';

function replicaStep(m: ReplicaModel, event: AnyEventObject, at: number, id: string): Outcome {
  const calls: Outcome['calls'] = [];
  const reports: AnyEventObject[] = [];
  /** A call starts; a push or resync carries `desired` (the model's, unless the step just changed it). */
  const call = (c: Call, desired = m.desired): Partial<ReplicaModel> => {
    calls.push({
      id: c,
      input: c === 'readCurrent' ? { id } : { id, ...desired, ...(c === 'resyncConfig' && { resync: true }) },
    });
    return { call: c, waitingFor: undefined };
  };
  // Once the replica runs `ack`: in sync if that is what is desired, else pushed again.
  const settle = (n: ReplicaModel): ReplicaModel => {
    if (n.desired === undefined) return { ...n, call: undefined };
    if (n.ack?.version === n.desired.config.version) {
      reports.push({ type: 'replica.inSync', id, version: n.ack.version, generation: n.ack.generation });
      return { ...n, call: undefined, waitingFor: 'probe', since: at };
    }
    return { ...n, ...call('pushConfig', n.desired) };
  };
  const fail = (error: unknown, then: 'retry' | 'resyncConfig'): ReplicaModel => {
    const n = { ...m, failures: m.failures + 1, lastError: wordsOf(error), call: undefined };
    reports.push({ type: 'replica.failing', id, error: n.lastError, attempt: n.failures });
    return then === 'retry' ? { ...n, waitingFor: 'retry', since: at } : { ...n, ...call('resyncConfig') };
  };
  const out = (next: ReplicaModel): Outcome => ({ next, calls, reports });
  if (m.gone) return out(m);
  const answered = (c: Call) => m.call === c && event.type.endsWith(`.actor.${c}`);
  switch (event.type) {
    case 'replica.removed':
      return out({ ...m, gone: true, call: undefined, waitingFor: undefined });
    case 'replica.ready':
      if (!event.ready) return out({ ...m, ready: false, call: undefined, waitingFor: undefined });
      return out(m.ready ? m : { ...m, ready: true, ...call('readCurrent') });
    case 'config.desired': {
      const desired = { config: event.config, generation: event.generation };
      const n = { ...m, desired };
      // Only a replica that is idle (in sync, or told nothing yet) acts on it at once; one being read or
      // pushed to, or backing off, gets it when that is over.
      if (!m.ready || m.call !== undefined || m.waitingFor === 'retry') return out(n);
      if (m.waitingFor === 'probe' && m.ack?.version === desired.config.version) return out(n);
      return out(settle(n));
    }
  }
  if (answered('readCurrent') && event.type.startsWith('xstate.done.'))
    return out(settle({ ...m, ack: event.output ?? undefined }));
  if ((answered('pushConfig') || answered('resyncConfig')) && event.type.startsWith('xstate.done.'))
    return out(settle({ ...m, ack: event.output, failures: 0, lastError: undefined }));
  if (answered('pushConfig') && event.type.startsWith('xstate.error.'))
    return out(fail(event.error, isConflict(event.error) ? 'resyncConfig' : 'retry'));
  if ((answered('readCurrent') || answered('resyncConfig')) && event.type.startsWith('xstate.error.'))
    return out(fail(event.error, 'retry'));
  const timer = event.type.startsWith('xstate.after.') ? event.type.split('.')[2] : undefined;
  if ((timer === 'retryBackoff' && m.waitingFor === 'retry') || (timer === 'probeInterval' && m.waitingFor === 'probe'))
    return out({ ...m, ...call('readCurrent') });
  return out(m);
}

const runs = incremental<ReplicaModel | undefined>(() => undefined);

/** Must-happen for a replica actor started with `input`: its calls, reports and timers at every step. */
export function replicaMust(steps: StepRecord[], input: unknown): void {
  const { id, ready, desired } = input as ReplicaInputLike;
  let out: Outcome | undefined;
  const m = runs(steps, (model, step) => {
    // The start: a ready replica is read at once (before the first step, so no call of the step's).
    const start: ReplicaModel = model ?? {
      ready,
      gone: false,
      desired,
      call: ready ? 'readCurrent' : undefined,
      since: 0,
      failures: 0,
    };
    return (out = replicaStep(start, step.event, step.at, id)).next;
  })!;
  const step = steps.at(-1)!;
  demand(
    steps,
    'calls',
    step.started.map((s) => ({ id: s.id, input: s.input })),
    out!.calls,
  );
  demand(
    steps,
    'reports',
    step.sent.filter((e) => e.type.startsWith('replica.')),
    out!.reports,
  );
  const due =
    m.waitingFor === 'retry'
      ? [{ name: 'retryBackoff', due: m.since + backoffDelay(m.failures, DEFAULT_BACKOFF, 0.5) }]
      : m.waitingFor === 'probe'
        ? [{ name: 'probeInterval', due: m.since + PROBE_INTERVAL_MS }]
        : [];
  demand(steps, 'timers armed', step.timers, due);
  demand(steps, 'gone', step.snapshot.status === 'done', m.gone);
}
