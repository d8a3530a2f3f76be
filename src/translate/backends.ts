// Step 4: backend references → Services → ready EndpointSlice addresses. A reference that cannot be used
// yields a fail-closed backend (500) and a ResolvedRefs problem; a Service with no ready endpoint yields 503.
import type { z } from 'zod';
import { CONFIG_LIMITS, type Backend } from '../../proxy/config/schema.js';
import type { K8sObject } from '../core/types.js';
import type { RouteRefReason } from '../gatewayapi/conditions.js';
import { CORE_GROUP, type RouteKind } from '../gatewayapi/constants.js';
import { refPermitted, routeRefFrom } from '../gatewayapi/refs.js';
import { byString, int, record, records, str, namespaceOf } from '../gatewayapi/values.js';
import type { TlsSettings } from './backend-tls.js';
import type { Context } from './context.js';

export type BackendInput = z.input<typeof Backend>;
export type Protocol = 'http1' | 'h2c' | 'ws';
export interface Endpoint {
  address: string;
  port: number;
}

export interface RefProblem {
  reason: RouteRefReason;
  message: string;
}

export interface ResolvedRef {
  name: string;
  endpoints: Endpoint[];
  protocol: Protocol;
  /** Fail-closed status when the reference cannot be forwarded to. */
  status?: 500 | 503;
  problem?: RefProblem;
  /** The BackendTLSPolicy settings governing the Service port. */
  tls?: TlsSettings;
  /** The policy slot that governs it (backend-tls.ts), usable or not: the policy's status reports the use. */
  tlsSlot?: string;
}

export function resolveRef(ctx: Context, kind: RouteKind, routeNs: string, ref: Record<string, unknown>): ResolvedRef {
  const group = str(ref.group) ?? CORE_GROUP;
  const refKind = str(ref.kind) ?? 'Service';
  const name = str(ref.name) ?? '';
  const ns = str(ref.namespace) || routeNs;
  const port = int(ref.port);
  const label = `${ns}/${name}${port === undefined ? '' : `:${port}`}`;
  const invalid = (reason: RouteRefReason, message: string): ResolvedRef => ({
    name: label,
    endpoints: [],
    protocol: 'http1',
    status: 500,
    problem: { reason, message },
  });
  if (group !== CORE_GROUP || refKind !== 'Service')
    return invalid('InvalidKind', `backendRef ${group || 'core'}/${refKind} ${name} is not a Service`);
  if (!refPermitted(ctx.grants, routeRefFrom(kind, routeNs), { group, kind: refKind, namespace: ns, name })) {
    return invalid('RefNotPermitted', `Service ${ns}/${name} is in another namespace and no ReferenceGrant allows it`);
  }
  const service = ctx.service(ns, name);
  if (!service) return invalid('BackendNotFound', `Service ${ns}/${name} not found`);
  // The API server refuses a Service backendRef without a port; hand-written manifests may still lack one.
  if (port === undefined) return invalid('BackendNotFound', `backendRef to Service ${ns}/${name} has no port`);
  if (record(service.spec).type === 'ExternalName') return externalName(ctx, service, kind, label, port, invalid);
  const servicePort = records(record(service.spec).ports).find((p) => p.port === port);
  if (!servicePort) return invalid('BackendNotFound', `Service ${ns}/${name} has no port ${port}`);
  const tls = backendTls(ctx, ns, name, port, servicePort);
  if (tls.problem) return { ...invalid(tls.problem.reason, tls.problem.message), tlsSlot: tls.tlsSlot };
  const endpoints = readyEndpoints(ctx.slicesOf(ns, name), str(servicePort.name) ?? '');
  const protocol = kind === 'GRPCRoute' ? 'h2c' : protocolOf(str(servicePort.appProtocol));
  const resolved: ResolvedRef = { name: label, endpoints, protocol, ...tls };
  return endpoints.length ? resolved : { ...resolved, status: 503 };
}

/**
 * The BackendTLSPolicy governing a Service port: its settings, or why the port cannot be forwarded to — the
 * policy is not usable (fail closed, never plaintext), or the port declares TLS (appProtocol https or
 * kubernetes.io/wss) and no policy says how to verify it (GEP-1911: wss with an HTTPRoute needs a policy).
 */
function backendTls(
  ctx: Context,
  ns: string,
  service: string,
  port: number,
  servicePort: Record<string, unknown> | undefined,
): { tls?: TlsSettings; tlsSlot?: string; problem?: RefProblem } {
  const slot = ctx.backendTls.slotFor(ns, service, str(servicePort?.name) ?? '');
  const at = `Service ${ns}/${service} port ${port}`;
  if (slot?.winner.settings) return { tls: slot.winner.settings, tlsSlot: slot.key };
  if (slot) {
    const p = slot.winner;
    const message = `${at} is governed by BackendTLSPolicy ${p.namespace}/${p.name}, which is not usable (${p.unusable})`;
    return { tlsSlot: slot.key, problem: { reason: 'InvalidBackendTLSPolicy', message } };
  }
  const app = str(servicePort?.appProtocol) ?? '';
  if (app.toLowerCase() === 'https' || app === 'kubernetes.io/wss') {
    const message = `${at} declares appProtocol ${app}: TLS to a backend needs a BackendTLSPolicy to verify it by`;
    return { problem: { reason: 'UnsupportedProtocol', message } };
  }
  return {};
}

/**
 * An ExternalName Service forwards to its DNS name at the referenced port (no EndpointSlices exist for it;
 * Kubernetes itself maps no ports). Only when the operator opted in, and never to a name that is an IP address
 * or localhost: a tenant's Service must not become a way to reach the proxy's own host or its network by address.
 */
function externalName(
  ctx: Context,
  service: K8sObject,
  kind: RouteKind,
  label: string,
  port: number,
  invalid: (r: RouteRefReason, m: string) => ResolvedRef,
): ResolvedRef {
  const id = `${namespaceOf(service)}/${service.metadata.name}`;
  if (!ctx.options.externalNameServices) {
    return invalid(
      'BackendNotFound',
      `Service ${id} is of type ExternalName, which this gateway does not forward to (opt in with --external-name-services)`,
    );
  }
  const host = (str(record(service.spec).externalName) ?? '').toLowerCase().replace(/\.$/, '');
  const problem = externalNameProblem(host);
  if (problem) return invalid('BackendNotFound', `Service ${id}: externalName ${JSON.stringify(host)} ${problem}`);
  const servicePort = records(record(service.spec).ports).find((p) => p.port === port);
  const tls = backendTls(ctx, namespaceOf(service), service.metadata.name, port, servicePort);
  if (tls.problem) return { ...invalid(tls.problem.reason, tls.problem.message), tlsSlot: tls.tlsSlot };
  const protocol = kind === 'GRPCRoute' ? 'h2c' : protocolOf(str(servicePort?.appProtocol));
  return { name: label, endpoints: [{ address: host, port }], protocol, ...tls };
}

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function externalNameProblem(host: string): string | undefined {
  if (!DNS_NAME.test(host)) return 'is not a DNS name';
  if (/^[0-9.]+$/.test(host)) return 'is an IP address, not a DNS name';
  if (host === 'localhost' || host.endsWith('.localhost')) return 'names this host';
  return undefined;
}

function protocolOf(appProtocol: string | undefined): Protocol {
  if (appProtocol === 'kubernetes.io/h2c') return 'h2c';
  if (appProtocol === 'kubernetes.io/ws' || appProtocol === 'kubernetes.io/wss') return 'ws';
  return 'http1';
}

/** Ready endpoints of the slice port named like the Service port (or the slice's only port), deduplicated, sorted. */
export function readyEndpoints(slices: K8sObject[], portName: string): Endpoint[] {
  const seen = new Map<string, Endpoint>();
  for (const slice of slices) {
    const ports = records(slice.ports);
    const p = ports.find((x) => (str(x.name) ?? '') === portName) ?? (ports.length === 1 ? ports[0] : undefined);
    const port = int(p?.port);
    if (port === undefined || port < 1 || port > 65535) continue;
    for (const ep of records(slice.endpoints)) {
      if (record(ep.conditions).ready === false) continue; // absent counts as ready
      for (const address of ep.addresses instanceof Array ? ep.addresses : []) {
        if (typeof address === 'string' && address) seen.set(`${address}|${port}`, { address, port });
      }
    }
  }
  // Past the proxy's per-backend limit the first addresses (in sorted order) are kept rather than failing.
  return [...seen.values()]
    .sort((a, b) => byString(a.address, b.address) || a.port - b.port)
    .slice(0, CONFIG_LIMITS.endpointsPerBackend);
}

/** A weighted proxy backend from a resolved reference (fail-closed ones carry no endpoints). */
export function toBackend(r: ResolvedRef, weight: number): BackendInput {
  const b: BackendInput = { name: r.name, weight };
  if (r.status) b.status = r.status;
  if (r.endpoints.length && r.status !== 500) b.endpoints = r.endpoints;
  if (r.protocol !== 'http1') b.protocol = r.protocol;
  if (r.tls && r.status !== 500) b.tls = r.tls;
  return b;
}
