// Rule translation remembered across translate() calls. A sync translates the whole snapshot, but between
// two syncs usually one route changed: the rules of every other route (backends resolved, filters and
// matches checked, the proxy's schema applied: most of a route's cost) come out the same. They are reused
// while the route object and every object rule translation reads (Services, EndpointSlices, ReferenceGrants)
// are the very same instances as when they were computed, and the BackendTLSPolicy settings they read (by
// value: ConfigMaps change for many reasons, their certificates rarely) are the same; any other change
// computes them afresh.
//
// Pure as long as inputs are values: adapters replace an object that changes, they never edit it in place
// (the file source and the informers both do). Outputs then share the unchanged routes' rule objects with
// earlier outputs, so a DesiredState is read-only, as values passed between actors already are. (Freezing
// them is not an option: rules may hold parts of the input objects, which translate() must not change.)
import { Recent } from '../core/recent.js';
import type { K8sObject, Snapshot } from '../core/types.js';
import type { RouteKind } from '../gatewayapi/constants.js';
import type { RouteRules } from './rules.js';
import type { RouteIR } from './routes.js';
import type { Steps } from '../core/steps.js';
import { copyWith } from '../core/copy.js';

interface Inputs {
  /** An option rule translation reads: the same objects translate differently with it. */
  externalNameServices: boolean;
  /** BackendTlsIndex.fingerprint: the TLS settings that govern each Service port. */
  backendTls: string;
  services: readonly K8sObject[];
  endpointSlices: readonly K8sObject[];
  referenceGrants: readonly K8sObject[];
}

const entries = new WeakMap<object, Entry<RouteRules>>();

/**
 * Where a route's work is remembered: its spec object, with its metadata object checked on a hit. Rule
 * translation and attachment read only those two, and a source that stores the status it was written on its
 * objects (the file source) hands out a copy sharing both: the same route for this memo. Without an object
 * spec (refused anyway) the route itself.
 */
function routeKey(route: K8sObject): object {
  return typeof route.spec === 'object' && route.spec !== null ? (route.spec as object) : route;
}
/** The latest inputs generations, newest first: callers that alternate between snapshots (tests, render) keep theirs. */
const recent = new Recent<{ inputs: Inputs; generation: object }>();

function sameItems(a: readonly K8sObject[], b: readonly K8sObject[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A token that stays the same while the objects rule translation reads are the same instances, in order. */
export function ruleInputsGeneration(snapshot: Snapshot, externalNameServices = false, backendTls = ''): object {
  const known = recent.take(
    ({ inputs }) =>
      inputs.externalNameServices === externalNameServices &&
      inputs.backendTls === backendTls &&
      sameItems(inputs.services, snapshot.services) &&
      sameItems(inputs.endpointSlices, snapshot.endpointSlices) &&
      sameItems(inputs.referenceGrants, snapshot.referenceGrants),
  );
  if (known) return known.generation;
  // Copies: the snapshot's arrays belong to the caller.
  const inputs = {
    externalNameServices,
    backendTls,
    services: [...snapshot.services],
    endpointSlices: [...snapshot.endpointSlices],
    referenceGrants: [...snapshot.referenceGrants],
  };
  return recent.add({ inputs, generation: {} }).generation;
}

/** The route's rules from an earlier call in the same inputs generation, else computed (and remembered). */
export function memoRulesSteps(
  route: K8sObject,
  kind: RouteKind,
  generation: object,
  compute: () => Steps<RouteRules>,
): Steps<RouteRules> {
  return rememberedSteps(entries, route, { kind, generation }, compute);
}

const routeEntries = new WeakMap<object, Entry<RouteIR>>();

/**
 * The route's whole IR (attachment, rules, per-parent conditions) from an earlier call with the same parents
 * and rule inputs, else computed. Attachment reads only the parents, the route and the namespaces' labels,
 * which are inputs of the parents stage: the same `parents` object means they are the same. A reused IR may
 * hold an earlier copy of the route (routeKey): its status is read from the current copy (routes.ts hands on
 * each route's current object).
 */
export function memoRouteIRSteps(
  route: K8sObject,
  kind: RouteKind,
  parents: object,
  generation: object,
  compute: () => Steps<RouteIR>,
): Steps<RouteIR> {
  return rememberedSteps(routeEntries, route, { kind, generation, parents }, compute);
}

/** What a remembered value was computed from, besides the route's spec and metadata. */
interface Key {
  kind: RouteKind;
  generation: object;
  parents?: object;
}

interface Entry<T> extends Key {
  /** The route's metadata object: with its spec (the map's key), all that is read of the route. */
  metadata: object;
  value: T;
}

/**
 * memoRouteIRSteps's remembered IR, or undefined: the same answer without a generator, for the loop that
 * asks it for every route on every sync (most are hits).
 */
export function rememberedRouteIR(
  route: K8sObject,
  kind: RouteKind,
  parents: object,
  generation: object,
): RouteIR | undefined {
  return hitOf(routeEntries, route, { kind, generation, parents });
}

function hitOf<T>(map: WeakMap<object, Entry<T>>, route: K8sObject, key: Key): T | undefined {
  const hit = map.get(routeKey(route));
  const same =
    hit?.metadata === route.metadata &&
    hit.kind === key.kind &&
    hit.generation === key.generation &&
    hit.parents === key.parents;
  return same ? hit.value : undefined;
}

function* rememberedSteps<T>(
  map: WeakMap<object, Entry<T>>,
  route: K8sObject,
  key: Key,
  compute: () => Steps<T>,
): Steps<T> {
  const hit = hitOf(map, route, key);
  if (hit !== undefined) return hit;
  const value = yield* compute();
  map.set(routeKey(route), copyWith(key, { metadata: route.metadata, value }));
  return value;
}
