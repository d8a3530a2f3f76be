// CORS, after conformance httproute-cors and the HTTPCORSFilter field docs (Gateway API v1.6.1).
import { describe, expect, it } from '@jest/globals';
import { compileFilters } from '../../../proxy/filters/index.js';
import type { CompiledFilters, HeaderList } from '../../../proxy/filters/types.js';
import { filter, request, values } from './support.js';
import { rows } from '../../support/each.js';

const cors = (cfg: Record<string, unknown>): CompiledFilters => compileFilters([filter({ type: 'CORS', cors: cfg })]);

// The conformance routes (httproute-cors.yaml).
const multiple = cors({
  allowOrigins: ['https://www.foo.com', 'https://*.bar.com'],
  allowMethods: ['GET', 'OPTIONS'],
  allowHeaders: ['x-header-1', 'x-header-2'],
  exposeHeaders: ['x-header-3', 'x-header-4'],
  allowCredentials: true,
  maxAge: 3600,
});
const wildcardMethods = cors({ allowOrigins: ['https://www.foo.com'], allowMethods: ['*'] });
const wildcardOrigin = cors({ allowOrigins: ['*'], allowMethods: ['PUT'], allowCredentials: false });
const allWildcardsCreds = cors({
  allowOrigins: ['*'],
  allowMethods: ['*'],
  allowHeaders: ['*'],
  allowCredentials: true,
});
const allWildcardsNoCreds = cors({
  allowOrigins: ['*'],
  allowMethods: ['*'],
  allowHeaders: ['*'],
  allowCredentials: false,
});

function preflight(chain: CompiledFilters, origin: string, method: string, requestHeaders?: string) {
  const headers: HeaderList = [
    ['origin', origin],
    ['access-control-request-method', method],
  ];
  if (requestHeaders !== undefined) headers.push(['access-control-request-headers', requestHeaders]);
  return chain.onRequest(request({ method: 'OPTIONS', headers }));
}

/** An actual request through the chain; returns the response headers after a backend answered `backend`. */
function actual(
  chain: CompiledFilters,
  origin: string | undefined,
  backend: HeaderList = [['content-type', 'text/plain']],
  method = 'GET',
) {
  const ctx = request({ method, headers: origin === undefined ? [] : [['origin', origin]] });
  expect(chain.onRequest(ctx)).toBeUndefined();
  chain.onResponse(ctx, 200, backend);
  return backend;
}

const acHeader = (headers: HeaderList, name: string): string | undefined => {
  const all = values(headers, `access-control-${name}`);
  expect(all.length).toBeLessThanOrEqual(1);
  return all[0];
};

describe('preflight', () => {
  // [label, chain, origin, requested method, requested headers, expected access-control-* (undefined = absent)]
  it.each(
    rows([
      [
        'exact origin: lists, max-age, credentials',
        multiple,
        'https://www.foo.com',
        'GET',
        'x-header-1, x-header-2',
        {
          'allow-origin': 'https://www.foo.com',
          'allow-methods': 'GET, OPTIONS',
          'allow-headers': 'x-header-1, x-header-2',
          'expose-headers': 'x-header-3, x-header-4',
          'max-age': '3600',
          'allow-credentials': 'true',
        },
      ],
      [
        'wildcard subdomain origin',
        multiple,
        'https://www.bar.com',
        'GET',
        'x-header-1',
        {
          'allow-origin': 'https://www.bar.com',
          'allow-methods': 'GET, OPTIONS',
          'max-age': '3600',
          'allow-credentials': 'true',
        },
      ],
      [
        'wildcard matches several labels',
        multiple,
        'https://xpto.www.bar.com',
        'GET',
        undefined,
        { 'allow-origin': 'https://xpto.www.bar.com', 'allow-headers': 'x-header-1, x-header-2' },
      ],
      [
        'explicit default port matches the portless pattern',
        multiple,
        'https://www.foo.com:443',
        'GET',
        undefined,
        { 'allow-origin': 'https://www.foo.com:443' },
      ],
      [
        'non-matching origin gets no CORS headers',
        multiple,
        'https://foobar.com',
        'GET',
        undefined,
        {
          'allow-origin': undefined,
          'allow-methods': undefined,
          'allow-headers': undefined,
          'max-age': undefined,
          'allow-credentials': undefined,
          'expose-headers': undefined,
        },
      ],
      [
        'wildcard needs a label: the apex does not match',
        multiple,
        'https://bar.com',
        'GET',
        undefined,
        { 'allow-origin': undefined },
      ],
      ['scheme must match', multiple, 'http://www.foo.com', 'GET', undefined, { 'allow-origin': undefined }],
      [
        'other port does not match',
        multiple,
        'https://www.foo.com:8443',
        'GET',
        undefined,
        { 'allow-origin': undefined },
      ],
      [
        'methods * without credentials: *, no credentials header, default max-age 5',
        wildcardMethods,
        'https://www.foo.com',
        'POST',
        undefined,
        {
          'allow-origin': 'https://www.foo.com',
          'allow-methods': '*',
          'allow-credentials': undefined,
          'max-age': '5',
          'allow-headers': undefined,
        },
      ],
      [
        'origin * without credentials answers *',
        wildcardOrigin,
        'https://foobar.com',
        'PUT',
        undefined,
        { 'allow-origin': '*', 'allow-methods': 'PUT', 'allow-credentials': undefined },
      ],
      [
        'origin * with a port',
        wildcardOrigin,
        'https://foobar.com:12345',
        'PUT',
        undefined,
        { 'allow-origin': '*', 'allow-methods': 'PUT' },
      ],
      [
        'all * with credentials echo origin, method and headers',
        allWildcardsCreds,
        'https://other.foo.com',
        'PUT',
        'x-header-1, x-header-2',
        {
          'allow-origin': 'https://other.foo.com',
          'allow-methods': 'PUT',
          'allow-headers': 'x-header-1, x-header-2',
          'allow-credentials': 'true',
        },
      ],
      [
        'all * with credentials and no requested headers omit allow-headers',
        allWildcardsCreds,
        'https://other.foo.com',
        'DELETE',
        undefined,
        { 'allow-methods': 'DELETE', 'allow-headers': undefined },
      ],
      [
        'all * without credentials answer *',
        allWildcardsNoCreds,
        'https://other.foo.com',
        'PUT',
        'x-header-1',
        { 'allow-origin': '*', 'allow-methods': '*', 'allow-headers': '*', 'allow-credentials': undefined },
      ],
    ] as const),
  )('%s', (_label, chain, origin, method, reqHeaders, expected) => {
    const answer = preflight(chain, origin, method, reqHeaders);
    expect(answer?.status).toBe(204);
    for (const [name, value] of Object.entries(expected))
      expect([name, acHeader(answer!.headers, name)]).toEqual([name, value]);
    expect(values(answer!.headers, 'vary')).toEqual(['Origin']);
  });

  it.each(
    rows([
      ['OPTIONS without Access-Control-Request-Method', 'OPTIONS', [['origin', 'https://www.foo.com']]],
      ['OPTIONS without Origin', 'OPTIONS', [['access-control-request-method', 'GET']]],
      [
        'GET with preflight headers',
        'GET',
        [
          ['origin', 'https://www.foo.com'],
          ['access-control-request-method', 'GET'],
        ],
      ],
    ] as const),
  )('%s is not a preflight: it goes to the backend', (_label, method, headers) => {
    expect(multiple.onRequest(request({ method, headers: headers.map(([n, v]) => [n, v]) }))).toBeUndefined();
  });

  it("skips the filters after CORS but applies the chain's response modifiers", () => {
    const chain = compileFilters([
      filter({ type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'x-resp', value: 'r' }] } }),
      filter({ type: 'CORS', cors: { allowOrigins: ['https://a.com'] } }),
      filter({ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-req', value: 'q' }] } }),
    ]);
    const ctx = request({
      method: 'OPTIONS',
      headers: [
        ['origin', 'https://a.com'],
        ['access-control-request-method', 'GET'],
      ],
    });
    const answer = chain.onRequest(ctx)!;
    expect(values(ctx.head.headers, 'x-req')).toEqual([]);
    expect(values(answer.headers, 'x-resp')).toEqual(['r']);
    expect(values(answer.headers, 'access-control-allow-origin')).toEqual(['https://a.com']);
  });
});

describe('actual requests', () => {
  // [label, chain, origin, expected access-control-* on the response]
  it.each(
    rows([
      [
        'exact origin',
        multiple,
        'https://www.foo.com',
        {
          'allow-origin': 'https://www.foo.com',
          'allow-credentials': 'true',
          'expose-headers': 'x-header-3, x-header-4',
          'allow-methods': undefined,
          'max-age': undefined,
        },
      ],
      ['wildcard origin', multiple, 'https://www.bar.com', { 'allow-origin': 'https://www.bar.com' }],
      [
        'non-matching origin',
        multiple,
        'https://foobar.com',
        { 'allow-origin': undefined, 'allow-credentials': undefined, 'expose-headers': undefined },
      ],
      ['no Origin header', multiple, undefined, { 'allow-origin': undefined }],
      [
        'origin * without credentials',
        wildcardOrigin,
        'https://foobar.com:12345',
        { 'allow-origin': '*', 'allow-credentials': undefined },
      ],
      [
        'origin * with credentials echoes',
        allWildcardsCreds,
        'https://other.foo.com',
        { 'allow-origin': 'https://other.foo.com', 'allow-credentials': 'true' },
      ],
      [
        'origin * without credentials omits credentials',
        allWildcardsNoCreds,
        'https://other.foo.com',
        { 'allow-origin': '*', 'allow-credentials': undefined },
      ],
    ] as const),
  )('%s', (_label, chain, origin, expected) => {
    const headers = actual(chain, origin);
    for (const [name, value] of Object.entries(expected))
      expect([name, acHeader(headers, name)]).toEqual([name, value]);
    expect(values(headers, 'vary')).toEqual(['Origin']);
    expect(values(headers, 'content-type')).toEqual(['text/plain']);
  });

  it("replaces the backend's own CORS headers for an allowed origin", () => {
    const headers = actual(multiple, 'https://www.foo.com', [
      ['access-control-allow-origin', '*'],
      ['vary', 'Accept-Encoding'],
    ]);
    expect(values(headers, 'access-control-allow-origin')).toEqual(['https://www.foo.com']);
    expect(values(headers, 'vary')).toEqual(['Accept-Encoding', 'Origin']);
  });

  it('does not repeat Origin in Vary', () => {
    expect(values(actual(multiple, 'https://www.foo.com', [['vary', 'origin, accept']]), 'vary')).toEqual([
      'origin, accept',
    ]);
  });

  it.each([
    ["lists the response's header names for expose * with credentials", true, 'x-custom, x-other'],
    ['sends * for expose * without credentials', false, '*'],
  ])('%s', (_label, allowCredentials, expected) => {
    const chain = cors({ allowOrigins: ['https://a.com'], exposeHeaders: ['*'], allowCredentials });
    const headers = actual(chain, 'https://a.com', [
      ['content-type', 'text/plain'],
      ['x-custom', '1'],
      ['x-other', '2'],
      ['x-custom', '3'],
    ]);
    expect(values(headers, 'access-control-expose-headers')).toEqual([expected]);
  });

  it('keeps per-request state in the context: two requests through one chain do not mix', () => {
    const a = request({ headers: [['origin', 'https://www.foo.com']] });
    const b = request({ headers: [['origin', 'https://foobar.com']] });
    multiple.onRequest(a);
    multiple.onRequest(b);
    const ha: HeaderList = [];
    const hb: HeaderList = [];
    multiple.onResponse(b, 200, hb);
    multiple.onResponse(a, 200, ha);
    expect(values(ha, 'access-control-allow-origin')).toEqual(['https://www.foo.com']);
    expect(values(hb, 'access-control-allow-origin')).toEqual([]);
  });
});
