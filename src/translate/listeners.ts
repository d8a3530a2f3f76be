// Step 2b: listeners of one Gateway or ListenerSet: protocol, route kinds, certificate references and conflicts
// (with each other, and for a ListenerSet with the listeners of higher precedence already on its Gateway).
import type { K8sObject } from '../core/types.js';
import { TLS_KEYPAIR_ANNOTATION, TLS_KEYPAIR_VALID, tlsKeyPairProblem } from '../core/tls-keypair.js';
import * as c from '../gatewayapi/conditions.js';
import type { ConditionSpec, ConflictReason } from '../gatewayapi/conditions.js';
import {
  CORE_GROUP,
  GATEWAY_GROUP,
  ROUTE_KINDS,
  SUPPORTED_PROTOCOLS,
  type RouteKind,
} from '../gatewayapi/constants.js';
import { refPermitted } from '../gatewayapi/refs.js';
import { int, record, records, str, namespaceOf } from '../gatewayapi/values.js';
import type { Context } from './context.js';

export interface ListenerIR {
  name: string;
  port?: number;
  protocol: string;
  hostname?: string;
  /** Kinds of routes this listener takes (status.supportedKinds). */
  kinds: RouteKind[];
  allowedRoutes: Record<string, unknown>;
  /**
   * May carry routes: accepted, not conflicted, at least one valid kind. An unresolved certificate makes the
   * listener not Programmed but, TLS ending at Cloudflare, routes still attach and are served.
   */
  routable: boolean;
  programmed: boolean;
  conditions: ConditionSpec[];
  /** "namespace/name" of the ListenerSet it comes from; undefined for a Gateway's own listener. */
  listenerSet?: string;
}

/** Who declares the listeners: certificate ReferenceGrants are asked for that kind in that namespace. */
export interface ListenerOwner {
  kind: 'Gateway' | 'ListenerSet';
  obj: K8sObject;
}

/**
 * Listeners a ListenerSet's must not clash with (the accepted ones of higher precedence on the same
 * Gateway) and how to name them in a message without telling one tenant about another's listeners.
 */
export interface TakenListeners {
  by: string;
  /** The protocol of a listener on `port` whose protocol is not `protocol`, if any. */
  otherProtocol(port: number | undefined, protocol: string): string | undefined;
  /** Whether a listener on `port` has this hostname ("" for none). */
  hasHostname(port: number | undefined, hostname: string): boolean;
}

interface Draft {
  raw: Record<string, unknown>;
  name: string;
  port?: number;
  protocol: string;
  hostname?: string;
  kinds: RouteKind[];
  badKinds: string[];
  refProblem?: ConditionSpec;
  conflict?: { reason: ConflictReason; message: string };
}

export function processListeners(ctx: Context, owner: ListenerOwner, taken?: TakenListeners): ListenerIR[] {
  const drafts = records(record(owner.obj.spec).listeners).map((raw, i) => draftListener(ctx, owner, raw, i));
  markConflicts(drafts);
  if (taken) markTaken(drafts, taken);
  return drafts.map(finishListener);
}

function draftListener(ctx: Context, owner: ListenerOwner, raw: Record<string, unknown>, i: number): Draft {
  const protocol = str(raw.protocol) ?? '';
  const { kinds, badKinds } = routeKinds(raw, protocol);
  return {
    raw,
    name: str(raw.name) ?? `listener-${i}`,
    port: int(raw.port),
    protocol,
    hostname: str(raw.hostname) || undefined,
    kinds,
    badKinds,
    refProblem: protocol === 'HTTPS' ? certificateProblem(ctx, owner, record(raw.tls)) : undefined,
  };
}

function routeKinds(raw: Record<string, unknown>, protocol: string): { kinds: RouteKind[]; badKinds: string[] } {
  const asked = records(record(raw.allowedRoutes).kinds);
  // No kind we serve fits a protocol we do not serve (HTTPRoute on TLS: conformance wants InvalidRouteKinds).
  if (!SUPPORTED_PROTOCOLS.has(protocol))
    return { kinds: [], badKinds: asked.map((k) => `${str(k.group) ?? GATEWAY_GROUP}/${str(k.kind) ?? ''}`) };
  if (asked.length === 0) return { kinds: [...ROUTE_KINDS], badKinds: [] };
  const kinds = new Set<RouteKind>();
  const badKinds: string[] = [];
  for (const k of asked) {
    const group = str(k.group) ?? GATEWAY_GROUP;
    const kind = str(k.kind) ?? '';
    if (group === GATEWAY_GROUP && (ROUTE_KINDS as readonly string[]).includes(kind)) kinds.add(kind as RouteKind);
    else badKinds.push(`${group}/${kind}`);
  }
  return { kinds: ROUTE_KINDS.filter((k) => kinds.has(k)), badKinds };
}

/**
 * TLS terminates at Cloudflare's edge, so the certificate is never served; the references are still
 * checked so that a Gateway that would be broken elsewhere says so here too. No certificateRefs is fine.
 */
function certificateProblem(
  ctx: Context,
  owner: ListenerOwner,
  tls: Record<string, unknown>,
): ConditionSpec | undefined {
  const ns = namespaceOf(owner.obj);
  for (const ref of records(tls.certificateRefs)) {
    const group = str(ref.group) ?? CORE_GROUP;
    const kind = str(ref.kind) ?? 'Secret';
    const name = str(ref.name) ?? '';
    const refNs = str(ref.namespace) || ns;
    if (group !== CORE_GROUP || kind !== 'Secret') {
      return c.listenerInvalidCertificateRef(`certificateRef ${group || 'core'}/${kind} ${name} is not a Secret`);
    }
    const to = { group, kind, namespace: refNs, name };
    // A grant to the Gateway does not cover its ListenerSets, nor the reverse (GEP-1713).
    if (!refPermitted(ctx.grants, { group: GATEWAY_GROUP, kind: owner.kind, namespace: ns }, to)) {
      return c.listenerRefNotPermitted(
        `Secret ${refNs}/${name} is in another namespace and no ReferenceGrant allows it`,
      );
    }
    const secret = ctx.secret(refNs, name);
    if (!secret) return c.listenerInvalidCertificateRef(`Secret ${refNs}/${name} does not exist`);
    const problem = keyPairProblem(secret);
    if (problem) return c.listenerInvalidCertificateRef(`Secret ${refNs}/${name} ${problem}`);
  }
  return undefined;
}

// Parsing a certificate costs ~0.1 ms; an unchanged Secret is the same object from sync to sync.
const keyPairVerdicts = new WeakMap<K8sObject, string | undefined>();

/** The Kubernetes source checks the pair before it drops the values and leaves its verdict in an annotation. */
function keyPairProblem(secret: K8sObject): string | undefined {
  const checked = secret.metadata.annotations?.[TLS_KEYPAIR_ANNOTATION];
  if (checked !== undefined) return checked === TLS_KEYPAIR_VALID ? undefined : checked;
  if (!keyPairVerdicts.has(secret)) keyPairVerdicts.set(secret, tlsKeyPairProblem(secret));
  return keyPairVerdicts.get(secret);
}

/** Indistinct listeners (same port: different protocols, or same protocol and hostname) are all Conflicted. */
function markConflicts(drafts: Draft[]): void {
  const served = drafts.filter((d) => SUPPORTED_PROTOCOLS.has(d.protocol));
  for (const d of served) {
    const samePort = served.filter((o) => o !== d && o.port === d.port);
    const other = samePort.find((o) => o.protocol !== d.protocol);
    if (other) {
      d.conflict = {
        reason: 'ProtocolConflict',
        message: `port ${d.port} is also used by listener ${other.name} with protocol ${other.protocol}`,
      };
      continue;
    }
    const twin = samePort.find((o) => (o.hostname ?? '') === (d.hostname ?? ''));
    if (twin)
      d.conflict = { reason: 'HostnameConflict', message: `listener ${twin.name} has the same port and hostname` };
  }
}

/**
 * A ListenerSet's listener that a listener of higher precedence already covers: another protocol on its port
 * (whatever its own protocol: a TCP listener on an HTTP port is a ProtocolConflict, not just unsupported), or
 * the same hostname on its port. The first in precedence keeps it; only this one is Conflicted.
 */
function markTaken(drafts: Draft[], taken: TakenListeners): void {
  for (const d of drafts.filter((x) => !x.conflict)) {
    const other = taken.otherProtocol(d.port, d.protocol);
    if (other !== undefined) {
      d.conflict = {
        reason: 'ProtocolConflict',
        message: `port ${d.port} is already used with protocol ${other} by a listener of higher precedence on ${taken.by}`,
      };
    } else if (taken.hasHostname(d.port, d.hostname ?? '')) {
      d.conflict = {
        reason: 'HostnameConflict',
        message: `hostname ${d.hostname ?? '(any)'} on port ${d.port} is already taken by a listener of higher precedence on ${taken.by}`,
      };
    }
  }
}

function finishListener(d: Draft): ListenerIR {
  const supported = SUPPORTED_PROTOCOLS.has(d.protocol);
  const accepted = supported && !d.conflict;
  const routable = accepted && d.kinds.length > 0;
  const programmed = routable && !d.refProblem;
  const conditions = [
    d.conflict
      ? c.listenerNotAcceptedConflict(d.conflict.reason, d.conflict.message)
      : !supported
        ? c.listenerUnsupportedProtocol(`protocol ${d.protocol || '(none)'} is not supported: use HTTP or HTTPS`)
        : c.listenerAccepted(),
    programmed
      ? c.listenerProgrammed()
      : d.conflict
        ? c.listenerNotProgrammedConflict(d.conflict.reason, 'listener is conflicted')
        : c.listenerNotProgrammed(notProgrammedWhy(d, supported)),
    d.refProblem ??
      (d.badKinds.length
        ? c.listenerInvalidRouteKinds(`unsupported route kinds: ${d.badKinds.join(', ')}`)
        : c.listenerResolvedRefs()),
    d.conflict ? c.listenerConflicted(d.conflict.reason, d.conflict.message) : c.listenerNoConflicts(),
  ];
  return {
    name: d.name,
    port: d.port,
    protocol: d.protocol,
    hostname: d.hostname,
    kinds: d.kinds,
    allowedRoutes: record(d.raw.allowedRoutes),
    routable,
    programmed,
    conditions,
  };
}

function notProgrammedWhy(d: Draft, supported: boolean): string {
  if (!supported) return 'listener is not accepted';
  if (d.kinds.length === 0) return 'listener has no supported route kinds';
  return 'listener has unresolved references';
}
