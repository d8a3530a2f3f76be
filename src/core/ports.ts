// Ports: the interfaces the actor system and runtime use to reach the outside world. Adapters implement
// them (files, Kubernetes, Cloudflare, HTTP to proxy replicas); tests implement them with doubles.
import type { DesiredState, K8sObject, Snapshot, IngressDocument, DnsRecord, ResourceStatus } from './types.js';
import type { ProxyConfigInput } from '../../proxy/config/schema.js';

/** A change to one object; `object` is the full new object (for delete, the last known one). */
export interface ResourceEvent {
  type: 'upsert' | 'delete';
  kind: string;
  object: K8sObject;
}

/** Where resources come from (folder of manifests, Kubernetes informers). */
export interface SnapshotSource {
  /** Calls onEvent for every change; onSynced once the initial list of every kind is complete. */
  start(handlers: { onEvent(e: ResourceEvent): void; onSynced(): void; onError(err: Error): void }): Promise<void>;
  stop(): Promise<void>;
  /** The current full view (the translator always works on a whole snapshot). */
  snapshot(): Snapshot;
}

/** Delivers a config to one proxy replica. */
export interface ReplicaClient {
  /**
   * PUT /config; resolves with the version the replica acknowledged. Rejects with GenerationConflict
   * (machines/replica.ts) when the replica runs a newer generation; `resync` then makes it take ours.
   */
  push(
    config: ProxyConfigInput & { generation: number },
    signal?: AbortSignal,
    options?: PushOptions,
  ): Promise<{ version: string; generation: number }>;
  /** GET /config: what the replica runs now (detects restarts). */
  current(signal?: AbortSignal): Promise<{ version: string; generation: number } | null>;
}

export interface PushOptions {
  /** The control plane renumbers: the replica takes this generation even if it runs a newer one. */
  resync?: boolean;
}

export interface ReplicaEndpoint {
  /** Stable id, e.g. pod name or "local". */
  id: string;
  /**
   * The replica takes config pushes. Not the pod's Ready condition: a proxy pod turns Ready only after its
   * first config, so in a cluster this means "not terminating" (src/kubernetes/replicas.ts).
   */
  ready: boolean;
  client: ReplicaClient;
}

/**
 * Outcome of one edge reconcile: errors carry a retry hint (Cloudflare's Retry-After). Conflicts (a hostname
 * held by a record or rule we do not own) are not errors: everything else was applied and retrying cannot help.
 */
export type EdgeResult =
  | { ok: true; writes: number; conflicts?: string[]; hostnameConflicts?: HostnameConflict[] }
  | { ok: false; error: string; retryAfterMs?: number; conflicts?: string[] };

/** A desired hostname the edge could not publish: held by a DNS record or ingress rule we do not own, or in no zone. */
export interface HostnameConflict {
  hostname: string;
  reason: 'HostnameTaken' | 'ZoneNotFound';
  /** What holds it, for people: "has A record(s) not managed by this controller; left untouched". */
  message: string;
}

/** The Cloudflare side: tunnel ingress document + DNS records. */
export interface EdgeAdapter {
  reconcile(desired: { ingress: IngressDocument; dns: DnsRecord[] }, signal?: AbortSignal): Promise<EdgeResult>;
  /** How often to reconcile again while in sync (repairs drift); the control plane's timing may override it. */
  resyncIntervalMs?: number;
}

/** Writes status; in standalone it logs (and keeps the latest for /debug), in a cluster it patches /status. */
export interface StatusSink {
  write(status: ResourceStatus, signal?: AbortSignal): Promise<void>;
}

/**
 * What the control plane runs on every sync: the whole snapshot to a desired state, either at once or as
 * steps (translateSteps) it runs in slices, letting its event loop serve between them.
 */
export type Translator = (snapshot: Snapshot) => DesiredState | Iterator<void, DesiredState, undefined>;
