// Namespace selection and attachment decisions, observed through translate()'s route status.
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_CONTROLLER_NAME, emptySnapshot, type K8sObject, type Snapshot } from '../../src/core/types.js';
import { translate } from '../../src/translate/index.js';
import { TRANSLATE_OPTIONS, oneGatewayWorld } from './support.js';

const OPTIONS = { ...TRANSLATE_OPTIONS, tunnelId: 't' };

function world(namespaces: Record<string, unknown>, listener: Record<string, unknown> = {}): Snapshot {
  const s = emptySnapshot();
  s.gatewayClasses.push({ metadata: { name: 'c' }, spec: { controllerName: DEFAULT_CONTROLLER_NAME } });
  s.gateways.push({
    metadata: { name: 'gw', namespace: 'infra' },
    spec: {
      gatewayClassName: 'c',
      listeners: [{ name: 'l', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces }, ...listener }],
    },
  });
  const ns = (name: string, labels: Record<string, string>): K8sObject => ({ metadata: { name, labels } });
  s.namespaces.push(
    ns('infra', { role: 'infra' }),
    ns('blue', { team: 'blue', env: 'prod' }),
    ns('green', { team: 'green' }),
  );
  for (const n of ['infra', 'blue', 'green', 'unlisted']) {
    s.httpRoutes.push({
      metadata: { name: 'r', namespace: n },
      spec: { parentRefs: [{ name: 'gw', namespace: 'infra' }], hostnames: ['x.example.com'] },
    });
  }
  return s;
}

function acceptedNamespaces(s: Snapshot): string[] {
  return translate(s, OPTIONS)
    .statuses.filter((st) => st.kind === 'HTTPRoute')
    .filter((st) => {
      const parents = st.status.parents as Array<{
        conditions: Array<{ type: string; status: string; reason: string }>;
      }>;
      return parents[0]!.conditions.find((c) => c.type === 'Accepted')!.status === 'True';
    })
    .map((st) => st.namespace)
    .sort();
}

describe('allowedRoutes.namespaces', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['from unset means Same', {}, ['infra']],
    ['Same', { from: 'Same' }, ['infra']],
    ['All', { from: 'All' }, ['blue', 'green', 'infra', 'unlisted']],
    ['Selector by label', { from: 'Selector', selector: { matchLabels: { env: 'prod' } } }, ['blue']],
    [
      'Selector by expression',
      { from: 'Selector', selector: { matchExpressions: [{ key: 'team', operator: 'Exists' }] } },
      ['blue', 'green'],
    ],
    [
      'Selector on the implicit name label reaches namespaces without a Namespace object',
      { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': 'unlisted' } } },
      ['unlisted'],
    ],
    ['Selector without selector selects nothing', { from: 'Selector' }, []],
    [
      'Selector with an empty selector selects all',
      { from: 'Selector', selector: {} },
      ['blue', 'green', 'infra', 'unlisted'],
    ],
    ['None', { from: 'None' }, []],
    ['None, even beside a selector that selects all', { from: 'None', selector: {} }, []],
    ['an unknown value selects nothing', { from: 'Everyone', selector: {} }, []],
  ])('%s', (_name, namespaces, expected) => {
    expect(acceptedNamespaces(world(namespaces))).toEqual(expected);
  });

  it('reports NotAllowedByListeners for the namespaces left out', () => {
    const result = translate(world({ from: 'Same' }), OPTIONS);
    const blue = result.statuses.find((s) => s.kind === 'HTTPRoute' && s.namespace === 'blue')!;
    const parents = blue.status.parents as Array<{ conditions: Array<{ type: string; reason: string }> }>;
    expect(parents[0]!.conditions.find((c) => c.type === 'Accepted')!.reason).toBe('NotAllowedByListeners');
  });

  it('counts only the allowed routes in attachedRoutes', () => {
    const gw = translate(
      world({ from: 'Selector', selector: { matchLabels: { team: 'green' } } }),
      OPTIONS,
    ).statuses.find((s) => s.kind === 'Gateway')!;
    expect((gw.status.listeners as Array<{ attachedRoutes: number }>)[0]!.attachedRoutes).toBe(1);
  });

  it('checks the hostname only after the namespace is allowed', () => {
    const s = world({ from: 'All' }, { hostname: 'other.example.com' });
    const reasons = translate(s, OPTIONS)
      .statuses.filter((st) => st.kind === 'HTTPRoute')
      .map(
        (st) =>
          (st.status.parents as Array<{ conditions: Array<{ type: string; reason: string }> }>)[0]!.conditions[0]!
            .reason,
      );
    expect(new Set(reasons)).toEqual(new Set(['NoMatchingListenerHostname']));
  });
});

describe('lastTransitionTime', () => {
  it('is kept while a condition keeps its status and moves to now when it flips', () => {
    const s = world({ from: 'All' });
    const first = translate(s, { ...OPTIONS, now: '2026-01-01T00:00:00Z' });
    const route = first.statuses.find((st) => st.kind === 'HTTPRoute' && st.namespace === 'blue')!;
    const withStatus = structuredClone(s);
    withStatus.httpRoutes.find((r) => r.metadata.namespace === 'blue')!.status = route.status;
    const again = translate(withStatus, { ...OPTIONS, now: '2026-02-02T00:00:00Z' });
    const conds = (st: typeof again) =>
      (
        st.statuses.find((x) => x.kind === 'HTTPRoute' && x.namespace === 'blue')!.status.parents as Array<{
          conditions: Array<{ type: string; lastTransitionTime: string }>;
        }>
      )[0]!.conditions;
    expect(conds(again).map((c) => c.lastTransitionTime)).toEqual(['2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z']);

    // A changed object is a new object (translate() remembers work by object identity, memo.ts).
    withStatus.gateways[0] = structuredClone(withStatus.gateways[0]!);
    withStatus.gateways[0].spec.listeners[0].allowedRoutes.namespaces = { from: 'Same' };
    const flipped = translate(withStatus, { ...OPTIONS, now: '2026-03-03T00:00:00Z' });
    const accepted = conds(flipped).find((c) => c.type === 'Accepted')!;
    expect(accepted.lastTransitionTime).toBe('2026-03-03T00:00:00Z');
    expect(conds(flipped).find((c) => c.type === 'ResolvedRefs')!.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
  });
});

describe('which parentRefs are ours', () => {
  // Gateway d/g (ours, one HTTP listener on 80); each route names its parents as given.
  const routeWith = (parentRefs: unknown[], namespace = 'd'): K8sObject => ({
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace },
    spec: { parentRefs, hostnames: ['x.example.com'], rules: [{ backendRefs: [] }] },
  });
  const parentsOf = (s: Snapshot) => {
    const out = translate(s, OPTIONS);
    const status = out.statuses.find((st) => st.kind === 'HTTPRoute');
    const parents = (status?.status.parents ?? []) as Array<{
      parentRef: Record<string, unknown>;
      conditions: Array<{ type: string; status: string; reason: string; message: string }>;
    }>;
    const served = out.proxyConfig.hosts.some((h) => h.hostname === 'x.example.com');
    return { parents, served, status };
  };
  const accepted = (p: ReturnType<typeof parentsOf>['parents'][number]) =>
    p.conditions.find((c) => c.type === 'Accepted')!;

  it.each<[string, Record<string, unknown>]>([
    ['a Gateway of another API group', { group: 'example.com', kind: 'Gateway', name: 'g' }],
    ['another kind of the Gateway API group', { kind: 'Mesh', name: 'g' }],
    ['a core Service (GAMMA)', { group: '', kind: 'Service', name: 'g' }],
  ])('%s with our Gateway’s name is not ours: no status of ours, nothing served', (_name, ref) => {
    const { parents, served, status } = parentsOf(oneGatewayWorld([routeWith([ref])]));
    expect(status).toBeUndefined();
    expect(parents).toEqual([]);
    expect(served).toBe(false);
  });

  it('a sectionName or port that is not a name or an integer is left out: the ref selects every listener', () => {
    const { parents, served } = parentsOf(
      oneGatewayWorld([
        routeWith([
          { name: 'g', sectionName: '' },
          { name: 'g', port: '80' },
        ]),
      ]),
    );
    expect(parents.map((p) => p.parentRef)).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'd', name: 'g' },
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'd', name: 'g' },
    ]);
    expect(parents.map((p) => Object.keys(p.parentRef).sort())).toEqual([
      ['group', 'kind', 'name', 'namespace'],
      ['group', 'kind', 'name', 'namespace'],
    ]);
    expect(parents.map((p) => accepted(p).status)).toEqual(['True', 'True']);
    expect(served).toBe(true);
  });

  it('a parentRef without a name names no Gateway: NoMatchingParent, echoed with an empty name', () => {
    const { parents, served } = parentsOf(oneGatewayWorld([routeWith([{ kind: 'Gateway' }])]));
    expect(parents.map((p) => p.parentRef.name)).toEqual(['']);
    expect(accepted(parents[0]!)).toMatchObject({ status: 'False', reason: 'NoMatchingParent' });
    expect(served).toBe(false);
  });

  it('another controller’s Gateway of the same name in another namespace does not hide a missing one', () => {
    const s = oneGatewayWorld([routeWith([{ name: 'g' }, { kind: 'ListenerSet', name: 'ls' }], 'app')]);
    s.gateways.push({ kind: 'Gateway', metadata: { name: 'g', namespace: 'other' }, spec: { gatewayClassName: 'x' } });
    s.listenerSets = [
      { kind: 'ListenerSet', metadata: { name: 'ls', namespace: 'other' }, spec: { parentRef: { name: 'g' } } },
    ];
    const { parents } = parentsOf(s);
    expect(parents.map((p) => [accepted(p).reason, accepted(p).message])).toEqual([
      ['NoMatchingParent', 'Gateway app/g not found'],
      ['NoMatchingParent', 'ListenerSet app/ls not found'],
    ]);
  });

  it('an entry without metadata among the Gateways is skipped when looking for another controller’s', () => {
    const s = oneGatewayWorld([routeWith([{ name: 'missing' }])]);
    s.gateways.push({ kind: 'Gateway' } as unknown as K8sObject);
    const { parents } = parentsOf(s);
    expect(accepted(parents[0]!)).toMatchObject({ reason: 'NoMatchingParent', message: 'Gateway d/missing not found' });
  });
});
