// Route size limits: the table matches the Gateway API v1.6.1 CRDs (so we refuse exactly what an API server
// would), and a hostile route is refused whole while every other route keeps being served.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import fc from 'fast-check';
import {
  ANY_ARRAY_MAX_ITEMS,
  ANY_STRING_MAX_LENGTH,
  ROUTE_MAX_ITEMS,
  describeRouteLimitViolation,
  routeLimitViolation,
} from '../../src/translate/limits.js';
import { translate } from '../../src/translate/index.js';
import { ProxyConfig } from '../../proxy/config/schema.js';
import { rows } from '../support/each.js';
import { oneGatewayWorld, TRANSLATE_OPTIONS } from './support.js';
import { propertyRuns } from '../support/runs.js';

const CRDS = fileURLToPath(new URL('../../deploy/crds/gateway-api-v1.6.1/standard/', import.meta.url));

interface SchemaNode {
  maxItems?: number;
  maxLength?: number;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

function crdLimits(file: string) {
  const crd = parse(readFileSync(`${CRDS}${file}`, 'utf8'));
  const v1 = crd.spec.versions.find((v: { name: string }) => v.name === 'v1');
  const items = new Map<string, number>();
  const lengths: number[] = [];
  const walk = (node: SchemaNode, path: string) => {
    if (node.maxItems !== undefined) items.set(path, node.maxItems);
    if (node.maxLength !== undefined) lengths.push(node.maxLength);
    for (const [k, child] of Object.entries(node.properties ?? {})) walk(child, `${path}.${k}`);
    if (node.items) walk(node.items, `${path}[]`);
  };
  walk(v1.schema.openAPIV3Schema.properties.spec, 'spec');
  return { items, lengths };
}

describe.each(
  rows([
    ['HTTPRoute', 'gateway.networking.k8s.io_httproutes.yaml'],
    ['GRPCRoute', 'gateway.networking.k8s.io_grpcroutes.yaml'],
  ] as const),
)('%s limits', (kind, file) => {
  const { items, lengths } = crdLimits(file);

  it('name exactly the CRD maxItems of the fields they list', () => {
    for (const [path, max] of Object.entries(ROUTE_MAX_ITEMS[kind]))
      expect([path, items.get(path)]).toEqual([path, max]);
  });

  it('never refuse what the CRD allows: generic bounds are at least every CRD limit', () => {
    expect(Math.max(...items.values())).toBeLessThanOrEqual(ANY_ARRAY_MAX_ITEMS);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(ANY_STRING_MAX_LENGTH);
  });

  it('cover every array the CRD bounds more tightly than the generic bound, outside filter internals', () => {
    const tight = [...items]
      .filter(([path, max]) => max < ANY_ARRAY_MAX_ITEMS && !/filters\[\]\./.test(path))
      .map(([p]) => p);
    expect(tight.filter((p) => !(p in ROUTE_MAX_ITEMS[kind]))).toEqual([]);
  });
});

describe('a hostile route', () => {
  const options = TRANSLATE_OPTIONS;
  const world = (hostile: Record<string, unknown>) =>
    oneGatewayWorld([
      {
        kind: 'HTTPRoute',
        metadata: { name: 'neighbour', namespace: 'd' },
        spec: { parentRefs: [{ name: 'g' }], hostnames: ['ok.example.com'], rules: [{}] },
      },
      {
        kind: 'HTTPRoute',
        metadata: { name: 'hostile', namespace: 'd' },
        spec: { parentRefs: [{ name: 'g' }], ...hostile },
      },
    ]);
  const bigValue = 'v'.repeat(64 * 1024);

  it.each([
    [
      '10,000 rules',
      {
        rules: Array.from({ length: 10_000 }, (_, i) => ({ matches: [{ path: { type: 'Exact', value: `/p${i}` } }] })),
      },
      'spec.rules has 10000 items, at most 16',
    ],
    [
      '1,000 hostnames',
      { hostnames: Array.from({ length: 1000 }, (_, i) => `h${i}.example.com`), rules: [{}] },
      'spec.hostnames has 1000 items, at most 16',
    ],
    [
      'a 64 KiB header value',
      {
        rules: [
          {
            filters: [
              { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x', value: bigValue }] } },
            ],
          },
        ],
      },
      'is 65536 characters long, at most 4096',
    ],
    [
      '10,000 matches in a rule',
      { rules: [{ matches: Array.from({ length: 10_000 }, () => ({})) }] },
      'spec.rules[0].matches has 10000 items, at most 64',
    ],
  ])('with %s is refused whole, and the neighbour is still served', (_what, spec, message) => {
    const out = translate(world(spec), options);
    const hostile = out.statuses.find((s) => s.name === 'hostile')!.status as {
      parents: Array<{ conditions: Array<{ type: string; status: string; reason: string; message: string }> }>;
    };
    const accepted = hostile.parents[0]!.conditions.find((c) => c.type === 'Accepted')!;
    expect([accepted.status, accepted.reason]).toEqual(['False', 'UnsupportedValue']);
    expect(accepted.message).toContain(message);
    expect(out.proxyConfig.hosts.map((h) => h.hostname)).toEqual(['ok.example.com']);
    expect(() => ProxyConfig.parse(out.proxyConfig)).not.toThrow();
  });
});

describe('routeLimitViolation', () => {
  // Arrays and strings on both sides of their limits, where the table names them and where only the generic bounds apply.
  // Mostly within the limits, so that each single violation (the only one in its spec) is met often.
  const text = fc.oneof(
    { arbitrary: fc.constant('a'), weight: 30 },
    { arbitrary: fc.constant('x'.repeat(ANY_STRING_MAX_LENGTH)), weight: 1 },
    { arbitrary: fc.constant('x'.repeat(ANY_STRING_MAX_LENGTH + 1)), weight: 1 },
  );
  const many = <T>(item: fc.Arbitrary<T>, limit: number) =>
    fc.oneof(
      { arbitrary: fc.array(item, { maxLength: 2 }), weight: 12 },
      { arbitrary: fc.array(item, { minLength: limit, maxLength: limit }), weight: 1 },
      { arbitrary: fc.array(item, { minLength: limit + 1, maxLength: limit + 1 }), weight: 1 },
    );
  const match = fc.record(
    { path: fc.record({ value: text }), headers: many(fc.record({ name: text, value: text }), 16) },
    { requiredKeys: [] },
  );
  const filter = fc.record({
    type: fc.constant('RequestHeaderModifier'),
    requestHeaderModifier: fc.record({
      set: many(fc.record({ name: text }), 16),
      remove: many(text, ANY_ARRAY_MAX_ITEMS),
    }),
  });
  const rule = fc.record(
    {
      matches: many(match, 64),
      filters: many(filter, 16),
      backendRefs: many(fc.record({ name: text, filters: many(filter, 16) }), 16),
      extra: fc.jsonValue({ maxDepth: 3 }),
    },
    { requiredKeys: [] },
  );
  const spec = fc.record(
    {
      hostnames: many(text, 16),
      parentRefs: many(fc.record({ name: text }), 32),
      rules: many(rule, 16),
      unlisted: many(fc.nat(), ANY_ARRAY_MAX_ITEMS),
    },
    { requiredKeys: [] },
  );

  it('answers exactly what the walk that names fields answers, for specs on both sides of every limit', () => {
    fc.assert(
      fc.property(fc.constantFrom('HTTPRoute' as const, 'GRPCRoute' as const), spec, (kind, s) => {
        expect(routeLimitViolation(kind, s)).toBe(describeRouteLimitViolation(kind, s));
      }),
      { numRuns: propertyRuns(400) },
    );
  });

  /**
   * A spec with `n` items at `path` (its "[]" arrays hold a first, empty element and then the one that leads
   * on, so walks must look past the first), and the place that names it.
   */
  function specWith(path: string, n: number): { spec: unknown; at: string } {
    const [, ...segments] = path.split('.');
    const build = (i: number): unknown => {
      if (i === segments.length) return Array.from({ length: n }, () => ({}));
      const segment = segments[i]!;
      const child = build(i + 1);
      return segment.endsWith('[]') ? { [segment.slice(0, -2)]: [{}, child] } : { [segment]: child };
    };
    return { spec: build(0), at: `spec.${segments.map((x) => x.replace('[]', '[1]')).join('.')}` };
  }

  it.each(
    rows<[string, string, number]>(
      Object.entries(ROUTE_MAX_ITEMS).flatMap(([kind, table]) =>
        Object.entries(table).map(([path, max]): [string, string, number] => [kind, path, max]),
      ),
    ),
  )('%s: %s within its %i items, and one over', (kind, path, max) => {
    const routeKind = kind as keyof typeof ROUTE_MAX_ITEMS;
    expect(routeLimitViolation(routeKind, specWith(path, max).spec)).toBeUndefined();
    const over = specWith(path, max + 1);
    expect(routeLimitViolation(routeKind, over.spec)).toBe(
      `${over.at} has ${max + 1} items, at most ${max} are allowed`,
    );
  });

  it.each([
    ['a string', (n: number) => 'x'.repeat(n), ANY_STRING_MAX_LENGTH, 'is', 'characters long'],
    ['an array', (n: number) => Array.from({ length: n }, () => 0), ANY_ARRAY_MAX_ITEMS, 'has', 'items'],
  ])(
    '%s deep in a field the table does not name: within the generic bound, and one over',
    (_what, make, max, verb, unit) => {
      // Past arrays on the way, and past none (a walk may stop at the first array it meets).
      const inArrays = (n: number) => ({ rules: [{}, { extra: { deeper: [0, make(n)] } }] });
      const inObjects = (n: number) => ({ extra: { deeper: make(n) } });
      for (const [spec, at] of [
        [inArrays, 'spec.rules[1].extra.deeper[1]'],
        [inObjects, 'spec.extra.deeper'],
      ] as const) {
        expect(routeLimitViolation('HTTPRoute', spec(max))).toBeUndefined();
        expect(routeLimitViolation('HTTPRoute', spec(max + 1))).toBe(
          `${at} ${verb} ${max + 1} ${unit}, at most ${max} are allowed`,
        );
      }
    },
  );

  it('walks past null where an object belongs, with and without a violation after it', () => {
    const nulls = { rules: [null, { matches: [null] }] };
    expect(routeLimitViolation('HTTPRoute', nulls)).toBeUndefined();
    const over = { ...nulls, unlisted: Array.from({ length: ANY_ARRAY_MAX_ITEMS + 1 }, () => 0) };
    expect(routeLimitViolation('HTTPRoute', over)).toBe(
      `spec.unlisted has ${ANY_ARRAY_MAX_ITEMS + 1} items, at most ${ANY_ARRAY_MAX_ITEMS} are allowed`,
    );
  });
});
