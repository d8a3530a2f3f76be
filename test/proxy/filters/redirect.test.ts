// RequestRedirect, after conformance httproute-redirect-{port,scheme,port-and-scheme,path,host-and-status}
// and httproute-30{3,7,8}-redirect. Location is always absolute; a scheme's well-known port is omitted.
import { describe, expect, it } from '@jest/globals';
import { compileFilters } from '../../../proxy/filters/index.js';
import type { RequestHead } from '../../../proxy/filters/types.js';
import { filter, request, values } from './support.js';
import { rows } from '../../support/each.js';

function redirect(cfg: Record<string, unknown>, head: Partial<RequestHead> = {}, matchedPrefix?: string) {
  const chain = compileFilters([filter({ type: 'RequestRedirect', requestRedirect: cfg })]);
  const answer = chain.onRequest(request({ host: 'example.com', path: '/p', ...head }, matchedPrefix));
  if (!answer) throw new Error('expected a redirect');
  return { status: answer.status, location: values(answer.headers, 'location') };
}

describe('status codes', () => {
  it('defaults to 302', () => {
    expect(redirect({ hostname: 'example.org' }).status).toBe(302);
  });
  it.each([301, 302, 303, 307, 308])('answers %i when configured', (statusCode) => {
    expect(redirect({ hostname: 'example.org', statusCode })).toEqual({
      status: statusCode,
      location: ['http://example.org/p'],
    });
  });
});

describe('scheme and port', () => {
  // [label, filter config, request scheme, request Host port, expected Location]
  it.each(
    rows([
      // listener on 80 (plain http, no port in Host)
      [
        'scheme nil, port nil keeps the request port (none)',
        { hostname: 'example.org' },
        'http',
        undefined,
        'http://example.org/p',
      ],
      [
        'scheme nil, port 80 on http is omitted',
        { hostname: 'example.org', port: 80 },
        'http',
        undefined,
        'http://example.org/p',
      ],
      [
        'scheme nil, port 8080',
        { hostname: 'example.org', port: 8080 },
        'http',
        undefined,
        'http://example.org:8080/p',
      ],
      [
        'scheme https, port nil uses 443 and omits it',
        { hostname: 'example.org', scheme: 'https' },
        'http',
        undefined,
        'https://example.org/p',
      ],
      [
        'scheme https, port 443 is omitted',
        { hostname: 'example.org', scheme: 'https', port: 443 },
        'http',
        undefined,
        'https://example.org/p',
      ],
      [
        'scheme https, port 8443',
        { hostname: 'example.org', scheme: 'https', port: 8443 },
        'http',
        undefined,
        'https://example.org:8443/p',
      ],
      // listener on 8080 (the client addressed :8080)
      [
        'scheme nil, port nil keeps the request port 8080',
        { hostname: 'example.org' },
        'http',
        8080,
        'http://example.org:8080/p',
      ],
      [
        'scheme nil, port 80 replaces the request port',
        { hostname: 'example.org', port: 80 },
        'http',
        8080,
        'http://example.org/p',
      ],
      [
        'scheme https, port nil drops the request port',
        { hostname: 'example.org', scheme: 'https' },
        'http',
        8080,
        'https://example.org/p',
      ],
      // listener on 443 (https at the edge)
      ['https request, scheme nil, port nil', { hostname: 'example.org' }, 'https', undefined, 'https://example.org/p'],
      [
        'https request, scheme nil, port 443',
        { hostname: 'example.org', port: 443 },
        'https',
        undefined,
        'https://example.org/p',
      ],
      [
        'https request, scheme nil, port 8443',
        { hostname: 'example.org', port: 8443 },
        'https',
        undefined,
        'https://example.org:8443/p',
      ],
      [
        'https request, scheme http, port nil',
        { hostname: 'example.org', scheme: 'http' },
        'https',
        undefined,
        'http://example.org/p',
      ],
      [
        'https request, scheme http, port 80',
        { hostname: 'example.org', scheme: 'http', port: 80 },
        'https',
        undefined,
        'http://example.org/p',
      ],
      [
        'https request, scheme http, port 8080',
        { hostname: 'example.org', scheme: 'http', port: 8080 },
        'https',
        undefined,
        'http://example.org:8080/p',
      ],
      ['https request on :443 keeps no port', {}, 'https', 443, 'https://example.com/p'],
      ['http request on :80 keeps no port', {}, 'http', 80, 'http://example.com/p'],
      [
        'port 443 on an http redirect is written out',
        { scheme: 'http', port: 443 },
        'https',
        undefined,
        'http://example.com:443/p',
      ],
      ['port only: host and scheme from the request', { port: 8083 }, 'http', undefined, 'http://example.com:8083/p'],
    ] as const),
  )('%s', (_label, cfg, scheme, port, location) => {
    const head = port === undefined ? { scheme } : { scheme, port };
    expect(redirect(cfg, head).location).toEqual([location]);
  });
});

describe('hostname', () => {
  it('uses the request host when unset', () => {
    expect(redirect({ scheme: 'https' }, { host: 'shop.example.net' }).location).toEqual([
      'https://shop.example.net/p',
    ]);
  });
  it('brackets an IPv6 request host', () => {
    expect(redirect({ port: 8080 }, { host: '::1' }).location).toEqual(['http://[::1]:8080/p']);
  });
});

describe('path and query', () => {
  // [label, path modifier, matched prefix, request path, request query, expected path+query]
  it.each(
    rows([
      ['no modifier keeps path and query', undefined, undefined, '/a/b', '?x=1', '/a/b?x=1'],
      [
        'ReplaceFullPath',
        { type: 'ReplaceFullPath', replaceFullPath: '/full-path-replacement' },
        '/full',
        '/full/path/original',
        '',
        '/full-path-replacement',
      ],
      [
        'ReplaceFullPath keeps the query',
        { type: 'ReplaceFullPath', replaceFullPath: '/new' },
        undefined,
        '/old',
        '?a=1&b=2',
        '/new?a=1&b=2',
      ],
      [
        'ReplacePrefixMatch keeps the rest of the path',
        { type: 'ReplacePrefixMatch', replacePrefixMatch: '/replacement-prefix' },
        '/original-prefix',
        '/original-prefix/lemon',
        '',
        '/replacement-prefix/lemon',
      ],
      [
        'ReplacePrefixMatch on the prefix itself',
        { type: 'ReplacePrefixMatch', replacePrefixMatch: '/replacement-prefix' },
        '/path-and-host',
        '/path-and-host',
        '',
        '/replacement-prefix',
      ],
      [
        'ReplacePrefixMatch keeps the query',
        { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2' },
        '/v1',
        '/v1/items',
        '?page=2',
        '/v2/items?page=2',
      ],
      [
        'ReplacePrefixMatch to / strips the prefix',
        { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' },
        '/old',
        '/old/x',
        '',
        '/x',
      ],
    ] as const),
  )('%s', (_label, path, prefix, reqPath, query, expected) => {
    const cfg = path === undefined ? { hostname: 'example.org' } : { hostname: 'example.org', path };
    expect(redirect(cfg, { path: reqPath, query }, prefix).location).toEqual([`http://example.org${expected}`]);
  });
});

describe('short-circuit', () => {
  it('filters after the redirect do not run', () => {
    const chain = compileFilters([
      filter({ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }),
      filter({ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-after', value: '1' }] } }),
    ]);
    const ctx = request();
    expect(chain.onRequest(ctx)?.status).toBe(302);
    expect(values(ctx.head.headers, 'x-after')).toEqual([]);
  });
  it('filters before the redirect run first', () => {
    const chain = compileFilters([
      filter({ type: 'URLRewrite', urlRewrite: { hostname: 'rewritten.example' } }),
      filter({ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }),
    ]);
    expect(values(chain.onRequest(request())!.headers, 'location')).toEqual(['https://rewritten.example/']);
  });
});
