// Pure planners behind the coordinator's actions: given its context and an input, what to remember,
// which children to spawn, and which events to send. The machine's actions only execute the plan.
import type { ResourceStatus } from '../../src/core/types.js';
import type { ReplicaReport } from '../replica.js';
import type { EdgeReport } from '../edge.js';
import type { ResourceEvent } from './resource.js';
import { resourceKey, sameStatus, statusFingerprint } from './status.js';
import { changedRuns } from '../../src/core/changed-range.js';
import { dataplaneHealth, type DataplaneHealth, type ReplicaState } from './dataplane.js';
import { keyedGet, keyedWith } from './keyed.js';
import type { CoordinatorContext, ReplicaEndpoint, ResourceMachineName, SyncResult } from './coordinator-types.js';

export interface Send {
  to: string;
  event: { type: string; [k: string]: unknown };
  /** To a resource actor: queued behind earlier resource sends and handed out in chunks (see coordinator). */
  toResource?: true;
}
export type Spawn =
  | { src: ResourceMachineName | 'edge'; id: string; key: string }
  | { src: 'replica'; id: string; key: string; ready: boolean };
export interface Plan {
  context: Partial<CoordinatorContext>;
  spawns: Spawn[];
  sends: Send[];
}

const MACHINE_OF_KIND: Record<ResourceStatus['kind'], ResourceMachineName> = {
  GatewayClass: 'gatewayClass',
  Gateway: 'gateway',
  // A ListenerSet is programmed as its Gateway is: once the config carrying its listeners is acknowledged.
  ListenerSet: 'gateway',
  HTTPRoute: 'route',
  GRPCRoute: 'route',
  BackendTLSPolicy: 'policy',
};

const NOTHING: Plan = { context: {}, spawns: [], sends: [] };
const leads = (ctx: CoordinatorContext) => ctx.leadership === 'leader';

/** Hands one sync's result out: a verdict to every resource actor (spawning new ones, retiring vanished
 * ones); while leading, config to replicas (only on a new version) and ingress/DNS to the edge (only
 * when changed). */
export function planSync(ctx: CoordinatorContext, result: SyncResult): Plan {
  const { desired } = result;
  const sends: Send[] = [];
  const changed = desired.proxyConfig.version !== ctx.config?.version;
  const generation = changed ? ctx.generation + 1 : ctx.generation;
  const pushed = changed && leads(ctx) && Object.keys(ctx.replicas).length > 0;
  if (changed) {
    for (const r of Object.values(ctx.replicas))
      sends.push({ to: r.childId, event: { type: 'config.desired', config: desired.proxyConfig, generation } });
  }
  const edgeDesired = { ingress: desired.ingress, dns: desired.dns, generation };
  const edge = ctx.hasEdge && leads(ctx) ? planEdgeHandOut(ctx, edgeDesired) : NOTHING;
  sends.push(...edge.sends);

  const handed = handOutVerdicts(ctx, desired.statuses, generation);
  const context: Partial<CoordinatorContext> = {
    ...edge.context,
    ...handed.context,
    config: desired.proxyConfig,
    generation,
    edgeDesired,
    statuses: desired.statuses,
    syncs: ctx.syncs + 1,
    lastSync: { durationMs: result.durationMs, changes: ctx.changesInSync, pushed, reason: ctx.syncReason },
    lastSyncError: undefined,
  };
  return { context, spawns: handed.spawns, sends: [...sends, ...handed.sends] };
}

/**
 * A verdict to each resource actor whose status changed, spawning new ones and retiring vanished ones. Only
 * the runs of the list that changed since the last sync are visited (changed-range.ts; the whole list when
 * too much changed; a route added changes its status and its Gateway's, far apart): every other status is
 * the very object the last sync handed out or found the same as its actor's verdict (the translator hands an
 * unchanged resource the same object), so it has nothing to hand out. In the runs, the old statuses are what
 * their actors hold; a key only in the new runs is a new actor, one only in the old runs is retired. The
 * resource record is copied only when one comes or goes.
 */
function handOutVerdicts(ctx: CoordinatorContext, statuses: readonly ResourceStatus[], generation: number): Plan {
  const before = ctx.statuses ?? [];
  const runs = changedRuns(before, statuses) ?? [
    { beforeStart: 0, beforeEnd: before.length, nowStart: 0, nowEnd: statuses.length },
  ];
  const held = new Map(runs.flatMap((r) => before.slice(r.beforeStart, r.beforeEnd)).map((s) => [resourceKey(s), s]));
  const fresh = runs.flatMap((r) => statuses.slice(r.nowStart, r.nowEnd));
  const freshKeys = new Set(fresh.map(resourceKey));
  const gone = [...held.keys()].filter((key) => !freshKeys.has(key));
  const added: Array<[string, string]> = [];
  const awaitingHealth = { ...ctx.awaitingHealth };
  const spawns: Spawn[] = [];
  const sends: Send[] = [];
  let incarnations = ctx.incarnations;
  for (const status of fresh) {
    const key = resourceKey(status);
    // A key has an actor exactly when the last sync listed it: a key in these runs that is not in the old
    // runs was not in the old list at all (outside the runs the lists hold the same objects, keys are unique).
    let id = keyedGet(ctx.resources, key);
    if (!id) {
      id = `${key}#${++incarnations}`;
      spawns.push({ src: MACHINE_OF_KIND[status.kind], id, key });
      added.push([key, id]);
    } else if (sameStatus(status, held.get(key))) continue;
    awaitingHealth[id] = generation;
    sends.push({ to: id, event: { type: 'verdict', status, generation } satisfies ResourceEvent, toResource: true });
  }
  for (const key of gone) {
    const id = keyedGet(ctx.resources, key)!;
    sends.push({ to: id, event: { type: 'resource.deleted' } satisfies ResourceEvent, toResource: true });
    delete awaitingHealth[id];
  }
  // Only the buckets holding the keys that came or went are copied (keyed.ts).
  const resources = keyedWith(ctx.resources, added, gone);
  return { context: { resources, awaitingHealth, incarnations }, spawns, sends };
}

/**
 * Every resource actor, in the order the last sync listed them (the order verdicts are handed out in, so the
 * actors that heard theirs first hear the health first): the record itself has no order (keyed.ts).
 */
function actorsInVerdictOrder(ctx: CoordinatorContext): string[] {
  return (ctx.statuses ?? []).flatMap((s) => keyedGet(ctx.resources, resourceKey(s)) ?? []);
}

type EdgeDesired = NonNullable<CoordinatorContext['edgeDesired']>;

/**
 * The edge gets a document only when it differs from the last one it was handed (`ctx`'s; none for an edge
 * actor just started).
 */
function planEdgeHandOut(ctx: CoordinatorContext | undefined, desired: EdgeDesired): Pick<Plan, 'context' | 'sends'> {
  // The translator hands an unchanged document out as the same objects (src/translate/edge.ts): what was
  // last handed out or found the same as it, without fingerprinting thousands of rules again.
  const handed = ctx?.edgeFingerprint;
  if (handed !== undefined && ctx!.edgeDesired?.ingress === desired.ingress && ctx!.edgeDesired.dns === desired.dns)
    return NOTHING;
  const fingerprint = statusFingerprint({ i: desired.ingress, d: desired.dns });
  if (fingerprint === handed) return NOTHING;
  return {
    context: { edgeFingerprint: fingerprint, edgeGeneration: desired.generation, edgeHealth: { state: 'pending' } },
    sends: [{ to: 'edge', event: { type: 'edge.desired', ...desired } }],
  };
}

/** Spawns a replica actor per endpoint, handing it the current config. */
function spawnReplicas(ctx: CoordinatorContext, endpoints: ReplicaEndpoint[]): Pick<Plan, 'context' | 'spawns'> {
  let incarnations = ctx.incarnations;
  const spawns: Spawn[] = [];
  const replicas: Record<string, ReplicaState> = { ...ctx.replicas };
  for (const { id, ready } of endpoints) {
    const childId = `replica/${id}#${++incarnations}`;
    spawns.push({ src: 'replica', id: childId, key: id, ready });
    replicas[id] = { childId, ready };
  }
  return { context: { replicas, incarnations }, spawns };
}

/**
 * Gaining leadership: start delivering — a replica actor per known endpoint, the edge with the latest
 * document. Losing it: stop at once (replica actors retire, the edge actor is stopped by the machine).
 */
export function planLeadership(ctx: CoordinatorContext, leader: boolean): Plan {
  if (!leader) {
    const sends = Object.values(ctx.replicas).map((r) => ({ to: r.childId, event: { type: 'replica.removed' } }));
    return {
      context: {
        leadership: 'follower',
        // Whatever the actors were told is not news the next leader term can build on: it tells all again.
        health: undefined,
        replicas: {},
        edgeFingerprint: undefined,
        edgeHealth: ctx.hasEdge ? { state: 'pending' } : { state: 'none' },
      },
      spawns: [],
      sends,
    };
  }
  if (leads(ctx)) return NOTHING;
  const replicas = spawnReplicas({ ...ctx, replicas: {} }, ctx.endpoints);
  const plan: Plan = { context: { ...replicas.context, leadership: 'leader' }, spawns: replicas.spawns, sends: [] };
  if (!ctx.hasEdge) return plan;
  plan.spawns.push({ src: 'edge', id: 'edge', key: 'edge' });
  const edge = ctx.edgeDesired ? planEdgeHandOut(undefined, ctx.edgeDesired) : NOTHING;
  return { context: { ...plan.context, ...edge.context }, spawns: plan.spawns, sends: edge.sends };
}

/** Remembers the endpoints; while leading, spawns actors for new ones (handing them the current config),
 * retires gone ones and forwards readiness changes. */
export function planReplicaSet(ctx: CoordinatorContext, endpoints: ReplicaEndpoint[]): Plan {
  if (!leads(ctx)) return { context: { endpoints }, spawns: [], sends: [] };
  const sends: Send[] = [];
  const replicas: Record<string, ReplicaState> = {};
  const fresh = endpoints.filter((e) => !ctx.replicas[e.id]);
  for (const { id, ready } of endpoints) {
    const known = ctx.replicas[id];
    if (!known) continue;
    if (known.ready !== ready) sends.push({ to: known.childId, event: { type: 'replica.ready', ready } });
    replicas[id] = { ...known, ready, failing: ready ? known.failing : undefined };
  }
  for (const [id, known] of Object.entries(ctx.replicas)) {
    if (!endpoints.some((e) => e.id === id)) sends.push({ to: known.childId, event: { type: 'replica.removed' } });
  }
  const spawned = spawnReplicas({ ...ctx, replicas }, fresh);
  return { context: { ...spawned.context, endpoints }, spawns: spawned.spawns, sends };
}

export function recordReplica(ctx: CoordinatorContext, report: ReplicaReport): Partial<CoordinatorContext> {
  const known = ctx.replicas[report.id];
  if (!known) return {};
  const next: ReplicaState =
    report.type === 'replica.inSync'
      ? { ...known, ackedVersion: report.version, failing: undefined }
      : { ...known, failing: report.error };
  return { replicas: { ...ctx.replicas, [report.id]: next } };
}

export function recordEdge(ctx: CoordinatorContext, report: EdgeReport): Partial<CoordinatorContext> {
  if (report.type === 'edge.failing') return { edgeHealth: { state: 'failing', error: report.error } };
  // A confirmation of an older desired state does not cover the one handed out since; its conflicts are
  // still the edge's latest word on which hostnames are taken.
  const edgeConflicts = report.conflicts;
  return report.generation >= ctx.edgeGeneration ? { edgeHealth: { state: 'ok' }, edgeConflicts } : { edgeConflicts };
}

/** Tells every resource actor the data plane's health when it changed (never "pending": that is the default). */
export function planHealth(ctx: CoordinatorContext): Plan {
  // A follower delivers nothing, so it cannot know: it says nothing (and writes no status anyway).
  if (!leads(ctx)) return NOTHING;
  const health = dataplaneHealth(ctx.replicas, ctx.edgeHealth, ctx.config?.version, ctx.generation);
  if (health.type === 'pending') return NOTHING;
  const event: ResourceEvent =
    health.type === 'live'
      ? { type: 'dataplane.live', generation: health.generation }
      : { type: 'dataplane.degraded', reason: health.reason };
  // A new kind of health (live ↔ degraded, another reason) is news to every actor. The same kind again
  // (live at a newer generation) only to those handed a verdict since: the others already heard one that
  // covers what they wait for.
  const news = ctx.health?.type !== health.type || (health.type === 'degraded' && !sameHealth(health, ctx.health));
  const to = news ? actorsInVerdictOrder(ctx) : Object.keys(ctx.awaitingHealth);
  const sends = to.map((id): Send => ({ to: id, event, toResource: true }));
  // Every actor handed a verdict has heard this health after it: the next verdict starts a new wait (a live
  // health always carries the newest generation, so it covers every verdict handed out).
  return { context: { health, awaitingHealth: {} }, spawns: [], sends };
}

const sameHealth = (a: DataplaneHealth, b: DataplaneHealth | undefined) =>
  statusFingerprint(a) === statusFingerprint(b);

export type { DataplaneHealth };
