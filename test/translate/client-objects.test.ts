// Objects from @kubernetes/client-node carry Date objects where YAML carries strings; both must behave alike.
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_CONTROLLER_NAME, emptySnapshot, type K8sObject, type Snapshot } from '../../src/core/types.js';
import { translate } from '../../src/translate/index.js';
import { TRANSLATE_OPTIONS } from './support.js';

const OPTIONS = { ...TRANSLATE_OPTIONS, tunnelId: 't' };

function snapshot(created: Record<string, unknown>): Snapshot {
  const s = emptySnapshot();
  s.gatewayClasses.push({ metadata: { name: 'c' }, spec: { controllerName: DEFAULT_CONTROLLER_NAME } });
  s.gateways.push({
    metadata: { name: 'gw', namespace: 'ns' },
    spec: { gatewayClassName: 'c', listeners: [{ name: 'l', port: 80, protocol: 'HTTP' }] },
  });
  for (const [name, creationTimestamp] of Object.entries(created)) {
    s.httpRoutes.push({
      metadata: { name, namespace: 'ns', creationTimestamp: creationTimestamp as string },
      spec: { parentRefs: [{ name: 'gw' }], rules: [{}] },
    });
  }
  return s;
}

describe('Date values from client-node', () => {
  it('orders routes by a Date creationTimestamp like by its string form', () => {
    const asDates = translate(
      snapshot({ a: new Date('2025-05-01T00:00:00Z'), b: new Date('2024-05-01T00:00:00Z') }),
      OPTIONS,
    ).proxyConfig;
    const asStrings = translate(
      snapshot({ a: '2025-05-01T00:00:00Z', b: '2024-05-01T00:00:00Z' }),
      OPTIONS,
    ).proxyConfig;
    const order = (cfg: typeof asDates) => cfg.hosts[0]!.matches.map((m) => cfg.rules[m.rule]!.id);
    expect(order(asDates)).toEqual(['httproute/ns/b/0', 'httproute/ns/a/0']);
    expect(order(asDates)).toEqual(order(asStrings));
  });

  it('keeps a Date lastTransitionTime as RFC 3339 when the condition is unchanged', () => {
    const s = snapshot({ a: '2025-01-01T00:00:00Z' });
    s.gatewayClasses[0]!.status = {
      conditions: [
        {
          type: 'Accepted',
          status: 'True',
          reason: 'Accepted',
          message: '',
          lastTransitionTime: new Date('2025-02-03T04:05:06Z'),
        },
      ],
    };
    const cls = translate(s, OPTIONS).statuses.find((x) => x.kind === 'GatewayClass')!;
    const conds = cls.status.conditions as Array<{ type: string; lastTransitionTime: string }>;
    expect(conds.find((c) => c.type === 'Accepted')!.lastTransitionTime).toBe('2025-02-03T04:05:06Z');
    expect(conds.find((c) => c.type === 'SupportedVersion')!.lastTransitionTime).toBe('2026-01-01T00:00:00Z');
  });
});

describe('duplicate objects', () => {
  it('keep one copy chosen by content, whatever the input order', () => {
    const base = snapshot({ a: '2025-01-01T00:00:00Z' });
    const other = structuredClone(base.httpRoutes[0]!);
    other.spec.rules = [{ matches: [{ path: { type: 'Exact', value: '/other' } }] }];
    const forward = { ...base, httpRoutes: [base.httpRoutes[0]!, other] };
    const backward = { ...base, httpRoutes: [other, base.httpRoutes[0]!] };
    const a = translate(forward, OPTIONS);
    expect(a).toEqual(translate(backward, OPTIONS));
    expect(a.proxyConfig.rules).toHaveLength(1);
  });

  it('keep a copy that cannot be written as JSON (a YAML alias cycle), whatever the input order', () => {
    const base = snapshot({ a: '2025-01-01T00:00:00Z' });
    const cyclic = structuredClone(base.httpRoutes[0]!);
    cyclic.spec.rules = [{ matches: [{ path: { type: 'Exact', value: '/cyclic' } }] }];
    const annotations: Record<string, unknown> = {};
    annotations.self = annotations;
    cyclic.metadata.annotations = annotations as Record<string, string>;
    for (const httpRoutes of [
      [base.httpRoutes[0]!, cyclic],
      [cyclic, base.httpRoutes[0]!],
    ]) {
      const { proxyConfig } = translate({ ...base, httpRoutes }, OPTIONS);
      expect(proxyConfig.hosts[0]!.matches.map((m) => m.match.path)).toEqual([{ type: 'Exact', value: '/cyclic' }]);
    }
  });
});

describe('objects a hand-written snapshot may hold', () => {
  it('skips objects without usable metadata, and EndpointSlices that name no Service', () => {
    const s = snapshot({ a: '2025-01-01T00:00:00Z' });
    s.httpRoutes[0]!.spec.rules = [{ backendRefs: [{ name: 'undefined', port: 80 }] }];
    s.httpRoutes.push({ spec: {} } as never, { metadata: 'r' } as never, { metadata: { namespace: 'ns' } } as never);
    s.services.push({ metadata: { name: 'undefined', namespace: 'ns' }, spec: { ports: [{ port: 80 }] } });
    const slice = (name: string, labels?: Record<string, string>): K8sObject => ({
      metadata: { name, namespace: 'ns', ...(labels && { labels }) },
      endpoints: [{ addresses: ['10.0.0.9'] }],
      ports: [{ port: 80 }],
    });
    s.endpointSlices.push(slice('no-labels'), slice('other-label', { app: 'x' }));
    const { proxyConfig, statuses } = translate(s, OPTIONS);
    expect(statuses.filter((x) => x.kind === 'HTTPRoute').map((x) => x.name)).toEqual(['a']);
    const backend = proxyConfig.rules[0]!.backends![0]!;
    expect(backend.name).toBe('ns/undefined:80');
    expect(backend.endpoints ?? []).toEqual([]); // neither slice is the Service's
  });

  it('reads a generation that is not a whole number as 1', () => {
    const s = snapshot({ a: '2025-01-01T00:00:00Z' });
    s.httpRoutes[0]!.metadata.generation = 2.5;
    const route = translate(s, OPTIONS).statuses.find((x) => x.kind === 'HTTPRoute')!;
    const parents = route.status.parents as Array<{ conditions: Array<{ observedGeneration: number }> }>;
    expect(parents[0]!.conditions[0]!.observedGeneration).toBe(1);
  });
});
