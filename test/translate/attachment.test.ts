// Namespace selection and attachment decisions, observed through translate()'s route status.
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_CONTROLLER_NAME, emptySnapshot, type K8sObject, type Snapshot } from '../../src/core/types.js';
import { translate } from '../../src/translate/index.js';
import { TRANSLATE_OPTIONS } from './support.js';

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
