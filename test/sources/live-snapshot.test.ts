// LiveSnapshot against the rebuild it replaces: after any sequence of puts and removes, the snapshot holds
// what toSnapshot() makes of the objects in an insertion-ordered map; kinds no operation touched keep
// their array (the translator's memos compare arrays by their items, and it is cheaper), and a Snapshot
// handed out never changes afterwards.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { K8sObject, Snapshot } from '../../src/core/types.js';
import { LiveSnapshot } from '../../src/sources/live-snapshot.js';
import { toSnapshot } from '../../src/sources/manifests.js';

const KINDS = ['HTTPRoute', 'Service', 'Gateway', 'Deployment'];
const object = (kind: string, name: string, v: number): K8sObject =>
  ({ kind, metadata: { name, namespace: 'ns' }, spec: { v } }) as K8sObject;

const op = fc.record({
  remove: fc.boolean(),
  kind: fc.constantFrom(...KINDS),
  name: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
  v: fc.nat(5),
  look: fc.boolean(),
});

describe('LiveSnapshot', () => {
  it('equals a rebuild from an insertion-ordered map after any puts and removes', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const live = new LiveSnapshot();
        const reference = new Map<string, K8sObject>();
        const handedOut: Array<{ snapshot: Snapshot; copy: string }> = [];
        let previous: Snapshot | undefined;
        const touched = new Set<string>(); // kinds put or removed since the last look
        for (const o of ops) {
          const key = `${o.kind}/ns/${o.name}`;
          if (!o.remove || reference.has(key)) touched.add(o.kind);
          if (o.remove) {
            reference.delete(key);
            live.remove(key);
          } else {
            const obj = object(o.kind, o.name, o.v);
            reference.set(key, obj);
            live.put(key, obj);
          }
          if (!o.look) continue;
          const snapshot = live.snapshot();
          expect(snapshot).toEqual(toSnapshot([...reference.values()]).snapshot);
          if (previous && !touched.has('HTTPRoute')) expect(snapshot.httpRoutes).toBe(previous.httpRoutes);
          if (previous && !touched.has('Service')) expect(snapshot.services).toBe(previous.services);
          touched.clear();
          handedOut.push({ snapshot, copy: JSON.stringify(snapshot) });
          previous = snapshot;
        }
        for (const h of handedOut) expect(JSON.stringify(h.snapshot)).toBe(h.copy);
      }),
      { numRuns: 300 },
    );
  });

  it('hands out the same Snapshot while nothing changed', () => {
    const live = new LiveSnapshot();
    live.put('HTTPRoute/ns/a', object('HTTPRoute', 'a', 1));
    const first = live.snapshot();
    expect(live.snapshot()).toBe(first);
    live.remove('HTTPRoute/ns/missing');
    expect(live.snapshot()).toBe(first);
  });
});
