// Objects from @kubernetes/client-node carry Date objects where YAML carries strings; both must behave alike.
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_CONTROLLER_NAME, emptySnapshot, type Snapshot } from '../../src/core/types.js';
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
