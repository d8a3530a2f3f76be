// RequestHeaderModifier / ResponseHeaderModifier, after conformance httproute-request-header-modifier and
// httproute-response-header-modifier: set replaces every value, add appends a separate entry, remove drops all.
import { describe, expect, it } from '@jest/globals';
import { compileFilters } from '../../../proxy/filters/index.js';
import type { HeaderList } from '../../../proxy/filters/types.js';
import { filter, request, values } from './support.js';
import { rows as asRows } from '../../support/each.js';

const modifier = {
  set: [{ name: 'X-Header-Set', value: 'set-overwrites-values' }],
  add: [
    { name: 'X-Header-Add', value: 'add-appends-values' },
    { name: 'x-Mixedcase-ADD-1', value: 'mixed' },
  ],
  remove: ['X-Header-Remove'],
};

type Row = [label: string, before: HeaderList, expected: Record<string, string[]>];
const rows: Row[] = [
  [
    'set adds a missing header',
    [['some-other-header', 'val']],
    { 'x-header-set': ['set-overwrites-values'], 'some-other-header': ['val'] },
  ],
  ['set replaces a single value', [['x-header-set', 'old']], { 'x-header-set': ['set-overwrites-values'] }],
  [
    'set replaces every value of a multi-value header',
    [
      ['x-header-set', 'a'],
      ['x-header-set', 'b'],
    ],
    { 'x-header-set': ['set-overwrites-values'] },
  ],
  [
    'add creates the header when absent',
    [],
    { 'x-header-add': ['add-appends-values'], 'x-mixedcase-add-1': ['mixed'] },
  ],
  [
    'add appends after the existing value as its own entry (never joined)',
    [['x-header-add', 'some-other-value']],
    { 'x-header-add': ['some-other-value', 'add-appends-values'] },
  ],
  [
    'add keeps every existing value of a multi-value header',
    [
      ['x-header-add', 'one'],
      ['x-header-add', 'two'],
    ],
    { 'x-header-add': ['one', 'two', 'add-appends-values'] },
  ],
  ['remove drops the header', [['x-header-remove', 'val']], { 'x-header-remove': [] }],
  [
    'remove drops every value',
    [
      ['x-header-remove', 'a'],
      ['other', 'o'],
      ['x-header-remove', 'b'],
    ],
    { 'x-header-remove': [], other: ['o'] },
  ],
  [
    'unrelated headers keep their values and order',
    [
      ['b', '2'],
      ['a', '1'],
      ['b', '3'],
    ],
    { b: ['2', '3'], a: ['1'] },
  ],
];

describe.each(
  asRows([
    ['RequestHeaderModifier', 'requestHeaderModifier'],
    ['ResponseHeaderModifier', 'responseHeaderModifier'],
  ] as const),
)('%s', (type, field) => {
  const chain = compileFilters([filter({ type, [field]: modifier })]);
  const apply = (headers: HeaderList): HeaderList => {
    const ctx = request({ headers });
    if (type === 'RequestHeaderModifier') {
      expect(chain.onRequest(ctx)).toBeUndefined();
      return ctx.head.headers;
    }
    chain.onResponse(ctx, 200, headers);
    return headers;
  };

  it.each(rows)('%s', (_label, before, expected) => {
    const after = apply(before.map(([n, v]) => [n, v]));
    for (const [name, vals] of Object.entries(expected)) expect(values(after, name)).toEqual(vals);
  });

  it('leaves the other phase alone', () => {
    const ctx = request({ headers: [['x-header-remove', 'req']] });
    const response: HeaderList = [['x-header-remove', 'resp']];
    if (type === 'RequestHeaderModifier') {
      chain.onResponse(ctx, 200, response);
      expect(response).toEqual([['x-header-remove', 'resp']]);
    } else {
      expect(chain.onRequest(ctx)).toBeUndefined();
      expect(ctx.head.headers).toEqual([['x-header-remove', 'req']]);
    }
  });
});

describe('header names are case-insensitive', () => {
  it.each([
    // [config name, name as received (lower-cased by the proxy)]
    ['X-UPPERCASE', 'x-uppercase'],
    ['x-Mixed-Case', 'x-mixed-case'],
    ['lower', 'lower'],
  ])('set/remove of %s reach %s', (configName, wireName) => {
    const setChain = compileFilters([
      filter({ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: configName, value: 'v' }] } }),
    ]);
    const ctx = request({ headers: [[wireName, 'old']] });
    setChain.onRequest(ctx);
    expect(ctx.head.headers).toEqual([[wireName, 'v']]);

    const removeChain = compileFilters([
      filter({ type: 'ResponseHeaderModifier', responseHeaderModifier: { remove: [configName] } }),
    ]);
    const response: HeaderList = [
      [wireName, 'x'],
      ['keep', 'y'],
    ];
    removeChain.onResponse(request(), 200, response);
    expect(response).toEqual([['keep', 'y']]);
  });

  it('the first of two equivalent set names wins (HTTPHeader spec)', () => {
    const chain = compileFilters([
      filter({
        type: 'RequestHeaderModifier',
        requestHeaderModifier: {
          set: [
            { name: 'X-A', value: 'first' },
            { name: 'x-a', value: 'second' },
          ],
        },
      }),
    ]);
    const ctx = request();
    chain.onRequest(ctx);
    expect(values(ctx.head.headers, 'x-a')).toEqual(['first']);
  });
});

describe('two modifiers in one chain run in order', () => {
  it('a later set overrides an earlier add; a later remove undoes an earlier set', () => {
    const chain = compileFilters([
      filter({
        type: 'RequestHeaderModifier',
        requestHeaderModifier: { add: [{ name: 'x-a', value: '1' }], set: [{ name: 'x-b', value: 'b' }] },
      }),
      filter({
        type: 'RequestHeaderModifier',
        requestHeaderModifier: { set: [{ name: 'x-a', value: '2' }], remove: ['x-b'] },
      }),
    ]);
    const ctx = request({ headers: [['x-a', '0']] });
    chain.onRequest(ctx);
    expect(values(ctx.head.headers, 'x-a')).toEqual(['2']);
    expect(values(ctx.head.headers, 'x-b')).toEqual([]);
  });
});
