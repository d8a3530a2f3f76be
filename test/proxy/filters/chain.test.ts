// The chain as the forwarder sees it: empty chains, mirrors, ordering, and immediate responses.
import { describe, expect, it } from '@jest/globals';
import { compileFilters } from '../../../proxy/filters/index.js';
import type { HeaderList } from '../../../proxy/filters/types.js';
import { filter, request, values } from './support.js';

const mirror = (name: string, percent?: number) =>
  filter({
    type: 'RequestMirror',
    requestMirror: {
      name,
      endpoints: [{ address: '127.0.0.1', port: 9000 }],
      ...(percent === undefined ? {} : { percent }),
    },
  });

describe('empty', () => {
  it('no filters: empty and inert', () => {
    const chain = compileFilters([]);
    const ctx = request({ headers: [['a', '1']] });
    expect(chain.empty).toBe(true);
    expect(chain.mirrors).toEqual([]);
    expect(chain.onRequest(ctx)).toBeUndefined();
    expect(ctx.head.headers).toEqual([['a', '1']]);
  });
  it.each([
    ['a header modifier', filter({ type: 'RequestHeaderModifier', requestHeaderModifier: { remove: ['a'] } })],
    ['a response modifier', filter({ type: 'ResponseHeaderModifier', responseHeaderModifier: { remove: ['a'] } })],
    ['a mirror', mirror('m')],
    ['CORS', filter({ type: 'CORS', cors: { allowOrigins: ['*'] } })],
  ])('%s makes the chain non-empty', (_label, f) => {
    expect(compileFilters([f]).empty).toBe(false);
  });
});

describe('RequestMirror', () => {
  it('exposes every target in order with its percent (default 100)', () => {
    const chain = compileFilters([mirror('v2'), mirror('v3', 25)]);
    expect(chain.mirrors.map((m) => [m.name, m.percent, m.protocol])).toEqual([
      ['v2', 100, 'http1'],
      ['v3', 25, 'http1'],
    ]);
    expect(chain.mirrors[0]!.endpoints).toEqual([{ address: '127.0.0.1', port: 9000 }]);
  });

  it('drops a 0 % mirror, which would never fire', () => {
    expect(compileFilters([mirror('never', 0)]).mirrors).toEqual([]);
  });

  it('mirrors do not change the request; header modifiers in the same chain do (the copy is sent after them)', () => {
    const chain = compileFilters([
      filter({
        type: 'RequestHeaderModifier',
        requestHeaderModifier: { set: [{ name: 'x-header-set', value: 'set-overwrites-values' }] },
      }),
      mirror('v2'),
      mirror('v3'),
    ]);
    const ctx = request({ path: '/multi-mirror' });
    expect(chain.onRequest(ctx)).toBeUndefined();
    expect(ctx.head.path).toBe('/multi-mirror');
    expect(values(ctx.head.headers, 'x-header-set')).toEqual(['set-overwrites-values']);
    expect(chain.mirrors.map((m) => m.name)).toEqual(['v2', 'v3']);
  });
});

describe('order and immediate responses', () => {
  it('request filters run in the order given', () => {
    const chain = compileFilters([
      filter({ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/first' } } }),
      filter({ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x', value: '1' }] } }),
      filter({ type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'x', value: '2' }] } }),
    ]);
    const ctx = request({ path: '/orig' });
    chain.onRequest(ctx);
    expect(ctx.head.path).toBe('/first');
    expect(values(ctx.head.headers, 'x')).toEqual(['1', '2']);
  });

  it('response filters run in the order given', () => {
    const chain = compileFilters([
      filter({ type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'x', value: 'a' }] } }),
      filter({ type: 'ResponseHeaderModifier', responseHeaderModifier: { set: [{ name: 'x', value: 'b' }] } }),
    ]);
    const headers: HeaderList = [['x', 'backend']];
    chain.onResponse(request(), 200, headers);
    expect(values(headers, 'x')).toEqual(['b']);
  });

  it("a redirect comes back with the chain's response modifiers already applied", () => {
    const chain = compileFilters([
      filter({ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }),
      filter({
        type: 'ResponseHeaderModifier',
        responseHeaderModifier: { set: [{ name: 'cache-control', value: 'no-store' }] },
      }),
    ]);
    const answer = chain.onRequest(request({ path: '/x' }))!;
    expect(answer.status).toBe(301);
    expect(values(answer.headers, 'location')).toEqual(['https://app.example.com/x']);
    expect(values(answer.headers, 'cache-control')).toEqual(['no-store']);
  });

  it('a chain compiled once serves many requests without carrying state between them', () => {
    const chain = compileFilters([
      filter({ type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'x', value: 'v' }] } }),
    ]);
    for (let i = 0; i < 3; i++) {
      const ctx = request();
      chain.onRequest(ctx);
      expect(values(ctx.head.headers, 'x')).toEqual(['v']);
    }
  });
});
