// Model-based testing of one machine: @xstate/graph walks the machine's state space (given a finite set of
// events with payloads), yielding a shortest path to every reachable state and, from each state, one step
// per event — a transition cover. Each path is replayed on a real actor (SimulatedClock, injected actors
// that never settle on their own: their done/error events are part of the path), the actor's snapshot is
// compared with the model's at every step, the spec's oracle asserts what the state must produce, and
// the inspect stream's microsteps measure which transitions of the machine definition were exercised.
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
  event: AnyEventObject;
  before: AnyMachineSnapshot;
  snapshot: AnyMachineSnapshot;
  /** Events the actor sent to the recorder (its collaborators) during this step. */
  sent: AnyEventObject[];
  /** Actors it invoked or spawned during this step: src + input. */
  started: Array<{ src: string; id: string; input: unknown }>;
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
  /** Abstracts a snapshot into a finite key (defaults to value + context without actor refs). */
  serialize?(snapshot: AnyMachineSnapshot): string;
  /**
   * "edges" (default): shortest path to every model state plus every (state, event) edge from it.
   * "transitions": shortest path to every model state plus only the edges that take a machine transition
   * no planned path takes yet — for machines whose model is too big to walk every edge.
   */
  cover?: 'edges' | 'transitions';
  /** The oracle: throws when the step's outcome is wrong. */
  check(step: StepRecord): void;
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

export function defaultSerialize(snapshot: AnyMachineSnapshot): string {
  return JSON.stringify({ value: snapshot.value, context: snapshot.context }, (key, v) =>
    v && typeof v === 'object' && typeof (v as AnyActorRef).send === 'function' ? `ref:${(v as AnyActorRef).id}` : v,
  );
}

function eventKey(e: AnyEventObject): string {
  return JSON.stringify(e, (key, v) =>
    v && typeof v === 'object' && typeof (v as AnyActorRef).send === 'function' ? `ref` : v,
  );
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
    limit: 20_000,
  } as never;
  const shortest = getShortestPaths(machine, opts);
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
  return __unsafe_getAllOwnEventDescriptors(s).flatMap((type) => {
    // A partial wildcard ("xstate.done.actor.*") takes the variants whose type it matches.
    const matching = variants.filter(
      (e) => e.type === type || (type.endsWith('.*') && e.type.startsWith(type.slice(0, -1))),
    );
    // Timers need no payload; any other event type without variants is left out on purpose.
    return matching.length ? matching : type.startsWith('xstate.after.') ? [{ type }] : [];
  });
}

function inputOf(spec: ModelSpec, probe: Probe, index: number): unknown {
  return spec.inputs ? spec.inputs(probe)[index] : spec.input?.(probe);
}

export function replay(
  spec: ModelSpec,
  path: AnyEventObject[],
  covered: { states: Set<string>; transitions: Set<string> },
  inputIndex = 0,
): number {
  const probe = newProbe();
  const machine = spec.machine(probe);
  const serialize = spec.serialize ?? defaultSerialize;
  const actor = createActor(machine, {
    input: inputOf(spec, probe, inputIndex),
    clock: new SimulatedClock(),
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
  let model = actor.getSnapshot() as AnyMachineSnapshot;
  for (const [index, event] of path.entries()) {
    const before = actor.getSnapshot() as AnyMachineSnapshot;
    const sentFrom = probe.sent.length;
    const startedFrom = probe.started.length;
    const [expected] = transition(machine, model, event);
    actor.send(event);
    const snapshot = actor.getSnapshot() as AnyMachineSnapshot;
    if (serialize(snapshot) !== serialize(expected)) {
      throw new Error(
        `${spec.name}: actor diverged from the model after ${event.type}\n actor: ${serialize(snapshot)}\n model: ${serialize(expected)}`,
      );
    }
    model = snapshot;
    spec.check({
      event,
      before,
      snapshot,
      sent: probe.sent.slice(sentFrom),
      started: probe.started.slice(startedFrom),
      history: { events: path.slice(0, index + 1), sent: [...probe.sent], started: [...probe.started] },
    });
  }
  actor.stop();
  probe.recorder.stop();
  return path.length;
}

/** Runs one or more specs of the same machine; coverage is their union. */
export function runModel(specOrSpecs: ModelSpec | ModelSpec[]): CoverageRow {
  const specs = Array.isArray(specOrSpecs) ? specOrSpecs : [specOrSpecs];
  const covered = { states: new Set<string>(), transitions: new Set<string>() };
  let steps = 0;
  let pathCount = 0;
  for (const spec of specs) {
    const counts = runSpec(spec, covered);
    steps += counts.steps;
    pathCount += counts.paths;
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
    missedStates: allStates.filter((s) => !covered.states.has(s)),
    missedTransitions: allTransitions.filter((t) => !covered.transitions.has(t)),
  };
}

function runSpec(
  spec: ModelSpec,
  covered: { states: Set<string>; transitions: Set<string> },
): { steps: number; paths: number } {
  let steps = 0;
  let pathCount = 0;
  const inputs = spec.inputs ? spec.inputs(newProbe()).length : 1;
  for (let i = 0; i < inputs; i++) {
    const paths = transitionCover(spec, i);
    pathCount += paths.length;
    for (const path of paths) {
      try {
        steps += replay(spec, path, covered, i);
      } catch (err) {
        const events = path.map((e) => e.type).join(' → ');
        (err as Error).message = `${(err as Error).message}\n ${spec.name}, input #${i}, path: ${events}`;
        throw err;
      }
    }
  }
  return { steps, paths: pathCount };
}

export function coverageTable(rows: CoverageRow[]): string {
  const pct = ([a, b]: [number, number]) => `${a}/${b} (${b ? ((100 * a) / b).toFixed(0) : 100}%)`;
  const lines = [
    ['machine', 'states', 'transitions', 'paths', 'steps'],
    ...rows.map((r) => [r.machine, pct(r.states), pct(r.transitions), String(r.paths), String(r.steps)]),
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
