// Step 2: Gateways of our accepted classes, with their listeners. Gateways of other classes are skipped.
import { PLACEHOLDER_TUNNEL_HOSTNAME, type K8sObject } from '../core/types.js';
import * as c from '../gatewayapi/conditions.js';
import type { ConditionSpec } from '../gatewayapi/conditions.js';
import { nsName, record, str, namespaceOf } from '../gatewayapi/values.js';
import type { ClassResult } from './classes.js';
import { wellFormed, type Context } from './context.js';
import { processListeners, type ListenerIR } from './listeners.js';

export interface GatewayIR {
  obj: K8sObject;
  namespace: string;
  name: string;
  /** Routes may attach: accepted (which needs at least one routable listener). */
  serving: boolean;
  /** Its own listeners, then those of its attached ListenerSets (each marked with `listenerSet`), in precedence order. */
  listeners: ListenerIR[];
  /** status.attachedListenerSets, when the Gateway allows ListenerSets or some ListenerSet names it. */
  attachedListenerSets?: number;
  conditions: ConditionSpec[];
  /** The tunnel hostname, then (when known) the Gateway's own data port address (gateway-ports.ts). */
  addresses: Array<{ type: string; value: string }>;
  /** The proxy ports this Gateway's routes are served on (gateway-ports.ts); absent: none could be given. */
  dataPorts?: { http: number; tls: number; own: boolean };
}

export function processGateways(ctx: Context, classes: Map<string, ClassResult>): Map<string, GatewayIR> {
  const out = new Map<string, GatewayIR>();
  for (const obj of wellFormed(ctx.snapshot.gateways)) {
    const cls = classes.get(String(record(obj.spec).gatewayClassName ?? ''));
    if (!cls) continue;
    const gw = gatewayIR(ctx, obj, cls);
    out.set(nsName(gw.namespace, gw.name), gw);
  }
  return out;
}

function gatewayIR(ctx: Context, obj: K8sObject, cls: ClassResult): GatewayIR {
  const own = processListeners(ctx, { kind: 'Gateway', obj });
  const [accepted, programmed] = gatewayConditions(obj, cls, own);
  const listeners = accepted.status === 'True' ? own : own.map(withGatewayRejected);
  const host = ctx.options.tunnelId ? `${ctx.options.tunnelId}.cfargotunnel.com` : PLACEHOLDER_TUNNEL_HOSTNAME;
  return {
    obj,
    namespace: namespaceOf(obj),
    name: obj.metadata.name,
    serving: accepted.status === 'True',
    listeners,
    conditions: [accepted, programmed],
    addresses: [{ type: 'Hostname', value: host }],
  };
}

/** A listener of a Gateway that is not accepted carries no routes, whatever its own merits. */
function withGatewayRejected(l: ListenerIR): ListenerIR {
  const conditions = l.conditions.map((x) =>
    x.type === 'Programmed' && x.status === 'True' ? c.listenerNotProgrammed('Gateway is not accepted') : x,
  );
  return { ...l, routable: false, programmed: false, conditions };
}

function gatewayConditions(obj: K8sObject, cls: ClassResult, listeners: ListenerIR[]): [ConditionSpec, ConditionSpec] {
  if (!cls.accepted) {
    const msg = `GatewayClass ${cls.name} is not accepted`;
    return [c.gatewayInvalid(msg), c.gatewayNotProgrammed(msg)];
  }
  // Addresses come from the Cloudflare tunnel; a Gateway cannot choose its own.
  const asked = record(obj.spec).addresses;
  if (Array.isArray(asked) && asked.length > 0) {
    const msg = 'spec.addresses is not supported: the address is the Cloudflare tunnel hostname';
    return [c.gatewayUnsupportedAddress(msg), c.gatewayAddressNotUsable(msg)];
  }
  const params = record(record(obj.spec).infrastructure).parametersRef;
  if (params !== undefined) {
    // No parameters kind of ours exists (and ConfigMaps are not in the snapshot), so any reference is unusable.
    const ref = record(params);
    const msg = `infrastructure.parametersRef ${str(ref.group) || 'core'}/${String(ref.kind)} ${String(ref.name)} is not supported`;
    return [c.gatewayInvalidParameters(msg), c.gatewayNotProgrammed(msg)];
  }
  return listenerVerdict(listeners);
}

/** Accepted while one listener can carry routes; Programmed while one listener is fully programmed. */
function listenerVerdict(listeners: ListenerIR[]): [ConditionSpec, ConditionSpec] {
  const bad = listeners.filter((l) => !l.programmed).map((l) => l.name);
  const routable = listeners.filter((l) => l.routable).length;
  if (routable === 0) {
    const msg = listeners.length ? `no valid listeners (invalid: ${bad.join(', ')})` : 'Gateway has no listeners';
    return [c.gatewayListenersNotValid(false, msg), c.gatewayNotProgrammed(msg)];
  }
  const accepted = bad.length
    ? c.gatewayListenersNotValid(true, `invalid listeners: ${bad.join(', ')}`)
    : c.gatewayAccepted();
  const programmed =
    bad.length < listeners.length ? c.gatewayProgrammed() : c.gatewayNotProgrammed('no listener is programmed');
  return [accepted, programmed];
}
