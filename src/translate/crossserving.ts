// Step 5c: HTTPRoute/GRPCRoute cross-serving (GRPCRoute spec): on one listener, routes of the two kinds with
// intersecting hostnames cannot both attach. The oldest route wins, then the first by "namespace/name"; the
// loser leaves that listener, and a parent left with no listener is Accepted=False. The spec names no reason
// for this; HostnameConflict is the upstream word for the same clash between listeners.
import * as c from '../gatewayapi/conditions.js';
import { intersectHostnames } from '../gatewayapi/hostnames.js';
import { byAge, byString } from '../gatewayapi/values.js';
import type { ListenerAttachment } from './attach.js';
import type { ListenerIR } from './listeners.js';
import type { ParentResult, RouteIR } from './routes.js';

interface Claim {
  route: RouteIR;
  hostnames: string[];
}

/** Claims on one listener, by route kind: a route only ever clashes with claims of the other kind. */
type ListenerClaims = Record<RouteIR['kind'], Claim[]>;
/**
 * The routes with clashing claims decided; a route that keeps all its listeners is returned as it was. The
 * routes come HTTPRoutes first, `httpRoutes` of them, then GRPCRoutes.
 */
export function resolveCrossServing(routes: RouteIR[], httpRoutes: number): RouteIR[] {
  // Only routes of the two kinds can clash: with one kind there is nothing to decide (nor to sort), which
  // their positions tell without a pass over every route (~1 ms a change at 5,000 routes, caches cold).
  if (httpRoutes === 0 || httpRoutes === routes.length) return routes;
  const claims = new Map<ListenerIR, ListenerClaims>();
  const decided = new Map<RouteIR, RouteIR>();
  for (const route of [...routes].sort(byRouteAge)) {
    const parents = route.parents.map((p) => (p.accepted ? claimListeners(route, p, claims) : p));
    const same = parents.every((p, i) => p === route.parents[i]);
    decided.set(route, same ? route : { ...route, parents, served: parents.some((p) => p.accepted) });
  }
  return routes.map((r) => decided.get(r)!);
}

function byRouteAge(a: RouteIR, b: RouteIR): number {
  return byAge(a.obj, b.obj) || byString(a.kind, b.kind);
}

function claimListeners(route: RouteIR, parent: ParentResult, claims: Map<ListenerIR, ListenerClaims>): ParentResult {
  const kept: ListenerAttachment[] = [];
  let rival: RouteIR | undefined;
  const other = route.kind === 'HTTPRoute' ? 'GRPCRoute' : 'HTTPRoute';
  for (const a of parent.listeners) {
    let onListener = claims.get(a.listener);
    // Claims are kept in claim order, so the first clash found is the same one a single list would give.
    const clash = onListener?.[other].find((cl) => intersects(cl.hostnames, a.hostnames));
    if (clash) {
      rival = clash.route;
      continue;
    }
    if (!onListener) claims.set(a.listener, (onListener = { HTTPRoute: [], GRPCRoute: [] }));
    onListener[route.kind].push({ route, hostnames: a.hostnames });
    kept.push(a);
  }
  if (kept.length === parent.listeners.length) return parent;
  if (kept.length > 0) return { ...parent, listeners: kept };
  const msg = `${rival!.kind} ${rival!.namespace}/${rival!.name} claimed these hostnames on this listener first (older, or first by namespace/name)`;
  const conditions = parent.conditions
    .filter((x) => x.type !== 'PartiallyInvalid')
    .map((x) => (x.type === 'Accepted' ? c.routeHostnameConflict(msg) : x));
  return { ...parent, listeners: [], accepted: false, conditions };
}

function intersects(a: string[], b: string[]): boolean {
  return a.some((x) => b.some((y) => intersectHostnames(x, y) !== undefined));
}
