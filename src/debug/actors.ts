// Actor inspection for /debug: follows the actor system's inspect stream and keeps, per machine actor, its
// current state, key context, conditions and its last transitions. The debug page (another module) reads
// `list()` and subscribes to `onChange`.
import type { AnyActorRef, InspectionEvent, StateValue } from 'xstate';
import { describeActor, type ActorCondition, type ActorDescription } from './describe.js';
import { healthOf, whyOf, type ActorHealth } from './health.js';
import { recordTransition, type ActorTransition } from './transition-log.js';
import type { SyncStats } from '../../machines/shared/coordinator-types.js';

export { MAX_TRANSITIONS, type ActorTransition } from './transition-log.js';

export interface ActorInfo {
  id: string;
  /** Machine id: coordinator, gatewayClass, gateway, route, policy, replica, edge, statusWriter, leader. */
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
  /** At a glance: ok, pending, or unhealthy (a state that names a problem). */
  health: ActorHealth;
  /** Its latest problem (condition or error), else its latest condition message. */
  why?: string;
  /** Newest last; back-and-forth repeats (heartbeats) folded into one entry with a count. */
  transitions: ActorTransition[];
  /** Coordinator only: the latest syncs, newest last. */
  syncs?: Array<SyncStats & { at: string }>;
}

const MAX_SYNCS = 50;

type MachineSnapshotLike = {
  value: StateValue;
  context: unknown;
  status: ActorInfo['status'];
  machine?: { id: string };
};

export function statePaths(value: StateValue, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix + value];
  return Object.entries(value).flatMap(([k, v]) => [prefix + k, ...statePaths(v as StateValue, `${prefix}${k}.`)]);
}

export interface ActorTracker {
  inspect(event: InspectionEvent): void;
  list(): ActorInfo[];
  onChange(listener: (info: ActorInfo) => void): () => void;
  /** Called only when an actor changed state (a transition was recorded): cheaper than onChange. */
  onTransition(listener: (info: ActorInfo) => void): () => void;
}

/** What the tracker keeps per live actor; its ActorInfo is built when asked for. */
interface Entry {
  id: string;
  machine: string;
  snapshot: MachineSnapshotLike;
  state: string;
  activeStates: string[];
  transitions: ActorTransition[];
  syncs?: Array<SyncStats & { at: string }>;
}

/** Same state value, compared without building paths (most snapshots keep their actor's state). */
function sameStateValue(a: StateValue, b: StateValue): boolean {
  if (a === b) return true;
  if (typeof a === 'string' || typeof b === 'string') return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => k in b && sameStateValue(a[k] as StateValue, b[k] as StateValue));
}

/**
 * Built for each reader, never kept: an info (its getters and their closures) is ~1.3 KiB, 6.6 MiB at 5,000
 * actors in a heap snapshot, while a listener or a list() reads it once.
 */
function infoOf(e: Entry): ActorInfo {
  const { id, machine, state, activeStates, transitions, snapshot } = e;
  const info = lazyInfo(
    { id, machine, state, value: snapshot.value, activeStates, status: snapshot.status, transitions },
    snapshot.context,
  );
  if (e.syncs) info.syncs = e.syncs;
  return info;
}

export function createActorTracker(now: () => number): ActorTracker {
  const actors = new Map<AnyActorRef | object, Entry>();
  const listeners = new Set<(info: ActorInfo) => void>();
  const transitionListeners = new Set<(info: ActorInfo) => void>();
  /** The coordinator's sync count as of its previous snapshot, to spot a finished sync. */
  const syncCounts = new WeakMap<object, number>();

  function update(ref: object, snapshot: MachineSnapshotLike, eventType: string): void {
    const machine = snapshot.machine!.id;
    let entry = actors.get(ref);
    // Every resource actor gets a snapshot per sync, nearly always in the state it was in: keep the
    // snapshot, record nothing, read no clock.
    const moved = !entry || !sameStateValue(entry.snapshot.value, snapshot.value) || machine === 'coordinator';
    if (!moved) {
      entry!.snapshot = snapshot;
    } else {
      const paths = statePaths(snapshot.value);
      const state = paths[paths.length - 1] ?? '';
      let at: string | undefined;
      const stamp = () => (at ??= new Date(now()).toISOString());
      const transitions = entry?.transitions ?? [];
      if (entry?.state !== state)
        recordTransition(transitions, { event: eventType, from: entry?.state ?? '', to: state, at: stamp() });
      const syncs =
        machine === 'coordinator'
          ? recordSync(ref, entry?.syncs ?? [], snapshot.context as { syncs: number; lastSync?: SyncStats }, stamp)
          : undefined;
      entry = { id: (ref as AnyActorRef).id, machine, snapshot, state, activeStates: paths, transitions, syncs };
    }
    if (snapshot.status === 'active') actors.set(ref, entry!);
    else actors.delete(ref);
    if (listeners.size > 0) for (const l of listeners) l(infoOf(entry!));
    if (moved && transitionListeners.size > 0) for (const l of transitionListeners) l(infoOf(entry!));
  }

  function recordSync(
    ref: object,
    syncs: Array<SyncStats & { at: string }>,
    ctx: { syncs: number; lastSync?: SyncStats },
    stamp: () => string,
  ) {
    const before = syncCounts.get(ref) ?? 0;
    syncCounts.set(ref, ctx.syncs);
    if (ctx.syncs > before && ctx.lastSync) syncs.push({ ...ctx.lastSync, at: stamp() });
    if (syncs.length > MAX_SYNCS) syncs.splice(0, syncs.length - MAX_SYNCS);
    return syncs;
  }

  const subscribe = (set: Set<(info: ActorInfo) => void>, listener: (info: ActorInfo) => void) => {
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  };

  return {
    inspect(event) {
      if (event.type !== '@xstate.snapshot') return;
      const snapshot = event.snapshot as unknown as MachineSnapshotLike;
      if (!snapshot.machine) return; // promise actors: their parent's state says enough
      update(event.actorRef, snapshot, event.event.type);
    },
    list: () =>
      [...actors.values()].map(infoOf).sort((a, b) => a.machine.localeCompare(b.machine) || a.id.localeCompare(b.id)),
    onChange: (listener) => subscribe(listeners, listener),
    onTransition: (listener) => subscribe(transitionListeners, listener),
  };
}

type CheapInfo = Omit<ActorInfo, 'kind' | 'name' | 'context' | 'conditions' | 'health' | 'why'>;

/**
 * The info with kind, name, context and conditions described on first read: most snapshots (a verdict per
 * resource actor per sync) are never read before the next one replaces them (health and why derive from them). The snapshot's context is
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
    get health() {
      return healthOf(cheap.state, describe());
    },
    get why() {
      return whyOf(cheap.state, describe());
    },
    state: cheap.state,
    value: cheap.value,
    activeStates: cheap.activeStates,
    status: cheap.status,
    transitions: cheap.transitions,
  };
}
