// The conditions a route gets on a parent that takes it (routes.ts's parentResult): Accepted from its rules,
// ResolvedRefs from the references they make, PartiallyInvalid when some rules were dropped.
import { describe, expect, it } from '@jest/globals';
import type { K8sObject } from '../../src/core/types.js';
import { translate } from '../../src/translate/index.js';
import { oneGatewayWorld, TRANSLATE_OPTIONS, type Condition } from './support.js';

function conditionsOf(spec: Record<string, unknown>) {
  const route: K8sObject = {
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace: 'd' },
    spec: { parentRefs: [{ name: 'g' }], hostnames: ['r.example.com'], ...spec },
  };
  const out = translate(oneGatewayWorld([route]), TRANSLATE_OPTIONS);
  const status = out.statuses.find((s) => s.kind === 'HTTPRoute')!.status as {
    parents: Array<{ conditions: Condition[] }>;
  };
  const byType = Object.fromEntries(status.parents[0]!.conditions.map((c) => [c.type, c]));
  return { byType, rules: out.proxyConfig.rules.length };
}

describe('a route’s conditions on a parent that takes it', () => {
  it('with an empty list of rules: accepted, nothing to resolve, nothing served', () => {
    const { byType, rules } = conditionsOf({ rules: [] });
    expect(byType.Accepted).toMatchObject({ status: 'True', reason: 'Accepted' });
    expect(byType.ResolvedRefs).toMatchObject({ status: 'True', reason: 'ResolvedRefs' });
    expect(byType.PartiallyInvalid).toBeUndefined();
    expect(rules).toBe(0);
  });

  it('over the CRD’s limits: refused whole, and its references are not reported unresolved', () => {
    const { byType, rules } = conditionsOf({ rules: Array.from({ length: 17 }, () => ({})) });
    expect(byType.Accepted).toMatchObject({ status: 'False', reason: 'UnsupportedValue' });
    expect(byType.ResolvedRefs).toMatchObject({ status: 'True', reason: 'ResolvedRefs' });
    expect(rules).toBe(0);
  });

  it('with unresolved references: the first problem’s reason, each message once', () => {
    const { byType } = conditionsOf({
      rules: [
        { backendRefs: [{ name: 'gone', port: 80 }] },
        { backendRefs: [{ name: 'gone', port: 80 }] },
        { backendRefs: [{ kind: 'Bucket', name: 'b' }] },
      ],
    });
    expect(byType.ResolvedRefs!.status).toBe('False');
    expect(byType.ResolvedRefs!.reason).toBe('BackendNotFound');
    expect(byType.ResolvedRefs!.message.split('; ')).toHaveLength(2);
  });
});
