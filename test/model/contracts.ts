// Small models of what the machines promise, written from the contract (docs/architecture.md,
// machines/README.md) and never from the machines: replayed on a path's events, they say what must have
// happened by each step — the reports and lease calls a leader must make, and when; whether a resource is
// served and what its written status must say. The model specs check the actors against them (`must`),
// so a machine that drifts from its contract fails even when it agrees with its own transition().
import type { AnyEventObject } from 'xstate';
import type { Condition, ResourceStatus } from '../../src/core/types.js';
import { statePaths } from '../../src/debug/actors.js';
import type { StepRecord } from './harness.js';
import { BUSY } from '../../machines/shared/tags.js';

const leaf = (step: StepRecord) => statePaths(step.snapshot.value).at(-1)!;
const pathOf = (steps: StepRecord[]) =>
  steps
    .map((s) => `${s.event.type}${'generation' in s.event ? `(${String(s.event.generation)})` : ''}@${s.at}`)
    .join(' → ');

/** Throws, naming the path, when the actor did not do what the model requires (plain checks: thousands of steps). */
export function demand(steps: StepRecord[], what: string, actual: unknown, wanted: unknown): void {
  const a = JSON.stringify(actual);
  const w = JSON.stringify(wanted);
  if (a !== w) throw new Error(`${what}: the model requires ${w}, the actor has ${a}\n after ${pathOf(steps)}`);
}

/**
 * Runs a model along a path incrementally: `must` is called once per step with the steps so far, so the
 * model state after the previous call is kept per path.
 */
export function incremental<M>(initial: () => M) {
  const states = new WeakMap<StepRecord[], { model: M; n: number }>();
  return (steps: StepRecord[], advance: (m: M, step: StepRecord) => M): M => {
    const known = states.get(steps) ?? { model: initial(), n: 0 };
    let model = known.model;
    for (let i = known.n; i < steps.length; i++) model = advance(model, steps[i]!);
    states.set(steps, { model, n: steps.length });
    return model;
  };
}

// ---------------------------------------------------------------------------------------------------------
// Leader: candidate → leader (elected) → renewing every renewInterval; a renewal that is refused, fails or
// does not answer within renewDeadline loses leadership (reported at once); a follower competes again after
// retryPeriod; stopping a leader releases the lease (reported lost first).

export const LEASE_DELAYS = { retryPeriod: 300, renewInterval: 700, renewDeadline: 1_100 };

type LeaderPhase = 'candidate' | 'follower' | 'holding' | 'renewing' | 'releasing' | 'stopped';
interface LeaderModel {
  phase: LeaderPhase;
  /** When (simulated clock) the phase began: its timer is due that long after. */
  since: number;
  /** Times elected (the debug page shows it). */
  terms: number;
}
interface LeaderOutcome {
  next: LeaderModel;
  reports: string[];
  calls: string[];
}

const timerOf = (event: AnyEventObject) =>
  (Object.keys(LEASE_DELAYS) as Array<keyof typeof LEASE_DELAYS>).find((d) =>
    event.type.startsWith(`xstate.after.${d}.`),
  );

function leaderStep(m: LeaderModel, event: AnyEventObject, at: number, steps: StepRecord[]): LeaderOutcome {
  const to = (phase: LeaderPhase, reports: string[] = [], calls: string[] = []): LeaderOutcome => ({
    next: { phase, since: at, terms: m.terms + (reports.includes('leader.elected') ? 1 : 0) },
    reports,
    calls,
  });
  const stay: LeaderOutcome = { next: m, reports: [], calls: [] };
  const timer = timerOf(event);
  // A timer fires exactly its delay after its phase began, and only in its phase.
  if (timer) {
    const phaseOf = { retryPeriod: 'follower', renewInterval: 'holding', renewDeadline: 'renewing' } as const;
    demand(steps, `${timer} fired in`, m.phase, phaseOf[timer]);
    demand(steps, `${timer} fired after (ms)`, at - m.since, LEASE_DELAYS[timer]);
  }
  const granted = event.output === true;
  switch (m.phase) {
    case 'candidate':
      if (event.type === 'xstate.done.actor.tryAcquire')
        return granted ? to('holding', ['leader.elected']) : to('follower');
      if (event.type === 'xstate.error.actor.tryAcquire') return to('follower');
      if (event.type === 'leader.stop') return to('stopped');
      return stay;
    case 'follower':
      if (timer === 'retryPeriod') return to('candidate', [], ['tryAcquire']);
      if (event.type === 'leader.stop') return to('stopped');
      return stay;
    case 'holding':
    case 'renewing':
      if (event.type === 'leader.stop') return to('releasing', ['leader.lost'], ['release']);
      if (m.phase === 'holding') return timer === 'renewInterval' ? to('renewing', [], ['renew']) : stay;
      if (event.type === 'xstate.done.actor.renew') return granted ? to('holding') : to('follower', ['leader.lost']);
      if (event.type === 'xstate.error.actor.renew' || timer === 'renewDeadline')
        return to('follower', ['leader.lost']);
      return stay;
    case 'releasing':
      return event.type === 'xstate.done.actor.release' || event.type === 'xstate.error.actor.release'
        ? to('stopped')
        : stay;
    case 'stopped':
      return stay;
  }
}

const leaderRun = incremental<LeaderModel>(() => ({ phase: 'candidate', since: 0, terms: 0 }));

/** Must-happen for the leader machine: reports, lease calls and leadership at every step, and their times. */
export function leaderMust(steps: StepRecord[]): void {
  let out: LeaderOutcome | undefined;
  const m = leaderRun(steps, (model, step) => (out = leaderStep(model, step.event, step.at, steps)).next);
  const step = steps.at(-1)!;
  demand(
    steps,
    'reports',
    step.sent.map((e) => e.type),
    out!.reports,
  );
  demand(
    steps,
    'lease calls',
    step.started.map((s) => s.src),
    out!.calls,
  );
  demand(steps, 'leads', leaf(step).startsWith('leader'), m.phase === 'holding' || m.phase === 'renewing');
  demand(steps, 'terms', (step.snapshot.context as { terms: number }).terms, m.terms);
  // The lease call a phase waits on is answered: its outcome has a handler, whichever it is.
  const call = { candidate: 'tryAcquire', renewing: 'renew', releasing: 'release' } as const;
  const awaited = m.phase in call ? call[m.phase as keyof typeof call] : undefined;
  if (awaited)
    for (const outcome of [`xstate.done.actor.${awaited}`, `xstate.error.actor.${awaited}`])
      demand(steps, `takes ${outcome}`, step.snapshot.can({ type: outcome, output: true }), true);
  // Each waiting phase has its one timer armed, due its delay after the phase began; the others none.
  const timer = { follower: 'retryPeriod', holding: 'renewInterval', renewing: 'renewDeadline' } as const;
  const wanted = m.phase in timer ? timer[m.phase as keyof typeof timer] : undefined;
  demand(steps, 'timers armed', step.timers, wanted ? [{ name: wanted, due: m.since + LEASE_DELAYS[wanted] }] : []);
  demand(steps, 'stopped', step.snapshot.status === 'done', m.phase === 'stopped');
}

// ---------------------------------------------------------------------------------------------------------
// Gateways and routes: a verdict whose Accepted is False rejects; an accepted verdict for a new spec
// (observedGeneration) waits for the config generation that carried it; a `dataplane.live` at that
// generation or later serves it; `dataplane.degraded` takes service away until the next covering
// `dataplane.live`; a verdict for the same spec keeps what it waits for. A Gateway's written Programmed
// is True exactly while served (the translator's True) and False while it waits or the data plane is down.

type Phase = 'pending' | 'accepted' | 'rejected' | 'gone';
interface ResourceModel {
  phase: Phase;
  spec: number;
  /** Config generation that first carried the current spec. */
  required: number;
  served: boolean;
}

function conditionsOf(status: ResourceStatus): Condition[] {
  const s = status.status as { conditions?: Condition[]; parents?: Array<{ conditions: Condition[] }> };
  return [...(s.conditions ?? []), ...(s.parents ?? []).flatMap((p) => p.conditions)];
}
const isAccepted = (status: ResourceStatus) =>
  conditionsOf(status).some((c) => c.type === 'Accepted' && c.status === 'True');
/** metadata.generation as the translator echoed it. */
const specOf = (status: ResourceStatus) => Math.max(0, ...conditionsOf(status).map((c) => c.observedGeneration ?? 0));

function resourceStep(m: ResourceModel, event: AnyEventObject): ResourceModel {
  if (m.phase === 'gone') return m;
  if (event.type === 'resource.deleted') return { ...m, phase: 'gone', served: false };
  if (event.type === 'verdict') {
    const status = event.status as ResourceStatus;
    const spec = specOf(status);
    if (!isAccepted(status)) return { phase: 'rejected', spec, required: event.generation, served: false };
    if (m.phase === 'accepted' && spec === m.spec) return m;
    return { phase: 'accepted', spec, required: event.generation, served: false };
  }
  if (m.phase !== 'accepted') return m;
  if (event.type === 'dataplane.degraded') return { ...m, served: false };
  if (event.type === 'dataplane.live' && event.generation >= m.required) return { ...m, served: true };
  return m;
}

const resourceRun = incremental<ResourceModel>(() => ({ phase: 'pending', spec: 0, required: 0, served: false }));

const SERVED = [
  'accepted.programmed',
  'accepted.degraded.conflicted',
  'accepted.degraded.unresolvedRefs',
  'accepted.degraded.partiallyInvalid',
];

/** The condition a route's parents get when the edge cannot publish one of its hostnames (docs/cloudflare.md). */
export const DNS_READY = 'cloudflare-tunnel-gateway.dev/DNSReady';
const ADDED_BY_PHASE = new Set(['Programmed', DNS_READY]);
/** verdictPart's text per status object: the walks ask it for the same objects at every step. */
const verdictParts = new WeakMap<ResourceStatus, string>();
/** A status without the conditions a phase adds and without times, as text. */
function verdictPart(status: ResourceStatus | undefined): string | undefined {
  if (!status) return undefined;
  let text = verdictParts.get(status);
  if (text === undefined) {
    text = JSON.stringify(status, (key, v: unknown) => {
      if (key === 'lastTransitionTime') return undefined;
      if (key === 'conditions' && Array.isArray(v)) return v.filter((c: Condition) => !ADDED_BY_PHASE.has(c.type));
      return v;
    });
    verdictParts.set(status, text);
  }
  return text;
}

type RouteParent = { parentRef: { kind: string; namespace: string; name: string }; conditions: Condition[] };
const parentKey = (p: RouteParent) => `${p.parentRef.kind}/${p.parentRef.namespace}/${p.parentRef.name}`;

/** A route's written DNSReady=False: on each accepted parent the last edge.conflicts names, while it names a conflict. */
function demandDnsReady(steps: StepRecord[], written: ResourceStatus): void {
  const edge = steps
    .at(-1)!
    .history.events.filter((e) => e.type === 'edge.conflicts')
    .at(-1);
  const taken = new Set<string>(edge?.conflicts.length ? edge.gateways : []);
  const parents = written.status.parents as RouteParent[];
  const accepted = (p: RouteParent) => p.conditions.some((c) => c.type === 'Accepted' && c.status === 'True');
  const dnsFalse = (p: RouteParent) => p.conditions.some((c) => c.type === DNS_READY && c.status === 'False');
  demand(
    steps,
    'DNSReady=False on',
    parents.filter(dnsFalse).map(parentKey),
    parents.filter((p) => accepted(p) && taken.has(parentKey(p))).map(parentKey),
  );
}

/** Must-happen for gateways and routes: the phase, whether served, what is written, and (Gateways) Programmed. */
export function resourceMust(steps: StepRecord[]): void {
  const m = resourceRun(steps, (model, step) => resourceStep(model, step.event));
  const step = steps.at(-1)!;
  const state = leaf(step);
  demand(steps, 'phase', state.split('.')[0], m.phase);
  demand(steps, 'served', SERVED.includes(state), m.served);
  const written = step.history.sent.filter((e) => e.type === 'status.write').at(-1)?.status as
    ResourceStatus | undefined;
  // What is written is the latest verdict, whatever the phase adds (Programmed, DNSReady) or the writer
  // stamps (times): a verdict for the same spec with new details (attachedRoutes) is written too.
  const verdict = step.history.events.filter((e) => e.type === 'verdict').at(-1)?.status as ResourceStatus | undefined;
  if (verdict && (m.phase === 'accepted' || m.phase === 'rejected'))
    demand(steps, 'written verdict', verdictPart(written), verdictPart(verdict));
  if (written && m.phase === 'accepted' && written.kind.endsWith('Route')) demandDnsReady(steps, written);
  if (written?.kind !== 'Gateway' || m.phase !== 'accepted') return;
  const programmed = (written.status.conditions as Condition[]).find((c) => c.type === 'Programmed')!;
  demand(steps, 'written Programmed', programmed.status, m.served ? 'True' : 'False');
}

// ---------------------------------------------------------------------------------------------------------
// GatewayClasses and BackendTLSPolicies: their status is the translator's verdict as it is. Each verdict
// makes the phase accepted or rejected (by its Accepted condition, on the object or its first ancestor) and
// is written unless it equals the last status written; deletion forgets the status, once, and ends it all.

interface VerdictModel {
  phase: Phase;
  written?: ResourceStatus;
  /** What this step must have sent the status writer. */
  sends: AnyEventObject[];
}

const verdictAccepted = (status: ResourceStatus) => {
  const s = status.status as { conditions?: Condition[]; ancestors?: Array<{ conditions: Condition[] }> };
  return [...(s.conditions ?? []), ...(s.ancestors?.[0]?.conditions ?? [])].some(
    (c) => c.type === 'Accepted' && c.status === 'True',
  );
};

function verdictStep(m: VerdictModel, event: AnyEventObject, key: string): VerdictModel {
  if (m.phase === 'gone') return { ...m, sends: [] };
  if (event.type === 'resource.deleted') return { phase: 'gone', sends: [{ type: 'status.forget', key }] };
  if (event.type !== 'verdict') return { ...m, sends: [] };
  const status = event.status as ResourceStatus;
  const phase = verdictAccepted(status) ? 'accepted' : 'rejected';
  const same = m.written !== undefined && JSON.stringify(m.written) === JSON.stringify(status);
  return { phase, written: status, sends: same ? [] : [{ type: 'status.write', status }] };
}

/** Must-happen for the verdict machines (gatewayClass, policy): the phase and each write or forget, at its step. */
export function verdictMust(key: string) {
  const run = incremental<VerdictModel>(() => ({ phase: 'pending', sends: [] }));
  return (steps: StepRecord[]): void => {
    const m = run(steps, (model, step) => verdictStep(model, step.event, key));
    const step = steps.at(-1)!;
    demand(steps, 'phase', step.snapshot.status === 'done' ? 'gone' : leaf(step), m.phase);
    demand(steps, 'status writer told', step.sent, m.sends);
  };
}

// ---------------------------------------------------------------------------------------------------------
// Coordinator schedule: nothing is translated before the source synced; a change in idle syncs at once
// (leading edge); changes during a sync or its holdoff window make exactly one more sync, `holdoff` after
// the last of them restarted the window but never later than `maxHoldoff` after the sync ended; a quiet
// window ends in idle `holdoff` after the sync.

export interface ScheduleDelays {
  holdoff: number;
  maxHoldoff: number;
}

type SchedulePhase = 'waitingForSource' | 'syncing' | 'settling' | 'idle';
interface ScheduleModel {
  phase: SchedulePhase;
  dirty: boolean;
  /** When the last sync ended (settling began). */
  settledAt: number;
  /** When the holdoff window last (re)started. */
  windowFrom: number;
}

function scheduleStep(
  m: ScheduleModel,
  event: AnyEventObject,
  at: number,
  d: ScheduleDelays,
  steps: StepRecord[],
): { next: ScheduleModel; syncs: number } {
  const sync = (): { next: ScheduleModel; syncs: number } => ({
    next: { ...m, phase: 'syncing', dirty: false },
    syncs: 1,
  });
  const stay = { next: m, syncs: 0 };
  if (event.type.startsWith('xstate.after.')) {
    // Whichever timer the path named, the clock decides what is due at `at`.
    demand(steps, 'a timer fired in', m.phase, 'settling');
    const quietEnds = m.windowFrom + d.holdoff;
    const cap = m.settledAt + d.maxHoldoff;
    if (m.dirty) {
      demand(steps, 'coalesced sync at', at, Math.min(quietEnds, cap));
      return sync();
    }
    if (at === quietEnds) return { next: { ...m, phase: 'idle' }, syncs: 0 };
    // The cap passing a quiet window changes nothing.
    demand(steps, 'quiet window: a timer at', at, cap < quietEnds ? cap : quietEnds);
    return stay;
  }
  switch (event.type) {
    case 'source.synced':
      return m.phase === 'waitingForSource' ? sync() : stay;
    case 'source.changed':
      if (m.phase === 'idle') return sync();
      if (m.phase === 'syncing') return { next: { ...m, dirty: true }, syncs: 0 };
      if (m.phase === 'settling') return { next: { ...m, dirty: true, windowFrom: at }, syncs: 0 };
      return stay;
    case 'sync.done':
    case 'sync.failed':
      demand(steps, 'a sync ended in', m.phase, 'syncing');
      return { next: { phase: 'settling', dirty: m.dirty, settledAt: at, windowFrom: at }, syncs: 0 };
    default:
      return stay;
  }
}

/** Must-happen for the coordinator's schedule: when a sync starts (and only then), and the phase it is in. */
export function scheduleMust(delays: ScheduleDelays) {
  const run = incremental<ScheduleModel>(() => ({
    phase: 'waitingForSource',
    dirty: false,
    settledAt: 0,
    windowFrom: 0,
  }));
  return (steps: StepRecord[]): void => {
    let syncs = 0;
    const m = run(steps, (model, step) => {
      const out = scheduleStep(model, step.event, step.at, delays, steps);
      syncs = out.syncs;
      return out.next;
    });
    const step = steps.at(-1)!;
    const [phase, sub] = leaf(step).split('.');
    demand(steps, 'phase', [phase, sub === 'dirty'], [m.phase, m.dirty]);
    // whenIdle() waits on the tag: busy while a sync runs or its holdoff window is open.
    demand(steps, 'busy', step.snapshot.hasTag(BUSY), m.phase === 'syncing' || m.phase === 'settling');
    // A sync starts as a `sync.run` to the coordinator's long-lived sync child (a recording double here).
    const asked = step.sent.filter((e) => e.to === 'sync' && e.type === 'sync.run').length;
    demand(steps, 'syncs started', asked, syncs);
  };
}
