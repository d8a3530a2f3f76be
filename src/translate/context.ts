// The read-only indexes every translation step shares, built once from the snapshot.
import type { K8sObject, Snapshot, TranslateOptions } from '../core/types.js';
import { LABEL_NAMESPACE_NAME, LABEL_SERVICE_NAME } from '../gatewayapi/constants.js';
import { isRecord, namespaceOf, nsName } from '../gatewayapi/values.js';
import { buildBackendTlsIndex, type BackendTlsIndex } from './backend-tls.js';

export interface Context {
  readonly options: TranslateOptions;
  readonly snapshot: Snapshot;
  /** Namespace labels by name; namespaces absent from the snapshot still carry kubernetes.io/metadata.name. */
  namespaceLabels(name: string): Record<string, string>;
  service(namespace: string, name: string): K8sObject | undefined;
  slicesOf(namespace: string, service: string): K8sObject[];
  secret(namespace: string, name: string): K8sObject | undefined;
  configMap(namespace: string, name: string): K8sObject | undefined;
  readonly grants: K8sObject[];
  readonly configMaps: K8sObject[];
  /** BackendTLSPolicies: which settings govern each Service port, and each policy's verdict. */
  readonly backendTls: BackendTlsIndex;
}

/**
 * Objects without a usable metadata block are skipped everywhere (manifests may be hand-written). When a
 * folder of manifests holds the same object twice, one copy is kept, chosen by content so that the input
 * order never changes the result.
 */
export function wellFormed(objects: K8sObject[]): K8sObject[] {
  const byName = new Map<string, K8sObject>();
  for (const o of objects) {
    const key = wellFormedName(o);
    if (key === undefined) continue;
    const prev = byName.get(key);
    byName.set(key, prev && contentOf(prev) <= contentOf(o) ? prev : o);
  }
  return [...byName.values()];
}

/** "namespace/name" of an object with a usable metadata block, else undefined (wellFormed skips it). */
export function wellFormedName(o: K8sObject): string | undefined {
  if (!isRecord(o) || !isRecord(o.metadata) || typeof o.metadata.name !== 'string') return undefined;
  return nsName(String(namespaceOf(o)), o.metadata.name);
}

function contentOf(o: K8sObject): string {
  try {
    return JSON.stringify(o);
  } catch {
    return ''; // cyclic (YAML aliases): such a copy is kept, deterministically
  }
}

/** Namespaced objects by "namespace/name". */
function byKey(objects: K8sObject[]): Map<string, K8sObject> {
  const map = new Map<string, K8sObject>();
  for (const o of wellFormed(objects)) map.set(nsName(namespaceOf(o), o.metadata.name), o);
  return map;
}

export function buildContext(snapshot: Snapshot, options: TranslateOptions): Context {
  const services = byKey(snapshot.services);
  const secrets = byKey(snapshot.secrets);
  const configMaps = byKey(snapshot.configMaps);
  const configMap = (ns: string, name: string) => configMaps.get(nsName(ns, name));
  const namespaces = new Map(wellFormed(snapshot.namespaces).map((n) => [n.metadata.name, n]));
  const slices = new Map<string, K8sObject[]>();
  for (const s of wellFormed(snapshot.endpointSlices)) {
    const svc = s.metadata.labels?.[LABEL_SERVICE_NAME];
    if (typeof svc !== 'string') continue;
    const key = nsName(namespaceOf(s), svc);
    slices.set(key, [...(slices.get(key) ?? []), s]);
  }
  return {
    options,
    snapshot,
    namespaceLabels: (name) => ({
      ...(namespaces.get(name)?.metadata.labels ?? {}),
      [LABEL_NAMESPACE_NAME]: name,
    }),
    service: (ns, name) => services.get(nsName(ns, name)),
    slicesOf: (ns, name) => slices.get(nsName(ns, name)) ?? [],
    secret: (ns, name) => secrets.get(nsName(ns, name)),
    configMap,
    grants: wellFormed(snapshot.referenceGrants),
    // Absent from snapshots built before ConfigMaps were part of them (callers' literals).
    configMaps: wellFormed(snapshot.configMaps ?? []),
    backendTls: buildBackendTlsIndex(snapshot, configMap),
  };
}

export function generationOf(obj: K8sObject): number {
  const g = obj.metadata.generation;
  return typeof g === 'number' && Number.isInteger(g) ? g : 1;
}
