// Step 2b: listeners of one Gateway: protocol, route kinds, certificate references and conflicts.
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
import { int, record, records, str } from '../gatewayapi/values.js';
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
  /** Filled by the attachment step. */
  attachedRoutes: number;
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

export function processListeners(ctx: Context, gateway: K8sObject): ListenerIR[] {
  const drafts = records(record(gateway.spec).listeners).map((raw, i) => draftListener(ctx, gateway, raw, i));
  markConflicts(drafts);
  return drafts.map(finishListener);
}

function draftListener(ctx: Context, gw: K8sObject, raw: Record<string, unknown>, i: number): Draft {
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
    refProblem: protocol === 'HTTPS' ? certificateProblem(ctx, gw, record(raw.tls)) : undefined,
  };
}

function routeKinds(raw: Record<string, unknown>, protocol: string): { kinds: RouteKind[]; badKinds: string[] } {
  if (!SUPPORTED_PROTOCOLS.has(protocol)) return { kinds: [], badKinds: [] };
  const asked = records(record(raw.allowedRoutes).kinds);
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
function certificateProblem(ctx: Context, gw: K8sObject, tls: Record<string, unknown>): ConditionSpec | undefined {
  const ns = gw.metadata.namespace ?? 'default';
  for (const ref of records(tls.certificateRefs)) {
    const group = str(ref.group) ?? CORE_GROUP;
    const kind = str(ref.kind) ?? 'Secret';
    const name = str(ref.name) ?? '';
    const refNs = str(ref.namespace) || ns;
    if (group !== CORE_GROUP || kind !== 'Secret') {
      return c.listenerInvalidCertificateRef(`certificateRef ${group || 'core'}/${kind} ${name} is not a Secret`);
    }
    const to = { group, kind, namespace: refNs, name };
    if (!refPermitted(ctx.grants, { group: GATEWAY_GROUP, kind: 'Gateway', namespace: ns }, to)) {
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

function finishListener(d: Draft): ListenerIR {
  const supported = SUPPORTED_PROTOCOLS.has(d.protocol);
  const accepted = supported && !d.conflict;
  const routable = accepted && d.kinds.length > 0;
  const programmed = routable && !d.refProblem;
  const conditions = [
    !supported
      ? c.listenerUnsupportedProtocol(`protocol ${d.protocol || '(none)'} is not supported: use HTTP or HTTPS`)
      : d.conflict
        ? c.listenerNotAcceptedConflict(d.conflict.reason, d.conflict.message)
        : c.listenerAccepted(),
    programmed ? c.listenerProgrammed() : c.listenerNotProgrammed(notProgrammedWhy(d, supported)),
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
    attachedRoutes: 0,
  };
}

function notProgrammedWhy(d: Draft, supported: boolean): string {
  if (!supported) return 'listener is not accepted';
  if (d.conflict) return 'listener is conflicted';
  if (d.kinds.length === 0) return 'listener has no supported route kinds';
  return 'listener has unresolved references';
}
