// StatusSink over the Kubernetes API: merge patch on the /status subresource, only when something changed,
// never for a generation older than the object's (a newer sync is on its way), and with the read
// resourceVersion as a precondition. Route status is a mutation of our parents[] entries only (a
// BackendTLSPolicy's: of our ancestors[] entries): re-read, replace the entries whose controllerName is ours,
// keep every other controller's, patch; 409 → again.
import type { StatusSink } from '../core/ports.js';
import type { ResourceStatus } from '../core/types.js';
import { silentLogger, type Logger } from '../log.js';
import { KubeRest, MERGE_PATCH, isConflict, isNotFound } from './rest.js';
import { objectPath } from './resources.js';
import { EventRecorder, conditionsOf } from './events.js';
import type { K8sObject } from '../core/types.js';

const GROUP = 'gateway.networking.k8s.io';
const PLURALS: Record<ResourceStatus['kind'], string> = {
  GatewayClass: 'gatewayclasses',
  Gateway: 'gateways',
  ListenerSet: 'listenersets',
  HTTPRoute: 'httproutes',
  GRPCRoute: 'grpcroutes',
  BackendTLSPolicy: 'backendtlspolicies',
};

export class NotLeaderError extends Error {
  constructor() {
    super('this process does not hold the lease: status not written');
    this.name = 'NotLeaderError';
  }
}

export interface KubernetesStatusSinkOptions {
  rest: KubeRest;
  controllerName: string;
  events?: EventRecorder;
  logger?: Logger;
  /** Checked right before every write: false while this process does not (safely) hold the lease. */
  canWrite?: () => boolean;
  /** Conflicts retried within one write before giving up (the statusWriter then backs off). */
  maxConflictRetries?: number;
}

export interface StatusSinkStats {
  patches: number;
  skippedUnchanged: number;
  skippedStale: number;
  conflicts: number;
}

export class KubernetesStatusSink implements StatusSink {
  readonly stats: StatusSinkStats = { patches: 0, skippedUnchanged: 0, skippedStale: 0, conflicts: 0 };
  private readonly log: Logger;

  constructor(private readonly o: KubernetesStatusSinkOptions) {
    this.log = o.logger ?? silentLogger;
  }

  async write(desired: ResourceStatus, signal?: AbortSignal): Promise<void> {
    const path = objectPath(
      { group: GROUP, version: 'v1', plural: PLURALS[desired.kind], namespaced: desired.kind !== 'GatewayClass' },
      desired.namespace,
      desired.name,
    );
    for (let attempt = 0; ; attempt++) {
      try {
        await this.writeOnce(path, desired, signal);
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= (this.o.maxConflictRetries ?? 5)) throw err;
        this.stats.conflicts++;
        this.log.debug({ kind: desired.kind, name: desired.name, attempt }, 'status conflict; re-reading');
      }
    }
  }

  private async writeOnce(path: string, desired: ResourceStatus, signal?: AbortSignal): Promise<void> {
    let current: K8sObject;
    try {
      current = await this.o.rest.get(path, signal);
    } catch (err) {
      if (isNotFound(err)) return; // deleted meanwhile: nothing to report on
      throw err;
    }
    const next = this.merge(desired, current.status);
    if (observedGeneration(desired, this.o.controllerName) < (current.metadata.generation ?? 0)) {
      this.stats.skippedStale++;
      return;
    }
    // Subset, not equality: the API server adds defaults (parentRef group/kind) to what we wrote.
    if (isSubset(next, current.status ?? {})) {
      this.stats.skippedUnchanged++;
      return;
    }
    if (this.o.canWrite && !this.o.canWrite()) throw new NotLeaderError();
    await this.o.rest.patch(
      `${path}/status`,
      { metadata: { resourceVersion: current.metadata.resourceVersion }, status: next },
      MERGE_PATCH,
      signal,
    );
    this.stats.patches++;
    await this.o.events?.transitions(
      {
        apiVersion: `${GROUP}/v1`,
        kind: desired.kind,
        name: desired.name,
        namespace: desired.namespace || undefined,
        uid: current.metadata.uid,
      },
      conditionsOf(current.status, this.o.controllerName),
      conditionsOf(next, this.o.controllerName),
    );
  }

  /** For routes (policies): our parents (ancestors) from `desired`, everyone else's from what the server has now. */
  private merge(desired: ResourceStatus, currentStatus: Record<string, unknown> | undefined): Record<string, unknown> {
    const field = entriesField(desired.kind);
    if (field === undefined) return withDroppedFields(desired, currentStatus);
    const ours = this.o.controllerName;
    const mine = entriesOf(desired.status, field).filter((p) => p.controllerName === ours);
    const others = entriesOf(currentStatus, field).filter((p) => p.controllerName !== ours);
    return { ...desired.status, [field]: [...mine, ...others] };
  }
}

/** Optional fields we write on objects we own alone: a merge patch keeps what it does not name, so one we no
 * longer write is sent as null (removed) while the server still has it. */
const DROPPABLE: Partial<Record<ResourceStatus['kind'], string[]>> = { Gateway: ['attachedListenerSets'] };

function withDroppedFields(desired: ResourceStatus, current: Record<string, unknown> | undefined) {
  const dropped = (DROPPABLE[desired.kind] ?? []).filter((k) => !(k in desired.status) && current?.[k] !== undefined);
  return dropped.length ? { ...desired.status, ...Object.fromEntries(dropped.map((k) => [k, null])) } : desired.status;
}

/** The status list shared between controllers, keyed by controllerName: routes' parents, policies' ancestors. */
function entriesField(kind: ResourceStatus['kind']): 'parents' | 'ancestors' | undefined {
  if (kind === 'HTTPRoute' || kind === 'GRPCRoute') return 'parents';
  return kind === 'BackendTLSPolicy' ? 'ancestors' : undefined;
}

function entriesOf(status: Record<string, unknown> | undefined, field: string): { controllerName?: string }[] {
  const list = status?.[field];
  return Array.isArray(list) ? (list as { controllerName?: string }[]) : [];
}

/** The newest generation our conditions speak for (Infinity when they carry none: nothing to compare). */
function observedGeneration(desired: ResourceStatus, controllerName: string): number {
  const gens = conditionsOf(desired.status, controllerName)
    .map((c) => c.observedGeneration)
    .filter((g): g is number => typeof g === 'number');
  return gens.length ? Math.max(...gens) : Infinity;
}

/** Whether every field of `want` is present in `have` with the same value (arrays: same length, element-wise). */
export function isSubset(want: unknown, have: unknown): boolean {
  if (Array.isArray(want)) {
    return Array.isArray(have) && want.length === have.length && want.every((w, i) => isSubset(w, have[i]));
  }
  if (want && typeof want === 'object') {
    if (!have || typeof have !== 'object' || Array.isArray(have)) return false;
    return Object.entries(want).every(([k, v]) => v === undefined || isSubset(v, (have as Record<string, unknown>)[k]));
  }
  return want === have;
}
