// The route list's whole-list passes, done per change instead of from scratch: dropping malformed and
// duplicate objects (wellFormed) and sorting the IRs by kind, namespace and name (and, for the proxy
// config's rule numbers, by age). Between two syncs the
// list is usually the one before with a route replaced in its place or added at the end (the file source
// and the informers keep their order): then the result is the previous one with that route replaced or
// inserted. Anything else (a removal, a reorder, a duplicate, a malformed object) takes the full pass. At
// 5,000 routes the two passes were ~20 % of a change's translation (measured with test-output/tr.ts).
// Like memo.ts: module state that only ever changes how fast the answer comes, never the answer (the
// property test, test/translate/memo.test.ts, compares with translations no memo can recognise).
import type { K8sObject } from '../core/types.js';
import { byString, timestamp } from '../gatewayapi/values.js';
import { wellFormed, wellFormedName } from './context.js';
import type { RouteIR } from './routes.js';

/** The last list of each route kind whose objects were all well formed with distinct names. */
const lastObjects = new Map<string, { objects: readonly K8sObject[]; names: Set<string> }>();

/** wellFormed(objects) for one route kind's list, from the previous list of that kind when it can be. */
export function wellFormedRoutes(kind: string, objects: K8sObject[]): K8sObject[] {
  const last = lastObjects.get(kind);
  if (last && extendsInPlace(last, objects)) {
    lastObjects.set(kind, { objects, names: last.names });
    return objects;
  }
  const kept = wellFormed(objects);
  if (kept.length === objects.length) lastObjects.set(kind, { objects, names: new Set(objects.map(nameOf)) });
  else lastObjects.delete(kind);
  return kept;
}

/** Same names at the same places (objects replaced in place), then new distinct names; adds those to `names`. */
function extendsInPlace(last: { objects: readonly K8sObject[]; names: Set<string> }, objects: K8sObject[]): boolean {
  const before = last.objects;
  // Stryker disable next-line ConditionalExpression: only sooner; a shorter list fails the name check below
  if (objects.length < before.length) return false;
  for (let i = 0; i < before.length; i++)
    if (objects[i] !== before[i] && nameOf(objects[i]!) !== nameOf(before[i]!)) return false;
  const added = objects.slice(before.length).map(nameOf);
  if (added.some((name) => name === '' || last.names.has(name)) || new Set(added).size !== added.length) return false;
  for (const name of added) last.names.add(name);
  return true;
}

/** "namespace/name" of a well-formed object, else "" (wellFormed's own key). */
const nameOf = (o: K8sObject): string => wellFormedName(o) ?? '';

export const compareRoutes = (a: RouteIR, b: RouteIR): number =>
  byString(a.kind, b.kind) || byString(a.namespace, b.namespace) || byString(a.name, b.name);

/**
 * Oldest first (no creationTimestamp: last), then as compareRoutes: the order the proxy config numbers rules
 * in. A new object is the newest, so adding a route appends its rules and every other rule keeps its index
 * (with a name order, a route named "a…" added renumbered every rule after it, and with them every host
 * entry holding their matches).
 */
export const compareRoutesByAge = (a: RouteIR, b: RouteIR): number =>
  byString(createdAt(a), createdAt(b)) || compareRoutes(a, b);

const createdAt = (r: RouteIR): string => timestamp(r.obj.metadata.creationTimestamp) || '~';

/** A sort's answer: the IRs in order (a new array, read-only: the next call starts from it), and where each came from. */
export interface SortedRoutes {
  sorted: readonly RouteIR[];
  /** `sorted[k]` is the input's `irs[order[k]]`: what lets a caller read its own per-route inputs in that order. */
  order: readonly number[];
}

/** The IRs sorted by compareRoutes, from the previous sort when the list only changed in place or grew. */
export const sortedRoutes = incrementalSort(compareRoutes);

/** The IRs sorted by compareRoutesByAge, as sortedRoutes sorts. */
export const routesByAge = incrementalSort(compareRoutesByAge);

/**
 * A sort that starts from its previous answer when the list only changed in place or grew (a route replaced
 * or added between two syncs). `compare` must order no two routes equal (wellFormedRoutes keeps one object
 * per kind and name, and every order here ends with them).
 */
function incrementalSort(compare: (a: RouteIR, b: RouteIR) => number): (irs: RouteIR[]) => SortedRoutes {
  let lastSort: (SortedRoutes & { irs: readonly RouteIR[] }) | undefined;
  return (irs) => {
    const result = (lastSort && resorted(lastSort, irs, compare)) ?? fullSort(irs, compare);
    lastSort = { irs, ...result };
    return result;
  };
}

function fullSort(irs: readonly RouteIR[], compare: (a: RouteIR, b: RouteIR) => number): SortedRoutes {
  const order = irs.map((_, i) => i).sort((a, b) => compare(irs[a]!, irs[b]!));
  return { sorted: order.map((i) => irs[i]!), order };
}

function resorted(
  last: SortedRoutes & { irs: readonly RouteIR[] },
  irs: RouteIR[],
  compare: (a: RouteIR, b: RouteIR) => number,
): SortedRoutes | undefined {
  if (irs.length < last.irs.length) return undefined;
  // Copied only when a route is replaced, and the additions merged in one pass into one new list: at 5,000
  // routes a copy and a splice per added route were 0.25 MiB of garbage a change (heap-profile-cli.ts).
  let sorted = last.sorted;
  for (let i = 0; i < last.irs.length; i++) {
    if (irs[i] === last.irs[i]) continue;
    if (compare(irs[i]!, last.irs[i]!) !== 0) return undefined;
    if (sorted === last.sorted) sorted = last.sorted.slice();
    // Where the route it replaces sorts; that one came from the same input position i.
    (sorted as RouteIR[])[insertionPoint(sorted, irs[i]!, compare)] = irs[i]!;
  }
  if (irs.length === last.irs.length) return { sorted, order: last.order };
  // Where each added route goes among the others; two going to the same place, in their own order.
  const added: Array<[at: number, input: number]> = [];
  for (let i = last.irs.length; i < irs.length; i++) added.push([insertionPoint(sorted, irs[i]!, compare), i]);
  added.sort((a, b) => a[0] - b[0] || compare(irs[a[1]]!, irs[b[1]]!));
  return mergedIn(sorted, last.order, added, irs);
}

/** `sorted` (with `order`) and the `added` inputs at their places, as new lists. */
function mergedIn(
  sorted: readonly RouteIR[],
  order: readonly number[],
  added: ReadonlyArray<[at: number, input: number]>,
  irs: readonly RouteIR[],
): SortedRoutes {
  const outSorted = new Array<RouteIR>(sorted.length + added.length);
  const outOrder = new Array<number>(outSorted.length);
  let from = 0;
  let k = 0;
  const copyUpTo = (end: number) => {
    for (; from < end; from++, k++) {
      outSorted[k] = sorted[from]!;
      outOrder[k] = order[from]!;
    }
  };
  for (const [at, input] of added) {
    copyUpTo(at);
    outSorted[k] = irs[input]!;
    outOrder[k++] = input;
  }
  copyUpTo(sorted.length);
  return { sorted: outSorted, order: outOrder };
}

/** The first index whose route does not sort before `ir`. */
function insertionPoint(sorted: readonly RouteIR[], ir: RouteIR, compare: (a: RouteIR, b: RouteIR) => number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compare(sorted[mid]!, ir) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
