// Actor inspection for /debug: follows the actor system's inspect stream and keeps, per machine actor, its
// current state, key context, conditions and its last transitions. The debug page (another module) reads
// `list()` and subscribes to `onChange`.
import type { AnyActorRef, InspectionEvent, StateValue } from 'xstate';
import { describeActor, type ActorCondition, type ActorDescription } from './describe.js';
import type { SyncStats } from '../../machines/shared/coordinator-types.js';

export interface ActorTransition {
  event: string;
  from: string;
  to: string;
  at: string;
}

export interface ActorInfo {
  id: string;
  /** Machine id: coordinator, gatewayClass, gateway, route, replica, edge, statusWriter, leader. */
  machine: string;
  /** Kubernetes kind for resource actors, else the machine id. */
  kind: string;
  name: string;
  /** Dotted state path, e.g. "accepted.programmed". */
  state: string;
  value: StateValue;
  /** Every active state node path, outermost first ("accepted", "accepted.programmed"). */
  activeStates: string[];
  status: 'active' | 'done' | 'error' | 'stopped';
  context: Record<string, unknown>;
  conditions: ActorCondition[];
  transitions: ActorTransition[];
  /** Coordinator only: the latest syncs, newest last. */
  syncs?: Array<SyncStats & { at: string }>;
}

export const MAX_TRANSITIONS = 50;
const MAX_SYNCS = 50;

type MachineSnapshotLike = { value: StateValue; context: unknown; status: ActorInfo['status']; machine?: { id: string } };

export function statePaths(value: StateValue, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix + value];
  return Object.entries(value).flatMap(([k, v]) => [prefix + k, ...statePaths(v as StateValue, `${prefix}${k}.`)]);
}

export interface ActorTracker {
  inspect(event: InspectionEvent): void;
  list(): ActorInfo[];
  onChange(listener: (info: ActorInfo) => void): () => void;
}

export function createActorTracker(now: () => number): ActorTracker {
  const actors = new Map<AnyActorRef | object, ActorInfo>();
  const listeners = new Set<(info: ActorInfo) => void>();
  /** The coordinator's sync count as of its previous snapshot, to spot a finished sync. */
  const syncCounts = new WeakMap<object, number>();

  function update(ref: object, snapshot: MachineSnapshotLike, eventType: string): void {
    const machine = snapshot.machine!.id;
    const id = (ref as AnyActorRef).id;
    const prev = actors.get(ref);
    const paths = statePaths(snapshot.value);
    const state = paths[paths.length - 1] ?? '';
    // Every resource actor gets a snapshot per sync: the clock is read only when something is recorded.
    let at: string | undefined;
    const stamp = () => (at ??= new Date(now()).toISOString());
    const transitions = prev?.transitions ?? [];
    if (prev?.state !== state) transitions.push({ event: eventType, from: prev?.state ?? '', to: state, at: stamp() });
    if (transitions.length > MAX_TRANSITIONS) transitions.splice(0, transitions.length - MAX_TRANSITIONS);
    const info = lazyInfo({ id, machine, state, value: snapshot.value, activeStates: paths, status: snapshot.status, transitions }, snapshot.context);
    if (machine === 'coordinator') info.syncs = recordSync(ref, prev?.syncs ?? [], snapshot.context as { syncs: number; lastSync?: SyncStats }, stamp);
    if (snapshot.status === 'active') actors.set(ref, info);
    else actors.delete(ref);
    for (const l of listeners) l(info);
  }

  function recordSync(ref: object, syncs: Array<SyncStats & { at: string }>, ctx: { syncs: number; lastSync?: SyncStats }, stamp: () => string) {
    const before = syncCounts.get(ref) ?? 0;
    syncCounts.set(ref, ctx.syncs);
    if (ctx.syncs > before && ctx.lastSync) syncs.push({ ...ctx.lastSync, at: stamp() });
    if (syncs.length > MAX_SYNCS) syncs.splice(0, syncs.length - MAX_SYNCS);
    return syncs;
  }

  return {
    inspect(event) {
      if (event.type !== '@xstate.snapshot') return;
      const snapshot = event.snapshot as unknown as MachineSnapshotLike;
      if (!snapshot.machine) return; // promise actors: their parent's state says enough
      update(event.actorRef, snapshot, event.event.type);
    },
    list: () => [...actors.values()].sort((a, b) => a.machine.localeCompare(b.machine) || a.id.localeCompare(b.id)),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

type CheapInfo = Omit<ActorInfo, 'kind' | 'name' | 'context' | 'conditions'>;

/**
 * The info with kind, name, context and conditions described on first read: most snapshots (a verdict per
 * resource actor per sync) are never read before the next one replaces them. The snapshot's context is
 * immutable, so a later description is the one an eager one would have been. The getters are enumerable
 * own properties: JSON and spreads see them as plain fields.
 */
function lazyInfo(cheap: CheapInfo, context: unknown): ActorInfo {
  let described: ActorDescription | undefined;
  const describe = () => (described ??= describeActor(cheap.machine, cheap.id, context));
  return {
    id: cheap.id,
    machine: cheap.machine,
    get kind() {
      return describe().kind;
    },
    get name() {
      return describe().name;
    },
    get context() {
      return describe().context;
    },
    get conditions() {
      return describe().conditions;
    },
    state: cheap.state,
    value: cheap.value,
    activeStates: cheap.activeStates,
    status: cheap.status,
    transitions: cheap.transitions,
  };
}
