// Steps 3–5 per route: attachment to our Gateways and ListenerSets, rule translation, and the per-parent conditions.
import { changedRange, positionBefore } from '../core/changed-range.js';
import { Recent } from '../core/recent.js';
import type { K8sObject } from '../core/types.js';
import * as c from '../gatewayapi/conditions.js';
import type { ConditionSpec } from '../gatewayapi/conditions.js';
import type { RouteKind } from '../gatewayapi/constants.js';
import { isRecord, namespaceOf } from '../gatewayapi/values.js';
import { attachRoute, type ParentAttachment, type Parents } from './attach.js';
import type { Context } from './context.js';
import { routesByAge, sortedRoutes, wellFormedRoutes } from './route-order.js';
import { resolveCrossServing } from './crossserving.js';
import { translateRulesSteps, type RouteRules } from './rules.js';
import { routeLimitViolation } from './limits.js';
import { memoRouteIRSteps, memoRulesSteps, rememberedRouteIR, ruleInputsGeneration } from './memo.js';
import type { ListenerIR } from './listeners.js';
import type { Steps } from '../core/steps.js';
import { copyWith } from '../core/copy.js';

export interface ParentResult extends ParentAttachment {
  accepted: boolean;
  conditions: ConditionSpec[];
}

export interface RouteIR {
  kind: RouteKind;
  obj: K8sObject;
  namespace: string;
  name: string;
  parents: ParentResult[];
  rules: RouteRules;
  /** Accepted by at least one of our parents: its rules are served. */
  served: boolean;
}

export interface ProcessedRoutes {
  /** By kind, namespace and name (read-only: route-order.ts starts the next sort from it). */
  routes: readonly RouteIR[];
  /** The same, oldest first (compareRoutesByAge): the order the proxy config numbers their rules in. */
  byAge: readonly RouteIR[];
  /**
   * The snapshot's object of each of `routes`, in their order: an IR may hold an earlier copy, the same but
   * for status (memo.ts), and statuses read the current one.
   */
  objects: readonly K8sObject[];
  /** attachedRoutes of listeners (one without an entry, or with 0, has none). */
  attached: Map<ListenerIR, number>;
}

/**
 * Recent calls' route objects and the IRs made of them, with the parents and rule inputs they were made
 * with, newest first; a few, so callers alternating between snapshots keep theirs (as memo.ts does).
 */
const recentIRs = new Recent<{
  /** The HTTPRoutes, then the GRPCRoutes. */
  objects: K8sObject[];
  httpRoutes: number;
  irs: RouteIR[];
  parents: object;
  generation: object;
}>();

const kindAt = (i: number, httpRoutes: number): RouteKind => (i < httpRoutes ? 'HTTPRoute' : 'GRPCRoute');

/**
 * Yields after each rule translated, and before that after each fresh compile of its regexes. `parents` must
 * be the very same objects while the inputs of the parents stage are (stage-memo.ts): a route's whole IR is
 * reused while its spec and metadata objects, its parents and its rule inputs are the same (memo.ts).
 */
export function* processRoutesSteps(ctx: Context, parents: Parents): Steps<ProcessedRoutes> {
  const http = wellFormedRoutes('HTTPRoute', ctx.snapshot.httpRoutes);
  // One list, the kind told by the index: no {kind, object} pair per route, made and read again each change.
  const objects = http.concat(wellFormedRoutes('GRPCRoute', ctx.snapshot.grpcRoutes));
  const generation = ruleInputsGeneration(ctx.snapshot, ctx.options.externalNameServices, ctx.backendTls.fingerprint);
  const before = recentIRs.take((r) => r.parents === parents && r.generation === generation);
  const changed = before && changedRange(before.objects, objects);
  // Sized once: grown route by route it was 0.15 MiB of garbage a change at 5,000 routes.
  const irs = new Array<RouteIR>(objects.length);
  for (let i = 0; i < objects.length; i++) {
    const obj = objects[i]!;
    const kind = kindAt(i, http.length);
    // Outside the changed range, the same object as in a recent call with the same inputs: that call's IR,
    // found without a lookup per route (the memo's answer too: memo.ts keys on the object).
    const at = positionBefore(changed, i);
    const same = at !== -1 && before?.objects[at] === obj && kindAt(at, before.httpRoutes) === kind;
    irs[i] =
      (same ? before!.irs[at] : rememberedRouteIR(obj, kind, parents, generation)) ??
      (yield* memoRouteIRSteps(obj, kind, parents, generation, () =>
        routeIRSteps(ctx, parents, kind, obj, generation),
      ));
  }
  const now = { objects, httpRoutes: http.length, irs, parents, generation };
  // Another translation may have run between this one's steps (standalone slices them) and dropped `before`.
  if (before) recentIRs.replace(before, now);
  else recentIRs.add(now);
  const served = resolveCrossServing(irs, http.length);
  // resolveCrossServing keeps the order: the i-th route is the i-th object's, so the sort's order gives each
  // sorted route its object (a map from route to object, built per change, cost 10 % of a translation).
  const { sorted: routes, order } = sortedRoutes(served);
  return {
    routes,
    byAge: routesByAge(served).sorted,
    objects: order.map((i) => objects[i]!),
    attached: countAttachedRoutes(routes),
  };
}

function* routeIRSteps(
  ctx: Context,
  parents: Parents,
  kind: RouteKind,
  obj: K8sObject,
  generation: object,
): Steps<RouteIR> {
  const attachments = isRecord(obj.spec) ? attachRoute(ctx, parents, kind, obj) : [];
  // Rules are only worth translating (and reporting on) when some parent is ours.
  const rules = attachments.length
    ? yield* memoRulesSteps(obj, kind, generation, () => rulesWithinLimits(ctx, kind, obj))
    : { rules: [], invalid: [], problems: [], tlsSlots: [] };
  const results = attachments.map((a) => parentResult(a, rules));
  return {
    kind,
    obj,
    namespace: namespaceOf(obj),
    name: obj.metadata.name,
    parents: results,
    rules,
    served: results.some((p) => p.accepted),
  };
}

/** A route over the CRD's size limits is refused whole, before any of its rules is translated. */
function* rulesWithinLimits(ctx: Context, kind: RouteKind, obj: K8sObject): Steps<RouteRules> {
  const violation = routeLimitViolation(kind, obj.spec);
  if (violation) return { rules: [], invalid: [`over the ${kind} limits: ${violation}`], problems: [], tlsSlots: [] };
  return yield* translateRulesSteps(ctx, kind, obj);
}

function parentResult(a: ParentAttachment, rules: RouteRules): ParentResult {
  const allInvalid = rules.rules.length === 0 && rules.invalid.length > 0;
  const invalidMsg = rules.invalid.join('; ');
  const accepted = !a.failure && !allInvalid;
  const conditions: ConditionSpec[] = [
    a.failure ?? (allInvalid ? c.routeUnsupportedValue(`no valid rule: ${invalidMsg}`) : c.routeAccepted()),
    rules.problems.length
      ? c.routeRefsNotResolved(rules.problems[0]!.reason, [...new Set(rules.problems.map((p) => p.message))].join('; '))
      : c.routeResolvedRefs(),
  ];
  if (accepted && rules.invalid.length)
    conditions.push(c.routePartiallyInvalid(`dropped invalid rules: ${invalidMsg}`));
  return copyWith(a, { accepted, conditions });
}

/** The last count and the routes it was made from: the next counts only the routes that changed. */
let lastCount: { routes: readonly RouteIR[]; counts: Map<ListenerIR, number> } | undefined;

/**
 * attachedRoutes: routes Accepted on the listener, each counted once however many parentRefs select it. A
 * count map, not a field of the listener: listener IRs outlive one translation (stage-memo.ts). From the last
 * count when the routes differ from its in one range (changed-range.ts): the old range's routes taken off,
 * the new range's added. Maps handed out are never changed.
 */
function countAttachedRoutes(routes: readonly RouteIR[]): Map<ListenerIR, number> {
  const range = changedRange(lastCount?.routes, routes);
  const counts = range ? new Map(lastCount!.counts) : new Map<ListenerIR, number>();
  const add = (route: RouteIR, by: number) => {
    for (const l of acceptedOn(route)) counts.set(l, (counts.get(l) ?? 0) + by);
  };
  if (range) {
    for (let i = range.start; i < range.beforeEnd; i++) add(lastCount!.routes[i]!, -1);
    for (let i = range.start; i < range.nowEnd; i++) add(routes[i]!, 1);
  } else for (const route of routes) add(route, 1);
  lastCount = { routes, counts };
  return counts;
}

const acceptedListeners = new WeakMap<RouteIR, ListenerIR[]>();

/** The listeners a route is accepted on, once each; an IR never changes, so this is worked out once per IR. */
function acceptedOn(route: RouteIR): ListenerIR[] {
  let listeners = acceptedListeners.get(route);
  if (listeners) return listeners;
  const set = new Set<ListenerIR>();
  for (const p of route.parents) if (p.accepted) for (const l of p.listeners) set.add(l.listener);
  acceptedListeners.set(route, (listeners = [...set]));
  return listeners;
}
