// The worlds memo.test.ts translates (objects: memo-objects.ts) and every edit a control plane can see between
// two syncs (objects replaced, added, removed, statuses written back, the clock and the tunnel changed), each
// replacing only the objects it edits so that memos keyed on identity are exercised.
import fc from 'fast-check';
import { parseManifests, toSnapshot } from '../../src/sources/manifests.js';
import type { K8sObject, ResourceStatus, Snapshot, TranslateOptions } from '../../src/core/types.js';
import {
  BASE,
  CAS,
  ROUTES,
  altRoute,
  classParams,
  configMap,
  gateway,
  grant,
  grpcName,
  grpcRoute,
  listenerSet,
  namespace,
  policy,
  route,
  routeWithStatus,
  withStatus,
} from './memo-objects.js';

type Edit =
  | { type: 'writeStatus'; index: number }
  | { type: 'routeStatus'; index: number; resolved: boolean }
  | { type: 'rename'; index: number }
  | { type: 'gatewayStatus'; accepted: boolean }
  | { type: 'gateway'; variant: number }
  | { type: 'namespace'; labelled: boolean }
  | { type: 'grpc'; index: number; older: boolean | null; wild: boolean }
  | { type: 'tunnel'; id: string | null }
  | { type: 'clock'; second: number }
  | { type: 'route'; index: number; variant: number }
  | { type: 'policy'; variant: number | null }
  | { type: 'configMap'; ca: number; other: number }
  | { type: 'dropRoute'; index: number }
  | { type: 'servicePort'; port: number }
  | { type: 'sliceAddress'; last: number }
  | { type: 'grant'; present: boolean }
  | { type: 'altRoute'; present: boolean }
  | { type: 'listenerSet'; hostname: number | null }
  | { type: 'classParams'; accessLog: string | null };

export const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ type: fc.constant('gateway' as const), variant: fc.nat(5) }),
  fc.record({ type: fc.constant('gatewayStatus' as const), accepted: fc.boolean() }),
  fc.record({ type: fc.constant('routeStatus' as const), index: fc.nat(ROUTES - 1), resolved: fc.boolean() }),
  fc.record({ type: fc.constant('rename' as const), index: fc.nat(ROUTES - 1) }),
  fc.record({ type: fc.constant('writeStatus' as const), index: fc.nat(ROUTES - 1) }),
  fc.record({ type: fc.constant('namespace' as const), labelled: fc.boolean() }),
  fc.record({
    type: fc.constant('grpc' as const),
    index: fc.nat(ROUTES - 1),
    older: fc.option(fc.boolean()),
    wild: fc.boolean(),
  }),
  fc.record({ type: fc.constant('tunnel' as const), id: fc.option(fc.constantFrom('t1', 't2')) }),
  fc.record({ type: fc.constant('clock' as const), second: fc.nat(2) }),
  fc.record({ type: fc.constant('route' as const), index: fc.nat(ROUTES - 1), variant: fc.nat(5) }),
  fc.record({ type: fc.constant('dropRoute' as const), index: fc.nat(ROUTES - 1) }),
  fc.record({ type: fc.constant('servicePort' as const), port: fc.constantFrom(80, 8080) }),
  fc.record({ type: fc.constant('sliceAddress' as const), last: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ type: fc.constant('grant' as const), present: fc.boolean() }),
  fc.record({ type: fc.constant('altRoute' as const), present: fc.boolean() }),
  fc.record({ type: fc.constant('policy' as const), variant: fc.option(fc.nat(2)) }),
  fc.record({ type: fc.constant('configMap' as const), ca: fc.nat(CAS.length), other: fc.nat(3) }),
  fc.record({ type: fc.constant('listenerSet' as const), hostname: fc.option(fc.nat(1)) }),
  fc.record({ type: fc.constant('classParams' as const), accessLog: fc.option(fc.constantFrom('true', 'false')) }),
);

export interface World {
  snapshot: Snapshot;
  options: TranslateOptions;
  /** The last translation's statuses. */
  statuses: ResourceStatus[];
}

/** The next world: edited objects are replaced by new ones, every other object is the same instance. */
export function applyEdit(w: World, e: Edit): World {
  if (e.type === 'clock') return { ...w, options: { ...w.options, now: `2026-01-01T00:00:0${e.second}Z` } };
  if (e.type === 'tunnel') return { ...w, options: { ...w.options, tunnelId: e.id ?? undefined } };
  if (e.type === 'writeStatus') return { ...w, snapshot: writeStatus(w, `r${e.index}`) };
  return { ...w, snapshot: apply(w.snapshot, e) };
}

/** Route `name` as the file source keeps it once its last status is written: a copy carrying a copy of it. */
export function writeStatus(w: World, name: string): Snapshot {
  const written = w.statuses.find((st) => st.kind === 'HTTPRoute' && st.name === name);
  if (!written) return w.snapshot;
  const status = JSON.parse(JSON.stringify(written.status)) as Record<string, unknown>;
  const httpRoutes = w.snapshot.httpRoutes.map((r) => (r.metadata.name === name ? { ...r, status } : r));
  return { ...w.snapshot, httpRoutes };
}

export function apply(s: Snapshot, e: Exclude<Edit, { type: 'clock' | 'tunnel' | 'writeStatus' }>): Snapshot {
  const next: Snapshot = {
    ...s,
    gateways: [...s.gateways],
    namespaces: [...s.namespaces],
    grpcRoutes: [...s.grpcRoutes],
    httpRoutes: [...s.httpRoutes],
    services: [...s.services],
    endpointSlices: [...s.endpointSlices],
    referenceGrants: [...s.referenceGrants],
    backendTLSPolicies: [...s.backendTLSPolicies],
    configMaps: [...s.configMaps],
    listenerSets: [...s.listenerSets],
  };
  const at = (name: string) => next.httpRoutes.findIndex((r) => r.metadata.name === name);
  switch (e.type) {
    case 'route': {
      const i = at(`r${e.index}`);
      if (i >= 0) next.httpRoutes[i] = route(e.index, e.variant);
      else next.httpRoutes.push(route(e.index, e.variant));
      break;
    }
    case 'dropRoute':
      next.httpRoutes = next.httpRoutes.filter((r) => r.metadata.name !== `r${e.index}`);
      break;
    case 'servicePort':
      next.services = next.services.map((svc) => ({ ...svc, spec: { ports: [{ name: 'http', port: e.port }] } }));
      break;
    case 'sliceAddress':
      next.endpointSlices = next.endpointSlices.map((sl) => ({
        ...sl,
        endpoints: [{ addresses: [`10.0.0.${e.last}`] }],
      }));
      break;
    case 'grant':
      next.referenceGrants = e.present ? [grant()] : [];
      break;
    case 'altRoute':
      next.httpRoutes = next.httpRoutes.filter((r) => r.metadata.name !== 'zz-alt');
      if (e.present) next.httpRoutes.push(altRoute());
      break;
    case 'policy':
      next.backendTLSPolicies = e.variant === null ? [] : [policy(e.variant)];
      break;
    case 'configMap':
      next.configMaps = [...next.configMaps.filter((c) => c.metadata.name !== 'ca'), configMap(e.ca, e.other)];
      break;
    case 'classParams':
      next.configMaps = next.configMaps.filter((c) => c.metadata.name !== 'params');
      if (e.accessLog !== null) next.configMaps.push(classParams(e.accessLog));
      break;
    case 'listenerSet':
      next.listenerSets = e.hostname === null ? [] : [listenerSet(e.hostname)];
      break;
    case 'gateway':
      next.gateways = [gateway(e.variant)];
      break;
    case 'rename':
      // Another route with the very same spec object (as a namespace-defaulting copy would have).
      next.httpRoutes = next.httpRoutes.map((r) =>
        r.metadata.name === `r${e.index}` ? { ...r, metadata: { ...r.metadata, name: `r${e.index}-renamed` } } : r,
      );
      break;
    case 'routeStatus':
      next.httpRoutes = next.httpRoutes.map((r) =>
        r.metadata.name === `r${e.index}` ? routeWithStatus(r, e.resolved) : r,
      );
      break;
    case 'gatewayStatus':
      next.gateways = next.gateways.map((g) => withStatus(g, e.accepted));
      break;
    case 'namespace':
      next.namespaces = [namespace(e.labelled)];
      break;
    case 'grpc':
      next.grpcRoutes = next.grpcRoutes.filter((r) => r.metadata.name !== grpcName(e.index, e.wild));
      if (e.older !== null) next.grpcRoutes.push(grpcRoute(e.index, e.older, e.wild));
      break;
  }
  return next;
}

let copies = 0;

/**
 * A deep copy no memo can take for the objects it saw: a JSON copy (structuredClone would build arrays of
 * another realm under jest) whose objects have a new uid, as recreated objects would. Identity memos miss a
 * copy anyway; the parents stage also reuses objects that are the same but for their status (stage-memo.ts).
 * One uid for the whole copy: of two objects with one name, wellFormed keeps the one whose text sorts first,
 * and a uid per position would decide that instead of their content (two renames make such a pair).
 */
export function unrecognisable(snapshot: Snapshot): Snapshot {
  const copy = JSON.parse(JSON.stringify(snapshot)) as Record<string, K8sObject[]>;
  copies++;
  for (const list of Object.values(copy)) for (const obj of list) if (obj.metadata) obj.metadata.uid = `copy-${copies}`;
  return copy as unknown as Snapshot;
}

export function initial(): Snapshot {
  const { snapshot } = toSnapshot(parseManifests(BASE, 'base.yaml'));
  snapshot.httpRoutes = Array.from({ length: ROUTES }, (_, i) => route(i, 0));
  return snapshot;
}
