// URLRewrite, after conformance httproute-rewrite-path and httproute-rewrite-host, plus the
// ReplacePrefixMatch table in the HTTPPathModifier docs (no double or missing slashes).
import { describe, expect, it } from '@jest/globals';
import { compileFilters } from '../../../proxy/filters/index.js';
import { filter, request, values } from './support.js';

function rewritePath(path: unknown, reqPath: string, matchedPrefix?: string, query = '') {
  const chain = compileFilters([filter({ type: 'URLRewrite', urlRewrite: { path } })]);
  const ctx = request({ path: reqPath, query }, matchedPrefix);
  expect(chain.onRequest(ctx)).toBeUndefined();
  return ctx.head;
}

describe('ReplacePrefixMatch', () => {
  // [request path, matched prefix, replacement, expected path]
  it.each([
    ['/foo/bar', '/foo', '/xyz', '/xyz/bar'],
    ['/foo/bar', '/foo', '/xyz/', '/xyz/bar'],
    ['/foo/bar', '/foo/', '/xyz', '/xyz/bar'],
    ['/foo/bar', '/foo/', '/xyz/', '/xyz/bar'],
    ['/foo', '/foo', '/xyz', '/xyz'],
    ['/foo/', '/foo', '/xyz', '/xyz/'],
    ['/foo/bar', '/foo', '', '/bar'],
    ['/foo/', '/foo', '', '/'],
    ['/foo', '/foo', '', '/'],
    ['/foo/', '/foo', '/', '/'],
    ['/foo', '/foo', '/', '/'],
    ['/foo/bar', '/foo', '/', '/bar'],
    ['/foo/bar/baz', '/foo/bar', '/q', '/q/baz'],
    ['/prefix/one/two', '/prefix/one', '/one', '/one/two'],
    ['/strip-prefix/three', '/strip-prefix', '/', '/three'],
    ['/strip-prefix', '/strip-prefix', '/', '/'],
    [
      '/prefix/rewrite-path-and-modify-headers/one',
      '/prefix/rewrite-path-and-modify-headers',
      '/prefix',
      '/prefix/one',
    ],
    ['/anything/here', '/', '/base', '/base/anything/here'],
    ['/', '/', '/base', '/base/'],
  ])('%s with prefix %s → %s gives %s', (reqPath, prefix, replacement, expected) => {
    expect(rewritePath({ type: 'ReplacePrefixMatch', replacePrefixMatch: replacement }, reqPath, prefix).path).toBe(
      expected,
    );
  });

  it('keeps the query', () => {
    expect(
      rewritePath({ type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' }, '/old/x', '/old', '?q=1&q=2'),
    ).toMatchObject({
      path: '/new/x',
      query: '?q=1&q=2',
    });
  });

  it('leaves the path alone when the rule did not match a PathPrefix', () => {
    expect(rewritePath({ type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' }, '/old/x', undefined).path).toBe(
      '/old/x',
    );
  });
});

describe('ReplaceFullPath', () => {
  it.each([
    ['/full/one/two', '/one', '/one'],
    ['/full/rewrite-path-and-modify-headers/test', '/test', '/test'],
    ['/a', '/b/c/', '/b/c/'],
    ['/a', '', '/'],
  ])('%s → %s gives %s', (reqPath, replacement, expected) => {
    expect(rewritePath({ type: 'ReplaceFullPath', replaceFullPath: replacement }, reqPath, '/full').path).toBe(
      expected,
    );
  });
});

describe('hostname', () => {
  it('sets head.host and replaces the Host header', () => {
    const chain = compileFilters([filter({ type: 'URLRewrite', urlRewrite: { hostname: 'one.example.org' } })]);
    const ctx = request({
      host: 'rewrite.example',
      port: 8080,
      path: '/one',
      headers: [
        ['host', 'rewrite.example:8080'],
        ['x', 'y'],
      ],
    });
    chain.onRequest(ctx);
    expect(ctx.head).toMatchObject({ host: 'one.example.org', port: undefined, path: '/one' });
    expect(values(ctx.head.headers, 'host')).toEqual(['one.example.org']);
    expect(values(ctx.head.headers, 'x')).toEqual(['y']);
  });

  it('adds a Host header when the request had none (HTTP/2 :authority)', () => {
    const chain = compileFilters([filter({ type: 'URLRewrite', urlRewrite: { hostname: 'example.org' } })]);
    const ctx = request({ host: 'rewrite.example' });
    chain.onRequest(ctx);
    expect(values(ctx.head.headers, 'host')).toEqual(['example.org']);
  });

  it('rewrites host and path together and then header modifiers run (conformance rewrite-host-and-modify-headers)', () => {
    const chain = compileFilters([
      filter({
        type: 'URLRewrite',
        urlRewrite: { hostname: 'test.example.org', path: { type: 'ReplaceFullPath', replaceFullPath: '/test' } },
      }),
      filter({
        type: 'RequestHeaderModifier',
        requestHeaderModifier: {
          set: [{ name: 'X-Header-Set', value: 'set-overwrites-values' }],
          add: [{ name: 'X-Header-Add-Append', value: 'header-val-2' }],
          remove: ['X-Header-Remove'],
        },
      }),
    ]);
    const ctx = request({
      host: 'rewrite.example',
      path: '/x',
      headers: [
        ['x-header-remove', 'r'],
        ['x-header-add-append', 'append-val-1'],
      ],
    });
    chain.onRequest(ctx);
    expect(ctx.head).toMatchObject({ host: 'test.example.org', path: '/test' });
    expect(values(ctx.head.headers, 'x-header-add-append')).toEqual(['append-val-1', 'header-val-2']);
    expect(values(ctx.head.headers, 'x-header-set')).toEqual(['set-overwrites-values']);
    expect(values(ctx.head.headers, 'x-header-remove')).toEqual([]);
  });
});
