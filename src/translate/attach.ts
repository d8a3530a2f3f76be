// Step 3: route attachment. For each parentRef of a route that names one of our Gateways or ListenerSets: which
// listeners take the route, with which effective hostnames, or why none does. A Gateway parentRef selects the
// Gateway's own listeners only, a ListenerSet parentRef that set's listeners (GEP-1713).
import type { K8sObject } from '../core/types.js';
import * as c from '../gatewayapi/conditions.js';
import type { ConditionSpec } from '../gatewayapi/conditions.js';
import { GATEWAY_GROUP, type RouteKind } from '../gatewayapi/constants.js';
import { effectiveHostnames, isValidHostname } from '../gatewayapi/hostnames.js';
import { selectorMatches } from '../gatewayapi/selectors.js';
import { int, isRecord, nsName, record, records, str, strings, namespaceOf } from '../gatewayapi/values.js';
import type { Context } from './context.js';
import type { GatewayIR } from './gateways.js';
import type { ListenerIR } from './listeners.js';
import type { ListenerSetIR } from './listener-sets.js';

/** What a parentRef may name: our Gateways (listeners merged with their ListenerSets') and ListenerSets. */
export interface Parents {
  gateways: Map<string, GatewayIR>;
  listenerSets: Map<string, ListenerSetIR>;
}

/** The listeners a parentRef selects among, and how messages name their owner. */
interface ParentListeners {
  label: string;
  namespace: string;
  listeners: ListenerIR[];
  serving: boolean;
}

export interface ListenerAttachment {
  listener: ListenerIR;
  /** Route × listener hostname intersections; "*" when neither sets a hostname. */
  hostnames: string[];
}

export interface ParentAttachment {
  /** The parentRef as written to status: group, kind and namespace always filled. */
  parentRef: Record<string, unknown>;
  gateway?: GatewayIR;
  listeners: ListenerAttachment[];
  /** Set when the route does not attach through this parentRef. */
  failure?: ConditionSpec;
}

export function attachRoute(ctx: Context, parents: Parents, kind: RouteKind, route: K8sObject): ParentAttachment[] {
  const routeNs = namespaceOf(route);
  const listed = strings(record(route.spec).hostnames);
  // Invalid names are ignored; a route that lists only invalid ones matches no listener (it must not become "*").
  const hostnames = listed.filter(isValidHostname);
  const noValidHostname = listed.length > 0 && hostnames.length === 0;
  const out: ParentAttachment[] = [];
  for (const ref of records(record(route.spec).parentRefs)) {
    const parentRef = echoParentRef(ref, routeNs);
    if (parentRef.group !== GATEWAY_GROUP) continue; // not ours
    const key = nsName(String(parentRef.namespace), String(parentRef.name));
    const named = noValidHostname ? undefined : hostnames;
    if (parentRef.kind === 'ListenerSet') {
      const a = attachToListenerSet(ctx, parents, key, parentRef, kind, routeNs, named);
      if (a) out.push(a);
      continue;
    }
    if (parentRef.kind !== 'Gateway') continue; // another kind: not ours
    const gateway = parents.gateways.get(key);
    if (!gateway) {
      if (existsIn(ctx.snapshot.gateways, parentRef)) continue; // another controller's
      out.push(failed(parentRef, c.routeNoMatchingParent(`Gateway ${key} not found`)));
      continue;
    }
    const own: ParentListeners = {
      label: `Gateway ${key}`,
      namespace: gateway.namespace,
      listeners: gateway.listeners.filter((l) => l.listenerSet === undefined),
      serving: gateway.serving,
    };
    out.push(attachToListeners(ctx, own, gateway, parentRef, kind, routeNs, named));
  }
  return out;
}

/** Undefined when the ListenerSet is another controller's (it exists, but its Gateway is not ours). */
function attachToListenerSet(
  ctx: Context,
  parents: Parents,
  key: string,
  parentRef: Record<string, unknown>,
  kind: RouteKind,
  routeNs: string,
  hostnames: string[] | undefined,
): ParentAttachment | undefined {
  const set = parents.listenerSets.get(key);
  if (!set) {
    if (existsIn(ctx.snapshot.listenerSets ?? [], parentRef)) return undefined;
    return failed(parentRef, c.routeNoMatchingParent(`ListenerSet ${key} not found`));
  }
  const gateway = parents.gateways.get(set.gatewayKey)!;
  if (!set.attached) {
    const why = `ListenerSet ${key} is not accepted by Gateway ${set.gatewayKey}`;
    return failed(parentRef, c.routeNoMatchingParent(why), gateway);
  }
  const own: ParentListeners = {
    label: `ListenerSet ${key}`,
    namespace: set.namespace,
    listeners: set.listeners,
    serving: true,
  };
  return attachToListeners(ctx, own, gateway, parentRef, kind, routeNs, hostnames);
}

/** A parentRef the route does not attach through: no listener takes it (nothing reads a failed one's). */
function failed(parentRef: Record<string, unknown>, failure: ConditionSpec, gateway?: GatewayIR): ParentAttachment {
  return { parentRef, gateway, listeners: [], failure };
}

function echoParentRef(ref: Record<string, unknown>, routeNs: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    group: str(ref.group) ?? GATEWAY_GROUP,
    kind: str(ref.kind) ?? 'Gateway',
    namespace: str(ref.namespace) || routeNs,
    name: str(ref.name) ?? '',
  };
  if (str(ref.sectionName)) out.sectionName = ref.sectionName;
  if (int(ref.port) !== undefined) out.port = ref.port;
  return out;
}

function existsIn(objects: K8sObject[], ref: Record<string, unknown>): boolean {
  return objects.some((o) => o.metadata?.name === ref.name && namespaceOf(o) === ref.namespace);
}

function attachToListeners(
  ctx: Context,
  parent: ParentListeners,
  gateway: GatewayIR,
  parentRef: Record<string, unknown>,
  kind: RouteKind,
  routeNs: string,
  hostnames: string[] | undefined,
): ParentAttachment {
  const fail = (failure: ConditionSpec) => failed(parentRef, failure, gateway);
  const named = parent.listeners.filter(
    (l) =>
      (parentRef.sectionName === undefined || l.name === parentRef.sectionName) &&
      (parentRef.port === undefined || l.port === parentRef.port),
  );
  if (named.length === 0)
    return fail(c.routeNoMatchingParent(`${parent.label} has no listener matching sectionName/port`));
  // Kinds and namespaces first: a listener that would never take this route explains more than its validity.
  const ofKind = named.filter((l) => l.kinds.includes(kind));
  if (ofKind.length === 0)
    return fail(c.routeNotAllowedByListeners(`no selected listener of ${parent.label} accepts ${kind}`));
  // "Same" means the namespace of the listener's owner: a ListenerSet's own, not its Gateway's.
  const permitted = ofKind.filter((l) => namespaceAllowed(ctx, l, parent.namespace, routeNs));
  if (permitted.length === 0)
    return fail(
      c.routeNotAllowedByListeners(`no selected listener of ${parent.label} allows routes from namespace ${routeNs}`),
    );
  if (!parent.serving)
    return fail(c.routeNoMatchingParent(`${parent.label} is not accepted or has no valid listeners`));
  const allowed = permitted.filter((l) => l.routable);
  if (allowed.length === 0)
    return fail(c.routeNoMatchingParent(`the selected listeners of ${parent.label} are not valid`));
  const listeners = allowed
    .map((listener) => ({ listener, hostnames: hostnames ? effectiveHostnames(listener.hostname, hostnames) : [] }))
    .filter((a) => a.hostnames.length > 0);
  if (listeners.length === 0)
    return fail(c.routeNoMatchingListenerHostname(`no hostname of the route matches a listener of ${parent.label}`));
  return { parentRef, gateway, listeners };
}

function namespaceAllowed(ctx: Context, l: ListenerIR, ownerNs: string, routeNs: string): boolean {
  const ns = record(l.allowedRoutes.namespaces);
  const from = ns.from ?? 'Same';
  if (from === 'All') return true;
  if (from === 'Same') return routeNs === ownerNs;
  // A missing selector selects nothing (Kubernetes' nil LabelSelector), an empty one everything.
  if (from === 'Selector') return isRecord(ns.selector) && selectorMatches(ns.selector, ctx.namespaceLabels(routeNs));
  return false; // "None" or an unknown value
}
