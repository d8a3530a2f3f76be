// Route matches → proxy matches (src/translate/matches.ts): what each HTTPRoute and GRPCRoute match becomes,
// what is refused and with which message (the rule's UnsupportedValue / PartiallyInvalid text a user reads),
// and the regex counts the route budgets are kept in (limits.ts).
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RE2JS } from 're2js';
import { parse } from 'yaml';
import {
  checkRegex,
  grpcMatch,
  httpMatch,
  regexesToCheck,
  regexInstructions,
  ruleMatches,
  writtenRegexes,
} from '../../src/translate/matches.js';
import { REGEX_MAX_PROGRAM_SIZE } from '../../src/translate/limits.js';
import { regexSize } from '../../src/translate/regex-size.js';

const programSize = (pattern: string) => RE2JS.compile(pattern).programSize();

/** The HTTPRoute CRD's (v1.6.1 standard) method enum: the independent list of what a match may name. */
function crdMethods(): string[] {
  const file = '../../deploy/crds/gateway-api-v1.6.1/standard/gateway.networking.k8s.io_httproutes.yaml';
  const crd = parse(readFileSync(fileURLToPath(new URL(file, import.meta.url)), 'utf8'));
  const v1 = crd.spec.versions.find((v: { name: string }) => v.name === 'v1');
  return v1.schema.openAPIV3Schema.properties.spec.properties.rules.items.properties.matches.items.properties.method
    .enum;
}

describe('httpMatch', () => {
  const methods = crdMethods();
  it.each(methods)('takes the method %s, which the CRD allows', (method) => {
    expect(methods).toHaveLength(9);
    expect(httpMatch({ method }).match).toEqual({ path: { type: 'PathPrefix', value: '/' }, method });
  });

  it.each([
    ['no path: PathPrefix "/"', {}, { path: { type: 'PathPrefix', value: '/' } }],
    ['a path without a type: PathPrefix', { path: { value: '/v1' } }, { path: { type: 'PathPrefix', value: '/v1' } }],
    ['a path without a value: "/"', { path: { type: 'Exact' } }, { path: { type: 'Exact', value: '/' } }],
    [
      'a regex path',
      { path: { type: 'RegularExpression', value: '/v[0-9]+' } },
      { path: { type: 'RegularExpression', value: '/v[0-9]+' } },
    ],
    ['a method', { method: 'PATCH' }, { path: { type: 'PathPrefix', value: '/' }, method: 'PATCH' }],
    [
      'header names lower-cased, the first of a name kept, an Exact type by default',
      {
        headers: [
          { name: 'X-Env', value: 'a' },
          { name: 'x-env', value: 'b' },
          { name: 'X-Re', type: 'RegularExpression', value: 'v[0-9]' },
          { name: 'X-Empty' },
        ],
      },
      {
        path: { type: 'PathPrefix', value: '/' },
        headers: [
          { type: 'Exact', name: 'x-env', value: 'a' },
          { type: 'RegularExpression', name: 'x-re', value: 'v[0-9]' },
          { type: 'Exact', name: 'x-empty', value: '' },
        ],
      },
    ],
    [
      'query parameter names as written, the first of a name kept',
      {
        queryParams: [
          { name: 'Page', value: '1' },
          { name: 'page', value: '2' },
          { name: 'Page', value: '3' },
        ],
      },
      {
        path: { type: 'PathPrefix', value: '/' },
        queryParams: [
          { type: 'Exact', name: 'Page', value: '1' },
          { type: 'Exact', name: 'page', value: '2' },
        ],
      },
    ],
    [
      'no headers or query list when every entry was empty',
      { headers: [], queryParams: [] },
      { path: { type: 'PathPrefix', value: '/' } },
    ],
  ])('%s', (_what, raw, match) => {
    expect(httpMatch(raw)).toEqual({ match });
  });

  it.each([
    ['a method outside HTTP’s', { method: 'BREW' }, 'method BREW is not supported'],
    ['a lower-case method', { method: 'get' }, 'method get is not supported'],
    ['a method that is not text', { method: 7 }, 'method 7 is not supported'],
    ['a path type', { path: { type: 'Glob', value: '/a' } }, 'path match type Glob is not supported'],
    ['a path type that is not text', { path: { type: ['Exact'] } }, 'path match type ["Exact"] is not supported'],
    ['a header match type that is not text', { headers: [{ name: 'x', type: 1 }] }, 'match type 1 is not supported'],
    ['a relative path', { path: { type: 'PathPrefix', value: 'a' } }, 'path "a" must start with "/"'],
    ['an Exact relative path', { path: { type: 'Exact', value: 'a/b' } }, 'path "a/b" must start with "/"'],
    ['a header name with a space', { headers: [{ name: 'x env', value: 'a' }] }, 'match name "x env" is not valid'],
    ['a header without a name', { headers: [{ value: 'a' }] }, 'match name "" is not valid'],
    [
      'a 257-character name',
      { queryParams: [{ name: 'q'.repeat(257), value: 'a' }] },
      `match name "${'q'.repeat(257)}" is not valid`,
    ],
    [
      'a header match type',
      { headers: [{ name: 'x', type: 'Prefix', value: 'a' }] },
      'match type Prefix is not supported',
    ],
    [
      'a query regex that is not RE2',
      { queryParams: [{ name: 'q', type: 'RegularExpression', value: '(?<=a)b' }] },
      'regular expression "(?<=a)b" is not valid RE2 syntax',
    ],
  ])('refuses %s', (_what, raw, message) => {
    expect(() => httpMatch(raw)).toThrow(message);
  });

  it('accepts a 256-character name and every token character', () => {
    const names = ['q'.repeat(256), "!#$%&'*+.^_`|~-Az09"];
    const { match } = httpMatch({ queryParams: names.map((name) => ({ name, value: 'v' })) });
    expect(match.queryParams!.map((q) => q.name)).toEqual(names);
  });
});

describe('grpcMatch', () => {
  const path = (raw: Record<string, unknown>) => grpcMatch({ method: raw }).match.path;
  it.each([
    ['service and method', { service: 'pkg.Svc', method: 'Get' }, { type: 'Exact', value: '/pkg.Svc/Get' }],
    ['a service only', { service: 'pkg.Svc' }, { type: 'PathPrefix', value: '/pkg.Svc/' }],
    ['a method only', { method: 'Get' }, { type: 'RegularExpression', value: `/[^/]+/${RE2JS.quote('Get')}` }],
    ['neither', {}, { type: 'PathPrefix', value: '/' }],
    ['a leading-dot service', { type: 'Exact', service: '.pkg.Svc' }, { type: 'PathPrefix', value: '/.pkg.Svc/' }],
    [
      'regexes for both',
      { type: 'RegularExpression', service: 'pkg\\..*', method: 'Get|List' },
      { type: 'RegularExpression', value: '/(?:pkg\\..*)/(?:Get|List)' },
    ],
    [
      'a regex for the method only',
      { type: 'RegularExpression', method: 'Get' },
      { type: 'RegularExpression', value: '/(?:[^/]+)/(?:Get)' },
    ],
    [
      'a regex for the service only',
      { type: 'RegularExpression', service: 'pkg' },
      { type: 'RegularExpression', value: '/(?:pkg)/(?:[^/]+)' },
    ],
  ])('%s', (_what, method, expected) => {
    expect(path(method)).toEqual(expected);
  });

  it('is always a POST, keeps header matches and counts service and method characters', () => {
    const ranked = grpcMatch({
      method: { service: 'pkg.Svc', method: 'Get' },
      headers: [{ name: 'X-Tenant', value: 't' }],
    });
    expect(ranked).toEqual({
      match: {
        path: { type: 'Exact', value: '/pkg.Svc/Get' },
        method: 'POST',
        headers: [{ type: 'Exact', name: 'x-tenant', value: 't' }],
      },
      grpc: { service: 7, method: 3 },
    });
    expect(grpcMatch({}).match).toEqual({ path: { type: 'PathPrefix', value: '/' }, method: 'POST' });
  });

  it.each([
    ['a match type', { type: 'Prefix', service: 'pkg' }, 'GRPCRoute method match type Prefix is not supported'],
    ['a service with a slash', { service: 'pkg/Svc' }, 'gRPC service "pkg/Svc" is not valid'],
    ['a service ending in a dot', { service: 'pkg.' }, 'gRPC service "pkg." is not valid'],
    ['a service starting with a digit', { service: '1pkg' }, 'gRPC service "1pkg" is not valid'],
    ['a method with a dot', { service: 'pkg', method: 'Get.All' }, 'gRPC method "Get.All" is not valid'],
    ['a method starting with a digit', { method: '2Get' }, 'gRPC method "2Get" is not valid'],
    [
      'a service regex that is not RE2',
      { type: 'RegularExpression', service: '(a' },
      'regular expression "(a" is not valid RE2 syntax',
    ],
    [
      'a method regex that is not RE2',
      { type: 'RegularExpression', method: 'a)' },
      'regular expression "a)" is not valid RE2 syntax',
    ],
  ])('refuses %s', (_what, method, message) => {
    expect(() => grpcMatch({ method })).toThrow(message);
  });
});

describe('ruleMatches', () => {
  it('gives a rule without matches PathPrefix "/", and a GRPCRoute rule any POST', () => {
    expect(ruleMatches('HTTPRoute', undefined)).toEqual([{ match: { path: { type: 'PathPrefix', value: '/' } } }]);
    expect(ruleMatches('HTTPRoute', [])).toEqual([{ match: { path: { type: 'PathPrefix', value: '/' } } }]);
    expect(ruleMatches('GRPCRoute', [])).toEqual([
      { match: { path: { type: 'PathPrefix', value: '/' }, method: 'POST' }, grpc: { service: 0, method: 0 } },
    ]);
  });

  it('reads each match as its route kind does', () => {
    const raw = [{ method: { service: 'pkg' } }, { path: { type: 'Exact', value: '/x' } }];
    expect(ruleMatches('GRPCRoute', raw).map((m) => m.match)).toEqual([
      { path: { type: 'PathPrefix', value: '/pkg/' }, method: 'POST' },
      { path: { type: 'PathPrefix', value: '/' }, method: 'POST' },
    ]);
    expect(() => ruleMatches('HTTPRoute', raw)).toThrow('method {"service":"pkg"} is not supported');
    expect(ruleMatches('HTTPRoute', raw.slice(1)).map((m) => m.match)).toEqual([
      { path: { type: 'Exact', value: '/x' } },
    ]);
  });
});

describe('checkRegex', () => {
  it('keeps a pattern up to the program limit and names the size past it', () => {
    const within = 'a'.repeat(REGEX_MAX_PROGRAM_SIZE - 4);
    expect(programSize(within)).toBeLessThanOrEqual(REGEX_MAX_PROGRAM_SIZE);
    expect(checkRegex(within)).toBe(within);
    const over = 'a'.repeat(REGEX_MAX_PROGRAM_SIZE);
    expect(() => checkRegex(over)).toThrow(
      `regular expression "${over}" compiles to ${programSize(over)} RE2 instructions, at most ${REGEX_MAX_PROGRAM_SIZE} are allowed`,
    );
  });

  it('refuses a pattern estimated too big without compiling it', () => {
    expect(regexSize('a{1000}{1000}').kind).toBe('too big');
    expect(() => checkRegex('a{1000}{1000}')).toThrow(/would compile to more than \d+ RE2 instructions, at most 256/);
  });
});

describe('the regex counts of a rule', () => {
  const rule = {
    matches: [
      {
        path: { type: 'RegularExpression', value: '/p[0-9]' },
        method: { type: 'RegularExpression', service: 's.*', method: 'm.*' },
        headers: [
          { name: 'a', type: 'RegularExpression', value: 'h[0-9]' },
          { name: 'b', value: 'exact' },
        ],
        queryParams: [{ name: 'q', type: 'RegularExpression' }],
      },
      { path: { type: 'PathPrefix', value: '/' }, method: { type: 'RegularExpression' } },
    ],
  };

  it('counts what a rule writes: a gRPC method regex as three, each other regex as one', () => {
    expect(writtenRegexes(rule)).toBe(1 + 3 + 1 + 1 + 3);
    expect(writtenRegexes({})).toBe(0);
  });

  it('lists the patterns each route kind checks, an empty gRPC part left out but matching any', () => {
    expect(regexesToCheck('HTTPRoute', rule)).toEqual(['/p[0-9]', 'h[0-9]', '']);
    expect(regexesToCheck('GRPCRoute', rule)).toEqual([
      's.*',
      'm.*',
      '/(?:s.*)/(?:m.*)',
      'h[0-9]',
      '',
      '/(?:[^/]+)/(?:[^/]+)',
    ]);
    expect(regexesToCheck('HTTPRoute', { matches: [{ path: { type: 'RegularExpression' } }] })).toEqual(['/']);
  });

  it('weighs a match by the program sizes of its regexes', () => {
    const { match } = httpMatch({
      path: { type: 'RegularExpression', value: '/p[0-9]+' },
      headers: [
        { name: 'a', type: 'RegularExpression', value: 'h.*' },
        { name: 'b', value: 'x' },
      ],
      queryParams: [{ name: 'q', type: 'RegularExpression', value: 'v|w' }],
    });
    expect(regexInstructions(match)).toBe(programSize('/p[0-9]+') + programSize('h.*') + programSize('v|w'));
    expect(regexInstructions(httpMatch({ path: { type: 'Exact', value: '/p' } }).match)).toBe(0);
  });
});
