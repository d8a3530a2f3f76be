// route-order.ts against the full passes it shortcuts: whatever list follows whatever list (a route replaced
// in place, renamed, added at the end or in the middle, removed, duplicated, malformed), wellFormedRoutes
// gives what wellFormed gives and sortedRoutes and routesByAge what a fresh sort gives.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { K8sObject } from '../../src/core/types.js';
import { wellFormed } from '../../src/translate/context.js';
import { compareRoutes, routesByAge, sortedRoutes, wellFormedRoutes } from '../../src/translate/route-order.js';
import type { RouteIR } from '../../src/translate/routes.js';
import { propertyRuns } from '../support/runs.js';

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'];
/** Creation times a route may have (none: it sorts after every dated one by age). */
const CREATED = ['2026-01-02T00:00:00Z', undefined, '2026-01-01T00:00:00Z'];
const route = (name: string, v: number): K8sObject =>
  ({
    kind: 'HTTPRoute',
    metadata: { name, namespace: 'ns', creationTimestamp: CREATED[v % CREATED.length] },
    spec: { v },
  }) as K8sObject;

/** Oldest first, undated last, then by name: written out here, not taken from route-order.ts. */
const byAgeThenName = (a: RouteIR, b: RouteIR): number => {
  const [x, y] = [a, b].map((r) => `${(r.obj.metadata.creationTimestamp as string | undefined) ?? '~'} ${r.name}`);
  return x! < y! ? -1 : x! > y! ? 1 : 0;
};
const malformed = { kind: 'HTTPRoute', metadata: { namespace: 'ns' } } as unknown as K8sObject;

type Edit =
  | { op: 'replace' | 'rename' | 'remove' | 'duplicate'; at: number; name: string }
  | { op: 'append' | 'appendPair' | 'insert' | 'malformed'; at: number; name: string };
const edit: fc.Arbitrary<Edit> = fc.record({
  op: fc.constantFrom(
    'replace',
    'replace',
    'replace',
    'append',
    'append',
    'rename',
    'appendPair',
    'remove',
    'insert',
    'duplicate',
    'malformed',
  ),
  at: fc.nat(10),
  name: fc.constantFrom(...NAMES),
}) as fc.Arbitrary<Edit>;

/** The next list: a new array, as a source hands out; replaced objects are new objects. */
function apply(list: K8sObject[], e: Edit, v: number): K8sObject[] {
  const next = list.slice();
  const at = list.length ? e.at % list.length : 0;
  const nameAt = list[at]?.metadata?.name ?? e.name;
  if (e.op === 'replace' && list.length) next[at] = route(nameAt, v);
  if (e.op === 'rename' && list.length) next[at] = route(e.name, v);
  if (e.op === 'remove') next.splice(at, 1);
  if (e.op === 'duplicate' && list.length) next.push(route(nameAt, v));
  if (e.op === 'append') next.push(route(e.name, v));
  if (e.op === 'appendPair') next.push(route(`${e.name}2`, v), route(`${e.name}2`, v + 100));
  if (e.op === 'insert') next.splice(at, 0, route(e.name, v));
  if (e.op === 'malformed') next.push(malformed);
  return next;
}

const ir = (obj: K8sObject, kind = 'HTTPRoute'): RouteIR =>
  ({ kind, obj, namespace: obj.metadata.namespace, name: obj.metadata.name }) as RouteIR;

describe('route order', () => {
  it('wellFormedRoutes, sortedRoutes and routesByAge equal the full passes after any sequence of list edits', () => {
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 30 }), (edits) => {
        let list: K8sObject[] = [route('c', 0), route('a', 0)];
        const irOf = new Map<K8sObject, RouteIR>(); // the translator reuses an unchanged route's IR
        edits.forEach((e, v) => {
          list = apply(list, e, v + 1);
          const kept = wellFormedRoutes('HTTPRoute', list);
          expect(kept).toEqual(wellFormed(list));
          const irs = kept.map((o) => irOf.get(o) ?? irOf.set(o, ir(o)).get(o)!);
          const { sorted, order } = sortedRoutes(irs);
          const expected = [...irs].sort(compareRoutes);
          expect(sorted).toHaveLength(irs.length);
          sorted.forEach((r, i) => expect(r).toBe(expected[i]));
          // Where each came from: the caller reads its per-route inputs (the snapshot's objects) through it.
          expect(order).toHaveLength(irs.length);
          order.forEach((from, i) => expect(irs[from]).toBe(sorted[i]));
          const byAge = routesByAge(irs);
          byAge.sorted.forEach((r, i) => expect(r).toBe([...irs].sort(byAgeThenName)[i]));
          byAge.order.forEach((from, i) => expect(irs[from]).toBe(byAge.sorted[i]));
          expect(byAge.sorted).toHaveLength(irs.length);
        });
      }),
      { numRuns: propertyRuns(300) },
    );
  });

  it('keeps each route kind apart: a GRPCRoute list does not stand for an HTTPRoute list', () => {
    const http = [route('a', 1), route('b', 1)];
    const grpc = [route('a', 2)];
    wellFormedRoutes('HTTPRoute', http);
    wellFormedRoutes('GRPCRoute', grpc);
    const next = [http[0]!, http[1]!, route('a', 3)];
    expect(wellFormedRoutes('HTTPRoute', next)).toEqual(wellFormed(next));
    expect(wellFormedRoutes('HTTPRoute', next)).toHaveLength(2);
  });

  it('filters a list that shrank, or grew by a malformed object beside a new route, from a clean one', () => {
    // One edit per step (the property above) never does either: a step removes one route or appends one.
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => route(name, 1));
    wellFormedRoutes('ShrinkKind', [a!, b!, c!]);
    expect(wellFormedRoutes('ShrinkKind', [a!, malformed])).toEqual([a]);
    wellFormedRoutes('GrowKind', [a!, b!]);
    expect(wellFormedRoutes('GrowKind', [a!, b!, malformed, d!])).toEqual([a, b, d]);
  });

  it('leaves a sort it returned as it was when the next call starts from it', () => {
    const irs = ['b', 'a', 'c'].map((name) => ir(route(name, 1)));
    const first = sortedRoutes(irs);
    const seen = { sorted: [...first.sorted], order: [...first.order] };
    sortedRoutes([irs[0]!, ir(route('a', 2)), irs[2]!]);
    sortedRoutes([irs[0]!, irs[1]!, irs[2]!, ir(route('0', 1))]);
    expect(first).toEqual(seen);
  });
});
