// The filter registries are complete: every filter type a route CRD (Gateway API v1.6.1 standard, read here as
// the independent oracle) allows is either served on that route kind or listed as unsupported with a reason,
// a listed-unsupported filter really drops its rule, and the translator's and the proxy's registries name the
// same kinds.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { PROXY_FILTER_KINDS } from '../../proxy/filters/registry.js';
import type { RouteKind } from '../../src/gatewayapi/constants.js';
import { translate } from '../../src/translate/index.js';
import { FILTER_TRANSLATORS, UNSUPPORTED_FILTERS } from '../../src/translate/filters/registry.js';
import { rows } from '../support/each.js';
import { oneGatewayWorld, TRANSLATE_OPTIONS } from './support.js';

const CRDS = fileURLToPath(new URL('../../deploy/crds/gateway-api-v1.6.1/standard/', import.meta.url));

interface SchemaNode {
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

/** The `type` enum of every filter list in the CRD's v1 spec, by path. */
function crdFilterTypes(file: string): Map<string, string[]> {
  const crd = parse(readFileSync(`${CRDS}${file}`, 'utf8'));
  const v1 = crd.spec.versions.find((v: { name: string }) => v.name === 'v1');
  const found = new Map<string, string[]>();
  const walk = (node: SchemaNode, path: string) => {
    const type = node.items?.properties?.type;
    if (path.endsWith('.filters') && type?.enum) found.set(path, type.enum as string[]);
    for (const [k, child] of Object.entries(node.properties ?? {})) walk(child, `${path}.${k}`);
    if (node.items) walk(node.items, `${path}[]`);
  };
  walk(v1.schema.openAPIV3Schema.properties.spec, 'spec');
  return found;
}

const translators = Object.values(FILTER_TRANSLATORS);
const servedOn = (kind: RouteKind) =>
  new Set<string>(translators.filter((t) => t.routeKinds.includes(kind)).map((t) => t.type));

const KINDS = rows([
  ['HTTPRoute', 'gateway.networking.k8s.io_httproutes.yaml'],
  ['GRPCRoute', 'gateway.networking.k8s.io_grpcroutes.yaml'],
] as const);
const allowedBy = new Map(KINDS.map(([kind, file]) => [kind, crdFilterTypes(file)] as const));

describe.each(KINDS)('%s filters', (kind, _file) => {
  const lists = allowedBy.get(kind)!;
  const allowed = [...new Set([...lists.values()].flat())];

  it('are read from both filter lists of the CRD (rule and backendRef)', () => {
    expect([...lists.keys()].sort()).toEqual(['spec.rules[].backendRefs[].filters', 'spec.rules[].filters']);
    expect(allowed.length).toBeGreaterThan(0);
  });

  it('each type the CRD allows is served or listed as unsupported with a reason, never both', () => {
    const served = servedOn(kind);
    for (const type of allowed) {
      const reason = UNSUPPORTED_FILTERS[type];
      expect([type, served.has(type) || reason !== undefined]).toEqual([type, true]);
      expect([type, served.has(type) && reason !== undefined]).toEqual([type, false]);
      if (reason !== undefined) expect(reason.length).toBeGreaterThan(20);
    }
  });

  it('serves no type the CRD refuses (an API server would never hand it over)', () => {
    expect([...servedOn(kind)].filter((t) => !allowed.includes(t))).toEqual([]);
  });

  it.each(Object.keys(UNSUPPORTED_FILTERS).filter((t) => allowed.includes(t)))(
    'with an unsupported %s drops the rule that uses it (in its filters or a backendRef’s), and only that rule',
    (type) => {
      const filter = { type, extensionRef: { group: 'example.com', kind: 'Thing', name: 't' } };
      const backendRef = { name: 'missing', port: 80 };
      const route = {
        kind,
        metadata: { name: 'r', namespace: 'd' },
        spec: {
          parentRefs: [{ name: 'g' }],
          hostnames: ['app.example.com'],
          rules: [{}, { filters: [filter] }, { backendRefs: [{ ...backendRef, filters: [filter] }] }],
        },
      };
      const out = translate(oneGatewayWorld([route]), TRANSLATE_OPTIONS);
      const status = out.statuses.find((s) => s.name === 'r')!.status as {
        parents: Array<{ conditions: Array<{ type: string; status: string; message: string }> }>;
      };
      const partial = status.parents[0]!.conditions.find((c) => c.type === 'PartiallyInvalid');
      expect(partial?.status).toBe('True');
      expect(partial?.message).toMatch(new RegExp(`rule 1: .*${type}.*; rule 2: .*${type}`));
      expect(out.proxyConfig.rules.map((r) => r.id)).toEqual([`${kind.toLowerCase()}/d/r/0`]);
    },
  );
});

describe('the registries', () => {
  it('list each unsupported type because some route CRD allows it (no stale entries)', () => {
    const anyAllowed = new Set([...allowedBy.values()].flatMap((lists) => [...lists.values()].flat()));
    expect(Object.keys(UNSUPPORTED_FILTERS).filter((t) => !anyAllowed.has(t))).toEqual([]);
  });

  it('of the translator and the proxy name the same kinds, each translator under its own type', () => {
    expect(Object.keys(FILTER_TRANSLATORS).sort()).toEqual(PROXY_FILTER_KINDS.map((k) => k.type).sort());
    for (const [type, t] of Object.entries(FILTER_TRANSLATORS)) expect(t.type).toBe(type);
  });
});
