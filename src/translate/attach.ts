// Step 3: route attachment. For each parentRef of a route that names one of our Gateways: which listeners
// take the route, with which effective hostnames, or why none does.
import type { K8sObject } from '../core/types.js';
import * as c from '../gatewayapi/conditions.js';
import type { ConditionSpec } from '../gatewayapi/conditions.js';
import { GATEWAY_GROUP, type RouteKind } from '../gatewayapi/constants.js';
import { effectiveHostnames, isValidHostname } from '../gatewayapi/hostnames.js';
import { selectorMatches } from '../gatewayapi/selectors.js';
import { int, isRecord, nsName, record, records, str, strings } from '../gatewayapi/values.js';
import type { Context } from './context.js';
import type { GatewayIR } from './gateways.js';
import type { ListenerIR } from './listeners.js';

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

export function attachRoute(
  ctx: Context,
  gateways: Map<string, GatewayIR>,
  kind: RouteKind,
  route: K8sObject,
): ParentAttachment[] {
  const routeNs = route.metadata.namespace ?? 'default';
  const listed = strings(record(route.spec).hostnames);
  // Invalid names are ignored; a route that lists only invalid ones matches no listener (it must not become "*").
  const hostnames = listed.filter(isValidHostname);
  const noValidHostname = listed.length > 0 && hostnames.length === 0;
  const out: ParentAttachment[] = [];
  for (const ref of records(record(route.spec).parentRefs)) {
    const parentRef = echoParentRef(ref, routeNs);
    if (parentRef.group !== GATEWAY_GROUP || parentRef.kind !== 'Gateway') continue; // not a Gateway: not ours
    const gateway = gateways.get(nsName(String(parentRef.namespace), String(parentRef.name)));
    if (!gateway) {
      if (isOtherControllersGateway(ctx, parentRef)) continue;
      out.push({
        parentRef,
        listeners: [],
        failure: c.routeNoMatchingParent(`Gateway ${parentRef.namespace}/${parentRef.name} not found`),
      });
      continue;
    }
    out.push(attachToGateway(ctx, gateway, parentRef, kind, routeNs, noValidHostname ? undefined : hostnames));
  }
  return out;
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

function isOtherControllersGateway(ctx: Context, ref: Record<string, unknown>): boolean {
  return ctx.snapshot.gateways.some(
    (g) => g.metadata?.name === ref.name && (g.metadata.namespace ?? 'default') === ref.namespace,
  );
}

function attachToGateway(
  ctx: Context,
  gateway: GatewayIR,
  parentRef: Record<string, unknown>,
  kind: RouteKind,
  routeNs: string,
  hostnames: string[] | undefined,
): ParentAttachment {
  const fail = (failure: ConditionSpec): ParentAttachment => ({ parentRef, gateway, listeners: [], failure });
  const gwName = `${gateway.namespace}/${gateway.name}`;
  const named = gateway.listeners.filter(
    (l) =>
      (parentRef.sectionName === undefined || l.name === parentRef.sectionName) &&
      (parentRef.port === undefined || l.port === parentRef.port),
  );
  if (named.length === 0)
    return fail(c.routeNoMatchingParent(`Gateway ${gwName} has no listener matching sectionName/port`));
  // Kinds and namespaces first: a listener that would never take this route explains more than its validity.
  const ofKind = named.filter((l) => l.kinds.includes(kind));
  if (ofKind.length === 0)
    return fail(c.routeNotAllowedByListeners(`no selected listener of Gateway ${gwName} accepts ${kind}`));
  const permitted = ofKind.filter((l) => namespaceAllowed(ctx, l, gateway.namespace, routeNs));
  if (permitted.length === 0)
    return fail(
      c.routeNotAllowedByListeners(`no selected listener of Gateway ${gwName} allows routes from namespace ${routeNs}`),
    );
  if (!gateway.serving)
    return fail(c.routeNoMatchingParent(`Gateway ${gwName} is not accepted or has no valid listeners`));
  const allowed = permitted.filter((l) => l.routable);
  if (allowed.length === 0)
    return fail(c.routeNoMatchingParent(`the selected listeners of Gateway ${gwName} are not valid`));
  const listeners = allowed
    .map((listener) => ({ listener, hostnames: hostnames ? effectiveHostnames(listener.hostname, hostnames) : [] }))
    .filter((a) => a.hostnames.length > 0);
  if (listeners.length === 0)
    return fail(c.routeNoMatchingListenerHostname(`no hostname of the route matches a listener of Gateway ${gwName}`));
  return { parentRef, gateway, listeners };
}

function namespaceAllowed(ctx: Context, l: ListenerIR, gatewayNs: string, routeNs: string): boolean {
  const ns = record(l.allowedRoutes.namespaces);
  switch (ns.from ?? 'Same') {
    case 'All':
      return true;
    case 'Same':
      return routeNs === gatewayNs;
    case 'Selector':
      // A missing selector selects nothing (Kubernetes' nil LabelSelector), an empty one everything.
      return isRecord(ns.selector) && selectorMatches(ns.selector, ctx.namespaceLabels(routeNs));
    default:
      return false; // "None" or an unknown value
  }
}
