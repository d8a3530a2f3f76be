// Status objects (src/translate/statuses.ts): which earlier condition a new one takes its lastTransitionTime
// from (the same listener, our own entry for the same parentRef, never another controller's), what a route's
// status keeps of other controllers, and when a remembered route status is handed out again.
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_CONTROLLER_NAME, type K8sObject, type Snapshot } from '../../src/core/types.js';
import { translate } from '../../src/translate/index.js';
import { oneGatewayWorld, TRANSLATE_OPTIONS } from './support.js';

const T0 = '2025-01-01T00:00:00Z';
const T1 = '2025-02-02T00:00:00Z';
const NOW = TRANSLATE_OPTIONS.now;
const LATER = '2026-06-01T00:00:00Z';
const GROUP = 'gateway.networking.k8s.io';
const OTHER = 'example.com/another-controller';

type Condition = { type: string; status: string; lastTransitionTime: string };
type Entry = { parentRef: Record<string, unknown>; controllerName: string; conditions?: Condition[] };

const accepted = (at: string): Condition[] => [{ type: 'Accepted', status: 'True', lastTransitionTime: at }];

function routeWith(parentRefs: unknown[], parents?: Entry[]): K8sObject {
  return {
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace: 'd', generation: 1 },
    spec: { parentRefs, hostnames: ['r.example.com'], rules: [{ backendRefs: [] }] },
    ...(parents && { status: { parents } }),
  };
}

function routeEntries(s: Snapshot, now = NOW): Entry[] {
  const status = translate(s, { ...TRANSLATE_OPTIONS, now }).statuses.find((x) => x.kind === 'HTTPRoute')!;
  return status.status.parents as Entry[];
}

const acceptedAt = (e: Entry) => e.conditions!.find((c) => c.type === 'Accepted')!.lastTransitionTime;

describe('listener statuses', () => {
  it('each listener keeps the times of its own earlier entry, found by name', () => {
    const s = oneGatewayWorld([]);
    s.gateways[0] = {
      ...s.gateways[0]!,
      spec: {
        gatewayClassName: 'c',
        listeners: [
          { name: 'h', protocol: 'HTTP', port: 80, hostname: 'h.example.com' },
          { name: 'h2', protocol: 'HTTP', port: 80, hostname: 'h2.example.com' },
        ],
      },
      status: {
        listeners: [
          { name: 'h2', conditions: accepted(T1) },
          { name: 'h', conditions: accepted(T0) },
        ],
      },
    };
    const gw = translate(s, TRANSLATE_OPTIONS).statuses.find((x) => x.kind === 'Gateway')!;
    const listeners = gw.status.listeners as Array<{ name: string; conditions: Condition[] }>;
    const times = listeners.map((l) => [l.name, l.conditions.find((c) => c.type === 'Accepted')!.lastTransitionTime]);
    expect(times).toEqual([
      ['h', T0],
      ['h2', T1],
    ]);
  });
});

describe('a route’s earlier entries', () => {
  const OURS = { group: GROUP, kind: 'Gateway', namespace: 'd', name: 'g' };

  it.each<[string, string, Record<string, unknown>]>([
    ['the same ref, written in full', T0, OURS],
    ['the same ref with group, kind and namespace left to their defaults', T0, { name: 'g' }],
    ['another namespace', NOW, { ...OURS, namespace: 'other' }],
    ['another group', NOW, { ...OURS, group: 'example.com' }],
    ['another kind', NOW, { ...OURS, kind: 'ListenerSet' }],
    ['another name', NOW, { ...OURS, name: 'x' }],
    ['a sectionName ours does not have', NOW, { ...OURS, sectionName: 'h' }],
    ['a port ours does not have', NOW, { ...OURS, port: 80 }],
  ])('of ours for %s: Accepted since %s', (_what, since, parentRef) => {
    const entries = routeEntries(
      oneGatewayWorld([
        routeWith([{ name: 'g' }], [{ parentRef, controllerName: DEFAULT_CONTROLLER_NAME, conditions: accepted(T0) }]),
      ]),
    );
    expect(entries.map(acceptedAt)).toEqual([since]);
  });

  it('of another controller for the same ref lend ours no time, and are kept as they are', () => {
    const theirs: Entry = { parentRef: OURS, controllerName: OTHER, conditions: accepted(T0) };
    const bare: Entry = { parentRef: { ...OURS, name: 'elsewhere' }, controllerName: OTHER };
    const entries = routeEntries(oneGatewayWorld([routeWith([{ name: 'g' }], [theirs, bare])]));
    expect(entries.map((e) => e.controllerName)).toEqual([DEFAULT_CONTROLLER_NAME, OTHER, OTHER]);
    expect(acceptedAt(entries[0]!)).toBe(NOW);
    expect(entries.slice(1)).toEqual([theirs, bare]);
  });
});

describe('a remembered route status', () => {
  it('is stamped again by a later clock while no status was written for it', () => {
    const s = oneGatewayWorld([routeWith([{ name: 'g' }])]);
    expect(routeEntries(s).map(acceptedAt)).toEqual([NOW]);
    expect(routeEntries(s, LATER).map(acceptedAt)).toEqual([LATER]);
  });

  it('with one parent newly stamped and one keeping its time: the new one moves with the clock', () => {
    const refs = [{ name: 'g', sectionName: 'h' }, { name: 'g' }];
    const old: Entry = {
      parentRef: { ...{ group: GROUP, kind: 'Gateway', namespace: 'd', name: 'g' }, sectionName: 'h' },
      controllerName: DEFAULT_CONTROLLER_NAME,
      conditions: [...accepted(T0), { type: 'ResolvedRefs', status: 'True', lastTransitionTime: T0 }],
    };
    const s = oneGatewayWorld([routeWith(refs, [old])]);
    expect(routeEntries(s).map(acceptedAt)).toEqual([T0, NOW]);
    expect(routeEntries(s, LATER).map(acceptedAt)).toEqual([T0, LATER]);
  });

  it('is not handed out again when the object’s status changed under it: another controller’s entry appears', () => {
    const route = routeWith([{ name: 'g' }]);
    const s = oneGatewayWorld([route]);
    routeEntries(s);
    const theirs: Entry = { parentRef: { name: 'g' }, controllerName: OTHER, conditions: accepted(T0) };
    // The same spec and metadata (the route's IR is reused), another status.
    const replaced: Snapshot = { ...s, httpRoutes: [{ ...route, status: { parents: [theirs] } }] };
    expect(routeEntries(replaced).map((e) => e.controllerName)).toEqual([DEFAULT_CONTROLLER_NAME, OTHER]);
  });

  it('of a route with nothing of ours to say is recomputed when the object changes, not read', () => {
    const s = oneGatewayWorld([routeWith([{ name: 'theirs' }])]);
    s.gateways.push({ kind: 'Gateway', metadata: { name: 'theirs', namespace: 'd' }, spec: { gatewayClassName: 'x' } });
    const statusOf = (snapshot: Snapshot) =>
      translate(snapshot, TRANSLATE_OPTIONS).statuses.filter((x) => x.kind === 'HTTPRoute');
    expect(statusOf(s)).toEqual([]);
    const bare: Entry = { parentRef: { name: 'theirs' }, controllerName: OTHER };
    const replaced: Snapshot = { ...s, httpRoutes: [{ ...s.httpRoutes[0]!, status: { parents: [bare] } }] };
    expect(statusOf(replaced)).toEqual([]);
  });
});

describe('entries of other controllers without conditions', () => {
  it('are kept beside ours when none of ours was stamped now', () => {
    const ours: Entry = {
      parentRef: { group: GROUP, kind: 'Gateway', namespace: 'd', name: 'g' },
      controllerName: DEFAULT_CONTROLLER_NAME,
      conditions: [...accepted(T0), { type: 'ResolvedRefs', status: 'True', lastTransitionTime: T0 }],
    };
    const bare: Entry = { parentRef: { name: 'elsewhere' }, controllerName: OTHER };
    const entries = routeEntries(oneGatewayWorld([routeWith([{ name: 'g' }], [ours, bare])]));
    expect(entries.map((e) => [e.controllerName, e.conditions?.map((c) => c.lastTransitionTime)])).toEqual([
      [DEFAULT_CONTROLLER_NAME, [T0, T0]],
      [OTHER, undefined],
    ]);
  });
});
