// Step 2c: ListenerSets (GEP-1713, standard channel since v1.5). A ListenerSet whose parentRef names a Gateway
// of ours attaches when that Gateway allows its namespace (spec.allowedListeners; no ListenerSet by default).
// Its listeners are checked like a Gateway's, and against the accepted listeners of higher precedence on the
// Gateway — the Gateway's own, then ListenerSets oldest first, then by namespace/name: the first keeps its
// port and hostname, a later one is Conflicted. A set with at least one fully valid listener is accepted and its
// listeners join its Gateway's list after the Gateway's own: routes reach them only through a ListenerSet
// parentRef (a Gateway parentRef means the Gateway's own listeners), but the proxy serves them as the Gateway's
// (listener ports, host keys and listener isolation over the merged list).
import type { K8sObject } from '../core/types.js';
import * as c from '../gatewayapi/conditions.js';
import type { ConditionSpec } from '../gatewayapi/conditions.js';
import { GATEWAY_GROUP } from '../gatewayapi/constants.js';
import { selectorMatches } from '../gatewayapi/selectors.js';
import { byAge, isRecord, nsName, record, str, namespaceOf } from '../gatewayapi/values.js';
import { wellFormed, type Context } from './context.js';
import type { GatewayIR } from './gateways.js';
import { processListeners, type ListenerIR, type TakenListeners } from './listeners.js';

export interface ListenerSetIR {
  obj: K8sObject;
  namespace: string;
  name: string;
  /** "namespace/name" of its Gateway, one of ours. */
  gatewayKey: string;
  /** Accepted by its Gateway: its listeners are part of the Gateway's and routes may attach to them. */
  attached: boolean;
  /** Empty while the set is not allowed on its Gateway or the Gateway is not accepted. */
  listeners: ListenerIR[];
  conditions: ConditionSpec[];
}

export interface ListenerSetsResult {
  /** Every Gateway, those with attached ListenerSets carrying those sets' listeners after their own. */
  gateways: Map<string, GatewayIR>;
  /** By "namespace/name": the ListenerSets whose parent is a Gateway of ours (the others are not ours). */
  listenerSets: Map<string, ListenerSetIR>;
}

export function processListenerSets(ctx: Context, gateways: Map<string, GatewayIR>): ListenerSetsResult {
  // Sets whose parent is not a Gateway of ours are grouped too, under a key no Gateway below looks up.
  const byGateway = new Map<string | undefined, K8sObject[]>();
  for (const obj of wellFormed(ctx.snapshot.listenerSets)) {
    const key = parentGatewayKey(obj);
    const list = byGateway.get(key);
    if (list) list.push(obj);
    else byGateway.set(key, [obj]);
  }
  const merged = new Map<string, GatewayIR>();
  const listenerSets = new Map<string, ListenerSetIR>();
  for (const [key, gateway] of gateways) {
    const { gateway: withSets, sets } = attachListenerSets(ctx, gateway, key, byGateway.get(key) ?? []);
    merged.set(key, withSets);
    for (const s of sets) listenerSets.set(nsName(s.namespace, s.name), s);
  }
  return { gateways: merged, listenerSets };
}

/** "namespace/name" of the Gateway a ListenerSet names (group and kind default as the CRD does), if one. */
function parentGatewayKey(obj: K8sObject): string | undefined {
  const ref = record(record(obj.spec).parentRef);
  if ((str(ref.group) ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (str(ref.kind) ?? 'Gateway') !== 'Gateway')
    return undefined;
  const name = str(ref.name);
  return name ? nsName(str(ref.namespace) || namespaceOf(obj), name) : undefined;
}

function attachListenerSets(
  ctx: Context,
  gateway: GatewayIR,
  key: string,
  objs: K8sObject[],
): { gateway: GatewayIR; sets: ListenerSetIR[] } {
  const taken = new TakenIndex(`Gateway ${key}`);
  gateway.listeners.filter(isAccepted).forEach((l) => taken.add(l));
  const sets: ListenerSetIR[] = [];
  const joined: ListenerIR[] = [];
  // Listener precedence across ListenerSets: oldest first (no timestamp: youngest), then namespace/name.
  for (const obj of [...objs].sort(byAge)) {
    const set = listenerSetIR(ctx, gateway, key, obj, taken);
    sets.push(set);
    if (!set.attached) continue;
    set.listeners.filter(isAccepted).forEach((l) => taken.add(l));
    joined.push(...set.listeners);
  }
  // The count is shown on Gateways that say something about ListenerSets, or that some ListenerSet names.
  const counted = record(gateway.obj.spec).allowedListeners !== undefined || objs.length > 0;
  if (!counted) return { gateway, sets };
  const attachedListenerSets = sets.filter((s) => s.attached).length;
  return { gateway: { ...gateway, listeners: [...gateway.listeners, ...joined], attachedListenerSets }, sets };
}

function isAccepted(l: ListenerIR): boolean {
  return l.conditions.some((x) => x.type === 'Accepted' && x.status === 'True');
}

/** The accepted listeners of higher precedence, by port: a Gateway may carry thousands through its sets. */
class TakenIndex implements TakenListeners {
  private readonly ports = new Map<number | undefined, { protocols: Set<string>; hostnames: Set<string> }>();

  constructor(readonly by: string) {}

  add(l: ListenerIR): void {
    let port = this.ports.get(l.port);
    if (!port) this.ports.set(l.port, (port = { protocols: new Set(), hostnames: new Set() }));
    port.protocols.add(l.protocol);
    port.hostnames.add(l.hostname ?? '');
  }

  otherProtocol(port: number | undefined, protocol: string): string | undefined {
    return [...(this.ports.get(port)?.protocols ?? [])].find((p) => p !== protocol);
  }

  hasHostname(port: number | undefined, hostname: string): boolean {
    return this.ports.get(port)?.hostnames.has(hostname) ?? false;
  }
}

function listenerSetIR(
  ctx: Context,
  gateway: GatewayIR,
  gatewayKey: string,
  obj: K8sObject,
  taken: TakenListeners,
): ListenerSetIR {
  const namespace = namespaceOf(obj);
  const base = { obj, namespace, name: obj.metadata.name, gatewayKey, attached: false, listeners: [] };
  const gwName = `Gateway ${gatewayKey}`;
  if (!gateway.serving)
    return { ...base, conditions: c.listenerSetRejected('ParentNotAccepted', `${gwName} is not accepted`) };
  const refusal = notAllowedWhy(ctx, gateway, gwName, namespace);
  if (refusal) return { ...base, conditions: c.listenerSetRejected('NotAllowed', refusal) };
  const key = nsName(namespace, obj.metadata.name);
  const listeners = processListeners(ctx, { kind: 'ListenerSet', obj }, taken).map((l): ListenerIR => ({
    ...l,
    listenerSet: key,
  }));
  const invalid = listeners.filter((l) => !l.programmed).map((l) => l.name);
  if (invalid.length === listeners.length) {
    const msg = listeners.length
      ? `no valid listeners (invalid: ${invalid.join(', ')})`
      : 'ListenerSet has no listeners';
    // Not attached: its listeners carry no routes (attach.ts refuses a route to it), whatever their own merits.
    return { ...base, listeners, conditions: c.listenerSetRejected('ListenersNotValid', msg) };
  }
  const accepted = invalid.length
    ? c.listenerSetListenersNotValid(true, `invalid listeners: ${invalid.join(', ')}`)
    : c.listenerSetAccepted();
  return { ...base, attached: true, listeners, conditions: [accepted, c.listenerSetProgrammed()] };
}

/** Why the Gateway's spec.allowedListeners does not take ListenerSets from `namespace`, or undefined. */
function notAllowedWhy(ctx: Context, gateway: GatewayIR, gwName: string, namespace: string): string | undefined {
  const allowed = record(record(record(gateway.obj.spec).allowedListeners).namespaces);
  const from = str(allowed.from) ?? 'None';
  switch (from) {
    case 'All':
      return undefined;
    case 'Same':
      return namespace === gateway.namespace
        ? undefined
        : `${gwName} allows ListenerSets from its own namespace only (allowedListeners.namespaces.from: Same)`;
    case 'Selector':
      // As for allowedRoutes: a missing selector selects nothing, an empty one every namespace.
      return isRecord(allowed.selector) && selectorMatches(allowed.selector, ctx.namespaceLabels(namespace))
        ? undefined
        : `namespace ${namespace} is not selected by the allowedListeners selector of ${gwName}`;
    default:
      return `${gwName} does not allow ListenerSets (allowedListeners.namespaces.from: ${from})`;
  }
}
