// The resource types the controller reads, and REST path helpers.
import type { Snapshot } from '../core/types.js';

export interface WatchedResource {
  kind: string;
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  /** Which Snapshot array the objects go to. */
  snapshotKey: keyof Snapshot;
  /** Optional resources (CRDs that may not be installed) are reported once when missing, not retried hot. */
  optional: boolean;
  /** Appended to list and watch paths (e.g. a field selector for Secrets). */
  selector?: { label?: string; field?: string };
  /** Watch one namespace only (default: all). */
  namespace?: string;
  /** ConfigMaps: the one kept whole (the GatewayClass parameters); every other is reduced to its ca.crt. */
  keepWhole?: { namespace: string; name: string };
}

const GW = 'gateway.networking.k8s.io';

export interface WatchOptions {
  referenceGrantVersion?: 'v1' | 'v1beta1';
  /** The GatewayClass parameters ConfigMap: only this one is watched (RBAC grants no other). */
  paramsConfigMap?: { namespace: string; name: string };
}

export function watchedResources(opts: WatchOptions = {}): WatchedResource[] {
  const r = (
    kind: string,
    group: string,
    version: string,
    plural: string,
    namespaced: boolean,
    snapshotKey: keyof Snapshot,
    optional = false,
  ): WatchedResource => ({ kind, group, version, plural, namespaced, snapshotKey, optional });
  const params = opts.paramsConfigMap;
  return [
    r('GatewayClass', GW, 'v1', 'gatewayclasses', false, 'gatewayClasses'),
    r('Gateway', GW, 'v1', 'gateways', true, 'gateways'),
    r('ListenerSet', GW, 'v1', 'listenersets', true, 'listenerSets', true),
    r('HTTPRoute', GW, 'v1', 'httproutes', true, 'httpRoutes'),
    r('GRPCRoute', GW, 'v1', 'grpcroutes', true, 'grpcRoutes', true),
    r('ReferenceGrant', GW, opts.referenceGrantVersion ?? 'v1beta1', 'referencegrants', true, 'referenceGrants', true),
    r('Namespace', '', 'v1', 'namespaces', false, 'namespaces'),
    r('Service', '', 'v1', 'services', true, 'services'),
    r('EndpointSlice', 'discovery.k8s.io', 'v1', 'endpointslices', true, 'endpointSlices'),
    { ...r('Secret', '', 'v1', 'secrets', true, 'secrets'), selector: { field: SECRET_FIELD_SELECTOR } },
    // Every ConfigMap, reduced to its ca.crt (BackendTLSPolicy caCertificateRefs; resource-watch.ts), except the
    // GatewayClass parameters one (--params-configmap), which is kept whole.
    { ...r('ConfigMap', '', 'v1', 'configmaps', true, 'configMaps'), ...(params && { keepWhole: params }) },
    r('BackendTLSPolicy', GW, 'v1', 'backendtlspolicies', true, 'backendTLSPolicies', true),
  ];
}

/**
 * The translator reads Secrets only to check a listener's certificateRefs (TLS terminates at Cloudflare), so
 * only TLS Secrets are watched, and their values are blanked before they reach the snapshot (docs/kubernetes.md).
 */
export const SECRET_FIELD_SELECTOR = 'type=kubernetes.io/tls';

export function groupVersionPath(group: string, version: string): string {
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

/** Collection path across all namespaces (or cluster-scoped). */
export function collectionPath(r: { group: string; version: string; plural: string }, namespace?: string): string {
  return `${groupVersionPath(r.group, r.version)}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${r.plural}`;
}

export function objectPath(
  r: { group: string; version: string; plural: string; namespaced?: boolean },
  namespace: string,
  name: string,
): string {
  return `${collectionPath(r, r.namespaced === false ? undefined : namespace)}/${encodeURIComponent(name)}`;
}

export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, v);
  const text = params.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}
