// A machine's definition as plain data, read from `machine.root`: every state node and every transition
// (event, delayed, eventless, invoke done/error), each with a stable key. Diagrams are drawn from it and
// the model tests measure transition coverage against it.
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';

export interface GraphState {
  /** Dotted path from the root ("" for the root itself). */
  path: string;
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** Path of the initial child, for compound states. */
  initial?: string;
  children: string[];
}

export interface GraphTransition {
  /** "<source path>|<event>|<index>": unique within the machine, stable across runs. */
  key: string;
  source: string;
  /** Raw event type ("" for eventless). */
  event: string;
  /** Readable label: "verdict [isAcceptedVerdict]", "after holdoff", "done: writeStatuses", "always". */
  label: string;
  /** Target paths; empty for a targetless transition (actions only). */
  targets: string[];
  guard?: string;
  reenter: boolean;
}

export interface MachineGraph {
  id: string;
  states: GraphState[];
  transitions: GraphTransition[];
}

const pathOf = (node: AnyStateNode) => node.path.join('.');

function guardName(t: AnyTransitionDefinition): string | undefined {
  const g = t.guard as unknown;
  if (!g) return undefined;
  if (typeof g === 'string') return g;
  if (typeof g === 'function') return (g as { name?: string }).name || 'guard';
  return String((g as { type?: string }).type ?? 'guard');
}

/** "xstate.after.holdoff.coordinator.settling" → "after holdoff"; "xstate.done.actor.writeStatuses" → "done: writeStatuses". */
export function eventLabel(event: string): string {
  if (event === '') return 'always';
  const after = /^xstate\.after\.([^.]+)\./.exec(event);
  if (after) return `after ${after[1]}`;
  const done = /^xstate\.(done|error)\.actor\.(.+)$/.exec(event);
  if (done) return `${done[1]}: ${done[2]}`;
  return event;
}

/** The key of a transition definition as it appears in `machineGraph().transitions` (and in microsteps). */
export function transitionKey(t: AnyTransitionDefinition): string {
  const source = t.source as AnyStateNode;
  const event = t.eventType ?? '';
  const list: AnyTransitionDefinition[] = event === '' ? (source.always ?? []) : (source.transitions.get(event) ?? []);
  return `${pathOf(source)}|${event}|${list.indexOf(t)}`;
}

function describeTransition(t: AnyTransitionDefinition, index: number): GraphTransition {
  const source = pathOf(t.source as AnyStateNode);
  const event = t.eventType ?? '';
  const guard = guardName(t);
  return {
    key: `${source}|${event}|${index}`,
    source,
    event,
    label: guard ? `${eventLabel(event)} [${guard}]` : eventLabel(event),
    targets: (t.target ?? []).map((n: AnyStateNode) => pathOf(n)),
    guard,
    reenter: Boolean(t.reenter),
  };
}

function walk(node: AnyStateNode, states: GraphState[], transitions: GraphTransition[]): void {
  const children = Object.values(node.states) as AnyStateNode[];
  const initialTarget = node.type === 'compound' ? (node.initial?.target?.[0] as AnyStateNode | undefined) : undefined;
  states.push({
    path: pathOf(node),
    key: node.key,
    type: node.type,
    initial: initialTarget && pathOf(initialTarget),
    children: children.map(pathOf),
  });
  for (const list of node.transitions.values())
    list.forEach((t: AnyTransitionDefinition, i: number) => transitions.push(describeTransition(t, i)));
  (node.always ?? []).forEach((t: AnyTransitionDefinition, i: number) => transitions.push(describeTransition(t, i)));
  for (const child of children) walk(child, states, transitions);
}

export function machineGraph(machine: AnyStateMachine): MachineGraph {
  const states: GraphState[] = [];
  const transitions: GraphTransition[] = [];
  walk(machine.root, states, transitions);
  return { id: machine.id, states, transitions };
}
