// Model-based testing of one machine: @xstate/graph walks the machine's state space (given a finite set of
// events with payloads), yielding a shortest path to every reachable state and, from each state, one step
// per event — a transition cover. Each path is replayed on a real actor (SimulatedClock, injected actors
// that never settle on their own: their done/error events are part of the path), the actor's snapshot is
// compared with the machine's own transition() at every step, the spec's oracle asserts what the state must
// produce — with `must`, from a small model of its own that never looks at the machine — and the inspect
// stream's microsteps measure which transitions of the machine definition were exercised.
//
// Timers are not sent as events: a path step `xstate.after.*` advances the SimulatedClock to the moment
// that timer is due (its scheduled delay after it was armed), so the real scheduling and the configured
// delays are what fire it. A timer that time cannot reach first (another one, due earlier, changes the
// state) or that is not armed ends the path there: the walk is untimed, time is not; such steps are
// counted (`untimely`), and coverage counts only what the clock could do.
import {
  __unsafe_getAllOwnEventDescriptors,
  createActor,
  fromCallback,
  SimulatedClock,
  transition,
  type AnyActorRef,
  type AnyEventObject,
  type AnyMachineSnapshot,
  type AnyStateMachine,
} from 'xstate';
import { getAdjacencyMap, getShortestPaths } from '@xstate/graph';
import { machineGraph, transitionKey } from '../../src/debug/machine-graph.js';
import { statePaths } from '../../src/debug/actors.js';

export interface StepRecord {
  /** The actor under test (what its children are told to report to). */
  self: AnyActorRef;
  event: AnyEventObject;
  /** The simulated clock when the step ended (a timer step: when the timer fired). */
  at: number;
  before: AnyMachineSnapshot;
  snapshot: AnyMachineSnapshot;
  /** Events the actor sent to the recorder (its collaborators) during this step. */
  sent: AnyEventObject[];
  /** Actors it invoked or spawned during this step: src + input. */
  started: Array<{ src: string; id: string; input: unknown }>;
  /** Its own timers armed once the step ended: the delay's name ("xstate.after.<name>.…") and when it is due. */
  timers: Array<{ name: string; due: number }>;
  /** Everything sent/started since the path began. */
  history: {
    events: AnyEventObject[];
    sent: AnyEventObject[];
    started: Array<{ src: string; id: string; input: unknown }>;
  };
}

export interface ModelSpec {
  name: string;
  /** Builds the machine with test doubles; `record` receives what those doubles observe. */
  machine(probe: Probe): AnyStateMachine;
  input?(probe: Probe): unknown;
  /** Several starting inputs, each walked on its own (overrides `input`). */
  inputs?(probe: Probe): unknown[];
  /** The events (with payloads) the walk may send, per state. */
  events: AnyEventObject[] | ((snapshot: AnyMachineSnapshot) => AnyEventObject[]);
  /**
   * "handled" (default): in each state, the events it has a handler for. "all": every event but an actor's
   * done or error (xstate.*) in every state, so a handler the machine lacks is walked too (and `must` says
   * what should have happened): for machines whose contract says how each event is met in any state.
   */
  offer?: 'handled' | 'all';
  /** Abstracts a snapshot into a finite key (defaults to value + context without actor refs). */
  serialize?(snapshot: AnyMachineSnapshot): string;
  /**
   * "edges" (default): shortest path to every model state plus every (state, event) edge from it.
   * "transitions": shortest path to every model state plus only the edges that take a machine transition
   * no planned path takes yet — for machines whose model is too big to walk every edge.
   */
  cover?: 'edges' | 'transitions';
  /**
   * Event sequences replayed besides the cover, per input index. The cover is explored on the machine under
   * test: a machine that forgets something (a config it was told) can merge two states the contract keeps
   * apart and so never be walked to where that shows. These paths go there whatever the machine does.
   */
  paths?(inputIndex: number): AnyEventObject[][];
  /** The oracle: throws when the step's outcome is wrong. */
  check(step: StepRecord): void;
  /**
   * Must-happen assertions from an independent model of the machine's contract (not the machine): replays
   * the path's events on the model and throws when this step lacks (or adds) a status, push, report or
   * call the model requires. Called after `check`, with every step of the path so far.
   */
  must?(steps: StepRecord[], input: unknown): void;
}

/** What the doubles of one replay observe. */
export interface Probe {
  recorder: AnyActorRef;
  sent: AnyEventObject[];
  started: Array<{ src: string; id: string; input: unknown }>;
}

export interface CoverageRow {
  machine: string;
  states: [number, number];
  transitions: [number, number];
  paths: number;
  steps: number;
  /** Path steps cut because the clock could not bring them about (see the header). */
  untimely: number;
  missedStates: string[];
  missedTransitions: string[];
}

/** A collaborator that records every event sent to it. */
export const recorderLogic = (sink: AnyEventObject[]) =>
  fromCallback(({ receive }) => {
    receive((e) => sink.push(e));
  });

export function newProbe(): Probe {
  const sent: AnyEventObject[] = [];
  const recorder = createActor(recorderLogic(sent)).start();
  return { recorder, sent, started: [] };
}

const isRef = (v: unknown): v is AnyActorRef =>
  !!v && typeof v === 'object' && typeof (v as AnyActorRef).send === 'function';
const refText = (v: unknown) => (isRef(v) ? `ref:${v.id}` : v);

/**
 * The state and its context as JSON, actor refs as `ref:<id>`. Refs sit at the top of a context (or in an array
 * there), so those are replaced first and the rest goes through JSON.stringify without a replacer function,
 * which costs several times less (the walks serialize every state they reach); a ref deeper down makes that
 * throw (refs are cyclic), and then the replacer does it all.
 */
export function defaultSerialize(snapshot: AnyMachineSnapshot): string {
  const context: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(snapshot.context as Record<string, unknown>))
    context[key] = Array.isArray(v) && v.some(isRef) ? v.map(refText) : refText(v);
  try {
    return JSON.stringify({ value: snapshot.value, context });
  } catch {
    return JSON.stringify({ value: snapshot.value, context: snapshot.context }, (_key, v: unknown) => refText(v));
  }
}

function eventKey(e: AnyEventObject): string {
  return JSON.stringify(e, (key, v) =>
    v && typeof v === 'object' && typeof (v as AnyActorRef).send === 'function' ? `ref` : v,
  );
}

/**
 * Steps a walk's exploration may take (@xstate/graph counts every state × event it queues): the largest
 * spec takes ~9,100 (route). A machine whose context grows without end (a counter the serializer keeps, a
 * list that never stops growing) is stopped there, its spec named.
 */
const MAX_MODEL_STEPS = 20_000;

function withStateBound<T>(spec: ModelSpec, explore: () => T): T {
  try {
    return explore();
  } catch (err) {
    if ((err as Error).message !== 'Traversal limit exceeded') throw err;
    throw new Error(
      `${spec.name}: more than ${MAX_MODEL_STEPS} exploration steps; something in the state grows without bound`,
      { cause: err },
    );
  }
}

/** Shortest event sequence to every model state, then one more step per (state, event) edge. */
export function transitionCover(spec: ModelSpec, inputIndex = 0): AnyEventObject[][] {
  const probe = newProbe();
  const machine = spec.machine(probe);
  const serialize = spec.serialize ?? defaultSerialize;
  const events = (s: AnyMachineSnapshot) => eventsFor(spec, s);
  const opts = {
    input: inputOf(spec, probe, inputIndex),
    events,
    serializeState: (s: AnyMachineSnapshot) => serialize(s),
    serializeEvent: eventKey,
    limit: MAX_MODEL_STEPS,
  } as never;
  const shortest = withStateBound(spec, () => getShortestPaths(machine, opts));
  const toState = new Map<string, AnyEventObject[]>();
  for (const path of shortest) {
    toState.set(
      serialize(path.state as AnyMachineSnapshot),
      path.steps.slice(1).map((s) => s.event as AnyEventObject),
    );
  }
  const adjacency = getAdjacencyMap(machine, opts) as unknown as Record<
    string,
    { state: AnyMachineSnapshot; transitions: Record<string, { event: AnyEventObject }> }
  >;
  const planned = new Set<string>();
  const takes = (state: AnyMachineSnapshot, event: AnyEventObject) =>
    machine.getTransitionData(state, event).map(transitionKey);
  const paths: AnyEventObject[][] = [];
  if (spec.cover === 'transitions') {
    for (const path of shortest) {
      for (let k = 1; k < path.steps.length; k++)
        for (const key of takes(path.steps[k - 1]!.state as AnyMachineSnapshot, path.steps[k]!.event as AnyEventObject))
          planned.add(key);
      paths.push(toState.get(serialize(path.state as AnyMachineSnapshot))!);
    }
  }
  for (const [key, { state, transitions }] of Object.entries(adjacency)) {
    const prefix = toState.get(key);
    if (!prefix) continue;
    for (const { event } of Object.values(transitions)) {
      if (spec.cover === 'transitions') {
        const fresh = takes(state, event).filter((t) => !planned.has(t));
        if (fresh.length === 0) continue;
        fresh.forEach((t) => planned.add(t));
      }
      paths.push([...prefix, event]);
    }
  }
  return paths.filter((p) => p.length > 0);
}

/** Replays a path on a real actor, checking each step against the model and the oracle. */
/**
 * The events a state can take: for each event type its active nodes handle, the spec's payload variants
 * (or the bare event, e.g. a delayed `xstate.after.*`). A finished actor takes none.
 */
function eventsFor(spec: ModelSpec, s: AnyMachineSnapshot): AnyEventObject[] {
  if (s.status !== 'active') return [];
  const variants = typeof spec.events === 'function' ? spec.events(s) : spec.events;
  const handled = __unsafe_getAllOwnEventDescriptors(s).flatMap((type) => {
    // A partial wildcard ("xstate.done.actor.*") takes the variants whose type it matches.
    const matching = variants.filter(
      (e) => e.type === type || (type.endsWith('.*') && e.type.startsWith(type.slice(0, -1))),
    );
    // Timers need no payload; any other event type without variants is left out on purpose.
    return matching.length ? matching : type.startsWith('xstate.after.') ? [{ type }] : [];
  });
  // An actor's done or error event only ever comes from a running actor (and an unhandled error would fail
  // the machine): those only where handled, the rest everywhere.
  if (spec.offer !== 'all') return handled;
  return [
    ...variants.filter((e) => !e.type.startsWith('xstate.')),
    ...handled.filter((e) => e.type.startsWith('xstate.')),
  ];
}

function inputOf(spec: ModelSpec, probe: Probe, index: number): unknown {
  return spec.inputs ? spec.inputs(probe)[index] : spec.input?.(probe);
}

type Scheduled = Record<string, { target: AnyActorRef; event: AnyEventObject; delay: number }>;

/**
 * The timers armed in an actor system, each with the moment it is due on `clock`. xstate records when a
 * timer was armed on the wall clock only, so this notes the simulated time at which each scheduled event
 * (a new object under its id: a re-armed timer is a new one) was first seen; call it after every step and
 * every clock move, while the clock stands at the moment of arming.
 */
function timerBook(actor: AnyActorRef, clock: SimulatedClock) {
  const armed = new Map<string, { entry: object; at: number }>();
  return (): Array<{ type: string; due: number; own: boolean }> => {
    const scheduled = (actor.system as unknown as { getSnapshot(): { _scheduledEvents: Scheduled } }).getSnapshot()
      ._scheduledEvents;
    for (const [id, entry] of Object.entries(scheduled))
      if (armed.get(id)?.entry !== entry) armed.set(id, { entry, at: clock.now() });
    return Object.entries(scheduled).map(([id, e]) => ({
      type: e.event.type,
      due: armed.get(id)!.at + e.delay,
      own: e.target === actor,
    }));
  };
}

/**
 * Brings a timer step about with the clock: moves it to the earliest due timer until the wanted one fires.
 * Earlier timers may fire on the way if they change nothing the model sees (a guarded timer whose guard
 * fails); 'untimely' when one does, or when the wanted timer is not armed.
 */
function fireByClock(
  type: string,
  actor: AnyActorRef,
  clock: SimulatedClock,
  timers: ReturnType<typeof timerBook>,
  serialize: (s: AnyMachineSnapshot) => string,
): 'fired' | 'untimely' {
  for (;;) {
    const armed = timers();
    const wanted = armed.find((t) => t.own && t.type === type);
    if (!wanted) return 'untimely';
    const next = armed.reduce((a, b) => (b.due < a.due ? b : a));
    if (next.due >= wanted.due) {
      clock.set(wanted.due);
      timers();
      return 'fired';
    }
    const before = serialize(actor.getSnapshot() as AnyMachineSnapshot);
    clock.set(next.due);
    timers();
    if (serialize(actor.getSnapshot() as AnyMachineSnapshot) !== before) return 'untimely';
  }
}

/** Replays a path; returns the steps taken and how many were cut because the clock could not take them. */
export function replay(
  spec: ModelSpec,
  path: AnyEventObject[],
  covered: { states: Set<string>; transitions: Set<string> },
  inputIndex = 0,
): { steps: number; untimely: number } {
  const probe = newProbe();
  const machine = spec.machine(probe);
  const serialize = spec.serialize ?? defaultSerialize;
  const clock = new SimulatedClock();
  const input = inputOf(spec, probe, inputIndex);
  const actor = createActor(machine, {
    input,
    clock,
    inspect: (e) => {
      // Only the machine under test (the root), not its invoked or spawned children.
      if (e.rootId !== (e.actorRef as AnyActorRef).sessionId) return;
      if (e.type === '@xstate.microstep') {
        for (const t of e._transitions) {
          covered.transitions.add(transitionKey(t));
          // The source was active, even if it is a transient initial state no snapshot ever shows.
          covered.states.add((t.source as { path: string[] }).path.join('.'));
        }
      }
      // Microstep snapshots include transient states (left at once by an eventless transition).
      if (e.type === '@xstate.microstep' || e.type === '@xstate.snapshot')
        for (const p of statePaths((e.snapshot as AnyMachineSnapshot).value)) covered.states.add(p);
    },
  });
  actor.start();
  const timers = timerBook(actor, clock);
  timers();
  const steps: StepRecord[] = [];
  let model = actor.getSnapshot() as AnyMachineSnapshot;
  for (const [index, event] of path.entries()) {
    const before = actor.getSnapshot() as AnyMachineSnapshot;
    const sentFrom = probe.sent.length;
    const startedFrom = probe.started.length;
    const [expected] = transition(machine, model, event);
    if (event.type.startsWith('xstate.after.')) {
      if (fireByClock(event.type, actor, clock, timers, serialize) === 'untimely') {
        actor.stop();
        probe.recorder.stop();
        return { steps: index, untimely: path.length - index };
      }
    } else {
      actor.send(event);
      timers();
    }
    const snapshot = actor.getSnapshot() as AnyMachineSnapshot;
    if (serialize(snapshot) !== serialize(expected)) {
      throw new Error(
        `${spec.name}: actor diverged from the model after ${event.type}\n actor: ${serialize(snapshot)}\n model: ${serialize(expected)}`,
      );
    }
    model = snapshot;
    const step: StepRecord = {
      self: actor,
      event,
      at: clock.now(),
      before,
      snapshot,
      sent: probe.sent.slice(sentFrom),
      started: probe.started.slice(startedFrom),
      timers: timers()
        .filter((t) => t.own)
        .map((t) => ({ name: t.type.split('.')[2]!, due: t.due })),
      history: { events: path.slice(0, index + 1), sent: [...probe.sent], started: [...probe.started] },
    };
    steps.push(step);
    spec.check(step);
    spec.must?.(steps, input);
  }
  actor.stop();
  probe.recorder.stop();
  return { steps: path.length, untimely: 0 };
}

/** Runs one or more specs of the same machine; coverage is their union. */
export function runModel(specOrSpecs: ModelSpec | ModelSpec[]): CoverageRow {
  const specs = Array.isArray(specOrSpecs) ? specOrSpecs : [specOrSpecs];
  const covered = { states: new Set<string>(), transitions: new Set<string>() };
  let steps = 0;
  let pathCount = 0;
  let untimely = 0;
  for (const spec of specs) {
    const counts = runSpec(spec, covered);
    steps += counts.steps;
    pathCount += counts.paths;
    untimely += counts.untimely;
  }
  const spec = specs[0]!;
  const graph = machineGraph(spec.machine(newProbe()));
  const allStates = graph.states.map((s) => s.path).filter((p) => p !== '');
  const allTransitions = graph.transitions.map((t) => t.key);
  return {
    machine: spec.machine(newProbe()).id,
    states: [allStates.filter((s) => covered.states.has(s)).length, allStates.length],
    transitions: [allTransitions.filter((t) => covered.transitions.has(t)).length, allTransitions.length],
    paths: pathCount,
    steps,
    untimely,
    missedStates: allStates.filter((s) => !covered.states.has(s)),
    missedTransitions: allTransitions.filter((t) => !covered.transitions.has(t)),
  };
}

function runSpec(
  spec: ModelSpec,
  covered: { states: Set<string>; transitions: Set<string> },
): { steps: number; paths: number; untimely: number } {
  let steps = 0;
  let pathCount = 0;
  let untimely = 0;
  const inputs = spec.inputs ? spec.inputs(newProbe()).length : 1;
  for (let i = 0; i < inputs; i++) {
    const paths = [...transitionCover(spec, i), ...(spec.paths?.(i) ?? [])];
    pathCount += paths.length;
    for (const path of paths) {
      try {
        const done = replay(spec, path, covered, i);
        steps += done.steps;
        untimely += done.untimely;
      } catch (err) {
        const events = path.map((e) => e.type).join(' → ');
        (err as Error).message = `${(err as Error).message}\n ${spec.name}, input #${i}, path: ${events}`;
        throw err;
      }
    }
  }
  return { steps, paths: pathCount, untimely };
}

export function coverageTable(rows: CoverageRow[]): string {
  const pct = ([a, b]: [number, number]) => `${a}/${b} (${b ? ((100 * a) / b).toFixed(0) : 100}%)`;
  const lines = [
    ['machine', 'states', 'transitions', 'paths', 'steps', 'untimely'],
    ...rows.map((r) => [
      r.machine,
      pct(r.states),
      pct(r.transitions),
      String(r.paths),
      String(r.steps),
      String(r.untimely),
    ]),
  ];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines.map((l) => l.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
}

/** A stand-in for an injected promise actor: records its start and never settles, because the path
 * delivers its done/error event. Also serves as a spawned child that records what it receives. */
export function pendingActor(probe: Probe, src: string) {
  return fromCallback(({ input, self, receive }) => {
    probe.started.push({ src, id: self.id, input });
    receive((e) => probe.sent.push({ ...e, to: self.id }));
  });
}

/** Bucket for unbounded counters so the walked state space stays finite. */
export const bucket = (n: number, max = 2) => Math.min(n, max);
