// The actor system, assembled: the coordinator machine (which spawns resource, replica, edge, statusWriter
// and leader actors) provided with the side effects of this process — the source, the translator, the
// status sink, the replica clients, the edge adapter, the lease. `standalone` and `controller` both run this.
import { createActor, type AnyActorRef, type Snapshot as XSnapshot } from 'xstate';
import { coordinatorMachine } from '../../machines/coordinator.js';
import { replicaMachine } from '../../machines/replica.js';
import { edgeBackoffDelay, edgeMachine } from '../../machines/edge.js';
import { statusWriterMachine } from '../../machines/status-writer.js';
import { leaderMachine } from '../../machines/leader.js';
import { backoffDelay } from '../../machines/shared/backoff.js';
import type { CoordinatorContext, SyncStats } from '../../machines/shared/coordinator-types.js';
import { keyedValues } from '../../machines/shared/keyed.js';
import type { EdgeAdapter, ReplicaEndpoint, SnapshotSource, StatusSink, Translator } from '../core/ports.js';
import { silentLogger, type Logger } from '../log.js';
import { createActorTracker, type ActorInfo } from '../debug/actors.js';
import { syncActor } from './actors/sync.js';
import { replicaActors } from './actors/replica.js';
import { edgeActors } from './actors/edge.js';
import { statusActors } from './actors/status.js';
import { ALWAYS_LEADER, leaseActors, leaseDelays, type LeaseActions } from './actors/lease.js';
import { isSystemIdle } from './idle.js';
import { createControlPlaneMetrics, instrumentedPorts } from './metrics.js';
import type { Registry } from 'prom-client';

export type { ActorInfo, LeaseActions };

export interface ControlPlaneTiming {
  /** Quiet window after a sync in which changes coalesce (default 50 ms). */
  holdoffMs?: number;
  /** Longest a coalesced change waits after the previous sync (default 1000 ms). */
  maxHoldoffMs?: number;
  /** Retry backoff for replica pushes, edge reconciles and status writes (defaults 200 ms … 30 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Cap of the replica push backoff (default: retryMaxMs if set, else 1 s): proxies are cheap to ask, and a
   * restarted one must get its config back within 2 s. */
  replicaRetryMaxMs?: number;
  /** How often an in-sync replica is asked what it runs, to catch restarts (default 1 s: a restarted proxy gets its config back within 2 s). */
  probeIntervalMs?: number;
  /** How often an in-sync edge reconciles again, repairing changes made by hand on Cloudflare
   * (default: the adapter's `resyncIntervalMs`, else 5 min). */
  edgeResyncMs?: number;
}

/** xstate's clock interface; pass a SimulatedClock in tests. `now()` (if present) also stamps debug times. */
export interface ControlPlaneClock {
  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown;
  clearTimeout(id: unknown): void;
  now?(): number;
}

export interface ControlPlaneOptions {
  source: SnapshotSource;
  /** translateSteps (run in slices) or any function to a DesiredState (tests' doubles). */
  translate: Translator;
  /**
   * When the control plane first rests after its first sync, rehearse the translator's per-change paths on
   * that snapshot (runtime/rehearsal.ts) so the first change is as fast as the next ones. Standalone and the
   * controller do; off by default.
   */
  rehearse?: boolean;
  statusSink: StatusSink;
  edge?: EdgeAdapter;
  logger?: Logger;
  timing?: ControlPlaneTiming;
  clock?: ControlPlaneClock;
  /** Lease for leader election; without one this process always leads. */
  lease?: LeaseActions;
  /** Jitter source for backoff, [0, 1) (default Math.random). */
  random?: () => number;
  /** Config generations start above this (default: now in ms, so a restarted controller never goes back). */
  generationBase?: number;
  /**
   * Called once if the actor system fails (a machine threw): it has stopped and delivers nothing more, so
   * the process should exit non-zero and let its supervisor (Kubernetes) restart it. Default: log only.
   */
  onFatal?: (err: Error) => void;
  /** Registry to record the control plane's metrics on (src/runtime/metrics.ts); none: not recorded. */
  metrics?: Registry;
}

export interface ControlPlane {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Spawns / stops replica actors as endpoints come and go; forwards readiness changes. */
  setReplicas(endpoints: ReplicaEndpoint[]): void;
  inspect(): ActorInfo[];
  onChange(listener: (info: ActorInfo) => void): () => void;
  /** Resolves when nothing is in flight: no sync pending, no push, no reconcile, no status write queued. */
  whenIdle(): Promise<void>;
  stats(): { syncs: number; lastSync?: SyncStats };
}

const DEFAULT_EDGE_RESYNC_MS = 5 * 60_000;

/**
 * The real clock, except that a 0 ms delay runs in the next check phase (setImmediate), right after I/O,
 * instead of a 1 ms timer: the coordinator's hand-out chunks then follow each other without idle time
 * while requests that arrived meanwhile are answered between them.
 */
const immediateClock: ControlPlaneClock = {
  setTimeout: (fn, ms) => (ms === 0 ? { immediate: setImmediate(fn) } : { timeout: setTimeout(fn, ms) }),
  clearTimeout: (id) => {
    const handle = id as { immediate?: NodeJS.Immediate; timeout?: NodeJS.Timeout };
    if (handle.immediate) clearImmediate(handle.immediate);
    else clearTimeout(handle.timeout);
  },
};

function backoffDelays(timing: ControlPlaneTiming, random: () => number, maxMs = timing.retryMaxMs ?? 30_000) {
  const t = { baseMs: timing.retryBaseMs ?? 200, maxMs };
  return (attempt: number) => backoffDelay(attempt, t, random());
}

export function createControlPlane(opts: ControlPlaneOptions): ControlPlane {
  const logger = opts.logger ?? silentLogger;
  const timing = opts.timing ?? {};
  const now = () => opts.clock?.now?.() ?? Date.now();
  const backoff = backoffDelays(timing, opts.random ?? Math.random);
  const replicaBackoff = backoffDelays(
    timing,
    opts.random ?? Math.random,
    timing.replicaRetryMaxMs ?? timing.retryMaxMs ?? 1_000,
  );
  const endpoints = new Map<string, ReplicaEndpoint>();
  const tracker = createActorTracker(now);
  const lease = opts.lease ?? ALWAYS_LEADER;
  const ports = instrumentedPorts(opts.metrics && createControlPlaneMetrics(opts.metrics, () => tracker.list()), opts);

  const machine = coordinatorMachine.provide({
    actors: {
      sync: syncActor(opts.source, ports.translate, {
        onSync: ports.onSync,
        rehearsal: opts.rehearse ? { translate: opts.translate, rests: () => whenIdle(), logger } : undefined,
      }),
      replica: replicaMachine.provide({
        actors: replicaActors(endpoints),
        delays: {
          retryBackoff: ({ context }) => replicaBackoff(context.attempt),
          probeInterval: timing.probeIntervalMs ?? 1_000,
        },
      }),
      edge: edgeMachine.provide({
        actors: ports.edge ? edgeActors(ports.edge) : {},
        delays: {
          edgeBackoff: edgeBackoffDelay(backoff),
          edgeResync: timing.edgeResyncMs ?? opts.edge?.resyncIntervalMs ?? DEFAULT_EDGE_RESYNC_MS,
        },
      }),
      statusWriter: statusWriterMachine.provide({
        actors: statusActors(ports.statusSink, now),
        delays: { retryBackoff: ({ context }) => backoff(context.attempt) },
      }),
      leader: leaderMachine.provide({ actors: leaseActors(lease), delays: leaseDelays(lease) }),
    },
    delays: {
      holdoff: timing.holdoffMs ?? 50,
      maxHoldoff: timing.maxHoldoffMs ?? 1_000,
      // Resource events in chunks, one per turn of the event loop: an embedded proxy answers requests in
      // between. (With an injected clock, as the machine's default: all at once.)
      ...(opts.clock ? {} : { handOut: 0 }),
    },
  });

  const idleWaiters = new Set<() => void>();
  function whenIdle(): Promise<void> {
    return new Promise<void>((resolve) => {
      idleWaiters.add(resolve);
      scheduleIdleCheck();
    });
  }
  const lastSnapshots = new WeakMap<object, unknown>();
  const actor = createActor(machine, {
    id: 'coordinator',
    input: { hasEdge: opts.edge !== undefined, generationBase: opts.generationBase ?? Date.now() },
    clock: (opts.clock ?? immediateClock) as never,
    inspect: (event) => {
      if (event.type === '@xstate.snapshot') {
        // An event the actor ignored leaves its snapshot object as it was (every resource actor gets each
        // health broadcast): nothing to record, nothing that could make the system idle.
        if (lastSnapshots.get(event.actorRef) === event.snapshot) return;
        lastSnapshots.set(event.actorRef, event.snapshot);
      }
      tracker.inspect(event);
      if (idleWaiters.size > 0 && event.type === '@xstate.snapshot') scheduleIdleCheck();
    },
  });
  let failed = false;
  actor.subscribe({
    error: (err) => {
      if (failed) return;
      failed = true;
      logger.error({ err }, 'actor system failed');
      // A dead coordinator must not leave a leader renewing the lease (blocking fail-over) or timers running.
      stopDescendants(actor);
      // Nothing will become idle any more: release the waiters.
      for (const resolve of idleWaiters) resolve();
      idleWaiters.clear();
      opts.onFatal?.(err instanceof Error ? err : new Error(String(err)));
    },
  });
  const logged = new WeakSet<object>();
  // Only transitions are logged: no need to hear every snapshot.
  tracker.onTransition((info) => logTransition(logger, info, logged));

  // One walk of the actor tree per microtask checkpoint, however many snapshots a hand-out produced.
  let idleCheckQueued = false;
  function scheduleIdleCheck(): void {
    if (idleCheckQueued) return;
    idleCheckQueued = true;
    queueMicrotask(() => {
      idleCheckQueued = false;
      checkIdle();
    });
  }

  function checkIdle(): void {
    if (!isSystemIdle(actor)) return;
    for (const resolve of idleWaiters) resolve();
    idleWaiters.clear();
  }

  return {
    async start() {
      actor.start();
      // Events that arrive together (a file's objects, applied as a whole) make one change for the
      // coordinator: it syncs once, on the complete state, instead of once now and once after the holdoff.
      let changePending = false;
      const sendChange = () => {
        changePending = false;
        actor.send({ type: 'source.changed' });
      };
      await opts.source.start({
        onEvent: () => {
          if (changePending) return;
          changePending = true;
          queueMicrotask(sendChange);
        },
        onSynced: () => actor.send({ type: 'source.synced' }),
        onError: (err) => logger.error({ err }, 'resource source failed'),
      });
    },
    async stop() {
      await opts.source.stop();
      await releaseLease(actor, logger);
      stopResourceActors(actor);
      actor.stop();
      for (const resolve of idleWaiters) resolve();
      idleWaiters.clear();
    },
    setReplicas(list) {
      endpoints.clear();
      for (const e of list) endpoints.set(e.id, ports.replica(e));
      actor.send({ type: 'replicas.set', endpoints: list.map(({ id, ready }) => ({ id, ready })) });
    },
    inspect: () => tracker.list(),
    onChange: (listener) => tracker.onChange(listener),
    whenIdle,
    stats() {
      const ctx = actor.getSnapshot().context as CoordinatorContext;
      return { syncs: ctx.syncs, lastSync: ctx.lastSync };
    },
  };
}

/**
 * Stops what is left of a failed system, deepest first. xstate stops the failed root but not its children,
 * and refuses `stop()` on a non-root actor; its internal `_stop` is what the parent's stopChild would call.
 */
function stopDescendants(root: AnyActorRef): void {
  const children = (root.getSnapshot() as { children?: Record<string, AnyActorRef | undefined> }).children ?? {};
  for (const child of Object.values(children)) {
    if (!child) continue;
    stopDescendants(child);
    (child as unknown as { _stop(): void })._stop();
  }
}

/**
 * Stops the resource actors before the coordinator. xstate stops a machine's children one at a time and
 * copies its map of children for each: with thousands of resource actors, shutting down took seconds of
 * CPU (quadratic). They have nothing to flush (the status writer stays until the coordinator stops), so
 * each is stopped directly (`_stop`, what xstate's own stopChild calls) and dropped from that map, which
 * nothing reads again.
 */
function stopResourceActors(root: AnyActorRef): void {
  const snapshot = root.getSnapshot() as {
    status: string;
    context: CoordinatorContext;
    children: Record<string, AnyActorRef | undefined>;
  };
  if (snapshot.status !== 'active') return;
  for (const id of keyedValues(snapshot.context.resources)) {
    const child = snapshot.children[id];
    if (!child) continue;
    (child as unknown as { _stop(): void })._stop();
    delete snapshot.children[id];
  }
}

/** Lets the leader actor give the lease up (bounded: a stuck API server must not block shutdown). */
async function releaseLease(actor: AnyActorRef, logger: Logger): Promise<void> {
  const leader = (actor.getSnapshot() as { children: Record<string, AnyActorRef | undefined> }).children.leader;
  if (!leader || actor.getSnapshot().status !== 'active') return;
  leader.send({ type: 'leader.stop' });
  const released = new Promise<void>((resolve) => {
    const check = (s: XSnapshot<unknown>) => s.status !== 'active' && resolve();
    check(leader.getSnapshot());
    leader.subscribe({ next: check, complete: () => resolve(), error: () => resolve() });
  });
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref());
  await Promise.race([released, timeout]);
  logger.debug('leadership released');
}

function logTransition(logger: Logger, info: ActorInfo, logged: WeakSet<object>): void {
  const last = info.transitions[info.transitions.length - 1];
  if (!last || logged.has(last)) return;
  logged.add(last);
  // Failures are worth a warning; every other transition is debug detail.
  if (last.to.endsWith('backoff')) {
    logger.warn(
      {
        actor: info.id,
        error: info.context.lastError,
        attempt: info.context.attempt,
        retryAfterMs: info.context.retryAfterMs,
      },
      `${info.machine} failing, backing off`,
    );
  } else if (info.machine === 'coordinator' && last.from.startsWith('syncing') && info.context.lastSyncError) {
    logger.error(
      { error: info.context.lastSyncError },
      'sync failed: the translator threw; the previous config stays in place',
    );
  } else if (logger.isLevelEnabled('debug')) {
    logger.debug({ actor: info.id, event: last.event, from: last.from, to: last.to }, 'actor transition');
  }
}
