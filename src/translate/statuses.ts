// Step 8: status objects. Conditions get observedGeneration and a lastTransitionTime that is kept from the
// existing status while the condition's status is unchanged. Route status keeps other controllers' entries.
import type { Condition, K8sObject, ResourceStatus } from '../core/types.js';
import type { ConditionSpec } from '../gatewayapi/conditions.js';
import { GATEWAY_GROUP } from '../gatewayapi/constants.js';
import { byString, record, records, str, timestamp } from '../gatewayapi/values.js';
import type { ClassResult } from './classes.js';
import { generationOf, type Context } from './context.js';
import type { GatewayIR } from './gateways.js';
import type { ListenerSetIR } from './listener-sets.js';
import type { ListenerIR } from './listeners.js';
import type { RouteIR } from './routes.js';
import { changedRange, positionBefore, type ChangedRange } from '../core/changed-range.js';
import { copyWith } from '../core/copy.js';
import { Recent } from '../core/recent.js';

export function stampConditions(
  specs: ConditionSpec[],
  generation: number,
  existing: unknown,
  now: string,
): Condition[] {
  const old = records(existing);
  return specs.map((s) => {
    const prev = old.find((o) => o.type === s.type);
    const since = prev && prev.status === s.status ? timestamp(prev.lastTransitionTime) : undefined;
    return copyWith(s, { observedGeneration: generation, lastTransitionTime: since ?? now });
  });
}

export function classStatus(ctx: Context, cls: ClassResult): ResourceStatus {
  const conditions = stampConditions(
    cls.conditions,
    generationOf(cls.obj),
    record(cls.obj.status).conditions,
    ctx.options.now,
  );
  return {
    kind: 'GatewayClass',
    namespace: '',
    name: cls.name,
    status: { conditions, supportedFeatures: cls.supportedFeatures },
  };
}

/** status.listeners of a Gateway or ListenerSet: one entry per listener it declares itself. */
function listenerStatuses(
  ctx: Context,
  listeners: ListenerIR[],
  gen: number,
  existing: unknown,
  attached: AttachedRoutes,
) {
  const old = records(existing);
  return listeners.map((l) => ({
    name: l.name,
    supportedKinds: l.kinds.map((kind) => ({ group: GATEWAY_GROUP, kind })),
    attachedRoutes: attached.get(l) ?? 0,
    conditions: stampConditions(l.conditions, gen, old.find((o) => o.name === l.name)?.conditions, ctx.options.now),
  }));
}

/** Routes attached to each listener (routes.ts counts them). */
type AttachedRoutes = ReadonlyMap<ListenerIR, number>;

export function gatewayStatus(ctx: Context, gw: GatewayIR, attached: AttachedRoutes): ResourceStatus {
  const gen = generationOf(gw.obj);
  const old = record(gw.obj.status);
  // A ListenerSet's listeners are reported on the ListenerSet, never on its Gateway.
  const own = gw.listeners.filter((l) => l.listenerSet === undefined);
  const listeners = listenerStatuses(ctx, own, gen, old.listeners, attached);
  const conditions = stampConditions(gw.conditions, gen, old.conditions, ctx.options.now);
  const sets = gw.attachedListenerSets;
  return {
    kind: 'Gateway',
    namespace: gw.namespace,
    name: gw.name,
    status: {
      addresses: gw.addresses,
      conditions,
      listeners,
      ...(sets !== undefined && { attachedListenerSets: sets }),
    },
  };
}

export function listenerSetStatus(ctx: Context, ls: ListenerSetIR, attached: AttachedRoutes): ResourceStatus {
  const gen = generationOf(ls.obj);
  const old = record(ls.obj.status);
  return {
    kind: 'ListenerSet',
    namespace: ls.namespace,
    name: ls.name,
    status: {
      conditions: stampConditions(ls.conditions, gen, old.conditions, ctx.options.now),
      listeners: listenerStatuses(ctx, ls.listeners, gen, old.listeners, attached),
    },
  };
}

interface RememberedStatus {
  /** The route object whose status was read. */
  obj: K8sObject;
  now: string;
  controller: string;
  status: ResourceStatus | undefined;
  /** Some condition was stamped with `now` (no earlier status said so): another clock would stamp another time. */
  stampedNow: boolean;
}

const routeStatuses = new WeakMap<RouteIR, RememberedStatus>();

/**
 * A route's status (undefined when it has nothing of ours to say: no parent of ours now or before), remembered
 * per route IR. The same object again for the same route IR (memo.ts reuses unchanged routes' IRs) while the
 * clock cannot change it: the coordinator then recognises it as unchanged by identity.
 */
function rememberedRouteStatus(ctx: Context, route: RouteIR, obj: K8sObject): RememberedStatus {
  const hit = routeStatuses.get(route);
  if (hit && stillHolds(hit, obj, ctx.options)) return hit;
  if (hit && hit.controller === ctx.options.controllerName && hit.obj !== obj && carriesOwnStatus(obj, hit)) {
    // Stamped from that very status, every condition keeps its time: the same status, whatever the clock.
    const carried = copyWith(hit, { obj, stampedNow: false });
    routeStatuses.set(route, carried);
    return carried;
  }
  const { now, controllerName } = ctx.options;
  const status = freshRouteStatus(ctx, route, obj);
  const parents = (status?.status.parents ?? []) as Array<{ conditions?: Condition[] }>;
  const stampedNow = parents.some((p) => p.conditions?.some((c) => c.lastTransitionTime === now));
  const remembered = { obj, now, controller: controllerName, status, stampedNow };
  routeStatuses.set(route, remembered);
  return remembered;
}

/** A remembered status is the answer while the object is the one read and the clock cannot change it. */
const stillHolds = (hit: RememberedStatus, obj: K8sObject, options: Context['options']): boolean =>
  hit.controller === options.controllerName && hit.obj === obj && (hit.now === options.now || !hit.stampedNow);

/** Recent calls' routes with the status remembered for each, by position, newest first. */
const recentRouteStatuses = new Recent<StatusColumns>();

/** A call's route statuses by position, in flat lists a pass reads in order (memory, not lookups, bounds it). */
interface StatusColumns {
  /** Another controller name is another parents stage, so other route IRs: these only ever meet their own. */
  routes: readonly RouteIR[];
  /** The object each status was read from. */
  objects: readonly K8sObject[];
  statuses: Array<ResourceStatus | undefined>;
  /** The clock a status was stamped with, when another clock would stamp another time (stampedNow). */
  stampedAt: Array<string | undefined>;
}

/**
 * Where the HTTPRoutes start: routes sort by kind first (compareRoutes), GRPCRoutes before HTTPRoutes. Found by
 * bisection: reading every IR's kind per change touched every IR's memory page (~0.5–0.8 ms after idle at
 * 5,000 routes, docs/performance.md).
 */
function firstHttpRoute(routes: readonly RouteIR[]): number {
  let [lo, hi] = [0, routes.length];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (routes[mid]!.kind === 'HTTPRoute') hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * routeStatus of each route, read from `objects[i]` (the snapshot's object of `routes[i]`), by kind in the
 * routes' order. Between two syncs the list is the last one with a route or two changed, and the others'
 * objects the same unless a status was written: those keep their answer by position (identity checks on
 * flat lists, not a lookup per route: at 5,000 routes the lookups were a fifth of a change's translation).
 */
export function routeStatusesByKind(
  ctx: Context,
  routes: readonly RouteIR[],
  objects: readonly K8sObject[],
): Record<RouteIR['kind'], ResourceStatus[]> {
  const { now } = ctx.options;
  let changed: ChangedRange | undefined;
  const last = recentRouteStatuses.take((r) => (changed = changedRange(r.routes, routes)) !== undefined);
  const statuses: StatusColumns['statuses'] = new Array(routes.length);
  const stampedAt: StatusColumns['stampedAt'] = new Array(routes.length);
  const httpFrom = firstHttpRoute(routes);
  // The HTTPRoute list (nearly every route, usually) sized for every route and trimmed at the end: grown
  // status by status it was a fifth of the garbage a change made here at 5,000 routes.
  const byKind = { HTTPRoute: new Array<ResourceStatus>(routes.length), GRPCRoute: new Array<ResourceStatus>() };
  const counts = { HTTPRoute: 0, GRPCRoute: 0 };
  for (let i = 0; i < routes.length; i++) {
    const obj = objects[i]!;
    // Outside the changed range the route is the one remembered at its old position (changedRange's promise).
    const at = last ? positionBefore(changed, i) : -1;
    if (at !== -1 && last!.objects[at] === obj && (last!.stampedAt[at] ?? now) === now) {
      statuses[i] = last!.statuses[at];
      stampedAt[i] = last!.stampedAt[at];
    } else {
      const record = rememberedRouteStatus(ctx, routes[i]!, obj);
      statuses[i] = record.status;
      stampedAt[i] = record.stampedNow ? record.now : undefined;
    }
    const kind = i < httpFrom ? 'GRPCRoute' : 'HTTPRoute';
    if (statuses[i]) byKind[kind][counts[kind]++] = statuses[i]!;
  }
  byKind.HTTPRoute.length = counts.HTTPRoute;
  const columns = { routes, objects, statuses, stampedAt };
  if (last) recentRouteStatuses.replace(last, columns);
  else recentRouteStatuses.add(columns);
  return byKind;
}

/**
 * The route object now carries the status computed for it last time, as written (the file source stores the
 * written status on its copy of the object; the API server likewise). A written status differs from ours at
 * most in lastTransitionTimes the writer kept; an exact comparison settles it.
 */
function carriesOwnStatus(obj: K8sObject, hit: RememberedStatus): boolean {
  return hit.status !== undefined && sameJsonText(obj.status, hit.status.status);
}

/** JSON.stringify(a) === JSON.stringify(b) for JSON data (keys in order), stopping at the first difference. */
export function sameJsonText(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameJsonText(x ?? null, b[i] ?? null));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!;
    if (k !== kb[i] || !sameJsonText((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
      return false;
  }
  return true;
}

function freshRouteStatus(ctx: Context, route: RouteIR, obj: K8sObject): ResourceStatus | undefined {
  const ours = ctx.options.controllerName;
  const existing = records(record(obj.status).parents);
  const others = existing.filter((p) => p.controllerName !== ours);
  if (route.parents.length === 0 && others.length === existing.length) return undefined;
  const gen = generationOf(obj);
  const parents = route.parents.map((p) => ({
    parentRef: p.parentRef,
    controllerName: ours,
    conditions: stampConditions(p.conditions, gen, previousConditions(existing, ours, p.parentRef), ctx.options.now),
  }));
  return {
    kind: route.kind,
    namespace: route.namespace,
    name: route.name,
    status: { parents: [...parents, ...others] },
  };
}

function previousConditions(existing: Record<string, unknown>[], ours: string, ref: Record<string, unknown>): unknown {
  return existing.find((p) => p.controllerName === ours && sameParentRef(record(p.parentRef), ref))?.conditions;
}

function sameParentRef(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return (
    (str(a.group) ?? GATEWAY_GROUP) === b.group &&
    (str(a.kind) ?? 'Gateway') === b.kind &&
    (str(a.namespace) ?? b.namespace) === b.namespace &&
    a.name === b.name &&
    a.sectionName === b.sectionName &&
    a.port === b.port
  );
}

/** In namespace and name order (statuses of one kind). */
export function sortByName(list: ResourceStatus[]): ResourceStatus[] {
  return list.sort((a, b) => byString(a.namespace, b.namespace) || byString(a.name, b.name));
}
