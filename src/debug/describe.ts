// Per machine: what of an actor's context is worth showing (key context, conditions). Pure.
import type { Condition, ResourceStatus } from '../core/types.js';
import type { ResourceContext } from '../../machines/shared/resource.js';
import type { ReplicaContext } from '../../machines/replica.js';
import type { EdgeContext } from '../../machines/edge.js';
import type { StatusWriterContext } from '../../machines/status-writer.js';
import { writtenStatuses } from '../../machines/shared/written-log.js';
import { resourceKey } from '../../machines/shared/status.js';
import type { LeaderContext } from '../../machines/leader.js';
import type { CoordinatorContext } from '../../machines/shared/coordinator-types.js';

export interface ActorCondition {
  type: string;
  status: string;
  reason: string;
  message?: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
  /** "" for the object itself, "listener <name>", or "parent <namespace>/<name>[/<section>]". */
  scope?: string;
}

export interface ActorDescription {
  kind: string;
  name: string;
  context: Record<string, unknown>;
  conditions: ActorCondition[];
}

const RESOURCE_MACHINES = new Set(['gatewayClass', 'gateway', 'route', 'policy']);

function parentScope(p: Record<string, unknown>): string {
  const ref = (p.parentRef ?? {}) as Record<string, unknown>;
  return `parent ${[ref.namespace, ref.name, ref.sectionName].filter((x) => x !== undefined).join('/')}`;
}

/** Flattens a status's conditions (object, listeners, route parents) with where each one applies. */
export function flattenConditions(status: ResourceStatus | undefined): ActorCondition[] {
  if (!status) return [];
  const s = status.status as {
    conditions?: Condition[];
    listeners?: Array<{ name: string; conditions?: Condition[] }>;
    parents?: Array<Record<string, unknown>>;
  };
  const out: ActorCondition[] = (s.conditions ?? []).map((c) => ({ ...c, scope: '' }));
  for (const l of s.listeners ?? [])
    out.push(...(l.conditions ?? []).map((c) => ({ ...c, scope: `listener ${l.name}` })));
  for (const p of s.parents ?? [])
    out.push(...((p.conditions as Condition[] | undefined) ?? []).map((c) => ({ ...c, scope: parentScope(p) })));
  return out;
}

function describeResource(c: ResourceContext): ActorDescription {
  const [kind = 'Unknown', ...rest] = c.key.split('/');
  const name = rest.filter(Boolean).join('/');
  return {
    kind,
    name,
    context: {
      key: c.key,
      specGeneration: c.specGeneration,
      requiredGeneration: c.requiredGeneration,
      degradedReason: c.degradedReason || undefined,
    },
    conditions: flattenConditions(c.published),
  };
}

function describeCoordinator(c: CoordinatorContext): Record<string, unknown> {
  return {
    leadership: c.leadership,
    endpoints: c.endpoints,
    generation: c.generation,
    configVersion: c.config?.version,
    syncs: c.syncs,
    pendingChanges: c.changes,
    lastSync: c.lastSync,
    lastSyncError: c.lastSyncError,
    health: c.health,
    edge: c.edgeHealth,
    replicas: c.replicas,
    resources: c.resources.size,
    handOutQueued: c.outbox.length,
  };
}

export function describeActor(machineId: string, actorId: string, context: unknown): ActorDescription {
  if (RESOURCE_MACHINES.has(machineId)) return describeResource(context as ResourceContext);
  const base = { kind: machineId, name: actorId, conditions: [] };
  switch (machineId) {
    case 'coordinator':
      return { ...base, context: describeCoordinator(context as CoordinatorContext) };
    case 'replica': {
      const c = context as ReplicaContext;
      return {
        ...base,
        name: c.id,
        context: {
          id: c.id,
          ready: c.ready,
          desiredVersion: c.desired?.config.version,
          desiredGeneration: c.desired?.generation,
          acked: c.acked,
          conflict: c.conflict,
          attempt: c.attempt,
          lastError: c.lastError,
          pushes: c.pushes,
        },
      };
    }
    case 'edge': {
      const c = context as EdgeContext;
      return {
        ...base,
        context: {
          desiredGeneration: c.desired?.generation,
          confirmedGeneration: c.confirmed?.generation,
          hostnames: c.desired?.ingress.ingress.filter((r) => r.hostname).length,
          attempt: c.attempt,
          lastError: c.lastError,
          retryAfterMs: c.retryAfterMs,
          reconciles: c.reconciles,
        },
      };
    }
    case 'statusWriter': {
      const c = context as StatusWriterContext;
      return {
        ...base,
        context: {
          pending: writtenStatuses(c.queue).length,
          inflight: c.inflight.length,
          objects: new Set(
            [...writtenStatuses(c.queue), ...writtenStatuses(c.written)]
              .map(([key]) => key)
              .concat(c.inflight.map(resourceKey)),
          ).size,
          writes: c.writes,
          attempt: c.attempt,
          lastError: c.lastError,
        },
      };
    }
    case 'leader':
      return { ...base, context: { terms: (context as LeaderContext).terms } };
    default:
      return { ...base, context: {} };
  }
}
