// What the resource machines' model specs share (resources.spec.ts, route.spec.ts): the oracle restates the
// rules of the issue independently of the machines' code: which status each state must write, that a status
// is written only when it changes, Programmed only after the config carrying the spec is acknowledged, and
// that a served resource's state names what its written conditions say is wrong (accepted.degraded.*).
// Imports no machine: each spec module imports its own, so a walk runs only for the machines it reaches.
import { expect } from './fast-expect.js';
import type { AnyEventObject, AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import type { Condition, ResourceStatus } from '../../src/core/types.js';
import { statePaths } from '../../src/debug/actors.js';
import { fingerprint } from './fixtures.js';
import type { ModelSpec, StepRecord } from './harness.js';
import { DNS_READY, resourceMust } from './contracts.js';

export const leaf = (s: AnyMachineSnapshot) => statePaths(s.value).at(-1)!;
const writesOf = (events: AnyEventObject[]) =>
  events.filter((e) => e.type === 'status.write').map((e) => e.status as ResourceStatus);

const dataplaneEvents: AnyEventObject[] = [
  { type: 'dataplane.live', generation: 1 },
  { type: 'dataplane.live', generation: 2 },
  { type: 'dataplane.degraded', reason: 'No ready proxy replica' },
  { type: 'dataplane.degraded', reason: 'Cloudflare edge reconcile failing: 500' },
  { type: 'resource.deleted' },
];

/** Programmed=True turned False with the given reasons (gateway and listeners); False stays as it was. */
export function withProgrammed(
  status: ResourceStatus,
  reason: string,
  listenerReason: string,
  message?: string,
): ResourceStatus {
  const flip = (cs: Condition[], r: string): Condition[] =>
    cs.map((c) =>
      c.type === 'Programmed' && c.status === 'True'
        ? { ...c, status: 'False', reason: r, ...(message ? { message } : {}) }
        : c,
    );
  const s = structuredClone(status.status) as {
    conditions: Condition[];
    listeners: Array<{ conditions: Condition[] }>;
  };
  s.conditions = flip(s.conditions, reason);
  s.listeners = s.listeners.map((l) => ({ ...l, conditions: flip(l.conditions, listenerReason) }));
  return { ...status, status: s };
}

function programmedConditions(status: ResourceStatus): Condition[] {
  const s = status.status as { conditions?: Condition[]; listeners?: Array<{ conditions: Condition[] }> };
  return [...(s.conditions ?? []), ...(s.listeners ?? []).flatMap((l) => l.conditions)].filter(
    (c) => c.type === 'Programmed',
  );
}

/** Each status's comparable text, [fixed wording, free Pending wording]: statuses in the walks are never changed. */
const comparables = new WeakMap<ResourceStatus, [string?, string?]>();

/** Fingerprint in which the wording of a Pending message is free (its presence is checked separately). */
function comparable(status: ResourceStatus, freePending: boolean): string {
  let texts = comparables.get(status);
  if (!texts) comparables.set(status, (texts = []));
  const blank = (key: string, v: { type?: string; reason?: string }) =>
    freePending && v && v.type === 'Programmed' && v.reason === 'Pending' ? { ...v, message: '' } : v;
  return (texts[+freePending] ??= fingerprint(JSON.parse(JSON.stringify(status), blank)));
}

/** The oracle shared by the resource machines: `expected(state, context)` is the status the state must show. */
export function checkResource(
  step: StepRecord,
  expected: (state: string, ctx: Record<string, unknown>) => ResourceStatus | undefined,
) {
  const state = leaf(step.snapshot);
  const ctx = step.snapshot.context as Record<string, unknown>;
  const writes = writesOf(step.sent);
  if (state === 'pending' || state === 'deleting' || state === 'gone') {
    expect(writes).toEqual([]);
    if (state !== 'pending' && leaf(step.before) !== 'deleting' && leaf(step.before) !== 'gone') {
      expect(step.sent).toContainEqual({ type: 'status.forget', key: ctx.key });
    }
    return;
  }
  const want = expected(state, ctx)!;
  const previous = writesOf(step.history.sent.slice(0, step.history.sent.length - step.sent.length)).at(-1);
  const programming = state === 'accepted.programming';
  if (previous && comparable(previous, programming) === comparable(want, programming)) {
    expect(writes).toEqual([]); // unchanged conditions are never rewritten
  } else {
    expect(writes).toHaveLength(1);
    expect(comparable(writes[0]!, programming)).toBe(comparable(want, programming));
    if (programming)
      for (const c of programmedConditions(writes[0]!))
        if (c.reason === 'Pending') expect(c.message).toMatch(/proxy replica/);
  }
  // A condition the actor rewrote carries no time: the writer stamps it.
  for (const w of writes)
    for (const c of JSON.stringify(w).match(/"lastTransitionTime":"[^"]*"/g) ?? [])
      expect(c).toMatch(/"lastTransitionTime":"(|2026-01-01T00:00:00Z)"/);
}

/** The accepted states in which the data plane serves the current spec. */
const SERVED = [
  'accepted.programmed',
  'accepted.degraded.conflicted',
  'accepted.degraded.unresolvedRefs',
  'accepted.degraded.partiallyInvalid',
];

/** Programmed only once a dataplane.live covers the generation that carried the current spec. */
function checkLiveness(step: StepRecord) {
  const state = leaf(step.snapshot);
  if (state === 'gone') return expect(step.snapshot.status).toBe('done');
  const before = leaf(step.before);
  const ctx = step.snapshot.context as { requiredGeneration: number };
  if (SERVED.includes(state) && !SERVED.includes(before)) {
    expect(step.event.type).toBe('dataplane.live');
    expect(step.event.generation).toBeGreaterThanOrEqual(ctx.requiredGeneration);
  }
  if (
    step.event.type === 'dataplane.live' &&
    step.event.generation < ctx.requiredGeneration &&
    before === 'accepted.programming'
  ) {
    expect(state).toBe('accepted.programming');
  }
  // Data plane not ready shows as such from any accepted state.
  if (step.event.type === 'dataplane.degraded' && before.startsWith('accepted'))
    expect(state).toBe('accepted.degraded.dataPlaneNotReady');
  if (step.event.type === 'verdict') {
    const accepted = (step.event.status.status.conditions ?? step.event.status.status.parents[0].conditions).some(
      (c: Condition) => c.type === 'Accepted' && c.status === 'True',
    );
    expect(state.startsWith(accepted ? 'accepted' : 'rejected')).toBe(true);
  }
}

/** Every condition of a written status: the object's, each listener's, each route parent's. */
function conditionsOf(status: ResourceStatus): Condition[] {
  const s = status.status as {
    conditions?: Condition[];
    listeners?: Array<{ conditions: Condition[] }>;
    parents?: Array<{ conditions: Condition[] }>;
  };
  return [...(s.conditions ?? []), ...[...(s.listeners ?? []), ...(s.parents ?? [])].flatMap((h) => h.conditions)];
}

/** While served, the state names what the written conditions say is wrong (the most urgent), or programmed. */
function checkStateSaysConditions(step: StepRecord) {
  const state = leaf(step.snapshot);
  if (!SERVED.includes(state)) return;
  const written = writesOf(step.history.sent).at(-1)!;
  const has = (type: string, status: string) =>
    conditionsOf(written).some((c) => c.type === type && c.status === status);
  let want = 'accepted.programmed';
  if (has('PartiallyInvalid', 'True') || has('Accepted', 'False')) want = 'accepted.degraded.partiallyInvalid';
  if (has('ResolvedRefs', 'False')) want = 'accepted.degraded.unresolvedRefs';
  if (has('Conflicted', 'True') || has(DNS_READY, 'False')) want = 'accepted.degraded.conflicted';
  expect(state).toBe(want);
}

export function resourceSpec(
  name: string,
  machine: AnyStateMachine,
  verdicts: ResourceStatus[],
  expected: (state: string, ctx: Record<string, unknown>) => ResourceStatus | undefined,
  extraEvents: AnyEventObject[] = [],
): ModelSpec {
  // The config generation that first carried each verdict: a verdict after the first waits for generation 2.
  const generations = [1, 2];
  return {
    name,
    machine: () => machine,
    offer: 'all',
    input: (probe) => ({
      key: `${verdicts[0]!.kind}/${verdicts[0]!.namespace}/${verdicts[0]!.name}`,
      statusWriter: probe.recorder,
    }),
    events: [
      ...verdicts.map((status, i) => ({ type: 'verdict', status, generation: generations[i] ?? 2 })),
      ...dataplaneEvents,
      ...extraEvents,
    ],
    check: (step) => {
      checkResource(step, expected);
      checkLiveness(step);
      checkStateSaysConditions(step);
    },
    must: resourceMust,
  };
}
