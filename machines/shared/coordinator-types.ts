// Types of the coordinator machine, kept apart so the pure planners (coordinator-plan.ts) can use them.
import { fromCallback, type AnyActorRef } from 'xstate';
import type { DesiredState, ResourceStatus } from '../../src/core/types.js';
import type { HostnameConflict } from '../../src/core/ports.js';
import type { ProxyConfigInput } from '../../proxy/config/schema.js';
import type { ReplicaReport } from '../replica.js';
import type { EdgeDesired, EdgeReport } from '../edge.js';
import type { LeaderReport } from '../leader.js';
import type { DataplaneHealth, EdgeHealth, ReplicaState } from './dataplane.js';
import type { Keyed } from './keyed.js';

export interface CoordinatorInput {
  hasEdge: boolean;
  /** First config generation minus one; the runtime passes a time-based base so a restarted controller
   * never sends a generation older than what replicas already run (they answer 409 to those). */
  generationBase?: number;
}

/** What one sync of the injected `sync` actor sends back: the translator's whole result plus its cost. */
export interface SyncResult {
  desired: DesiredState;
  durationMs: number;
}

export interface SyncStats {
  durationMs: number;
  changes: number;
  pushed: boolean;
  reason: SyncReason;
}

export type SyncReason = 'initial' | 'change' | 'coalesced';

/** A proxy endpoint the runtime knows of, ready or not. */
export interface ReplicaEndpoint {
  id: string;
  ready: boolean;
}

export type ResourceMachineName = 'gatewayClass' | 'gateway' | 'route' | 'policy';

export interface CoordinatorContext {
  statusWriter: AnyActorRef;
  hasEdge: boolean;
  /** Bumped whenever the proxy config version changes. */
  generation: number;
  config?: ProxyConfigInput;
  /** Only the leader delivers (replica and edge actors exist only while it leads); followers keep
   * translating so they can take over at once. Mirrors the leader actor's reports. */
  leadership: 'follower' | 'leader';
  /** Every known proxy endpoint, delivered to or not. */
  endpoints: ReplicaEndpoint[];
  /** The latest ingress + DNS (handed to the edge when it changes and when leadership is gained). */
  edgeDesired?: EdgeDesired;
  /** Fingerprint and generation of the ingress + DNS last handed to the edge. */
  edgeFingerprint?: string;
  edgeGeneration: number;
  /** Resource key ("Kind/ns/name") → id of its actor. */
  resources: Keyed<string>;
  /**
   * The last sync's statuses: for each resource, the verdict its actor holds or one equal to it (an equal one
   * is not handed out again). The next sync compares slot by slot.
   */
  statuses?: readonly ResourceStatus[];
  /**
   * Resource actor id → config generation of the verdict it was handed since the health that covers it:
   * the actors an unchanged health must still reach (the rest already heard it).
   */
  awaitingHealth: Record<string, number>;
  /** Endpoint id → what the coordinator knows about that replica. */
  replicas: Record<string, ReplicaState>;
  /** Counter that keeps child ids unique when an object or endpoint comes back. */
  incarnations: number;
  edgeHealth: EdgeHealth;
  /** Hostnames the edge last reported it could not publish. */
  edgeConflicts: HostnameConflict[];
  /** Route key → fingerprint of the conflicts that route actor was last told ("" = none). */
  routeConflicts: Record<string, string>;
  /** Last health told to resource actors (so unchanged health is not re-sent between syncs). */
  health?: DataplaneHealth;
  /** Changes seen since the current/next sync started. */
  changes: number;
  changesInSync: number;
  syncs: number;
  syncReason: SyncReason;
  lastSync?: SyncStats;
  lastSyncError?: string;
  /**
   * Resource actors to start and events for resource actors, not handed out yet, oldest first (see the
   * coordinator's handOut).
   */
  outbox: OutboxEntry[];
}

export type OutboxEntry =
  { to: string; event: { type: string; [k: string]: unknown } } | { start: { src: string; id: string; key: string } };

export type CoordinatorEvent =
  | { type: 'source.synced' }
  | { type: 'source.changed' }
  | { type: 'replicas.set'; endpoints: ReplicaEndpoint[] }
  | ReplicaReport
  | EdgeReport
  | LeaderReport
  // The sync child's answer to a `sync.run`.
  | { type: 'sync.done'; output: SyncResult }
  | { type: 'sync.failed'; error: unknown }
  // Hands out the next chunk of the outbox (raised by the coordinator itself).
  | { type: 'handOut.next' }
  // A spawned resource or replica actor reached its final state (deleted object, removed endpoint).
  | { type: `xstate.done.actor.${string}`; actorId: string; output?: unknown };

/** What the coordinator asks its sync child: translate the current snapshot (one at a time). */
export type SyncRequest = { type: 'sync.run' };

/**
 * The coordinator's sync child, built from the sync itself (`run`, injected by the runtime). It lives as long
 * as the coordinator: an actor invoked per sync was added to and removed from the coordinator's children,
 * and xstate copies that map (one entry per resource actor, thousands) on each, ~3.7 ms a change at 5,000
 * routes. The coordinator sends `sync.run` only when it enters `syncing` and leaves it only on the answer,
 * so runs never overlap. Stopping the coordinator aborts a run in progress (`signal`); an answer that comes
 * after the stop is dropped by xstate.
 */
export function syncWorker(run: (signal: AbortSignal) => Promise<SyncResult>) {
  return fromCallback<SyncRequest>(({ sendBack, receive }) => {
    const stopped = new AbortController();
    receive(() => {
      new Promise<SyncResult>((resolve) => resolve(run(stopped.signal))).then(
        (output) => sendBack({ type: 'sync.done', output }),
        (error: unknown) => sendBack({ type: 'sync.failed', error }),
      );
    });
    return () => stopped.abort();
  });
}

export const syncNotProvided = syncWorker(async () => {
  throw new Error('sync not provided');
});
